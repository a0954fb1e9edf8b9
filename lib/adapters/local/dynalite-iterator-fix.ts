import { createRequire } from "node:module";

/**
 * dynalite 4 reads a query's items through an abstract-level iterator wrapped in a stream, and
 * closes it with `iterator.return()` when the stream ends, which abstract-level 3 iterators do
 * not have (they have `close()`). Every query so left its iterator open, attached to the
 * database: the local server grew by about 25 KB a query (10,000 put+query pairs: 120 → 380 MB,
 * server process alone), so `recontact run` grew with the number of files. Giving the
 * iterators the `return()` dynalite calls closes them. Local servers only; idempotent.
 */
export function closeDynaliteIterators(): void {
  // dynalite's own copy of abstract-level (the only one installed), found from dynalite.
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve("dynalite"));
  const { AbstractIterator } = fromDynalite("abstract-level") as { AbstractIterator: { prototype: object } };
  const common = Object.getPrototypeOf(AbstractIterator.prototype) as { return?: () => Promise<unknown>; close(): Promise<void> };
  if (typeof common.return === "function") return;
  Object.defineProperty(common, "return", {
    configurable: true,
    writable: true,
    value: async function (this: { close(): Promise<void> }) {
      await this.close();
      return { done: true, value: undefined };
    },
  });
}
