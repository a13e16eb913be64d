// Reference twin of assembly/quant/dequant.ts: out[k, j] = f32(code · Δ).
import type { RefMemory } from "../memory.js";
import { readCode, rowStride } from "./codes.js";

export function gatherDequant(
  m: RefMemory, codes: number, delta: number, ids: number, n: number, rows: number, dim: number,
  bits: number, out: number,
): number {
  const { u8, i32, f32 } = m;
  const stride = rowStride(dim, bits);
  for (let k = 0; k < n; k++) {
    const r = ids ? i32[(ids >> 2) + k] : k;
    if (r < 0 || r >= rows) return k;
    const d = f32[(delta >> 2) + r];
    if (!(d > 0)) return k;
    for (let j = 0; j < dim; j++) {
      f32[(out >> 2) + k * dim + j] = Math.fround(readCode(u8, codes + r * stride, j, bits) * d);
    }
  }
  return -1;
}
