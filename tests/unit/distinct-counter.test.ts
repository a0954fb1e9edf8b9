import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DistinctCounter } from "../../lib/report/distinct-counter.ts";

const keys = (n: number, prefix = "k") => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe("DistinctCounter", () => {
  it("counts exactly up to its limit, duplicates ignored", () => {
    const counter = new DistinctCounter(1_000);
    for (const key of [...keys(1_000), ...keys(1_000)]) counter.add(key);
    expect(counter.size).toBe(1_000);
    expect(counter.estimated).toBe(false);
  });

  it("estimates beyond its limit within a few standard errors (0.8 %)", () => {
    for (const n of [5_000, 60_000]) {
      const counter = new DistinctCounter(1_000);
      for (const key of keys(n)) counter.add(key);
      counter.add("k-0"); // a duplicate after the switch changes nothing
      expect(counter.estimated).toBe(true);
      expect(Math.abs(counter.size - n) / n, `n = ${n}`).toBeLessThan(0.03);
    }
  });

  it("merges as a set union, exact or estimated", () => {
    const a = new DistinctCounter(1_000);
    const b = new DistinctCounter(1_000);
    for (const key of keys(600, "a")) a.add(key);
    for (const key of [...keys(600, "b"), ...keys(100, "a")]) b.add(key);
    a.merge(b);
    expect(a.estimated).toBe(true);
    expect(Math.abs(a.size - 1_200) / 1_200).toBeLessThan(0.03);

    const small = new DistinctCounter();
    small.add("x");
    const other = new DistinctCounter();
    other.add("x");
    other.add("y");
    small.merge(other);
    expect([small.size, small.estimated]).toEqual([2, false]);
  });

  it("does not depend on the order of the values", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 6 }), { maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (values, limit) => {
        const forward = new DistinctCounter(limit);
        const backward = new DistinctCounter(limit);
        for (const v of values) forward.add(v);
        for (const v of [...values].reverse()) backward.add(v);
        expect(forward.size).toBe(backward.size);
        if (!forward.estimated) expect(forward.size).toBe(new Set(values).size);
      }),
      { numRuns: 200 },
    );
  });
});
