// Counter-based randomness: a draw is a pure function of (seed, stream, index), so the bits
// never depend on processing order, SIMD width or how many rows one call handles.
//
//   key(seed, stream) = mix32(seed ^ mix32(stream + GOLDEN))          once per call / row
//   u(key, index)     = (mix32(key + index * GOLDEN) >>> 8) * 2^-24   once per element
//
// mix32 is a 32-bit xor-shift-multiply finalizer; the 24 kept bits make u an exact f32 in
// [0, 1). The same arithmetic lives in src/util/rng.ts (bit-identical, tested).

const GOLDEN: u32 = 0x9e3779b9;
const INV_2_24: f32 = 1.0 / 16777216.0;

/** 32-bit integer finalizer (xor-shift-multiply). */
// @ts-ignore: decorator
@inline export function mix32(x: u32): u32 {
  x ^= x >>> 16;
  x *= 0x21f0aaad;
  x ^= x >>> 15;
  x *= 0x735a2d97;
  x ^= x >>> 15;
  return x;
}

/** mix32 on four u32 lanes at once. */
// @ts-ignore: decorator
@inline export function mix32x4(x: v128): v128 {
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(0x21f0aaad));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(0x735a2d97));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  return x;
}

/** The key of one stream of draws: hashes seed and stream together. */
// @ts-ignore: decorator
@inline export function streamKey(seed: u32, stream: u32): u32 {
  return mix32(seed ^ mix32(stream + GOLDEN));
}

/** Uniform f32 in [0, 1) for element `index` of the stream `key`. */
// @ts-ignore: decorator
@inline export function uniformAt(key: u32, index: u32): f32 {
  return <f32>(mix32(key + index * GOLDEN) >>> 8) * INV_2_24;
}

/** key + (i .. i+3) · GOLDEN as four lanes: add splat(4·GOLDEN) to step to the next four. */
// @ts-ignore: decorator
@inline export function counters4(key: u32, first: u32): v128 {
  return i32x4.add(i32x4.splat(key + first * GOLDEN), i32x4(0, GOLDEN, 2 * GOLDEN, 3 * GOLDEN));
}

/** Four uniforms from four counters (see counters4). */
// @ts-ignore: decorator
@inline export function uniform4(counters: v128): v128 {
  // the 24-bit values are non-negative, so the signed convert (one instruction) is exact
  return f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(mix32x4(counters), 8)), f32x4.splat(INV_2_24));
}

/** Four uniforms for the indices `first .. first + 3` of the stream `key`. */
// @ts-ignore: decorator
@inline export function uniformAt4(key: u32, first: u32): v128 {
  return uniform4(counters4(key, first));
}

/**
 * Writes `n` uniforms of stream (seed, stream) for the indices start .. start + n - 1.
 * @param out f32 [n]
 */
export function fillUniform(out: usize, n: i32, seed: u32, stream: u32, start: u32): void {
  const key = streamKey(seed, stream);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(out + (<usize>i << 2), uniformAt4(key, start + <u32>i));
  }
  for (; i < n; i++) store<f32>(out + (<usize>i << 2), uniformAt(key, start + <u32>i));
}
