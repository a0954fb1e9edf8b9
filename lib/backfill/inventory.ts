import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { parse } from "csv-parse";
import { z } from "zod";
import { decodeS3Key } from "../adapters/s3-events.ts";
import { BackfillError, issuePath } from "../errors.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import type { SourceItem } from "./sources.ts";

/** The manifest.json S3 Inventory writes beside each inventory (the fields read here; others are kept). */
export const InventoryManifestSchema = z
  .object({
    sourceBucket: z.string().min(1),
    /** `arn:aws:s3:::<bucket>`: where the inventory's data files are. */
    destinationBucket: z.string().min(1),
    fileFormat: z.string(),
    fileSchema: z.string(),
    files: z.array(z.object({ key: z.string().min(1), size: z.number().optional(), MD5checksum: z.string().optional() }).loose()),
  })
  .loose();
export type InventoryManifest = z.infer<typeof InventoryManifestSchema>;

export function parseInventoryManifest(text: string, where: string): InventoryManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BackfillError("INVALID_INVENTORY", `${where}: not JSON`, { cause: error });
  }
  const parsed = InventoryManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BackfillError("INVALID_INVENTORY", `${where} (${issuePath(issue.path)}): ${issue.message}`);
  }
  const manifest = parsed.data;
  // ORC and Parquet need readers this project does not carry; CSV is S3 Inventory's default.
  if (manifest.fileFormat.toUpperCase() !== "CSV") {
    throw new BackfillError("INVALID_INVENTORY", `${where}: fileFormat ${manifest.fileFormat} is not supported; configure the inventory as CSV`);
  }
  if (!columnsOf(manifest).includes("Key")) throw new BackfillError("INVALID_INVENTORY", `${where}: fileSchema has no Key column`);
  return manifest;
}

/** The bucket name of `arn:aws:s3:::name` (or a bare name). */
export const bucketOfArn = (arn: string) => arn.replace(/^arn:[^:]+:s3:::/, "");

const columnsOf = (manifest: InventoryManifest) => manifest.fileSchema.split(",").map((c) => c.trim());

/**
 * The inventory's objects, file after file in the manifest's order, from `start` (a file and the
 * rows of it already done). Data files are gzipped CSV in the destination bucket (`files`: the
 * store of that bucket); keys in them are URL-encoded. Delete markers and noncurrent versions
 * (versioned inventories) come with a reason to skip them.
 */
export async function* inventoryItems(manifest: InventoryManifest, files: ObjectStore, start: { file: number; row: number } = { file: 0, row: 0 }): AsyncGenerator<SourceItem> {
  const columns = columnsOf(manifest);
  const at = (name: string) => columns.indexOf(name);
  const [key, size, modified, latest, deleteMarker] = [at("Key"), at("Size"), at("LastModifiedDate"), at("IsLatest"), at("IsDeleteMarker")];
  for (let file = start.file; file < manifest.files.length; file++) {
    const entry = manifest.files[file]!;
    const object = await files.get(entry.key);
    if (!object) throw new BackfillError("INVALID_INVENTORY", `inventory data file ${entry.key} is missing from ${manifest.destinationBucket}`);
    const rows = Readable.from([Buffer.from(object.body)]).pipe(createGunzip()).pipe(parse({ relax_column_count: true }));
    let row = 0;
    for await (const record of rows as AsyncIterable<string[]>) {
      row++;
      if (file === start.file && row <= start.row) continue;
      const value = (i: number) => (i >= 0 ? record[i] : undefined);
      const lastModified = value(modified) ? new Date(value(modified)!) : undefined;
      const skip = value(deleteMarker) === "true" ? "delete marker" : value(latest) === "false" ? "noncurrent version" : undefined;
      yield {
        key: decodeS3Key(value(key) ?? ""),
        ...(value(size) ? { size: Number(value(size)) } : {}),
        ...(lastModified && !Number.isNaN(lastModified.getTime()) ? { lastModified } : {}),
        ...(skip ? { skip } : {}),
        cursor: { kind: "inventory", file, row },
      };
    }
  }
}
