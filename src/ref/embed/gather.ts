// Reference twin of assembly/embed/gather.ts.
import type { RefMemory } from "../memory.js";

export function gatherRowsF32(m: RefMemory, src: number, ids: number, n: number, rows: number, dim: number, out: number): number {
  const { i32, f32 } = m;
  for (let k = 0; k < n; k++) {
    const r = ids ? i32[(ids >> 2) + k] : k;
    if (r < 0 || r >= rows) return k;
    f32.copyWithin((out >> 2) + k * dim, (src >> 2) + r * dim, (src >> 2) + (r + 1) * dim);
  }
  return -1;
}
