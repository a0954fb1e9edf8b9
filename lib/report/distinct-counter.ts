/**
 * Counts distinct strings (customers, repeat chains) in bounded memory: exactly, with a Set, up to
 * `exactLimit` values; beyond that the values move into a HyperLogLog sketch of 2^14 one-byte
 * registers (16 KiB, standard error 1.04 / √16384 ≈ 0.8 %) and the count becomes an estimate.
 * A week of a few thousand contacts is therefore counted exactly, and a week of millions costs
 * 16 KiB per counter instead of a set of millions of 64-character keys.
 */
const PRECISION = 14;
const REGISTERS = 1 << PRECISION;
/** α·m² of Flajolet et al. for m = 2^14. */
const ALPHA_MM = (0.7213 / (1 + 1.079 / REGISTERS)) * REGISTERS * REGISTERS;
export const DEFAULT_EXACT_LIMIT = 100_000;

export class DistinctCounter {
  private exact: Set<string> | null = new Set();
  private registers: Uint8Array | null = null;

  constructor(private readonly exactLimit = DEFAULT_EXACT_LIMIT) {}

  add(value: string): void {
    if (this.exact) {
      this.exact.add(value);
      if (this.exact.size > this.exactLimit) this.toSketch();
    } else {
      this.addHash(hash32(value));
    }
  }

  /** Adds every value of `other` (a union): used to merge groups that turn out to be one. */
  merge(other: DistinctCounter): void {
    if (other.exact) {
      for (const value of other.exact) this.add(value);
      return;
    }
    if (this.exact) this.toSketch();
    const mine = this.registers!;
    const theirs = other.registers!;
    for (let i = 0; i < REGISTERS; i++) if (theirs[i]! > mine[i]!) mine[i] = theirs[i]!;
  }

  /** True once the count is a HyperLogLog estimate rather than exact. */
  get estimated(): boolean {
    return this.exact === null;
  }

  get size(): number {
    if (this.exact) return this.exact.size;
    const registers = this.registers!;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < REGISTERS; i++) {
      sum += 2 ** -registers[i]!;
      if (registers[i] === 0) zeros++;
    }
    const raw = ALPHA_MM / sum;
    // Small-range correction (linear counting) while empty registers remain informative.
    const estimate = raw <= 2.5 * REGISTERS && zeros > 0 ? REGISTERS * Math.log(REGISTERS / zeros) : raw;
    // Never report fewer than the exact limit that was passed to get here.
    return Math.max(Math.round(estimate), this.exactLimit + 1);
  }

  private toSketch(): void {
    this.registers = new Uint8Array(REGISTERS);
    for (const value of this.exact!) this.addHash(hash32(value));
    this.exact = null;
  }

  private addHash(hash: number): void {
    const index = hash >>> (32 - PRECISION);
    const rest = (hash << PRECISION) >>> 0;
    // Position of the first 1 bit in the remaining 18 bits (19 when they are all zero).
    const rank = rest === 0 ? 32 - PRECISION + 1 : Math.clz32(rest) + 1;
    if (rank > this.registers![index]!) this.registers![index] = rank;
  }
}

/** FNV-1a over UTF-16 code units, then MurmurHash3's 32-bit finaliser for avalanche. */
export function hash32(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
