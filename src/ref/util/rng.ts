// Reference twin of assembly/util/rng.ts.
import { streamKey, uniformAt } from "../../util/rng.js";
import type { RefMemory } from "../memory.js";

/** out[i] = uniform(seed, stream, start + i) for i < n. */
export function fillUniform(
  m: RefMemory, out: number, n: number, seed: number, stream: number, start: number,
): void {
  const f = m.f32;
  const key = streamKey(seed >>> 0, stream >>> 0);
  for (let i = 0; i < n; i++) f[(out >> 2) + i] = uniformAt(key, (start + i) >>> 0);
}
