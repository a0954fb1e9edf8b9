import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
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
  const dir = join(outDir, SNAPSHOT_DIR);
  await mkdir(dir, { recursive: true });
  const ordered = [...snapshot.contacts].sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.contactId.localeCompare(b.contactId));
  await atomicWrite(join(dir, "contacts.jsonl"), ordered.map((c) => `${JSON.stringify(c)}\n`).join(""));
  const meta: SnapshotMeta = { schema: "recontact.store-snapshot/v1", inputDir: snapshot.inputDir, config: snapshot.config, writtenAt: snapshot.now.toISOString(), contacts: ordered.length };
  await atomicWrite(join(dir, "snapshot.json"), `${JSON.stringify(meta, null, 2)}\n`);
}

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
