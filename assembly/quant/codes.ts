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

// ── decoding chunks into signed i8 lanes ─────────────────────────────────────────────

/** 16 elements of a b = 4 row from 8 bytes at p (element 2i: low nibble of byte i). */
// @ts-ignore: decorator
@inline export function decode4(raw: v128): v128 {
  const lo = i8x16.shr_s(i8x16.shl(raw, 4), 4); // even elements, sign-extended
  const hi = i8x16.shr_s(raw, 4); // odd elements
  return i8x16.shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}

/** 16 elements of a b = 2 row from the 4 bytes in the low lanes of raw. */
// @ts-ignore: decorator
@inline export function decode2(raw: v128): v128 {
  const e0 = i8x16.shr_s(i8x16.shl(raw, 6), 6);
  const e1 = i8x16.shr_s(i8x16.shl(raw, 4), 6);
  const e2 = i8x16.shr_s(i8x16.shl(raw, 2), 6);
  const e3 = i8x16.shr_s(raw, 6);
  const e01 = i8x16.shuffle(e0, e1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const e23 = i8x16.shuffle(e2, e3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  return i8x16.shuffle(e01, e23, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
}

// ── encoding signed i8 lanes into packed bytes ───────────────────────────────────────

/** Packs 16 signed i8 codes into 8 bytes of b = 4 (low 8 lanes of the result). */
// @ts-ignore: decorator
@inline export function encode4(codes: v128): v128 {
  // i16 lane i holds e[2i] (low byte) and e[2i+1] (high byte): fold to e[2i] | e[2i+1] << 4
  const x = v128.or(
    v128.and(codes, i16x8.splat(0x000f)),
    v128.and(i16x8.shr_u(codes, 4), i16x8.splat(0x00f0)),
  );
  return i8x16.narrow_i16x8_u(x, x);
}

/** Packs 16 signed i8 codes into 4 bytes of b = 2 (low 4 lanes of the result). */
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

/** Narrows four f32x4 of integral values in [-128, 127] to 16 signed i8 lanes. */
// @ts-ignore: decorator
@inline export function narrowToI8(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = i16x8.narrow_i32x4_s(i32x4.trunc_sat_f32x4_s(a), i32x4.trunc_sat_f32x4_s(b));
  const cd = i16x8.narrow_i32x4_s(i32x4.trunc_sat_f32x4_s(c), i32x4.trunc_sat_f32x4_s(d));
  return i8x16.narrow_i16x8_s(ab, cd);
}
