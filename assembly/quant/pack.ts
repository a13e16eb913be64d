// Pack and unpack signed b-bit codes (layout: see codes.ts). Codes must already lie in
// [-2^(b-1), 2^(b-1) - 1]; the wrapper checks that. SIMD chunks of 16 (8) elements for
// b = 2, 4, 8 (16): low bytes narrowed plus encode2/encode4 to pack; top-aligned bytes plus
// shuffle + shr_s widening to unpack (codes.ts); the rest of a row is scalar.

import {
  rowStride, readCode, orCode, topAligned2, topAligned4, encode2, encode4, lowBytes, lowHalves,
  bytesToWordsLo, bytesToWordsHi, wordsToLanesLo, wordsToLanesHi,
} from "./codes";

// @ts-ignore: decorator
@inline function narrow16(src: usize): v128 {
  return lowBytes(v128.load(src), v128.load(src, 16), v128.load(src, 32), v128.load(src, 48));
}

/** 16 top-aligned elements → 16 sign-extended i32 (see codes.ts). */
// @ts-ignore: decorator
@inline function widen16(v: v128, shift: i32, dst: usize): void {
  const lo = bytesToWordsLo(v), hi = bytesToWordsHi(v);
  v128.store(dst, i32x4.shr_s(wordsToLanesLo(lo), shift));
  v128.store(dst, i32x4.shr_s(wordsToLanesHi(lo), shift), 16);
  v128.store(dst, i32x4.shr_s(wordsToLanesLo(hi), shift), 32);
  v128.store(dst, i32x4.shr_s(wordsToLanesHi(hi), shift), 48);
}

/**
 * @param src i32 [n, dim]     codes in range
 * @param dst u8 [n, stride]   packed rows, overwritten
 */
export function packCodes(src: usize, n: i32, dim: i32, bits: i32, dst: usize): void {
  const stride = rowStride(dim, bits);
  for (let k = 0; k < n; k++) {
    const s = src + ((<usize>k * <usize>dim) << 2);
    const d = dst + <usize>k * stride;
    let j = 0;
    if (bits == 8) {
      for (; j + 16 <= dim; j += 16) v128.store(d + <usize>j, narrow16(s + (<usize>j << 2)));
    } else if (bits == 4) {
      for (; j + 16 <= dim; j += 16) v128.store64_lane(d + (<usize>j >> 1), encode4(narrow16(s + (<usize>j << 2))), 0);
    } else if (bits == 2) {
      for (; j + 16 <= dim; j += 16) v128.store32_lane(d + (<usize>j >> 2), encode2(narrow16(s + (<usize>j << 2))), 0);
    } else if (bits == 16) {
      for (; j + 8 <= dim; j += 8) {
        const at = s + (<usize>j << 2);
        v128.store(d + (<usize>j << 1), lowHalves(v128.load(at), v128.load(at, 16)));
      }
    }
    if (j < dim) {
      const from = (<usize>j * <usize>bits) >> 3;
      memory.fill(d + from, 0, stride - from);
      for (; j < dim; j++) orCode(d, j, bits, load<i32>(s + (<usize>j << 2)));
    }
  }
}

/**
 * @param src u8 [n, stride]   packed rows
 * @param dst i32 [n, dim]     sign-extended codes
 */
export function unpackCodes(src: usize, n: i32, dim: i32, bits: i32, dst: usize): void {
  const stride = rowStride(dim, bits);
  for (let k = 0; k < n; k++) {
    const s = src + <usize>k * stride;
    const d = dst + ((<usize>k * <usize>dim) << 2);
    let j = 0;
    if (bits == 8) {
      for (; j + 16 <= dim; j += 16) widen16(v128.load(s + <usize>j), 24, d + (<usize>j << 2));
    } else if (bits == 4) {
      for (; j + 16 <= dim; j += 16) widen16(topAligned4(v128.load64_zero(s + (<usize>j >> 1))), 28, d + (<usize>j << 2));
    } else if (bits == 2) {
      for (; j + 16 <= dim; j += 16) widen16(topAligned2(v128.load32_zero(s + (<usize>j >> 2))), 30, d + (<usize>j << 2));
    } else if (bits == 16) {
      for (; j + 8 <= dim; j += 8) {
        const v = v128.load(s + (<usize>j << 1)), at = d + (<usize>j << 2);
        v128.store(at, i32x4.extend_low_i16x8_s(v));
        v128.store(at, i32x4.extend_high_i16x8_s(v), 16);
      }
    }
    for (; j < dim; j++) store<i32>(d + (<usize>j << 2), readCode(s, j, bits));
  }
}
