import type { ObjectStore } from "../ports/object-store.ts";
import type { Cursor } from "./state.ts";

/** One object a backfill considers, and the cursor that points just past it. */
export interface SourceItem {
  key: string;
  size?: number;
  lastModified?: Date;
  /** Why the source itself says to pass over it (a delete marker, a noncurrent version). */
  skip?: string;
  cursor: Cursor;
}

/** The bucket's objects under `prefix` in key order, after the cursor's key: the listing source. */
export async function* listingItems(objects: ObjectStore, prefix: string, after: string | null): AsyncGenerator<SourceItem> {
  for await (const object of objects.list(prefix, after ? { startAfter: after } : {})) {
    yield {
      key: object.key,
      size: object.size,
      ...(object.lastModified ? { lastModified: object.lastModified } : {}),
      cursor: { kind: "list", after: object.key },
    };
  }
}
