import type { FeatureSettings } from "../text/features.ts";
import { blockOfKey, visitTermKeys, CHAR_BLOCK, WORD_BLOCK } from "../text/term-keys.ts";
import type { SparseVector } from "./linear-model.ts";

const EMPTY = -1;

/**
 * Feature number of a term key: an open-addressing table over the model's keys, built in a few
 * milliseconds on load (a Map of 300,000 strings took half a second).
 */
export class TermIndex {
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(readonly keys: Float64Array) {
    let capacity = 16;
    while (capacity < keys.length * 2) capacity *= 2;
    const mask = capacity - 1;
    const slots = new Int32Array(capacity).fill(EMPTY);
    // A plain loop over locals: this runs at every cold start, over 100,000s of keys.
    for (let i = 0; i < keys.length; i++) {
      let slot = (keys[i]! >>> 1) & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = i;
    }
    this.mask = mask;
    this.slots = slots;
  }

  get size(): number {
    return this.keys.length;
  }

  /** The feature number of a key, or -1 when the model has no such term. */
  indexOf(key: number): number {
    let slot = (key >>> 1) & this.mask;
    for (;;) {
      const i = this.slots[slot]!;
      if (i === EMPTY || this.keys[i] === key) return i;
      slot = (slot + 1) & this.mask;
    }
  }
}

/**
 * Text to the reason model's feature space: sublinear tf × idf, with the word block and the
 * character block each L2-normalised and then weighted (as scikit-learn's union of two TF-IDF
 * vectorisers): short texts' few words are not drowned by their many character n-grams.
 */
export class HashedVectoriser {
  private readonly blocks: Uint8Array;
  // Scratch space of one vectorisation; JavaScript runs one at a time per vectoriser.
  private readonly counts: Float64Array;
  private touched = new Int32Array(1024);
  private values = new Float64Array(1024);
  private distinct = 0;
  private readonly visit = (key: number) => {
    const i = this.index.indexOf(key);
    if (i === EMPTY) return;
    if (this.counts[i] === 0) {
      if (this.distinct === this.touched.length) {
        const grown = new Int32Array(this.touched.length * 2);
        grown.set(this.touched);
        this.touched = grown;
      }
      this.touched[this.distinct++] = i;
    }
    this.counts[i]!++;
  };

  constructor(
    private readonly index: TermIndex,
    private readonly idf: Float32Array | Float64Array,
    private readonly settings: FeatureSettings,
    private readonly blockWeights: readonly [word: number, char: number],
  ) {
    this.blocks = new Uint8Array(index.size);
    for (let i = 0; i < index.size; i++) this.blocks[i] = blockOfKey(index.keys[i]!);
    this.counts = new Float64Array(index.size);
  }

  vectorise(text: string, language?: string): SparseVector {
    const { indices, values } = this.vectoriseTransient(text, language);
    return { indices: indices.slice(), values: values.slice() };
  }

  /**
   * `vectorise` into this vectoriser's scratch arrays, valid until its next call: classification
   * scores the vector at once, and not allocating two arrays per text keeps the collector quiet.
   */
  vectoriseTransient(text: string, language?: string): SparseVector {
    this.distinct = 0;
    visitTermKeys(text, language, this.settings, this.visit);
    const n = this.distinct;
    if (this.values.length < n) this.values = new Float64Array(this.touched.length);
    const indices = this.touched.subarray(0, n);
    const counts = this.values.subarray(0, n);
    for (let j = 0; j < n; j++) {
      counts[j] = this.counts[indices[j]!]!;
      this.counts[indices[j]!] = 0;
    }
    return this.weigh(indices, counts);
  }

  /** The vector of term counts already made (training counts each text once, for the vocabulary too). */
  fromKeyCounts(keyCounts: ReadonlyMap<number, number>): SparseVector {
    const indices: number[] = [];
    const counts: number[] = [];
    for (const [key, count] of keyCounts) {
      const i = this.index.indexOf(key);
      if (i === EMPTY) continue;
      indices.push(i);
      counts.push(count);
    }
    return this.weigh(Int32Array.from(indices), Float64Array.from(counts));
  }

  private weigh(indices: Int32Array, counts: Float64Array): SparseVector {
    const values = counts; // rewritten in place
    let wordNorm = 0;
    let charNorm = 0;
    for (let j = 0; j < indices.length; j++) {
      const i = indices[j]!;
      const value = (1 + Math.log(counts[j]!)) * this.idf[i]!;
      values[j] = value;
      if (this.blocks[i] === WORD_BLOCK) wordNorm += value * value;
      else charNorm += value * value;
    }
    const wordScale = wordNorm > 0 ? this.blockWeights[WORD_BLOCK] / Math.sqrt(wordNorm) : 0;
    const charScale = charNorm > 0 ? this.blockWeights[CHAR_BLOCK] / Math.sqrt(charNorm) : 0;
    for (let j = 0; j < indices.length; j++) values[j]! *= this.blocks[indices[j]!] === WORD_BLOCK ? wordScale : charScale;
    return { indices, values };
  }
}
