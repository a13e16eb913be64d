// Reference twin of assembly/embed/check.ts.
import type { RefMemory } from "../memory.js";

export function firstBadRow(m: RefMemory, ids: number, n: number, rows: number, delta: number): number {
  const { i32, f32 } = m;
  for (let k = 0; k < n; k++) {
    const r = i32[(ids >> 2) + k];
    if (r < 0 || r >= rows) return k;
    if (delta && !(f32[(delta >> 2) + r] > 0)) return k;
  }
  return -1;
}

export function firstNotPositive(m: RefMemory, x: number, n: number): number {
  const { f32 } = m;
  for (let i = 0; i < n; i++) if (!(f32[(x >> 2) + i] > 0)) return i;
  return -1;
}
