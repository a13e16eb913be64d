// Embedding bags: gather + pooling in one pass, for fp32 rows and for packed low-precision rows.
//
//   bag b holds ids[offsets[b] .. offsets[b + 1]); its field is b % fields, pooled by
//   mean[field] (1: mean, 0: sum; mean = 0 as a pointer: every field sums)
//   out[b, :] = row(ids[o₀]) + row(ids[o₀ + 1]) + … (in id order; the first row is stored,
//               the others added: a bag of one id is its row, bit for bit)
//               ÷ len for a mean bag of len > 1; an empty bag is zeros
//
// A packed row is dequantized (Δ·code, rounded once, as gatherDequant) straight into the sum:
// no [nnz, dim] buffer. The backward (bagSegmentSumRows) sums, per distinct id (the inverse index
// of coalesceIds), the gradients of the bags holding it, ÷ len for a mean bag, in id order.

import {
  rowStride, readCode, topAligned2, topAligned4, bytesToWordsLo, bytesToWordsHi, wordsToLanesLo,
  wordsToLanesHi,
} from "../quant/codes";

// @ts-ignore: decorator
@inline function scale(lanes: v128, d: v128): v128 {
  return f32x4.mul(f32x4.convert_i32x4_s(lanes), d);
}

/** out = v, or out += v when add. */
// @ts-ignore: decorator
@inline function put4(out: usize, v: v128, add: bool): void {
  v128.store(out, add ? f32x4.add(v128.load(out), v) : v);
}

// @ts-ignore: decorator
@inline function put16(v: v128, shift: i32, d: v128, out: usize, add: bool): void {
  const lo = bytesToWordsLo(v), hi = bytesToWordsHi(v);
  put4(out, scale(i32x4.shr_s(wordsToLanesLo(lo), shift), d), add);
  put4(out + 16, scale(i32x4.shr_s(wordsToLanesHi(lo), shift), d), add);
  put4(out + 32, scale(i32x4.shr_s(wordsToLanesLo(hi), shift), d), add);
  put4(out + 48, scale(i32x4.shr_s(wordsToLanesHi(hi), shift), d), add);
}

// @ts-ignore: decorator
@inline function put8(v: v128, shift: i32, d: v128, out: usize, add: bool): void {
  const lo = bytesToWordsLo(v);
  put4(out, scale(i32x4.shr_s(wordsToLanesLo(lo), shift), d), add);
  put4(out + 16, scale(i32x4.shr_s(wordsToLanesHi(lo), shift), d), add);
}

/** Dequantizes the packed row at p into out (add: into the sum already there). */
// @ts-ignore: decorator
@inline function dequantRowInto(p: usize, dim: i32, bits: i32, delta: f32, out: usize, add: bool): void {
  const d = f32x4.splat(delta);
  let j = 0;
  if (bits == 4) {
    for (; j + 16 <= dim; j += 16) put16(topAligned4(v128.load64_zero(p + (<usize>j >> 1))), 28, d, out + (<usize>j << 2), add);
    if (j + 8 <= dim) {
      put8(topAligned4(v128.load32_zero(p + (<usize>j >> 1))), 28, d, out + (<usize>j << 2), add);
      j += 8;
    }
  } else if (bits == 8) {
    for (; j + 16 <= dim; j += 16) put16(v128.load(p + <usize>j), 24, d, out + (<usize>j << 2), add);
    if (j + 8 <= dim) {
      put8(v128.load64_zero(p + <usize>j), 24, d, out + (<usize>j << 2), add);
      j += 8;
    }
  } else if (bits == 2) {
    for (; j + 16 <= dim; j += 16) put16(topAligned2(v128.load32_zero(p + (<usize>j >> 2))), 30, d, out + (<usize>j << 2), add);
    if (j + 8 <= dim) {
      put8(topAligned2(i16x8.splat(load<u16>(p + (<usize>j >> 2)))), 30, d, out + (<usize>j << 2), add);
      j += 8;
    }
  } else if (bits == 16) {
    for (; j + 8 <= dim; j += 8) {
      const v = v128.load(p + (<usize>j << 1));
      put4(out + (<usize>j << 2), scale(i32x4.extend_low_i16x8_s(v), d), add);
      put4(out + (<usize>j << 2) + 16, scale(i32x4.extend_high_i16x8_s(v), d), add);
    }
  }
  for (; j < dim; j++) {
    const at = out + (<usize>j << 2);
    const x = <f32>readCode(p, j, bits) * delta;
    store<f32>(at, add ? load<f32>(at) + x : x);
  }
}

/** Copies (add = false) or adds an fp32 row. */
// @ts-ignore: decorator
@inline function rowInto(s: usize, rowBytes: usize, d: usize, add: bool): void {
  let j: usize = 0;
  for (; j + 16 <= rowBytes; j += 16) put4(d + j, v128.load(s + j), add);
  for (; j < rowBytes; j += 4) store<f32>(d + j, add ? load<f32>(d + j) + load<f32>(s + j) : load<f32>(s + j));
}

/** A pooled row: zeros for an empty bag, ÷ len for a mean bag of len > 1. */
// @ts-ignore: decorator
@inline function finishBag(d: usize, rowBytes: usize, len: i32, mean: bool): void {
  if (len == 0) {
    memory.fill(d, 0, rowBytes);
    return;
  }
  if (!mean || len == 1) return;
  const l = <f32>len, lv = f32x4.splat(l);
  let j: usize = 0;
  for (; j + 16 <= rowBytes; j += 16) v128.store(d + j, f32x4.div(v128.load(d + j), lv));
  for (; j < rowBytes; j += 4) store<f32>(d + j, load<f32>(d + j) / l);
}

// @ts-ignore: decorator
@inline function isMean(mean: usize, b: i32, fields: i32): bool {
  return mean != 0 && load<i32>(mean + (<usize>(b % fields) << 2)) != 0;
}

/**
 * Pooled fp32 rows.
 * @param src     f32 [rows, dim]
 * @param ids     i32 [nnz] row ids (0: the row is the position k itself)
 * @param offsets i32 [bags + 1] non-decreasing positions into ids
 * @param mean    i32 [fields] 1 = mean, 0 = sum (0 as a pointer: all sum)
 * @param out     f32 [bags, dim]
 * @returns -1, or the first position k whose id is outside [0, rows) (out is then incomplete)
 */
export function bagRowsF32(
  src: usize, ids: usize, offsets: usize, bags: i32, rows: i32, dim: i32, fields: i32, mean: usize, out: usize,
): i32 {
  const rowBytes = <usize>dim << 2;
  for (let b = 0; b < bags; b++) {
    const k0 = load<i32>(offsets + (<usize>b << 2)), k1 = load<i32>(offsets + (<usize>(b + 1) << 2));
    const d = out + <usize>b * rowBytes;
    for (let k = k0; k < k1; k++) {
      const r = ids ? load<i32>(ids + (<usize>k << 2)) : k;
      if (<u32>r >= <u32>rows) return k;
      rowInto(src + <usize>r * rowBytes, rowBytes, d, k > k0);
    }
    finishBag(d, rowBytes, k1 - k0, isMean(mean, b, fields));
  }
  return -1;
}

// @ts-ignore: decorator
@inline function bagDequantLoop(
  codes: usize, delta: usize, ids: usize, offsets: usize, bags: i32, rows: i32, dim: i32, bits: i32,
  fields: i32, mean: usize, out: usize,
): i32 {
  const stride = rowStride(dim, bits);
  const rowBytes = <usize>dim << 2;
  for (let b = 0; b < bags; b++) {
    const k0 = load<i32>(offsets + (<usize>b << 2)), k1 = load<i32>(offsets + (<usize>(b + 1) << 2));
    const d = out + <usize>b * rowBytes;
    for (let k = k0; k < k1; k++) {
      const r = load<i32>(ids + (<usize>k << 2));
      if (<u32>r >= <u32>rows) return k;
      const dr = load<f32>(delta + (<usize>r << 2));
      if (!(dr > 0)) return k;
      if (k > k0) dequantRowInto(codes + <usize>r * stride, dim, bits, dr, d, true);
      else dequantRowInto(codes + <usize>r * stride, dim, bits, dr, d, false);
    }
    finishBag(d, rowBytes, k1 - k0, isMean(mean, b, fields));
  }
  return -1;
}

/**
 * Pooled dequantized rows of a packed table (codes.ts layout, Δ per row).
 * @param codes u8 [rows, stride]; delta f32 [rows]; ids i32 [nnz]; offsets i32 [bags + 1]
 * @param mean  i32 [fields] or 0 (see bagRowsF32)
 * @param out   f32 [bags, dim]
 * @returns -1, or the first k whose id is outside [0, rows) or whose Δ is not > 0
 */
export function bagDequant(
  codes: usize, delta: usize, ids: usize, offsets: usize, bags: i32, rows: i32, dim: i32, bits: i32,
  fields: i32, mean: usize, out: usize,
): i32 {
  // one loop per SIMD width, so that `bits` is a constant inside it
  if (bits == 4) return bagDequantLoop(codes, delta, ids, offsets, bags, rows, dim, 4, fields, mean, out);
  if (bits == 8) return bagDequantLoop(codes, delta, ids, offsets, bags, rows, dim, 8, fields, mean, out);
  if (bits == 2) return bagDequantLoop(codes, delta, ids, offsets, bags, rows, dim, 2, fields, mean, out);
  if (bits == 16) return bagDequantLoop(codes, delta, ids, offsets, bags, rows, dim, 16, fields, mean, out);
  return bagDequantLoop(codes, delta, ids, offsets, bags, rows, dim, bits, fields, mean, out);
}

/**
 * The backward of a bag lookup, coalesced: dst[inverse[k], :] += g[b, :] (÷ len for a mean bag)
 * for every position k of every bag b, in the order b = 0 .. bags-1, k = offsets[b] .. — for
 * the slots in [u0, u1) only (a thread's share; every thread scans all bags, so each slot gets
 * the same bits however the slots are split).
 * @param g       f32 [bags, dim]
 * @param inverse i32 [nnz]  slots in [0, u)
 * @param dst     f32 [u, dim]  rows u0 .. u1-1 overwritten
 */
export function bagSegmentSumRows(
  g: usize, offsets: usize, bags: i32, fields: i32, mean: usize, inverse: usize, dim: i32, dst: usize, u0: i32, u1: i32,
): void {
  const rowBytes = <usize>dim << 2;
  memory.fill(dst + <usize>u0 * rowBytes, 0, <usize>(u1 - u0) * rowBytes);
  const span = <u32>(u1 - u0);
  for (let b = 0; b < bags; b++) {
    const k0 = load<i32>(offsets + (<usize>b << 2)), k1 = load<i32>(offsets + (<usize>(b + 1) << 2));
    const s = g + <usize>b * rowBytes;
    const divide = isMean(mean, b, fields) && k1 - k0 > 1;
    const l = <f32>(k1 - k0), lv = f32x4.splat(l);
    for (let k = k0; k < k1; k++) {
      const slot = load<i32>(inverse + (<usize>k << 2));
      if (<u32>(slot - u0) >= span) continue;
      const d = dst + <usize>slot * rowBytes;
      let j: usize = 0;
      if (divide) {
        for (; j + 16 <= rowBytes; j += 16) v128.store(d + j, f32x4.add(v128.load(d + j), f32x4.div(v128.load(s + j), lv)));
        for (; j < rowBytes; j += 4) store<f32>(d + j, load<f32>(d + j) + load<f32>(s + j) / l);
      } else {
        for (; j + 16 <= rowBytes; j += 16) v128.store(d + j, f32x4.add(v128.load(d + j), v128.load(s + j)));
        for (; j < rowBytes; j += 4) store<f32>(d + j, load<f32>(d + j) + load<f32>(s + j));
      }
    }
  }
}
