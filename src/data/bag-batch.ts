// The bag fields of a batch: rows order[start .. start + size) of a dataset's BagData gathered
// into a BagData of `size` rows whose offsets start at 0 (data/bag-fields.ts), and the checks
// that a BagData is well formed for n rows.
import type { BagData } from "./bag-fields.js";

/** Throws unless `bags` is a well-formed BagData of `n` rows (offsets in order, within ids). */
export function checkBagData(bags: BagData, n: number, what = "bags"): void {
  const { fields: Fb, pooling, offsets, ids } = bags;
  if (!Number.isInteger(Fb) || Fb < 1) throw new RangeError(`${what}: fields = ${Fb} must be an integer ≥ 1`);
  if (pooling.length !== Fb || pooling.some((p) => p !== "mean" && p !== "sum")) {
    throw new RangeError(`${what}: pooling = ${JSON.stringify(pooling)} must hold "mean" or "sum" for each of the ${Fb} bag fields`);
  }
  if (offsets.length < n * Fb + 1) throw new RangeError(`${what}: offsets has ${offsets.length} entries, expected n·Fb + 1 = ${n * Fb + 1}`);
  if (offsets[0] !== 0) throw new RangeError(`${what}: offsets[0] = ${offsets[0]} (expected 0)`);
  for (let i = 0; i < n * Fb; i++) {
    if (!(offsets[i + 1]! >= offsets[i]!)) throw new RangeError(`${what}: offsets[${i + 1}] = ${offsets[i + 1]} is below offsets[${i}] = ${offsets[i]} (row ${Math.floor(i / Fb)}, bag field ${bags.names?.[i % Fb] ?? i % Fb})`);
  }
  if (offsets[n * Fb]! > ids.length) throw new RangeError(`${what}: offsets[n·Fb] = ${offsets[n * Fb]} is beyond ids.length = ${ids.length}`);
}

/** The bags of rows order[start + k] (or start + k without an order), k < size, offsets from 0. */
export function batchBags(bags: BagData, order: ArrayLike<number> | undefined, start: number, size: number): BagData {
  const Fb = bags.fields, src = bags.offsets;
  if (!order) {
    const offsets = new Int32Array(size * Fb + 1);
    // contiguous rows: a view of the ids, offsets shifted
    const base = src[start * Fb]!;
    for (let i = 0; i <= size * Fb; i++) offsets[i] = src[start * Fb + i]! - base;
    return { ...bags, offsets, ids: bags.ids.subarray(base, base + offsets[size * Fb]!) };
  }
  return { ...bags, ...gatherBagRows(size, Fb, () => bags, (k) => order[start + k]!) };
}

/**
 * The bags of `size` rows, row k being row rowOf(k) of bagsOf(k) (Fb bag fields each), copied
 * with offsets from 0: a batch gathered from one dataset or from several shards.
 */
export function gatherBagRows(size: number, Fb: number, bagsOf: (k: number) => BagData, rowOf: (k: number) => number): { offsets: Int32Array; ids: Int32Array } {
  let nnz = 0;
  for (let k = 0; k < size; k++) {
    const o = bagsOf(k).offsets, r = rowOf(k);
    nnz += o[(r + 1) * Fb]! - o[r * Fb]!;
  }
  const offsets = new Int32Array(size * Fb + 1), ids = new Int32Array(nnz);
  let at = 0;
  for (let k = 0; k < size; k++) {
    const b = bagsOf(k), r = rowOf(k);
    for (let j = 0; j < Fb; j++) {
      offsets[k * Fb + j] = at;
      const lo = b.offsets[r * Fb + j]!, hi = b.offsets[r * Fb + j + 1]!;
      ids.set(b.ids.subarray(lo, hi), at);
      at += hi - lo;
    }
  }
  offsets[size * Fb] = at;
  return { offsets, ids };
}

/** The dense features (copied) and bags of a batch's rows, for a dataset that has them. */
export function batchInputs(
  ds: { dense?: Float32Array; bags?: BagData; n: number }, order: ArrayLike<number> | undefined, start: number, size: number,
): { dense?: Float32Array; bags?: BagData } {
  const out: { dense?: Float32Array; bags?: BagData } = {};
  if (ds.dense) {
    const nd = ds.dense.length / ds.n;
    const dense = new Float32Array(size * nd);
    for (let k = 0; k < size; k++) {
      const r = order ? order[start + k]! : start + k;
      dense.set(ds.dense.subarray(r * nd, (r + 1) * nd), k * nd);
    }
    out.dense = dense;
  }
  if (ds.bags) out.bags = batchBags(ds.bags, order, start, size);
  return out;
}
