// Reference twin of assembly/quant/quantize.ts: q = clip(floor(x/Δ + u)), f32 arithmetic
// emulated with Math.fround after every operation.
import { streamKey, uniformAt } from "../../util/rng.js";
import type { RefMemory } from "../memory.js";
import { codeMax, codeMin, rowStride, writeCode } from "./codes.js";

const f = Math.fround;

/** One level: clip(floor(x/Δ + u)) computed in f32; NaN gives 0. */
export function quantLevel(x: number, delta: number, u: number, bits: number): number {
  const q = Math.max(Math.min(Math.floor(f(f(x / delta) + u)), codeMax(bits)), codeMin(bits));
  return Number.isNaN(q) ? 0 : q;
}

export function quantizeRows(
  m: RefMemory, src: number, delta: number, ids: number, n: number, dim: number, bits: number,
  dst: number, stochastic: number, seed: number, step: number,
): void {
  const { u8, i32, f32 } = m;
  const stride = rowStride(dim, bits);
  const stepKey = streamKey(seed >>> 0, step >>> 0);
  for (let k = 0; k < n; k++) {
    const r = ids ? i32[(ids >> 2) + k] : k;
    const key = stochastic ? streamKey(stepKey, r >>> 0) : 0;
    const d = f32[(delta >> 2) + r];
    const row = dst + r * stride;
    u8.fill(0, row, row + stride);
    for (let j = 0; j < dim; j++) {
      const u = stochastic ? uniformAt(key, j) : 0.5;
      writeCode(u8, row, j, bits, quantLevel(f32[(src >> 2) + k * dim + j], d, u, bits));
    }
  }
}
