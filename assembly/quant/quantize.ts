// Quantize fp32 rows to packed b-bit codes with a per-row step size Δ:
//
//   q = clip(floor(x / Δ + u), -2^(b-1), 2^(b-1) - 1)
//   u = 1/2                                   deterministic rounding (DR, round half up)
//   u = uniform(key(key(seed, step), r), j)   stochastic rounding (SR), independent per element
//
// SIMD path per chunk of 16 elements (b = 2, 4, 8): f32x4.div, add u, floor, pmin/pmax clip
// (one instruction each; same results as min/max here, NaN included), add 1.5·2^23 so the
// low bits are the code (codes.ts), and + narrow_u to bytes, then encode4 / encode2 fold
// them into packed bytes. b = 16 narrows chunks of 8 to i16. Remaining elements (and other b) are scalar: the tail
// bytes are zeroed, then each code is OR-ed in. The clip happens in f32, so huge or
// infinite inputs saturate; NaN becomes code 0.

import { rowStride, orCode, encode4, encode2, levelBits, lowBytes, lowHalves } from "./codes";
import { streamKey, uniformAt, uniformAt4 } from "../util/rng";

// @ts-ignore: decorator
@inline function level(x: v128, d: v128, u: v128, qmin: v128, qmax: v128): v128 {
  return f32x4.pmax(f32x4.pmin(f32x4.floor(f32x4.add(f32x4.div(x, d), u)), qmax), qmin);
}

// @ts-ignore: decorator
@inline function offset4(stochastic: bool, key: u32, j: i32): v128 {
  return stochastic ? uniformAt4(key, <u32>j) : f32x4.splat(0.5);
}

/** Four clipped levels x[j .. j+3] of one row, as code bits (see levelBits). */
// @ts-ignore: decorator
@inline function level4(
  src: usize, j: i32, d: v128, sr: bool, key: u32, qmin: v128, qmax: v128,
): v128 {
  return levelBits(level(v128.load(src + (<usize>j << 2)), d, offset4(sr, key, j), qmin, qmax));
}

/** 16 levels x[j .. j+15] as signed i8 lanes. */
// @ts-ignore: decorator
@inline function codes16(src: usize, j: i32, d: v128, sr: bool, key: u32, lo: v128, hi: v128): v128 {
  return lowBytes(
    level4(src, j, d, sr, key, lo, hi), level4(src, j + 4, d, sr, key, lo, hi),
    level4(src, j + 8, d, sr, key, lo, hi), level4(src, j + 12, d, sr, key, lo, hi),
  );
}

/** 8 levels x[j .. j+7] in the low 8 i8 lanes. */
// @ts-ignore: decorator
@inline function codes8(src: usize, j: i32, d: v128, sr: bool, key: u32, lo: v128, hi: v128): v128 {
  const z = i32x4.splat(0);
  return lowBytes(level4(src, j, d, sr, key, lo, hi), level4(src, j + 4, d, sr, key, lo, hi), z, z);
}

// @ts-ignore: decorator
@inline function quantizeRow(
  src: usize, dim: i32, bits: i32, delta: f32, dst: usize, sr: bool, key: u32,
): void {
  const qminS = <f32>(-(1 << (bits - 1)));
  const qmaxS = <f32>((1 << (bits - 1)) - 1);
  const d = f32x4.splat(delta), lo = f32x4.splat(qminS), hi = f32x4.splat(qmaxS);
  let j = 0;
  if (bits == 4) {
    for (; j + 16 <= dim; j += 16) v128.store64_lane(dst + (<usize>j >> 1), encode4(codes16(src, j, d, sr, key, lo, hi)), 0);
    if (j + 8 <= dim) {
      v128.store32_lane(dst + (<usize>j >> 1), encode4(codes8(src, j, d, sr, key, lo, hi)), 0);
      j += 8;
    }
  } else if (bits == 8) {
    for (; j + 16 <= dim; j += 16) v128.store(dst + <usize>j, codes16(src, j, d, sr, key, lo, hi));
    if (j + 8 <= dim) {
      v128.store64_lane(dst + <usize>j, codes8(src, j, d, sr, key, lo, hi), 0);
      j += 8;
    }
  } else if (bits == 2) {
    for (; j + 16 <= dim; j += 16) v128.store32_lane(dst + (<usize>j >> 2), encode2(codes16(src, j, d, sr, key, lo, hi)), 0);
    if (j + 8 <= dim) {
      v128.store16_lane(dst + (<usize>j >> 2), encode2(codes8(src, j, d, sr, key, lo, hi)), 0);
      j += 8;
    }
  } else if (bits == 16) {
    for (; j + 8 <= dim; j += 8) {
      const a = level4(src, j, d, sr, key, lo, hi);
      const b = level4(src, j + 4, d, sr, key, lo, hi);
      v128.store(dst + (<usize>j << 1), lowHalves(a, b));
    }
  }
  if (j < dim) {
    const from = (<usize>j * <usize>bits) >> 3; // byte-aligned: j is 0 or a multiple of 8
    memory.fill(dst + from, 0, rowStride(dim, bits) - from);
    for (; j < dim; j++) {
      const u: f32 = sr ? uniformAt(key, <u32>j) : 0.5;
      const x = load<f32>(src + (<usize>j << 2));
      const q = Mathf.max(Mathf.min(Mathf.floor(x / delta + u), qmaxS), qminS);
      orCode(dst, j, bits, <i32>q);
    }
  }
}

// @ts-ignore: decorator
@inline function quantizeLoop(
  src: usize, delta: usize, ids: usize, n: i32, dim: i32, bits: i32, dst: usize, sr: bool,
  seed: u32, step: u32,
): void {
  const stride = rowStride(dim, bits);
  const stepKey = streamKey(seed, step);
  for (let k = 0; k < n; k++) {
    const r = ids ? load<i32>(ids + (<usize>k << 2)) : k;
    const key = sr ? streamKey(stepKey, <u32>r) : 0;
    const dr = load<f32>(delta + (<usize>r << 2));
    quantizeRow(src + ((<usize>k * <usize>dim) << 2), dim, bits, dr, dst + <usize>r * stride, sr, key);
  }
}

/**
 * Quantizes n rows into packed codes.
 *
 * @param src        f32 [n, dim]       fp32 rows
 * @param delta      f32 [rows] or [n]  Δ, indexed by the destination row r
 * @param ids        i32 [n]            destination rows r = ids[k]; 0 means r = k
 * @param dst        u8 [rows, stride]  packed table; row r is overwritten
 * @param stochastic 0 = DR (floor(x/Δ + 1/2)), 1 = SR (floor(x/Δ + u))
 * @param seed, step the SR stream: u = f(seed, step, r, j)
 */
export function quantizeRows(
  src: usize, delta: usize, ids: usize, n: i32, dim: i32, bits: i32, dst: usize,
  stochastic: i32, seed: u32, step: u32,
): void {
  // one loop per (width, rounding), so that both are constants inside it
  if (stochastic) {
    if (bits == 4) quantizeLoop(src, delta, ids, n, dim, 4, dst, true, seed, step);
    else if (bits == 8) quantizeLoop(src, delta, ids, n, dim, 8, dst, true, seed, step);
    else if (bits == 2) quantizeLoop(src, delta, ids, n, dim, 2, dst, true, seed, step);
    else if (bits == 16) quantizeLoop(src, delta, ids, n, dim, 16, dst, true, seed, step);
    else quantizeLoop(src, delta, ids, n, dim, bits, dst, true, seed, step);
  } else {
    if (bits == 4) quantizeLoop(src, delta, ids, n, dim, 4, dst, false, seed, step);
    else if (bits == 8) quantizeLoop(src, delta, ids, n, dim, 8, dst, false, seed, step);
    else if (bits == 2) quantizeLoop(src, delta, ids, n, dim, 2, dst, false, seed, step);
    else if (bits == 16) quantizeLoop(src, delta, ids, n, dim, 16, dst, false, seed, step);
    else quantizeLoop(src, delta, ids, n, dim, bits, dst, false, seed, step);
  }
}
