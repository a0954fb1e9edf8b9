import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { closeDynaliteIterators } from "../../lib/adapters/local/dynalite-iterator-fix.ts";

/** The level database dynalite uses in memory, from dynalite's own dependencies. */
const fromDynalite = createRequire(createRequire(import.meta.url).resolve("dynalite"));
const { MemoryLevel } = fromDynalite("memory-level") as { MemoryLevel: new (options: object) => { put(k: string, v: string): Promise<void>; values(): { next(): Promise<unknown>; return?: () => Promise<unknown> }; close(): Promise<void> } };

describe("closing dynalite's query iterators", () => {
  it("gives level iterators the return() dynalite's query streams call, and it closes them", async () => {
    closeDynaliteIterators();
    closeDynaliteIterators(); // idempotent
    const db = new MemoryLevel({ valueEncoding: "json" });
    await db.put("a", "1");
    const iterator = db.values();
    expect(await iterator.next()).toBe("1");
    expect(typeof iterator.return).toBe("function");
    expect(await iterator.return!()).toEqual({ done: true, value: undefined });
    await expect(iterator.next()).rejects.toThrow(/not open|closed/i);
    await db.close();
  });
});
