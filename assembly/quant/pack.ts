// Pack and unpack signed b-bit codes (layout: see codes.ts). Codes must already lie in
// [-2^(b-1), 2^(b-1) - 1]; the wrapper checks that. SIMD chunks of 16 (8) elements for
// b = 2, 4, 8 (16): i32 → i16 → i8 narrowing plus encode2/encode4 to pack, decode2/decode4
// plus i8 → i16 → i32 widening to unpack; the rest of a row is scalar.

import { rowStride, readCode, orCode, decode2, decode4, encode2, encode4 } from "./codes";

// @ts-ignore: decorator
@inline function narrow16(src: usize): v128 {
  const a = i16x8.narrow_i32x4_s(v128.load(src), v128.load(src, 16));
  const b = i16x8.narrow_i32x4_s(v128.load(src, 32), v128.load(src, 48));
  return i8x16.narrow_i16x8_s(a, b);
}

// @ts-ignore: decorator
@inline function widen16(codes: v128, dst: usize): void {
  const lo = i16x8.extend_low_i8x16_s(codes), hi = i16x8.extend_high_i8x16_s(codes);
  v128.store(dst, i32x4.extend_low_i16x8_s(lo));
  v128.store(dst, i32x4.extend_high_i16x8_s(lo), 16);
  v128.store(dst, i32x4.extend_low_i16x8_s(hi), 32);
  v128.store(dst, i32x4.extend_high_i16x8_s(hi), 48);
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
        v128.store(d + (<usize>j << 1), i16x8.narrow_i32x4_s(v128.load(at), v128.load(at, 16)));
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
      for (; j + 16 <= dim; j += 16) widen16(v128.load(s + <usize>j), d + (<usize>j << 2));
    } else if (bits == 4) {
      for (; j + 16 <= dim; j += 16) widen16(decode4(v128.load64_zero(s + (<usize>j >> 1))), d + (<usize>j << 2));
    } else if (bits == 2) {
      for (; j + 16 <= dim; j += 16) widen16(decode2(v128.load32_zero(s + (<usize>j >> 2))), d + (<usize>j << 2));
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
