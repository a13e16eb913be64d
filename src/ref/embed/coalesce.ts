// Reference twin of assembly/embed/coalesce.ts (a Map instead of the hash table).
import type { RefMemory } from "../memory.js";

export function coalesceIds(
  m: RefMemory, ids: number, n: number, _table: number, _capLog2: number, unique: number,
  inverse: number,
): number {
  const { i32 } = m;
  const slotOf = new Map<number, number>();
  for (let k = 0; k < n; k++) {
    const id = i32[(ids >> 2) + k];
    let slot = slotOf.get(id);
    if (slot === undefined) {
      slot = slotOf.size;
      slotOf.set(id, slot);
      i32[(unique >> 2) + slot] = id;
    }
    i32[(inverse >> 2) + k] = slot;
  }
  return slotOf.size;
}

export function segmentSumRows(
  m: RefMemory, src: number, inverse: number, n: number, dim: number, dst: number, u0: number, u1: number,
): void {
  const { i32, f32 } = m;
  f32.fill(0, (dst >> 2) + u0 * dim, (dst >> 2) + u1 * dim);
  for (let k = 0; k < n; k++) {
    const slot = i32[(inverse >> 2) + k];
    if (slot < u0 || slot >= u1) continue;
    const d = (dst >> 2) + slot * dim;
    const s = (src >> 2) + k * dim;
    for (let j = 0; j < dim; j++) f32[d + j] = Math.fround(f32[d + j] + f32[s + j]);
  }
}
