// Reference twin of assembly/quant/lsq.ts, with the kernel's summation order.
import type { RefMemory } from "../memory.js";
import { codeMax, codeMin } from "./codes.js";

const f = Math.fround;

/** LSQ ∂ŵ/∂Δ at v = w/Δ, bounds inclusive. */
export function lsqSlope(v: number, bits: number): number {
  const lo = codeMin(bits);
  const hi = codeMax(bits);
  return v <= lo ? lo : v >= hi ? hi : f(Math.floor(f(v + 0.5)) - v);
}

export function fakeQuantRows(
  m: RefMemory, w: number, delta: number, ids: number, n: number, dim: number, bits: number,
  out: number,
): void {
  const { i32, f32 } = m;
  for (let k = 0; k < n; k++) {
    const r = ids ? i32[(ids >> 2) + k] : k;
    const d = f32[(delta >> 2) + r];
    for (let j = 0; j < dim; j++) {
      const at = (w >> 2) + k * dim + j;
      const q = Math.max(Math.min(Math.floor(f(f(f32[at] / d) + 0.5)), codeMax(bits)), codeMin(bits));
      f32[(out >> 2) + k * dim + j] = f(q * d);
    }
  }
}

export function lsqGradRows(
  m: RefMemory, w: number, g: number, delta: number, ids: number, n: number, dim: number,
  bits: number, scale: number, out: number,
): void {
  const { i32, f32 } = m;
  for (let k = 0; k < n; k++) {
    const r = ids ? i32[(ids >> 2) + k] : k;
    const d = f32[(delta >> 2) + r];
    const base = k * dim;
    const term = (j: number): number => f(f32[(g >> 2) + base + j] * lsqSlope(f(f32[(w >> 2) + base + j] / d), bits));
    const lanes = [0, 0, 0, 0];
    let j = 0;
    for (; j + 4 <= dim; j += 4) for (let l = 0; l < 4; l++) lanes[l] = f(lanes[l] + term(j + l));
    let sum = f(f(lanes[0] + lanes[1]) + f(lanes[2] + lanes[3]));
    for (; j < dim; j++) sum = f(sum + term(j));
    f32[(out >> 2) + k] = f(sum * f(scale));
  }
}
