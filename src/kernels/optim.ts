// Wrappers of the sparse row optimizers (assembly/optim/sparse.ts): validate, then dispatch.
// `ids` must be unique row ids (coalesceIds); `w` is either the fp32 table (indexed by ids)
// or fp32 temporaries [n, dim] of dequantized rows (indexed by position).
import { getEngine } from "../wasm/load.js";
import type { HeapF32, HeapI32 } from "../wasm/heap.js";
import { checkCount, checkLength } from "./check.js";
import { forRows } from "./parallel.js";

/** Where the rows being updated live. */
export interface RowTarget {
  /** f32 weights: [rows, dim] when indexed, else [n, dim]. */
  w: HeapF32;
  indexed: boolean;
}

interface Common {
  ids: HeapI32;
  n: number;
  rows: number;
  dim: number;
  /** f32 [n, dim] gradients of the unique rows. */
  g: HeapF32;
}

function validate(kernel: string, t: RowTarget, c: Common): void {
  checkCount(kernel, "n", c.n);
  checkLength(kernel, "ids", c.ids, c.n, `[n=${c.n}]`);
  checkLength(kernel, "g", c.g, c.n * c.dim, `[n=${c.n}, dim=${c.dim}]`);
  checkLength(kernel, "w", t.w, (t.indexed ? c.rows : c.n) * c.dim, t.indexed ? `[rows=${c.rows}, dim=${c.dim}]` : `[n=${c.n}, dim=${c.dim}]`);
  const k = getEngine().active.firstBadRow(c.ids.ptr, c.n, c.rows, 0);
  if (k >= 0) throw new RangeError(`${kernel}: ids[${k}] = ${c.ids.array[k]} is out of range [0, ${c.rows})`);
}

/** The pointers of rows [a, b) of the unique rows: w (when not indexed by id), g and ids. */
function slice(t: RowTarget, c: Common, a: number): { w: number; g: number; ids: number } {
  return { w: t.indexed ? t.w.ptr : t.w.ptr + a * c.dim * 4, g: c.g.ptr + a * c.dim * 4, ids: c.ids.ptr + a * 4 };
}

/** w ← w − lr·(g + λw) on the rows. */
export function sgdRows(t: RowTarget, c: Common, lr: number, weightDecay = 0): void {
  validate("sgdRows", t, c);
  forRows("sgdRows", c.n, 3 * c.dim, (a, b) => {
    const s = slice(t, c, a);
    return [s.w, t.indexed ? 1 : 0, s.g, s.ids, b - a, c.dim, lr, weightDecay];
  });
}

/** Hyper-parameters of lazy Adam; `step` t ≥ 1 is the bias-correction step. */
export interface AdamRowsParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number;
}

/** Lazy Adam on the rows, with state m, v f32 [rows, dim]. */
export function adamRows(t: RowTarget, c: Common, m: HeapF32, v: HeapF32, p: AdamRowsParams): void {
  const kernel = "adamRows";
  validate(kernel, t, c);
  checkLength(kernel, "m", m, c.rows * c.dim, `[rows=${c.rows}, dim=${c.dim}]`);
  checkLength(kernel, "v", v, c.rows * c.dim, `[rows=${c.rows}, dim=${c.dim}]`);
  if (!(Number.isInteger(p.step) && p.step >= 1)) throw new RangeError(`${kernel}: step = ${p.step} must be ≥ 1`);
  const c1 = 1 - p.beta1 ** p.step;
  const c2 = 1 - p.beta2 ** p.step;
  forRows("adamRows", c.n, 5 * c.dim, (a, b) => {
    const s = slice(t, c, a);
    return [
      s.w, t.indexed ? 1 : 0, s.g, m.ptr, v.ptr, s.ids, b - a, c.dim,
      p.lr, p.beta1, p.beta2, p.eps, p.weightDecay, c1, c2, 1 - p.beta1, 1 - p.beta2, // 1 − β in f64, as PyTorch
    ];
  });
}

/** Rowwise Adagrad on the rows, with one accumulator per row acc f32 [rows]. */
export function adagradRows(t: RowTarget, c: Common, acc: HeapF32, lr: number, eps: number, weightDecay = 0): void {
  const kernel = "adagradRows";
  validate(kernel, t, c);
  checkLength(kernel, "acc", acc, c.rows, `[rows=${c.rows}]`);
  forRows("adagradRows", c.n, 3 * c.dim, (a, b) => {
    const s = slice(t, c, a);
    return [s.w, t.indexed ? 1 : 0, s.g, acc.ptr, s.ids, b - a, c.dim, lr, eps, weightDecay];
  });
}
