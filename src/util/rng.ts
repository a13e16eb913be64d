// Counter-based randomness, the TS mirror of assembly/util/rng.ts (bit-identical):
//
//   key(seed, stream) = mix32(seed ^ mix32(stream + GOLDEN))
//   u(key, index)     = (mix32(key + index * GOLDEN) >>> 8) * 2^-24     exact f32 in [0, 1)
//
// Every random decision of the library (initialisation, shuffling, dropout, stochastic
// rounding) is a pure function of (seed, stream, index), so results never depend on the
// runtime, on SIMD width or on processing order.

const GOLDEN = 0x9e3779b9;
const INV_2_24 = 1 / 16777216;

/** 32-bit xor-shift-multiply finalizer; returns an unsigned 32-bit integer. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x >>> 0;
}

/** The key of the stream (seed, stream). */
export function streamKey(seed: number, stream: number): number {
  return mix32(seed ^ mix32((stream + GOLDEN) >>> 0));
}

/** Uniform in [0, 1) (an exact f32) for element `index` of the stream `key`. */
export function uniformAt(key: number, index: number): number {
  return (mix32((key + Math.imul(index, GOLDEN)) >>> 0) >>> 8) * INV_2_24;
}

/** Uniform in [0, 1) as a pure function of (seed, stream, index), all u32. */
export function uniform(seed: number, stream: number, index: number): number {
  return uniformAt(streamKey(seed, stream), index);
}

/**
 * Standard normal draw as a pure function of (seed, stream, index): Box-Muller on the uniforms
 * at indices 2p and 2p + 1 of pair p = floor(index / 2); even indices take the cosine, odd ones
 * the sine, so fillNormal can compute both from one pair.
 */
export function normal(seed: number, stream: number, index: number): number {
  const key = streamKey(seed, stream);
  const p = Math.floor(index / 2);
  const r = Math.sqrt(-2 * Math.log(uniformAt(key, 2 * p) + INV_2_24)); // (0, 1]: log is finite
  const a = 2 * Math.PI * uniformAt(key, 2 * p + 1);
  return index % 2 === 0 ? r * Math.cos(a) : r * Math.sin(a);
}

/** out[i] = scale · normal(seed, stream, start + i), computing each Box-Muller pair once. */
export function fillNormal(out: Float32Array, scale: number, seed: number, stream: number, start = 0): void {
  const key = streamKey(seed, stream);
  let i = 0;
  if (start % 2 === 1 && out.length > 0) out[i++] = scale * normal(seed, stream, start);
  for (; i + 1 < out.length; i += 2) {
    const p = (start + i) / 2;
    const r = Math.sqrt(-2 * Math.log(uniformAt(key, 2 * p) + INV_2_24));
    const a = 2 * Math.PI * uniformAt(key, 2 * p + 1);
    out[i] = scale * (r * Math.cos(a));
    out[i + 1] = scale * (r * Math.sin(a));
  }
  if (i < out.length) out[i] = scale * normal(seed, stream, start + i);
}
