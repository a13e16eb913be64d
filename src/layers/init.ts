// Deterministic parameter initialisation from the counter-based RNG: the values of a tensor
// are a pure function of (seed, a hash of its name, index).
import { mix32, normal, uniform } from "../util/rng.js";
import type { Tensor } from "../tensor/tensor.js";

/** A 32-bit hash of a string (FNV-1a then mix32), stable across runtimes. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h >>> 0);
}

/** Fills t with U(−a, a). */
export function initUniform(t: Tensor, a: number, seed: number): void {
  const v = t.data.array, stream = hashString(t.name);
  for (let i = 0; i < t.size; i++) v[i] = (2 * uniform(seed, stream, i) - 1) * a;
}

/** Fills t with N(0, σ²). */
export function initNormal(t: Tensor, sigma: number, seed: number): void {
  const v = t.data.array, stream = hashString(t.name);
  for (let i = 0; i < t.size; i++) v[i] = sigma * normal(seed, stream, i);
}

/** Glorot/Xavier uniform for a [fanIn, fanOut] matrix. */
export function initXavier(t: Tensor, fanIn: number, fanOut: number, seed: number): void {
  initUniform(t, Math.sqrt(6 / (fanIn + fanOut)), seed);
}

/** Fills t with a constant. */
export function initConstant(t: Tensor, c: number): void {
  t.data.array.fill(c);
}
