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

/**
 * How a dense layer's weights and biases start:
 * - "torch": PyTorch's nn.Linear default (kaiming-uniform with a = √5): W and b ~ U(±1/√fanIn).
 *   What the ALPT author's code, torchfm and most PyTorch CTR model zoos train with (default).
 * - "glorot": Glorot/Xavier-uniform W ~ U(±√(6/(fanIn + fanOut))), b = 0 (Keras, TF).
 * - "xavier-normal": W ~ N(0, 2/(fanIn + fanOut)), b = 0 (FuxiCTR's reset_parameters).
 */
export type DenseInit = "torch" | "glorot" | "xavier-normal";

export const DENSE_INITS: readonly DenseInit[] = ["torch", "glorot", "xavier-normal"];

/** Fills the weights W (fanIn × fanOut values) and the bias b (if any) of one dense layer. */
export function initDense(W: Tensor, b: Tensor | undefined, fanIn: number, fanOut: number, scheme: DenseInit, seed: number): void {
  if (scheme === "torch") {
    const bound = 1 / Math.sqrt(fanIn);
    initUniform(W, bound, seed);
    if (b) initUniform(b, bound, seed);
    return;
  }
  if (scheme === "glorot") initXavier(W, fanIn, fanOut, seed);
  else if (scheme === "xavier-normal") initNormal(W, Math.sqrt(2 / (fanIn + fanOut)), seed);
  else throw new RangeError(`init = "${String(scheme)}" (expected ${DENSE_INITS.join(", ")})`);
  if (b) initConstant(b, 0);
}
