// Row orders and batches. shuffledOrder(n, seed, epoch) is a Fisher–Yates permutation driven by
// the counter RNG — swap i ↔ j with j = floor(uniform(seed, epoch, i)·(i + 1)) — so an epoch's
// order is a pure function of (seed, epoch, n). Batches of a dataset for an order are
// { ids i32 [B·F], labels f32 [B], size } (the last one may be smaller).
import { streamKey, uniformAt } from "../util/rng.js";
import type { EncodedDataset } from "./dataset.js";
import type { BagData } from "./bag-fields.js";
import { batchInputs } from "./bag-batch.js";

const TWO_24 = 16777216;

/**
 * A permutation of 0..n−1 from the stream (seed, stream): Fisher–Yates, i from n−1 down to 1.
 * A uniform has 24 bits; for i ≥ 2^24 a second draw (stream ^ 0x80000000) adds 24 more.
 */
export function permutation(n: number, seed: number, stream: number): Uint32Array {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32) throw new RangeError(`permutation: n = ${n} must be an integer in [0, 2^32]`);
  const key = streamKey(seed >>> 0, stream >>> 0);
  const key2 = streamKey(seed >>> 0, (stream ^ 0x80000000) >>> 0);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    let u = uniformAt(key, i);
    if (i >= TWO_24) u += uniformAt(key2, i) / TWO_24;
    const j = Math.floor(u * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** The row order of an epoch: permutation(n, seed, epoch). */
export function shuffledOrder(n: number, seed: number, epoch: number): Uint32Array {
  return permutation(n, seed, epoch);
}

/** One batch. `ids` and `labels` hold exactly `size` rows. */
export interface Batch {
  /** i32 [size·F]. */
  ids: Int32Array;
  /** f32 [size]. */
  labels: Float32Array;
  size: number;
  /** 0-based batch number within the pass. */
  index: number;
  /** f32 [size, nd] dense features and the bag fields (offsets from 0), when the dataset has them. */
  dense?: Float32Array;
  bags?: BagData;
}

/** Options of batches(). */
export interface BatchOptions {
  batchSize: number;
  /** Row order (e.g. shuffledOrder); default: 0..n−1. */
  order?: ArrayLike<number>;
  /** Drop a last batch smaller than batchSize. */
  dropLast?: boolean;
  /**
   * Fresh arrays for every batch. By default in-order batches are views of the dataset and
   * shuffled ones are gathered into two buffers reused (overwritten) by the next batch.
   */
  copy?: boolean;
}

/**
 * Gathers rows order[start .. start + size) of `ds` into ids [size·F] and labels [size], and into
 * `dense` [size·nd] the rows' dense features when both are given.
 */
export function fillBatch(
  ds: EncodedDataset & { dense?: Float32Array }, order: ArrayLike<number> | undefined, start: number, size: number,
  ids: Int32Array, labels: Float32Array, dense?: Float32Array,
): void {
  const F = ds.fields, src = ds.ids, y = ds.labels;
  const x = dense && ds.dense, nd = x && ds.n > 0 ? x.length / ds.n : 0;
  if (ids.length < size * F || labels.length < size) throw new RangeError(`fillBatch: buffers hold ${ids.length / F | 0} rows, batch has ${size}`);
  for (let k = 0; k < size; k++) {
    const r = order ? order[start + k]! : start + k;
    if (!(r >= 0 && r < ds.n)) throw new RangeError(`fillBatch: row ${r} (order[${start + k}]) is outside [0, ${ds.n})`);
    const o = r * F, d = k * F;
    for (let f = 0; f < F; f++) ids[d + f] = src[o + f]!;
    labels[k] = y[r]!;
    if (nd) dense!.set(x!.subarray(r * nd, (r + 1) * nd), k * nd);
  }
}

/** The batches of `ds` in `order`. */
export function* batches(ds: EncodedDataset & { dense?: Float32Array; bags?: BagData }, options: BatchOptions): Generator<Batch> {
  const { batchSize: B, order, dropLast = false, copy = false } = options;
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`batches: batchSize = ${B} must be a positive integer`);
  const F = ds.fields;
  const n = order ? order.length : ds.n;
  const ids = order && !copy ? new Int32Array(B * F) : undefined;
  const labels = order && !copy ? new Float32Array(B) : undefined;
  for (let s = 0, index = 0; s < n; s += B, index++) {
    const size = Math.min(B, n - s);
    if (dropLast && size < B) return;
    if (!order) {
      const v = { ids: ds.ids.subarray(s * F, (s + size) * F), labels: ds.labels.subarray(s, s + size) };
      yield { ...(copy ? { ids: v.ids.slice(), labels: v.labels.slice() } : v), size, index, ...batchInputs(ds, undefined, s, size) };
    } else {
      const bi = ids ? ids.subarray(0, size * F) : new Int32Array(size * F);
      const bl = labels ? labels.subarray(0, size) : new Float32Array(size);
      fillBatch(ds, order, s, size, bi, bl);
      yield { ids: bi, labels: bl, size, index, ...batchInputs(ds, order, s, size) };
    }
  }
}
