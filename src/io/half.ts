// IEEE 754 binary16 ↔ binary32 in plain TS (exports may store Δ as F16):
//
//   f16: s eeeee mmmmmmmmmm   bias 15, subnormals below 2^-14, max finite 65504
//   f32: s eeeeeeee mmm…(23)  bias 127
//
// f32 → f16 rounds to nearest, ties to even (overflow → ±Inf, NaN stays a quiet NaN);
// f16 → f32 is exact.

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The f16 bits nearest to `x` (rounded to f32 first), ties to even. */
export function f32ToF16(x: number): number {
  F32[0] = x;
  const bits = U32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | (mant ? 0x7e00 : 0x7c00);
  // unbiased exponent e; f16 normal range is e ∈ [-14, 15]
  const e = exp - 127;
  if (e > 15) return sign | 0x7c00;
  if (e >= -14) {
    // keep 10 of the 23 mantissa bits, round the 13 dropped ones
    let h = ((e + 15) << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // a carry into the exponent is correct (up to Inf)
    return sign | h;
  }
  if (e < -25) return sign; // below half the smallest subnormal 2^-24 (a tie at 2^-25 goes to 0 too)
  // subnormal: value = m · 2^-24 with m = (1.mant) · 2^(e+24), shift the 24-bit significand
  const sig = mant | 0x800000;
  const shift = -e - 1; // 14..24 bits dropped from the 24-bit significand, keeping e+25 bits
  const m = sig >>> shift;
  const rest = sig & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return sign | (rest > half || (rest === half && m & 1) ? m + 1 : m);
}

/** The f32 value of f16 bits `h` (exact). */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Converts f32 values to f16 bits (round to nearest even). */
export function toF16Array(src: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32ToF16(src[i]);
  return out;
}

/** Converts f16 bits to f32 values. */
export function fromF16Array(src: ArrayLike<number>, out: Float32Array<ArrayBufferLike> = new Float32Array(src.length)): Float32Array<ArrayBufferLike> {
  for (let i = 0; i < src.length; i++) out[i] = f16ToF32(src[i]);
  return out;
}
