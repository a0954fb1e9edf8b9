import { createHash, randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, stat } from "node:fs/promises";
import { writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { z } from "zod";
import { InputError } from "../../errors.ts";
import type { ObjectStore, ObjectSummary, PutOptions, StoredObject } from "../../ports/object-store.ts";

export const SIDECAR_SUFFIX = ".meta.json";

/** A sidecar is a flat JSON object of S3 user metadata (SPEC 6). */
const SidecarSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

/**
 * The S3 user metadata a file's `<file>.meta.json` sidecar stands for, as S3 would hand it back:
 * keys lower-cased, and values that are not printable ASCII percent-encoded (metadata travels in
 * HTTP headers). No sidecar: no metadata.
 */
export async function sidecarMetadata(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(`${file}${SIDECAR_SUFFIX}`, "utf8");
  } catch {
    return {};
  }
  const parsed = SidecarSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new InputError("SCHEMA_VIOLATION", `${file}${SIDECAR_SUFFIX}`, undefined, "a sidecar must be a flat JSON object");
  return Object.fromEntries(Object.entries(parsed.data).map(([k, v]) => [k.toLowerCase(), /^[\x20-\x7e]*$/.test(v) ? v : encodeURIComponent(v)]));
}

/**
 * An object store on a folder, for local work that must outlive one process (the local model
 * registry, a `recontact run` output folder that `recontact review` works in). Key `a/b.json` is
 * the file `<root>/a/b.json`, or, with `keyPrefix`, key `<keyPrefix>a/b.json` is — so an input
 * folder can stand for the bucket's `transcripts/` prefix. Writes are atomic (a temporary file
 * renamed), so a reader never sees half a model. ETags are MD5 digests of the content, as S3's are
 * for single-part uploads. Local files carry no tags: `tag` does nothing.
 */
export class FileObjectStore implements ObjectStore {
  constructor(
    readonly root: string,
    private readonly keyPrefix = "",
  ) {}

  /** The file of a key, or undefined for a key outside this store (another prefix, or `..`). */
  private file(key: string): string | undefined {
    if (!key.startsWith(this.keyPrefix)) return undefined;
    const rest = key.slice(this.keyPrefix.length);
    if (rest === "" || rest.split("/").some((part) => part === ".." || part === "." || part === "")) return undefined;
    return join(this.root, ...rest.split("/"));
  }

  owns(key: string): boolean {
    return this.file(key) !== undefined;
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const file = this.file(key);
    if (!file) return undefined;
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    const [metadata, info] = await Promise.all([sidecarMetadata(file), stat(file)]);
    return { key, body: new Uint8Array(body), metadata, etag: createHash("md5").update(body).digest("hex"), lastModified: info.mtime };
  }

  async size(key: string): Promise<number | undefined> {
    const file = this.file(key);
    if (!file) return undefined;
    try {
      return (await stat(file)).size;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async put(key: string, body: string | Uint8Array, _options?: PutOptions): Promise<void> {
    const file = this.file(key);
    if (!file) throw new Error(`${key}: not a key of the local store at ${this.root}`);
    await mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.${randomUUID()}.tmp`;
    await writeFile(temporary, body);
    await rename(temporary, file);
  }

  async tag(_key: string, _tags: Record<string, string>): Promise<void> {}

  async *list(prefix: string): AsyncIterable<ObjectSummary> {
    let entries;
    try {
      entries = await readdir(this.root, { recursive: true, withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    const keys = entries
      .filter((e) => e.isFile() && !e.name.endsWith(SIDECAR_SUFFIX) && !e.name.endsWith(".tmp"))
      .map((e) => join(e.parentPath, e.name))
      .map((file) => ({ file, key: this.keyPrefix + relative(this.root, file).split(sep).join("/") }))
      .filter(({ key }) => key.startsWith(prefix))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { file, key } of keys) yield { key, size: (await stat(file)).size };
  }
}

/**
 * Several stores behind one: a key goes to the first store that owns it. Locally, `recontact
 * review` reads transcripts from the input folder and keeps reports, labels and models in the
 * output folder.
 */
export class RoutedObjectStore implements ObjectStore {
  constructor(private readonly stores: readonly FileObjectStore[]) {}

  private route(key: string): FileObjectStore {
    const store = this.stores.find((s) => s.owns(key));
    if (!store) throw new Error(`${key}: no local store holds this key`);
    return store;
  }

  get(key: string) {
    return this.route(key).get(key);
  }

  size(key: string) {
    return this.route(key).size(key);
  }

  put(key: string, body: string | Uint8Array, options?: PutOptions) {
    return this.route(key).put(key, body, options);
  }

  tag(key: string, tags: Record<string, string>) {
    return this.route(key).tag(key, tags);
  }

  async *list(prefix: string): AsyncIterable<ObjectSummary> {
    for (const store of this.stores) yield* store.list(prefix);
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}
