// Gather-dequantize: out[k, :] = Δ[r] · codes[r, :] with r = ids[k] (or r = k without ids).
//
// Per row: load Δ once and splat it; per chunk of 16 elements
//   1. load the packed bytes (v128.load / load64_zero / load32_zero for b = 8 / 4 / 2),
//   2. decode to 16 signed i8 lanes (shl + shr_s per field, i8x16.shuffle to interleave),
//   3. widen i8 → i16 → i32 (extend_low/high), convert to f32, multiply by Δ, store 64 B.
// An 8-element chunk does the same on half the bytes; the rest of a row is scalar.
// The f32 product code·Δ is exact-then-rounded once, so the TS twin matches bit for bit.

import { rowStride, readCode, decode4, decode2 } from "./codes";

// @ts-ignore: decorator
@inline function store16(codes: v128, d: v128, out: usize): void {
  const lo = i16x8.extend_low_i8x16_s(codes);
  const hi = i16x8.extend_high_i8x16_s(codes);
  v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), d));
  v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), d), 16);
  v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), d), 32);
  v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), d), 48);
}

// @ts-ignore: decorator
@inline function store8(codes: v128, d: v128, out: usize): void {
  const lo = i16x8.extend_low_i8x16_s(codes);
  v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), d));
  v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), d), 16);
}

// @ts-ignore: decorator
@inline function store8x16(codes: v128, d: v128, out: usize): void {
  v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(codes)), d));
  v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(codes)), d), 16);
}

/** Dequantizes one row; the SIMD paths cover b = 2, 4, 8, 16, the scalar loop the rest. */
// @ts-ignore: decorator
@inline function dequantRow(p: usize, dim: i32, bits: i32, delta: f32, out: usize): void {
  const d = f32x4.splat(delta);
  let j = 0;
  if (bits == 4) {
    for (; j + 16 <= dim; j += 16) store16(decode4(v128.load64_zero(p + (<usize>j >> 1))), d, out + (<usize>j << 2));
    if (j + 8 <= dim) {
      store8(decode4(v128.load32_zero(p + (<usize>j >> 1))), d, out + (<usize>j << 2));
      j += 8;
    }
  } else if (bits == 8) {
    for (; j + 16 <= dim; j += 16) store16(v128.load(p + <usize>j), d, out + (<usize>j << 2));
    if (j + 8 <= dim) {
      store8(v128.load64_zero(p + <usize>j), d, out + (<usize>j << 2));
      j += 8;
    }
  } else if (bits == 2) {
    for (; j + 16 <= dim; j += 16) store16(decode2(v128.load32_zero(p + (<usize>j >> 2))), d, out + (<usize>j << 2));
    if (j + 8 <= dim) {
      store8(decode2(i16x8.splat(load<u16>(p + (<usize>j >> 2)))), d, out + (<usize>j << 2));
      j += 8;
    }
  } else if (bits == 16) {
    for (; j + 8 <= dim; j += 8) store8x16(v128.load(p + (<usize>j << 1)), d, out + (<usize>j << 2));
  }
  for (; j < dim; j++) store<f32>(out + (<usize>j << 2), <f32>readCode(p, j, bits) * delta);
}

/**
 * Gathers and dequantizes rows. Returns -1, or the first k whose id is out of [0, rows)
 * or whose Δ is not > 0 (the output is then incomplete; the wrapper throws).
 *
 * @param codes u8 [rows, stride]  packed table
 * @param delta f32 [rows]         step size per row
 * @param ids   i32 [n]            row ids in any order, duplicates allowed; 0 means k itself
 * @param out   f32 [n, dim]
 */
export function gatherDequant(
  codes: usize, delta: usize, ids: usize, n: i32, rows: i32, dim: i32, bits: i32, out: usize,
): i32 {
  const stride = rowStride(dim, bits);
  const outStride = <usize>dim << 2;
  for (let k = 0; k < n; k++) {
    const r = ids ? load<i32>(ids + (<usize>k << 2)) : k;
    if (<u32>r >= <u32>rows) return k;
    const dr = load<f32>(delta + (<usize>r << 2));
    if (!(dr > 0)) return k;
    dequantRow(codes + <usize>r * stride, dim, bits, dr, out + <usize>k * outStride);
  }
  return -1;
}
