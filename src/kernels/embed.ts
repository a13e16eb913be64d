// Wrappers of the batch-id kernels: coalescing duplicates and summing their rows.
import { getEngine } from "../wasm/load.js";
import type { HeapF32, HeapI32 } from "../wasm/heap.js";
import { checkCount, checkLength } from "./check.js";
import { forCheckedRows, forRows } from "./parallel.js";

/** The distinct ids of a batch; scratch blocks, freed by the caller's heap.release(mark). */
export interface Coalesced {
  /** i32 [count] distinct ids in order of first occurrence (length n; the first count are used). */
  unique: HeapI32;
  /** i32 [n] with unique[inverse[k]] = ids[k]. */
  inverse: HeapI32;
  count: number;
  /** The number of ids coalesced. */
  n: number;
}

/** Finds the distinct ids of ids [n] (all must be in [0, rows)). Allocates heap scratch. */
export function coalesceIds(ids: HeapI32, rows: number, n = ids.length): Coalesced {
  const kernel = "coalesceIds";
  checkCount(kernel, "n", n);
  checkLength(kernel, "ids", ids, n, `[n=${n}]`);
  const { heap, active } = getEngine();
  const k = active.firstBadRow(ids.ptr, n, rows, 0);
  if (k >= 0) throw new RangeError(`${kernel}: ids[${k}] = ${ids.array[k]} is out of range [0, ${rows})`);
  const capLog2 = Math.max(4, Math.ceil(Math.log2(Math.max(1, 2 * n))));
  const unique = heap.scratchI32(n, "coalesce unique ids");
  const inverse = heap.scratchI32(n, "coalesce inverse index");
  const table = heap.alloc(8 << capLog2, `coalesce hash table (${1 << capLog2} slots)`);
  const count = active.coalesceIds(ids.ptr, n, table, capLog2, unique.ptr, inverse.ptr);
  heap.free(table);
  return { unique, inverse, count, n };
}

/** dst[inverse[k], :] += src[k, :] for k in order, dst zeroed first: src f32 [n, dim], dst f32 [u, dim]. */
export function segmentSumRows(src: HeapF32, c: Coalesced, dim: number, dst: HeapF32): void {
  const n = c.n;
  const kernel = "segmentSumRows";
  checkCount(kernel, "n", n);
  checkLength(kernel, "src", src, n * dim, `[n=${n}, dim=${dim}]`);
  checkLength(kernel, "dst", dst, c.count * dim, `[u=${c.count}, dim=${dim}]`);
  // split by slots: every thread scans all of inverse and sums its own slots' rows
  forRows("segmentSumRows", c.count, Math.ceil((2 * n * dim) / Math.max(1, c.count)), (u0, u1) => [src.ptr, c.inverse.ptr, n, dim, dst.ptr, u0, u1]);
}

/** out[k, :] = src[ids[k], :] for fp32 rows src [rows, dim]; out f32 [n, dim]. */
export function gatherRowsF32(src: HeapF32, rows: number, dim: number, ids: HeapI32, out: HeapF32, n = ids.length): void {
  const kernel = "gatherRowsF32";
  checkCount(kernel, "n", n);
  checkLength(kernel, "src", src, rows * dim, `[rows=${rows}, dim=${dim}]`);
  checkLength(kernel, "ids", ids, n, `[n=${n}]`);
  checkLength(kernel, "out", out, n * dim, `[n=${n}, dim=${dim}]`);
  const k = forCheckedRows("gatherRowsF32", n, 2 * dim, (a, b) => [src.ptr, ids.ptr + a * 4, b - a, rows, dim, out.ptr + a * dim * 4], () => getEngine().active.firstBadRow(ids.ptr, n, rows, 0));
  if (k >= 0) throw new RangeError(`${kernel}: ids[${k}] = ${ids.array[k]} is out of range [0, ${rows})`);
}
