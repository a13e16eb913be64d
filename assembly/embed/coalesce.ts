// Coalescing the ids of a batch, exactly and deterministically:
//
//   coalesceIds:    ids [n] → unique [u] (in order of first occurrence), inverse [n] with
//                   unique[inverse[k]] = ids[k]; an open-addressing hash table (linear
//                   probing, keys = id, -1 = empty) lives in caller-given scratch.
//   segmentSumRows: src [n, dim] → dst [u, dim], dst[inverse[k]] += src[k] for k = 0 .. n-1
//                   in that order, so sums of duplicates are the same bits on every run (and
//                   for any split of the slots among threads).

import { mix32 } from "../util/rng";

/**
 * @param ids     i32 [n]        non-negative ids
 * @param table   i32 [2 · cap]  scratch: keys, then slots; cap = 1 << capLog2 ≥ 2n
 * @param unique  i32 [n]        out: distinct ids, first-occurrence order
 * @param inverse i32 [n]        out: position of ids[k] in unique
 * @returns the number u of distinct ids
 */
export function coalesceIds(
  ids: usize, n: i32, table: usize, capLog2: i32, unique: usize, inverse: usize,
): i32 {
  const cap = <usize>1 << <usize>capLog2;
  const mask = <u32>cap - 1;
  const slots = table + (cap << 2);
  memory.fill(table, 0xff, cap << 2);
  let u = 0;
  for (let k = 0; k < n; k++) {
    const id = load<i32>(ids + (<usize>k << 2));
    let h = mix32(<u32>id) & mask;
    let slot = -1;
    while (true) {
      const key = load<i32>(table + (<usize>h << 2));
      if (key == id) {
        slot = load<i32>(slots + (<usize>h << 2));
        break;
      }
      if (key == -1) {
        store<i32>(table + (<usize>h << 2), id);
        store<i32>(slots + (<usize>h << 2), u);
        store<i32>(unique + (<usize>u << 2), id);
        slot = u++;
        break;
      }
      h = (h + 1) & mask;
    }
    store<i32>(inverse + (<usize>k << 2), slot);
  }
  return u;
}

/**
 * Sums rows that share a slot, for the slots in [u0, u1) only: a thread's share of dst. Every
 * thread reads all of inverse and adds its own slots' rows in the order k = 0 .. n-1, so each
 * slot gets the same bits however the slots are split.
 * @param src     f32 [n, dim]
 * @param inverse i32 [n]  slots in [0, u)
 * @param dst     f32 [u, dim]  rows u0 .. u1-1 overwritten
 */
export function segmentSumRows(src: usize, inverse: usize, n: i32, dim: i32, dst: usize, u0: i32, u1: i32): void {
  const rowBytes = <usize>dim << 2;
  memory.fill(dst + <usize>u0 * rowBytes, 0, <usize>(u1 - u0) * rowBytes);
  const span = <u32>(u1 - u0);
  for (let k = 0; k < n; k++) {
    const slot = load<i32>(inverse + (<usize>k << 2));
    if (<u32>(slot - u0) >= span) continue;
    const s = src + <usize>k * rowBytes;
    const d = dst + <usize>slot * rowBytes;
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) v128.store(d + j, f32x4.add(v128.load(d + j), v128.load(s + j)));
    for (; j < rowBytes; j += 4) store<f32>(d + j, load<f32>(d + j) + load<f32>(s + j));
  }
}
