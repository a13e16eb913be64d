// Wrapper of the uniform fill kernel (the RNG's wasm side, mostly for parity and benches).
import { getEngine } from "../wasm/load.js";
import type { HeapF32 } from "../wasm/heap.js";
import { checkCount } from "./check.js";

/** out[i] = uniform(seed, stream, start + i), i < out.length: the same bits as src/util/rng.ts. */
export function fillUniform(out: HeapF32, seed: number, stream: number, start = 0): void {
  checkCount("fillUniform", "length", out.length);
  getEngine().active.fillUniform(out.ptr, out.length, seed >>> 0, stream >>> 0, start >>> 0);
}
