// An encoded dataset in memory — ids i32 [n, F] (global FeatureMap ids, row-major), labels
// f32 [n] — plain typed arrays, never on the wasm heap (the trainer copies batches in). Also:
// encoding raw rows into one, views and copies of row subsets, and deterministic splits: by line
// order ([0, a), [a, b), [b, n) with a = floor(0.8n), b = floor(0.9n) for 8:1:1) or seeded.
import { permutation } from "./batcher.js";
import type { FeatureMap } from "./feature-map.js";
import { forEachRow, type RowSource } from "./rows.js";

/** An encoded dataset: row r has ids[r·F .. r·F + F) and labels[r]. */
export interface EncodedDataset {
  /** Number of rows. */
  n: number;
  /** Number of fields F. */
  fields: number;
  /** i32 [n, F]. */
  ids: Int32Array;
  /** f32 [n], 0 or 1 (NaN for unlabeled rows). */
  labels: Float32Array;
  fieldNames?: readonly string[];
}

/** Checks shapes and wraps arrays into an EncodedDataset. */
export function createDataset(ids: Int32Array, labels: Float32Array, fields: number, fieldNames?: readonly string[]): EncodedDataset {
  if (!Number.isInteger(fields) || fields < 1) throw new RangeError(`createDataset: fields = ${fields} must be a positive integer`);
  const n = labels.length;
  if (ids.length !== n * fields) throw new RangeError(`createDataset: ids has ${ids.length} elements, expected n·F = ${n}·${fields} = ${n * fields}`);
  if (fieldNames && fieldNames.length !== fields) throw new RangeError(`createDataset: ${fieldNames.length} field names for ${fields} fields`);
  return fieldNames ? { n, fields, ids, labels, fieldNames } : { n, fields, ids, labels };
}

/** Options of encodeRows. */
export interface EncodeOptions {
  /** Expected number of rows: the arrays are sized once (otherwise they grow by doubling). */
  expectedRows?: number;
  /** Encode at most this many rows. */
  limit?: number;
}

/**
 * Encodes raw rows (streamed) with `map` into an in-memory dataset. Without `expectedRows` the
 * arrays grow by doubling (peak ≈ 2-3× the final arrays while growing and trimming).
 */
export async function encodeRows(rows: RowSource, map: FeatureMap, options: EncodeOptions = {}): Promise<EncodedDataset> {
  const F = map.numFields;
  const limit = options.limit ?? Infinity;
  let cap = Math.max(16, Math.min(options.expectedRows ?? 1024, limit === Infinity ? 2 ** 31 : limit));
  let ids = new Int32Array(cap * F);
  let labels = new Float32Array(cap);
  let n = 0;
  if (limit > 0) {
    await forEachRow(rows, (r) => {
      if (n === cap) {
        cap *= 2;
        const ni = new Int32Array(cap * F);
        ni.set(ids);
        ids = ni;
        const nl = new Float32Array(cap);
        nl.set(labels);
        labels = nl;
      }
      map.encode(r.values, ids, n * F);
      labels[n] = r.label;
      n++;
      return n < limit;
    });
  }
  // Exact capacity: keep the arrays; otherwise copy to the final size (views would pin the slack).
  if (n === cap) return createDataset(ids, labels, F, map.fieldNames);
  return createDataset(ids.slice(0, n * F), labels.slice(0, n), F, map.fieldNames);
}

/** Rows [start, end) as views (no copy). */
export function sliceDataset(ds: EncodedDataset, start: number, end: number): EncodedDataset {
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= ds.n)) {
    throw new RangeError(`sliceDataset: [${start}, ${end}) is not a range of rows within [0, ${ds.n})`);
  }
  const F = ds.fields;
  return createDataset(ds.ids.subarray(start * F, end * F), ds.labels.subarray(start, end), F, ds.fieldNames);
}

/** A copy of the rows `rows` (in that order). */
export function selectRows(ds: EncodedDataset, rows: ArrayLike<number>): EncodedDataset {
  const F = ds.fields, m = rows.length;
  const ids = new Int32Array(m * F), labels = new Float32Array(m);
  for (let k = 0; k < m; k++) {
    const r = rows[k]!;
    if (!(r >= 0 && r < ds.n && Number.isInteger(r))) throw new RangeError(`selectRows: rows[${k}] = ${r} is not a row of [0, ${ds.n})`);
    ids.set(ds.ids.subarray(r * F, r * F + F), k * F);
    labels[k] = ds.labels[r]!;
  }
  return createDataset(ids, labels, F, ds.fieldNames);
}

function checkFractions(fractions: readonly number[], what: string): void {
  if (!Array.isArray(fractions) || fractions.length === 0) throw new RangeError(`${what}: fractions must be a non-empty array`);
  let sum = 0;
  fractions.forEach((f, i) => {
    if (!(f >= 0 && f <= 1)) throw new RangeError(`${what}: fractions[${i}] = ${f} must be in [0, 1]`);
    sum += f;
  });
  if (Math.abs(sum - 1) > 1e-6) throw new RangeError(`${what}: fractions sum to ${sum}, expected 1`);
}

/**
 * Splits rows 0..n−1 by order: part k is [floor(n·c_{k−1}), floor(n·c_k)) with c the cumulative
 * fractions (the last part ends at n). E.g. n = 137,139, [0.8, 0.1, 0.1] → 109,711 / 13,714 / 13,714.
 */
export function splitByOrder(n: number, fractions: readonly number[]): [number, number][] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`splitByOrder: n = ${n} must be an integer ≥ 0`);
  checkFractions(fractions, "splitByOrder");
  const out: [number, number][] = [];
  let c = 0, start = 0;
  for (let k = 0; k < fractions.length; k++) {
    c += fractions[k]!;
    // The 1e-6 absorbs rounding in the cumulative sum (0.8 + 0.1 = 0.9000000000000001).
    const end = k === fractions.length - 1 ? n : Math.min(n, Math.max(start, Math.floor(n * c + 1e-6)));
    out.push([start, end]);
    start = end;
  }
  return out;
}

/** The RNG stream of randomSplit. */
export const SPLIT_STREAM = 0x53504c54;

/**
 * A seeded random split of rows 0..n−1 with the sizes of splitByOrder: permutation(n, seed,
 * SPLIT_STREAM) (batcher.ts) cut into parts; each part is sorted ascending.
 */
export function randomSplit(n: number, fractions: readonly number[], seed: number): Uint32Array[] {
  const ranges = splitByOrder(n, fractions);
  const perm = permutation(n, seed, SPLIT_STREAM);
  return ranges.map(([a, b]) => perm.slice(a, b).sort());
}

/** Splits a dataset: by order into views (no seed), or by a seeded random split into copies. */
export function splitDataset(ds: EncodedDataset, fractions: readonly number[], seed?: number): EncodedDataset[] {
  if (seed === undefined) return splitByOrder(ds.n, fractions).map(([a, b]) => sliceDataset(ds, a, b));
  return randomSplit(ds.n, fractions, seed).map((rows) => selectRows(ds, rows));
}
