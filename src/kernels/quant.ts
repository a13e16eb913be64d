// Wrappers of the low-precision row kernels: validate, then dispatch to the active backend.
// A PackedTable is `rows` packed b-bit rows of `dim` codes plus one f32 step size Δ per row
// (layout diagram: assembly/quant/codes.ts).
import { rowStride, codeMax, codeMin } from "../ref/quant/codes.js";
import { getEngine } from "../wasm/load.js";
import type { HeapF32, HeapI32, HeapU8 } from "../wasm/heap.js";
import { checkBits, checkCount, checkLength } from "./check.js";
import { forCheckedRows, forRows } from "./parallel.js";

export { rowStride, codeMin, codeMax };

/** Packed codes [rows, rowStride(dim, bits)] and step sizes Δ [rows] on the heap. */
export interface PackedTable {
  readonly codes: HeapU8;
  readonly delta: HeapF32;
  readonly rows: number;
  readonly dim: number;
  readonly bits: number;
}

/** The part of a table that reads only Δ: per-row step sizes of rows × dim codes of b bits. */
export type StepSizes = Pick<PackedTable, "delta" | "rows" | "dim" | "bits">;

/** Rounding used when writing codes. */
export type Rounding = "dr" | "sr";

/** Allocates a zeroed table of `rows` rows with every Δ set to `delta`. */
export function allocPackedTable(rows: number, dim: number, bits: number, delta = 1): PackedTable {
  checkBits("allocPackedTable", bits);
  checkCount("allocPackedTable", "rows", rows);
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`allocPackedTable: dim = ${dim} must be a positive integer`);
  if (!(delta > 0)) throw new RangeError(`allocPackedTable: delta = ${delta} is not a positive step size`);
  const { heap } = getEngine();
  const codes = heap.allocU8(rows * rowStride(dim, bits), `codes [${rows}, ${dim}] b=${bits}`);
  const d = heap.allocF32(rows, `delta [${rows}]`);
  d.array.fill(delta);
  return { codes, delta: d, rows, dim, bits };
}

function checkSteps(kernel: string, t: StepSizes): void {
  checkBits(kernel, t.bits);
  checkLength(kernel, "delta", t.delta, t.rows, `[rows=${t.rows}]`);
}

function checkTable(kernel: string, t: PackedTable): void {
  checkSteps(kernel, t);
  checkLength(kernel, "codes", t.codes, t.rows * rowStride(t.dim, t.bits), `[rows=${t.rows}, ${rowStride(t.dim, t.bits)} bytes]`);
}

/** Throws unless every id is a row of the table (and, with `delta`, its Δ is > 0). */
export function checkIds(kernel: string, ids: HeapI32, n: number, t: StepSizes, delta: boolean): void {
  const k = getEngine().active.firstBadRow(ids.ptr, n, t.rows, delta ? t.delta.ptr : 0);
  if (k >= 0) throw badRow(kernel, ids, k, t);
}

function badRow(kernel: string, ids: HeapI32, k: number, t: StepSizes): RangeError {
  const id = ids.array[k];
  if (!(id >= 0 && id < t.rows)) {
    return new RangeError(`${kernel}: ids[${k}] = ${id} is out of range [0, ${t.rows})`);
  }
  return new RangeError(`${kernel}: delta[${id}] = ${t.delta.array[id]} (ids[${k}]) is not a positive step size`);
}

/**
 * out[k, :] = Δ[ids[k]] · codes[ids[k], :].
 * @param ids i32 [n] rows in any order, duplicates allowed
 * @param out f32 [n, dim]
 */
export function gatherDequant(t: PackedTable, ids: HeapI32, out: HeapF32, n = ids.length): void {
  const kernel = "gatherDequant";
  checkTable(kernel, t);
  checkCount(kernel, "n", n);
  checkLength(kernel, "ids", ids, n, `[n=${n}]`);
  checkLength(kernel, "out", out, n * t.dim, `[n=${n}, dim=${t.dim}]`);
  const k = forCheckedRows("gatherDequant", n, t.dim, (a, b) => [t.codes.ptr, t.delta.ptr, ids.ptr + a * 4, b - a, t.rows, t.dim, t.bits, out.ptr + a * t.dim * 4], () => getEngine().active.firstBadRow(ids.ptr, n, t.rows, t.delta.ptr));
  if (k >= 0) throw badRow(kernel, ids, k, t);
}

/** Dequantizes all rows in order: out f32 [rows, dim]. */
export function dequantizeRows(t: PackedTable, out: HeapF32): void {
  const kernel = "dequantizeRows";
  checkTable(kernel, t);
  checkLength(kernel, "out", out, t.rows * t.dim, `[rows=${t.rows}, dim=${t.dim}]`);
  const k = getEngine().active.gatherDequant(t.codes.ptr, t.delta.ptr, 0, t.rows, t.rows, t.dim, t.bits, out.ptr);
  if (k >= 0) throw new RangeError(`${kernel}: delta[${k}] = ${t.delta.array[k]} is not a positive step size`);
}

/** Options of quantizeRows. */
export interface QuantizeOptions {
  /** Destination rows: src row k goes to row ids[k]; default: src row k to row k. */
  ids?: HeapI32;
  /** Number of source rows (default: ids.length, or all rows). */
  n?: number;
  /** "dr": floor(x/Δ + 1/2); "sr": floor(x/Δ + u), u = uniform(seed, step, row, column). */
  rounding: Rounding;
  seed?: number;
  step?: number;
}

/** Quantizes fp32 rows src [n, dim] into the table with the table's Δ of each destination row. */
export function quantizeRows(src: HeapF32, t: PackedTable, opts: QuantizeOptions): void {
  const kernel = "quantizeRows";
  checkTable(kernel, t);
  const { ids, rounding, seed = 0, step = 0 } = opts;
  const n = opts.n ?? ids?.length ?? t.rows;
  checkCount(kernel, "n", n);
  if (rounding !== "dr" && rounding !== "sr") throw new RangeError(`${kernel}: rounding = ${String(rounding)} (expected "dr" or "sr")`);
  checkLength(kernel, "src", src, n * t.dim, `[n=${n}, dim=${t.dim}]`);
  const core = getEngine().active;
  if (ids) {
    checkLength(kernel, "ids", ids, n, `[n=${n}]`);
    checkIds(kernel, ids, n, t, true);
  } else {
    if (n > t.rows) throw new RangeError(`${kernel}: n = ${n} rows but the table has ${t.rows}`);
    const i = core.firstNotPositive(t.delta.ptr, n);
    if (i >= 0) throw new RangeError(`${kernel}: delta[${i}] = ${t.delta.array[i]} is not a positive step size`);
  }
  const sr = rounding === "sr" ? 1 : 0;
  // rows are byte-aligned and the SR stream is keyed by the destination row, so any split of ids gives the same bits
  if (ids) forRows("quantizeRows", n, 2 * t.dim, (a, b) => [src.ptr + a * t.dim * 4, t.delta.ptr, ids.ptr + a * 4, b - a, t.dim, t.bits, t.codes.ptr, sr, seed >>> 0, step >>> 0]);
  else core.quantizeRows(src.ptr, t.delta.ptr, 0, n, t.dim, t.bits, t.codes.ptr, sr, seed >>> 0, step >>> 0);
}

/** Packs in-range i32 codes [n, dim] into dst u8 [n, rowStride(dim, bits)]. */
export function packCodes(src: HeapI32, n: number, dim: number, bits: number, dst: HeapU8): void {
  const kernel = "packCodes";
  checkBits(kernel, bits);
  checkCount(kernel, "n", n);
  checkLength(kernel, "src", src, n * dim, `[n=${n}, dim=${dim}]`);
  checkLength(kernel, "dst", dst, n * rowStride(dim, bits), `[n=${n}, ${rowStride(dim, bits)} bytes]`);
  const a = src.array;
  const lo = codeMin(bits);
  const hi = codeMax(bits);
  for (let i = 0; i < n * dim; i++) {
    if (!(a[i] >= lo && a[i] <= hi)) {
      throw new RangeError(`${kernel}: src[${Math.floor(i / dim)}, ${i % dim}] = ${a[i]} is outside [${lo}, ${hi}] for bits = ${bits}`);
    }
  }
  getEngine().active.packCodes(src.ptr, n, dim, bits, dst.ptr);
}

/** Unpacks src u8 [n, rowStride(dim, bits)] into sign-extended i32 codes dst [n, dim]. */
export function unpackCodes(src: HeapU8, n: number, dim: number, bits: number, dst: HeapI32): void {
  const kernel = "unpackCodes";
  checkBits(kernel, bits);
  checkCount(kernel, "n", n);
  checkLength(kernel, "src", src, n * rowStride(dim, bits), `[n=${n}, ${rowStride(dim, bits)} bytes]`);
  checkLength(kernel, "dst", dst, n * dim, `[n=${n}, dim=${dim}]`);
  getEngine().active.unpackCodes(src.ptr, n, dim, bits, dst.ptr);
}

/**
 * LSQ step-size gradient per row (ALPT.md §3.3, bounds inclusive):
 * out[k] = scale · Σ_j g[k, j] · ∂ŵ/∂Δ(w[k, j] / Δ[ids[k]]).
 * @param w f32 [n, dim] updated fp32 rows; g f32 [n, dim] gradient w.r.t. ŵ; out f32 [n]
 */
export function lsqGradRows(
  w: HeapF32, g: HeapF32, t: StepSizes, ids: HeapI32, scale: number, out: HeapF32, n = ids.length,
): void {
  const kernel = "lsqGradRows";
  checkSteps(kernel, t);
  checkCount(kernel, "n", n);
  checkLength(kernel, "w", w, n * t.dim, `[n=${n}, dim=${t.dim}]`);
  checkLength(kernel, "g", g, n * t.dim, `[n=${n}, dim=${t.dim}]`);
  checkLength(kernel, "out", out, n, `[n=${n}]`);
  checkLength(kernel, "ids", ids, n, `[n=${n}]`);
  if (!Number.isFinite(scale)) throw new RangeError(`${kernel}: scale = ${scale} is not finite`);
  checkIds(kernel, ids, n, t, true);
  forRows("lsqGradRows", n, 2 * t.dim, (a, b) => [w.ptr + a * t.dim * 4, g.ptr + a * t.dim * 4, t.delta.ptr, ids.ptr + a * 4, b - a, t.dim, t.bits, scale, out.ptr + a * 4]);
}

/** out = Δ·clip(floor(w/Δ + 1/2)) per row, Δ = Δ[ids[k]]: the forward of the LSQ quantizer. */
export function fakeQuantRows(w: HeapF32, t: StepSizes, ids: HeapI32, out: HeapF32, n = ids.length): void {
  const kernel = "fakeQuantRows";
  checkSteps(kernel, t);
  checkCount(kernel, "n", n);
  checkLength(kernel, "w", w, n * t.dim, `[n=${n}, dim=${t.dim}]`);
  checkLength(kernel, "out", out, n * t.dim, `[n=${n}, dim=${t.dim}]`);
  checkLength(kernel, "ids", ids, n, `[n=${n}]`);
  checkIds(kernel, ids, n, t, true);
  forRows("fakeQuantRows", n, 2 * t.dim, (a, b) => [w.ptr + a * t.dim * 4, t.delta.ptr, ids.ptr + a * 4, b - a, t.dim, t.bits, out.ptr + a * t.dim * 4]);
}
