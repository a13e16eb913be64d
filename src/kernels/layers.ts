// Wrappers of the elementwise, batch-norm and cross-layer kernels (assembly/dense/*): validate
// lengths, then dispatch; kernels with independent rows split them over the threads
// (parallel.ts). Used by src/ops only.
import { getEngine } from "../wasm/load.js";
import type { HeapF32 } from "../wasm/heap.js";
import { checkCount, checkLength } from "./check.js";
import { forRows, willSplit } from "./parallel.js";

const ptr = (b: HeapF32 | undefined): number => (b ? b.ptr : 0);

/** y = max(x, 0) elementwise over n values. */
export function reluForward(x: HeapF32, y: HeapF32, n: number): void {
  checkCount("reluForward", "n", n);
  checkLength("reluForward", "x", x, n, `[${n}]`);
  checkLength("reluForward", "y", y, n, `[${n}]`);
  forRows("reluForward", n, 2, (a, b) => [x.ptr + a * 4, y.ptr + a * 4, b - a], 16);
}

/** dx += x > 0 ? dy : 0 over n values. */
export function reluBackward(x: HeapF32, dy: HeapF32, dx: HeapF32, n: number): void {
  for (const [k, b] of [["x", x], ["dy", dy], ["dx", dx]] as const) checkLength("reluBackward", k, b, n, `[${n}]`);
  forRows("reluBackward", n, 3, (a, b) => [x.ptr + a * 4, dy.ptr + a * 4, dx.ptr + a * 4, b - a], 16);
}

function checkMatrix(kernel: string, named: [string, HeapF32][], B: number, N: number): void {
  checkCount(kernel, "B", B);
  checkCount(kernel, "N", N);
  for (const [k, b] of named) checkLength(kernel, k, b, B * N, `[${B}, ${N}]`);
}

function checkVectors(kernel: string, named: [string, HeapF32][], N: number): void {
  for (const [k, b] of named) checkLength(kernel, k, b, N, `[${N}]`);
}

/** Column mean and biased variance of x [B, N]. */
export function bnStats(x: HeapF32, B: number, N: number, mean: HeapF32, variance: HeapF32): void {
  checkMatrix("bnStats", [["x", x]], B, N);
  checkVectors("bnStats", [["mean", mean], ["variance", variance]], N);
  getEngine().active.bnStats(x.ptr, B, N, mean.ptr, variance.ptr);
}

/** x̂ = (x − mean)·invStd, y = γ·x̂ + β. */
export function bnForward(
  x: HeapF32, B: number, N: number, mean: HeapF32, invStd: HeapF32, gamma: HeapF32, beta: HeapF32, xhat: HeapF32, y: HeapF32,
): void {
  checkMatrix("bnForward", [["x", x], ["xhat", xhat], ["y", y]], B, N);
  checkVectors("bnForward", [["mean", mean], ["invStd", invStd], ["gamma", gamma], ["beta", beta]], N);
  forRows("bnForward", B, 3 * N, (a, b) => [x.ptr + a * N * 4, b - a, N, mean.ptr, invStd.ptr, gamma.ptr, beta.ptr, xhat.ptr + a * N * 4, y.ptr + a * N * 4]);
}

/** sdy = Σ_b dy, sdyx = Σ_b dy·x̂ (column sums). */
export function bnColumnSums(dy: HeapF32, xhat: HeapF32, B: number, N: number, sdy: HeapF32, sdyx: HeapF32): void {
  checkMatrix("bnColumnSums", [["dy", dy], ["xhat", xhat]], B, N);
  checkVectors("bnColumnSums", [["sdy", sdy], ["sdyx", sdyx]], N);
  getEngine().active.bnColumnSums(dy.ptr, xhat.ptr, B, N, sdy.ptr, sdyx.ptr);
}

/** dx += coef·(dy − sdy/B − x̂·sdyx/B) with batch statistics, dx += coef·dy without. */
export function bnInputGrad(
  dy: HeapF32, xhat: HeapF32, B: number, N: number, coef: HeapF32, sdy: HeapF32, sdyx: HeapF32, dx: HeapF32, batchStats: boolean,
): void {
  checkMatrix("bnInputGrad", [["dy", dy], ["xhat", xhat], ["dx", dx]], B, N);
  checkVectors("bnInputGrad", [["coef", coef], ["sdy", sdy], ["sdyx", sdyx]], N);
  // the batch size of the statistics stays B whatever rows a part does
  forRows("bnInputGrad", B, 3 * N, (a, b) => [dy.ptr + a * N * 4, xhat.ptr + a * N * 4, b - a, N, coef.ptr, sdy.ptr, sdyx.ptr, dx.ptr + a * N * 4, batchStats ? B : 0]);
}

/** Cross layer v1 forward: s = xl·w per row (kept for backward), y = x0·s + bias + xl. */
export function crossForward(x0: HeapF32, xl: HeapF32, w: HeapF32, bias: HeapF32, B: number, D: number, s: HeapF32, y: HeapF32): void {
  checkMatrix("crossForward", [["x0", x0], ["xl", xl], ["y", y]], B, D);
  checkVectors("crossForward", [["w", w], ["bias", bias]], D);
  checkLength("crossForward", "s", s, B, `[${B}]`);
  forRows("crossForward", B, 3 * D, (a, b) => [x0.ptr + a * D * 4, xl.ptr + a * D * 4, w.ptr, bias.ptr, b - a, D, s.ptr + a * 4, y.ptr + a * D * 4]);
}

/** Cross layer v1 backward; undefined gradients are skipped. */
export function crossBackward(
  x0: HeapF32, xl: HeapF32, w: HeapF32, s: HeapF32, dy: HeapF32, B: number, D: number,
  grads: { dx0?: HeapF32; dxl?: HeapF32; dw?: HeapF32; db?: HeapF32 },
): void {
  checkMatrix("crossBackward", [["x0", x0], ["xl", xl], ["dy", dy]], B, D);
  const { dx0, dxl, dw, db } = grads;
  if (dx0) checkLength("crossBackward", "dx0", dx0, B * D, `[${B}, ${D}]`);
  if (dxl) checkLength("crossBackward", "dxl", dxl, B * D, `[${B}, ${D}]`);
  if (dw) checkLength("crossBackward", "dw", dw, D, `[${D}]`);
  if (db) checkLength("crossBackward", "db", db, D, `[${D}]`);
  const at = (g: HeapF32 | undefined, row: number): number => (g ? g.ptr + row * D * 4 : 0);
  // split: the rows without the column sums (storing ds), then the column sums by columns
  const rows = (ds: number): void => forRows("crossBackward", B, 5 * D, (a, b) => [
    x0.ptr + a * D * 4, xl.ptr + a * D * 4, w.ptr, s.ptr + a * 4, dy.ptr + a * D * 4, b - a, D, at(dx0, a), at(dxl, a), 0, 0, ds && ds + a * 4,
  ]);
  if (!dw && !db) return rows(0);
  const e = getEngine();
  if (!willSplit(B * 5 * D)) return e.active.crossBackward(x0.ptr, xl.ptr, w.ptr, s.ptr, dy.ptr, B, D, ptr(dx0), ptr(dxl), ptr(dw), ptr(db), 0);
  const mark = e.heap.mark();
  try {
    const ds = e.heap.scratchF32(B, `cross ds [${B}]`);
    rows(ds.ptr);
    forRows("crossColumnGrads", D, 2 * B, (j0, j1) => [xl.ptr, dy.ptr, ds.ptr, B, D, ptr(dw), ptr(db), j0, j1], 4);
  } finally {
    e.heap.release(mark);
  }
}

/** Column block move: dst[b, dstOff + j] (+)= src[b, srcOff + j] for b < B, j < width. */
export function moveColumns(
  src: HeapF32, srcCols: number, srcOff: number, dst: HeapF32, dstCols: number, dstOff: number,
  B: number, width: number, accumulate: boolean,
): void {
  const k = "moveColumns";
  for (const [name, v] of [["B", B], ["width", width], ["srcOff", srcOff], ["dstOff", dstOff]] as const) checkCount(k, name, v);
  if (srcOff + width > srcCols || dstOff + width > dstCols) {
    throw new RangeError(`${k}: columns [${srcOff}, ${srcOff + width}) of ${srcCols} → [${dstOff}, ${dstOff + width}) of ${dstCols} do not fit`);
  }
  checkLength(k, "src", src, B * srcCols, `[${B}, ${srcCols}]`);
  checkLength(k, "dst", dst, B * dstCols, `[${B}, ${dstCols}]`);
  forRows("moveColumns", B, 2 * width, (a, b) => [src.ptr + a * srcCols * 4, srcCols, srcOff, dst.ptr + a * dstCols * 4, dstCols, dstOff, b - a, width, accumulate ? 1 : 0]);
}

/** Zero-fills the first n floats of a block. */
export function zeroFill(b: HeapF32, n = b.length): void {
  checkLength("zeroFill", "block", b, n, `[${n}]`);
  forRows("zeroFill", n, 1, (r0, r1) => [b.ptr + r0 * 4, (r1 - r0) * 4], 16);
}
