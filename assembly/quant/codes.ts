// Bit-packed signed codes, the storage format of every low-precision table:
//
//   row r starts at r * stride, stride = ceil(dim * bits / 8) bytes
//   ┌ byte 0 ─────────┬ byte 1 ─────────┬ ...
//   │ e0 | e1 | ...   │                 │     element j sits at bits [j*b, (j+1)*b) of the
//   └ low bits first ─┴─────────────────┴     row, little-endian; b = 16 is a plain i16
//
// Codes are two's complement in [-2^(b-1), 2^(b-1) - 1]. The helpers below read or write
// one element (any b in 1..8 and 16) or a chunk of 16 / 8 elements for b = 2, 4, 8 as
// signed i8 lanes (b = 16 has its own i16 paths in the kernels).

/** Bytes of one packed row. */
// @ts-ignore: decorator
@inline export function rowStride(dim: i32, bits: i32): usize {
  return (<usize>dim * <usize>bits + 7) >> 3;
}

/** Reads element j of the packed row at p, sign-extended. */
// @ts-ignore: decorator
@inline export function readCode(p: usize, j: i32, bits: i32): i32 {
  if (bits == 16) return <i32>load<i16>(p + (<usize>j << 1));
  const bit = <usize>j * <usize>bits;
  const at = p + (bit >> 3);
  const sh = <i32>(bit & 7);
  let v = <i32>load<u8>(at) >>> sh;
  if (sh + bits > 8) v |= <i32>load<u8>(at, 1) << (8 - sh);
  return (v << (32 - bits)) >> (32 - bits);
}

/** ORs element j into the packed row at p; the bits must be zero before. */
// @ts-ignore: decorator
@inline export function orCode(p: usize, j: i32, bits: i32, code: i32): void {
  if (bits == 16) {
    store<i16>(p + (<usize>j << 1), <i16>code);
    return;
  }
  const bit = <usize>j * <usize>bits;
  const at = p + (bit >> 3);
  const sh = <i32>(bit & 7);
  const v = (code & ((1 << bits) - 1)) << sh;
  store<u8>(at, load<u8>(at) | <u8>v);
  if (sh + bits > 8) store<u8>(at, load<u8>(at, 1) | <u8>(v >>> 8), 1);
}

// ── decoding: "top-aligned" bytes ────────────────────────────────────────────────────
// A chunk of 16 elements is first rearranged so that byte j holds element j in its TOP bits
// (low bits are don't-care). Interleaving with zero bytes, then zero words (punpckl/hbw,
// punpckl/hwd: one instruction each, no constant to load) puts byte j in the top byte of
// an i32 lane, and i32x4.shr_s by 32 - b sign-extends it: no i8 shifts (x86 has none).

/** b = 4: 8 bytes in the low lanes of raw → 16 top-aligned elements (even: low nibbles). */
// @ts-ignore: decorator
@inline export function topAligned4(raw: v128): v128 {
  return i8x16.shuffle(i16x8.shl(raw, 4), raw, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}

/** b = 2: 4 bytes in the low lanes of raw → 16 top-aligned elements. */
// @ts-ignore: decorator
@inline export function topAligned2(raw: v128): v128 {
  const t01 = i8x16.shuffle(i16x8.shl(raw, 6), i16x8.shl(raw, 4), 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const t23 = i8x16.shuffle(i16x8.shl(raw, 2), raw, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  return i8x16.shuffle(t01, t23, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
}

/** Bytes 0..7 of v in the high byte of eight i16 lanes. */
// @ts-ignore: decorator
@inline export function bytesToWordsLo(v: v128): v128 {
  return i8x16.shuffle(v128.splat<i32>(0), v, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}

/** Bytes 8..15 of v in the high byte of eight i16 lanes. */
// @ts-ignore: decorator
@inline export function bytesToWordsHi(v: v128): v128 {
  return i8x16.shuffle(v128.splat<i32>(0), v, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
}

/** i16 lanes 0..3 of w in the high half of four i32 lanes. */
// @ts-ignore: decorator
@inline export function wordsToLanesLo(w: v128): v128 {
  return i8x16.shuffle(v128.splat<i32>(0), w, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
}

/** i16 lanes 4..7 of w in the high half of four i32 lanes. */
// @ts-ignore: decorator
@inline export function wordsToLanesHi(w: v128): v128 {
  return i8x16.shuffle(v128.splat<i32>(0), w, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
}

// ── encoding: integral f32 levels → code bytes → packed bytes ─────────────────────────
// An integral f32 v with |v| < 2^22 plus 1.5 · 2^23 is exact, and the low bits of its bit
// pattern are v in two's complement: no trunc_sat needed (NaN gives 0 there too).

// @ts-ignore: decorator
@lazy const MAGIC = f32x4.splat(12582912.0);

/** The i32 lanes whose low bits are the two's complement of the integral levels v. */
// @ts-ignore: decorator
@inline export function levelBits(v: v128): v128 {
  return f32x4.add(v, MAGIC);
}

/** Low bytes of four i32x4 → 16 bytes (codes for b ≤ 8). */
// @ts-ignore: decorator
@inline export function lowBytes(a: v128, b: v128, c: v128, d: v128): v128 {
  const m = i32x4.splat(0xff);
  return i8x16.narrow_i16x8_u(
    i16x8.narrow_i32x4_u(v128.and(a, m), v128.and(b, m)),
    i16x8.narrow_i32x4_u(v128.and(c, m), v128.and(d, m)),
  );
}

/** Low halves of two i32x4 → 8 i16 (codes for b = 16). */
// @ts-ignore: decorator
@inline export function lowHalves(a: v128, b: v128): v128 {
  const m = i32x4.splat(0xffff);
  return i16x8.narrow_i32x4_u(v128.and(a, m), v128.and(b, m));
}

/** Packs 16 code bytes into 8 bytes of b = 4 (low 8 lanes of the result). */
// @ts-ignore: decorator
@inline export function encode4(codes: v128): v128 {
  // i16 lane i holds e[2i] (low byte) and e[2i+1] (high byte): fold to e[2i] | e[2i+1] << 4
  const x = v128.or(
    v128.and(codes, i16x8.splat(0x000f)),
    v128.and(i16x8.shr_u(codes, 4), i16x8.splat(0x00f0)),
  );
  return i8x16.narrow_i16x8_u(x, x);
}

/** Packs 16 code bytes into 4 bytes of b = 2 (low 4 lanes of the result). */
// @ts-ignore: decorator
@inline export function encode2(codes: v128): v128 {
  // two 2-bit codes per i16 lane, then two nibbles per i32 lane, then narrow to bytes
  const x = v128.or(
    v128.and(codes, i16x8.splat(0x0003)),
    v128.and(i16x8.shr_u(codes, 6), i16x8.splat(0x000c)),
  );
  const y = v128.or(
    v128.and(x, i32x4.splat(0x0000000f)),
    v128.and(i32x4.shr_u(x, 12), i32x4.splat(0x000000f0)),
  );
  const z = i16x8.narrow_i32x4_u(y, y);
  return i8x16.narrow_i16x8_u(z, z);
}
