// Reference twin of assembly/optim/sparse.ts: the same f32 operations in the same order.
import type { RefMemory } from "../memory.js";

const f = Math.fround;

function rowOf(m: RefMemory, w: number, wIndexed: number, ids: number, k: number, dim: number): number {
  return (w >> 2) + (wIndexed ? m.i32[(ids >> 2) + k] : k) * dim;
}

export function sgdRows(
  m: RefMemory, w: number, wIndexed: number, g: number, ids: number, n: number, dim: number, lr: number, weightDecay: number,
): void {
  const { f32 } = m;
  lr = f(lr);
  weightDecay = f(weightDecay);
  for (let k = 0; k < n; k++) {
    const wr = rowOf(m, w, wIndexed, ids, k, dim), gr = (g >> 2) + k * dim;
    for (let j = 0; j < dim; j++) {
      const wj = f32[wr + j];
      f32[wr + j] = f(wj - f(lr * f(f32[gr + j] + f(weightDecay * wj))));
    }
  }
}

export function adamRows(
  mem: RefMemory, w: number, wIndexed: number, g: number, m: number, v: number, ids: number, n: number, dim: number,
  lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, c1: number, c2: number,
  oneMinusBeta1: number, oneMinusBeta2: number,
): void {
  const { f32, i32 } = mem;
  [lr, beta1, beta2, eps, weightDecay, c1, c2] = [lr, beta1, beta2, eps, weightDecay, c1, c2].map(f);
  const ob1 = f(oneMinusBeta1), ob2 = f(oneMinusBeta2);
  for (let k = 0; k < n; k++) {
    const wr = rowOf(mem, w, wIndexed, ids, k, dim), gr = (g >> 2) + k * dim;
    const s = i32[(ids >> 2) + k] * dim;
    for (let j = 0; j < dim; j++) {
      const wj = f32[wr + j];
      const gj = f(f32[gr + j] + f(weightDecay * wj));
      const mj = f(f(beta1 * f32[(m >> 2) + s + j]) + f(ob1 * gj));
      const vj = f(f(beta2 * f32[(v >> 2) + s + j]) + f(f(ob2 * gj) * gj));
      f32[(m >> 2) + s + j] = mj;
      f32[(v >> 2) + s + j] = vj;
      f32[wr + j] = f(wj - f(f(lr * f(mj / c1)) / f(f(Math.sqrt(f(vj / c2))) + eps)));
    }
  }
}

export function adagradRows(
  m: RefMemory, w: number, wIndexed: number, g: number, acc: number, ids: number, n: number, dim: number,
  lr: number, eps: number, weightDecay: number,
): void {
  const { f32, i32 } = m;
  [lr, eps, weightDecay] = [lr, eps, weightDecay].map(f);
  for (let k = 0; k < n; k++) {
    const wr = rowOf(m, w, wIndexed, ids, k, dim), gr = (g >> 2) + k * dim;
    const ar = (acc >> 2) + i32[(ids >> 2) + k];
    const gOf = (j: number): number => f(f32[gr + j] + f(weightDecay * f32[wr + j]));
    const lanes = [0, 0, 0, 0];
    let j = 0;
    for (; j + 4 <= dim; j += 4) for (let l = 0; l < 4; l++) lanes[l] = f(lanes[l] + f(gOf(j + l) * gOf(j + l)));
    let sum = f(f(lanes[0] + lanes[1]) + f(lanes[2] + lanes[3]));
    for (; j < dim; j++) sum = f(sum + f(gOf(j) * gOf(j)));
    const a = f(f32[ar] + f(sum / dim));
    f32[ar] = a;
    const mult = f(lr / f(f(Math.sqrt(a)) + eps));
    for (let jj = 0; jj < dim; jj++) {
      const wj = f32[wr + jj];
      f32[wr + jj] = f(wj - f(mult * f(f32[gr + jj] + f(weightDecay * wj))));
    }
  }
}
