// Reference twin of assembly/embed/bag.ts: one element at a time, the same order of operations
// (first row stored, the others added in id order, ÷ len for a mean bag of len > 1).
import type { RefMemory } from "../memory.js";
import { readCode, rowStride } from "../quant/codes.js";

const isMean = (i32: Int32Array, mean: number, b: number, fields: number): boolean => mean !== 0 && i32[(mean >> 2) + (b % fields)] !== 0;

/** Pools one bag into out[b]: rowOf(k, j) is element j of position k's row, or undefined for a bad id. */
function poolBag(
  m: RefMemory, offsets: number, b: number, dim: number, fields: number, mean: number, out: number,
  rowValue: (k: number) => ((j: number) => number) | undefined,
): number {
  const { i32 } = m;
  const k0 = i32[(offsets >> 2) + b], k1 = i32[(offsets >> 2) + b + 1];
  const d = (out >> 2) + b * dim;
  for (let k = k0; k < k1; k++) {
    const value = rowValue(k);
    if (!value) return k;
    const f32 = m.f32;
    for (let j = 0; j < dim; j++) f32[d + j] = k > k0 ? Math.fround(f32[d + j] + value(j)) : value(j);
  }
  const f32 = m.f32;
  const len = k1 - k0;
  if (len === 0) f32.fill(0, d, d + dim);
  else if (len > 1 && isMean(i32, mean, b, fields)) for (let j = 0; j < dim; j++) f32[d + j] = Math.fround(f32[d + j] / len);
  return -1;
}

export function bagRowsF32(
  m: RefMemory, src: number, ids: number, offsets: number, bags: number, rows: number, dim: number, fields: number,
  mean: number, out: number,
): number {
  for (let b = 0; b < bags; b++) {
    const bad = poolBag(m, offsets, b, dim, fields, mean, out, (k) => {
      const r = ids ? m.i32[(ids >> 2) + k] : k;
      if (r < 0 || r >= rows) return undefined;
      const f32 = m.f32, s = (src >> 2) + r * dim;
      return (j) => f32[s + j];
    });
    if (bad >= 0) return bad;
  }
  return -1;
}

export function bagDequant(
  m: RefMemory, codes: number, delta: number, ids: number, offsets: number, bags: number, rows: number, dim: number,
  bits: number, fields: number, mean: number, out: number,
): number {
  const stride = rowStride(dim, bits);
  for (let b = 0; b < bags; b++) {
    const bad = poolBag(m, offsets, b, dim, fields, mean, out, (k) => {
      const r = m.i32[(ids >> 2) + k];
      if (r < 0 || r >= rows) return undefined;
      const dr = m.f32[(delta >> 2) + r];
      if (!(dr > 0)) return undefined;
      const u8 = m.u8, p = codes + r * stride;
      return (j) => Math.fround(readCode(u8, p, j, bits) * dr);
    });
    if (bad >= 0) return bad;
  }
  return -1;
}

export function bagSegmentSumRows(
  m: RefMemory, g: number, offsets: number, bags: number, fields: number, mean: number, inverse: number, dim: number,
  dst: number, u0: number, u1: number,
): void {
  const { i32, f32 } = m;
  f32.fill(0, (dst >> 2) + u0 * dim, (dst >> 2) + u1 * dim);
  for (let b = 0; b < bags; b++) {
    const k0 = i32[(offsets >> 2) + b], k1 = i32[(offsets >> 2) + b + 1];
    const len = k1 - k0;
    const divide = len > 1 && isMean(i32, mean, b, fields);
    const s = (g >> 2) + b * dim;
    for (let k = k0; k < k1; k++) {
      const slot = i32[(inverse >> 2) + k];
      if (slot < u0 || slot >= u1) continue;
      const d = (dst >> 2) + slot * dim;
      for (let j = 0; j < dim; j++) f32[d + j] = Math.fround(f32[d + j] + (divide ? Math.fround(f32[s + j] / len) : f32[s + j]));
    }
  }
}
