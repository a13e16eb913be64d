// Wrappers of the embedding-bag kernels (assembly/embed/bag.ts): pooled lookups of fp32 and packed
// rows, and their coalesced backward. Bags are split among threads by whole samples (a part starts
// at a multiple of `fields`), so a bag's pooling flag is the same in every part and every pooled
// row is computed by one thread: the bits do not depend on the thread count.
import { getEngine } from "../wasm/load.js";
import type { HeapF32, HeapI32 } from "../wasm/heap.js";
import { checkBits, checkCount, checkLength } from "./check.js";
import type { Coalesced } from "./embed.js";
import { forCheckedRows, forRows } from "./parallel.js";
import { rowStride, type PackedTable } from "./quant.js";
import { lastAtMost } from "../util/search.js";

/** Bags on the heap: bag b holds ids[offsets[b] .. offsets[b + 1]); its field is b % fields. */
export interface HeapBags {
  /** i32 [nnz] row ids; undefined: position k is row k (rows already gathered). */
  ids: HeapI32 | undefined;
  /** i32 [bags + 1], non-decreasing, within [0, nnz]. */
  offsets: HeapI32;
  bags: number;
  /** Bags per sample: the period of `mean`. */
  fields: number;
  /** i32 [fields], 1 where the field's bags are averaged (undefined: every bag sums). */
  mean: HeapI32 | undefined;
}

/** Checks the bag layout (offsets in order, within ids) and returns nnz = offsets[bags]. */
export function checkBags(kernel: string, b: HeapBags): number {
  checkCount(kernel, "bags", b.bags);
  if (!Number.isInteger(b.fields) || b.fields < 1 || b.bags % b.fields !== 0) {
    throw new RangeError(`${kernel}: fields = ${b.fields} must be a positive integer dividing bags = ${b.bags}`);
  }
  checkLength(kernel, "offsets", b.offsets, b.bags + 1, `[bags + 1 = ${b.bags + 1}]`);
  if (b.mean) checkLength(kernel, "mean", b.mean, b.fields, `[fields=${b.fields}]`);
  const o = b.offsets.array;
  if (o[0] !== 0) throw new RangeError(`${kernel}: offsets[0] = ${o[0]} (expected 0)`);
  for (let i = 0; i < b.bags; i++) {
    if (!(o[i + 1] >= o[i])) throw new RangeError(`${kernel}: offsets[${i + 1}] = ${o[i + 1]} is below offsets[${i}] = ${o[i]} (bag ${i} of field ${i % b.fields})`);
  }
  const nnz = o[b.bags];
  if (b.ids) checkLength(kernel, "ids", b.ids, nnz, `[offsets[bags] = ${nnz}]`);
  return nnz;
}

function badId(kernel: string, b: HeapBags, k: number, rows: number, delta?: HeapF32): RangeError {
  const id = b.ids ? b.ids.array[k] : k;
  // the bag holding position k: offsets[bags] = nnz > k, so the last offset ≤ k is a bag's start
  const bag = lastAtMost(b.offsets.array.subarray(0, b.bags + 1), k);
  const where = `ids[${k}] (bag ${bag}: sample ${Math.floor(bag / b.fields)}, field ${bag % b.fields})`;
  if (!(id >= 0 && id < rows)) return new RangeError(`${kernel}: ${where} = ${id} is out of range [0, ${rows})`);
  return new RangeError(`${kernel}: delta[${id}] = ${delta?.array[id]} (${where}) is not a positive step size`);
}

/** Per bag, what a thread reads and writes (the split threshold). */
const floatsPerBag = (nnz: number, bags: number, dim: number): number => Math.ceil(((nnz + bags) * dim) / Math.max(1, bags));

/** out[b, :] = the sum (or mean) of src[ids[k], :] over bag b; src f32 [rows, dim], out f32 [bags, dim]. */
export function bagRowsF32(src: HeapF32, rows: number, dim: number, b: HeapBags, out: HeapF32): void {
  const kernel = "bagRowsF32";
  const nnz = checkBags(kernel, b);
  checkLength(kernel, "src", src, rows * dim, `[rows=${rows}, dim=${dim}]`);
  checkLength(kernel, "out", out, b.bags * dim, `[bags=${b.bags}, dim=${dim}]`);
  const ids = b.ids?.ptr ?? 0, mean = b.mean?.ptr ?? 0;
  const k = forCheckedRows(kernel, b.bags, floatsPerBag(nnz, b.bags, dim),
    (b0, b1) => [src.ptr, ids, b.offsets.ptr + b0 * 4, b1 - b0, rows, dim, b.fields, mean, out.ptr + b0 * dim * 4],
    () => (b.ids ? getEngine().active.firstBadRow(ids, nnz, rows, 0) : nnz <= rows ? -1 : rows), b.fields);
  if (k >= 0) throw badId(kernel, b, k, rows);
}

/** out[b, :] = the sum (or mean) of the dequantized rows Δ[r]·codes[r, :], r = ids[k], over bag b. */
export function bagDequant(t: PackedTable, b: HeapBags, out: HeapF32): void {
  const kernel = "bagDequant";
  const nnz = checkBags(kernel, b);
  if (!b.ids) throw new RangeError(`${kernel}: ids are required`);
  checkBits(kernel, t.bits);
  checkLength(kernel, "delta", t.delta, t.rows, `[rows=${t.rows}]`);
  checkLength(kernel, "codes", t.codes, t.rows * rowStride(t.dim, t.bits), `[rows=${t.rows}, ${rowStride(t.dim, t.bits)} bytes]`);
  checkLength(kernel, "out", out, b.bags * t.dim, `[bags=${b.bags}, dim=${t.dim}]`);
  const ids = b.ids.ptr, mean = b.mean?.ptr ?? 0;
  const k = forCheckedRows(kernel, b.bags, floatsPerBag(nnz, b.bags, t.dim),
    (b0, b1) => [t.codes.ptr, t.delta.ptr, ids, b.offsets.ptr + b0 * 4, b1 - b0, t.rows, t.dim, t.bits, b.fields, mean, out.ptr + b0 * t.dim * 4],
    () => getEngine().active.firstBadRow(ids, nnz, t.rows, t.delta.ptr), b.fields);
  if (k >= 0) throw badId(kernel, b, k, t.rows, t.delta);
}

/**
 * The coalesced gradient of a bag lookup: dst[u, :] = Σ over positions k with inverse[k] = u of
 * g[bag(k), :] (÷ len for a mean bag); g f32 [bags, dim], dst f32 [c.count, dim]. `c` coalesces
 * the bags' ids (positions 0 .. nnz).
 */
export function bagSegmentSumRows(g: HeapF32, b: HeapBags, c: Coalesced, dim: number, dst: HeapF32): void {
  const kernel = "bagSegmentSumRows";
  const nnz = checkBags(kernel, b);
  if (c.n !== nnz) throw new RangeError(`${kernel}: the coalesced ids are ${c.n}, the bags hold ${nnz}`);
  checkLength(kernel, "g", g, b.bags * dim, `[bags=${b.bags}, dim=${dim}]`);
  checkLength(kernel, "dst", dst, c.count * dim, `[u=${c.count}, dim=${dim}]`);
  const mean = b.mean?.ptr ?? 0;
  // split by slots: every thread scans all bags and sums its own slots' rows
  forRows(kernel, c.count, Math.ceil((2 * nnz * dim) / Math.max(1, c.count)),
    (u0, u1) => [g.ptr, b.offsets.ptr, b.bags, b.fields, mean, c.inverse.ptr, dim, dst.ptr, u0, u1]);
}
