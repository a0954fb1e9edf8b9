import { mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { Config } from "../config.ts";
import { ContactRecordSchema, type ContactRecord } from "../contact/contact-record.ts";
import { ConfigurationError } from "../errors.ts";

/**
 * What a local run leaves for `recontact review`: the contact store as the run ended (the same
 * pseudonymised records DynamoDB holds — no transcript text, no raw customer id), where the
 * transcripts are, and the configuration. The embedded servers are gone after the run; review
 * starts them again from this.
 */
export const SNAPSHOT_DIR = "store";

const SnapshotMetaSchema = z.object({
  schema: z.literal("recontact.store-snapshot/v1"),
  inputDir: z.string(),
  config: z.record(z.string(), z.unknown()),
  writtenAt: z.string(),
  contacts: z.number().int(),
});
export type SnapshotMeta = z.infer<typeof SnapshotMetaSchema>;

export async function writeStoreSnapshot(outDir: string, snapshot: { inputDir: string; config: Config; contacts: readonly ContactRecord[]; now: Date }): Promise<void> {
  const writer = await openStoreSnapshot(outDir);
  try {
    await writer.add([...snapshot.contacts].sort(byStartThenId));
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.close({ inputDir: snapshot.inputDir, config: snapshot.config, now: snapshot.now });
}

/** A snapshot written a part at a time (a run writes it week by week, holding one week in memory). */
export interface StoreSnapshotWriter {
  /** Appends contacts; every call's contacts come after the last call's in (startedAt, contactId) order. */
  add(contacts: readonly ContactRecord[]): Promise<void>;
  /** Puts the snapshot in place of the one before it: the contacts first, then the description naming them. */
  close(meta: { inputDir: string; config: Config; now: Date }): Promise<void>;
  /** Leaves the snapshot before as it was. */
  abort(): Promise<void>;
}

export async function openStoreSnapshot(outDir: string): Promise<StoreSnapshotWriter> {
  const dir = join(outDir, SNAPSHOT_DIR);
  await mkdir(dir, { recursive: true });
  const contactsFile = join(dir, "contacts.jsonl");
  const file = await open(`${contactsFile}.tmp`, "w");
  let count = 0;
  let isOpen = true;
  const closeFile = async () => {
    if (!isOpen) return;
    isOpen = false;
    await file.close();
  };
  return {
    async add(contacts) {
      if (!contacts.length) return;
      await file.write(contacts.map((c) => `${JSON.stringify(c)}\n`).join(""));
      count += contacts.length;
    },
    async close(meta) {
      await closeFile();
      await rename(`${contactsFile}.tmp`, contactsFile);
      const written: SnapshotMeta = { schema: "recontact.store-snapshot/v1", inputDir: meta.inputDir, config: meta.config, writtenAt: meta.now.toISOString(), contacts: count };
      await atomicWrite(join(dir, "snapshot.json"), `${JSON.stringify(written, null, 2)}\n`);
    },
    async abort() {
      await closeFile();
      await rm(`${contactsFile}.tmp`, { force: true });
    },
  };
}

const byStartThenId = (a: ContactRecord, b: ContactRecord) => a.startedAt.localeCompare(b.startedAt) || a.contactId.localeCompare(b.contactId);

export async function readStoreSnapshot(outDir: string): Promise<{ meta: SnapshotMeta; contacts: ContactRecord[] }> {
  const dir = join(outDir, SNAPSHOT_DIR);
  let metaText: string;
  try {
    metaText = await readFile(join(dir, "snapshot.json"), "utf8");
  } catch (error) {
    throw new ConfigurationError("INVALID_CONFIG", `${outDir} holds no run to review: run \`npx recontact run <dir> --out ${outDir}\` first`, { cause: error });
  }
  const meta = SnapshotMetaSchema.parse(JSON.parse(metaText));
  const lines = (await readFile(join(dir, "contacts.jsonl"), "utf8")).split("\n").filter((l) => l.trim());
  return { meta, contacts: lines.map((l) => ContactRecordSchema.parse(JSON.parse(l))) };
}

async function atomicWrite(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}
