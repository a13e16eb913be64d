// Gather-dequantize: out[k, :] = Δ[r] · codes[r, :] with r = ids[k] (or r = k without ids).
//
// Per row: load Δ once and splat it; per chunk of 16 elements
//   1. load the packed bytes (v128.load / load64_zero / load32_zero for b = 8 / 4 / 2),
//   2. rearrange them top-aligned (i16x8.shl + i8x16.shuffle interleaves, see codes.ts),
//   3. interleave with zero bytes then zero words (punpck*: the element lands in the top
//      byte of an i32 lane), i32x4.shr_s by 32 - b (sign-extends), f32x4.convert_i32x4_s,
//      f32x4.mul by Δ, v128.store.
// An 8-element chunk does the same on half the bytes; b = 16 widens i16 lanes; the rest of a
// row is scalar. The product code·Δ is exact-then-rounded once, as in the TS twin.

import {
  rowStride, readCode, topAligned2, topAligned4, bytesToWordsLo, bytesToWordsHi, wordsToLanesLo,
  wordsToLanesHi,
} from "./codes";

// @ts-ignore: decorator
@inline function scale(lanes: v128, d: v128): v128 {
  return f32x4.mul(f32x4.convert_i32x4_s(lanes), d);
}

/** Stores 16 top-aligned elements times Δ. */
// @ts-ignore: decorator
@inline function store16(v: v128, shift: i32, d: v128, out: usize): void {
  const lo = bytesToWordsLo(v), hi = bytesToWordsHi(v);
  v128.store(out, scale(i32x4.shr_s(wordsToLanesLo(lo), shift), d));
  v128.store(out, scale(i32x4.shr_s(wordsToLanesHi(lo), shift), d), 16);
  v128.store(out, scale(i32x4.shr_s(wordsToLanesLo(hi), shift), d), 32);
  v128.store(out, scale(i32x4.shr_s(wordsToLanesHi(hi), shift), d), 48);
}

/** Stores the first 8 top-aligned elements times Δ. */
// @ts-ignore: decorator
@inline function store8(v: v128, shift: i32, d: v128, out: usize): void {
  const lo = bytesToWordsLo(v);
  v128.store(out, scale(i32x4.shr_s(wordsToLanesLo(lo), shift), d));
  v128.store(out, scale(i32x4.shr_s(wordsToLanesHi(lo), shift), d), 16);
}

/** Dequantizes one row; the SIMD paths cover b = 2, 4, 8, 16, the scalar loop the rest. */
// @ts-ignore: decorator
@inline function dequantRow(p: usize, dim: i32, bits: i32, delta: f32, out: usize): void {
  const d = f32x4.splat(delta);
  let j = 0;
  if (bits == 4) {
    for (; j + 16 <= dim; j += 16) store16(topAligned4(v128.load64_zero(p + (<usize>j >> 1))), 28, d, out + (<usize>j << 2));
    if (j + 8 <= dim) {
      store8(topAligned4(v128.load32_zero(p + (<usize>j >> 1))), 28, d, out + (<usize>j << 2));
      j += 8;
    }
  } else if (bits == 8) {
    for (; j + 16 <= dim; j += 16) store16(v128.load(p + <usize>j), 24, d, out + (<usize>j << 2));
    if (j + 8 <= dim) {
      store8(v128.load64_zero(p + <usize>j), 24, d, out + (<usize>j << 2));
      j += 8;
    }
  } else if (bits == 2) {
    for (; j + 16 <= dim; j += 16) store16(topAligned2(v128.load32_zero(p + (<usize>j >> 2))), 30, d, out + (<usize>j << 2));
    if (j + 8 <= dim) {
      store8(topAligned2(i16x8.splat(load<u16>(p + (<usize>j >> 2)))), 30, d, out + (<usize>j << 2));
      j += 8;
    }
  } else if (bits == 16) {
    for (; j + 8 <= dim; j += 8) {
      const v = v128.load(p + (<usize>j << 1));
      v128.store(out + (<usize>j << 2), scale(i32x4.extend_low_i16x8_s(v), d));
      v128.store(out + (<usize>j << 2), scale(i32x4.extend_high_i16x8_s(v), d), 16);
    }
  }
  for (; j < dim; j++) store<f32>(out + (<usize>j << 2), <f32>readCode(p, j, bits) * delta);
}

// @ts-ignore: decorator
@inline function gatherLoop(
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
  // one loop per SIMD width, so that `bits` is a constant inside it
  if (bits == 4) return gatherLoop(codes, delta, ids, n, rows, dim, 4, out);
  if (bits == 8) return gatherLoop(codes, delta, ids, n, rows, dim, 8, out);
  if (bits == 2) return gatherLoop(codes, delta, ids, n, rows, dim, 2, out);
  if (bits == 16) return gatherLoop(codes, delta, ids, n, rows, dim, 16, out);
  return gatherLoop(codes, delta, ids, n, rows, dim, bits, out);
}
