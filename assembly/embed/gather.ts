// Gather fp32 rows: out[k, :] = src[r, :] with r = ids[k] (r = k without ids). The fp32
// embedding forward, and the expansion of per-unique-row values back to batch positions
// (ids = the inverse index of coalesceIds). Rows are copied in v128 chunks plus a scalar tail.

/**
 * @param src f32 [rows, dim]
 * @param ids i32 [n], or 0
 * @param out f32 [n, dim]
 * @returns -1, or the first k whose id is outside [0, rows) (out is then incomplete)
 */
export function gatherRowsF32(src: usize, ids: usize, n: i32, rows: i32, dim: i32, out: usize): i32 {
  const rowBytes = <usize>dim << 2;
  for (let k = 0; k < n; k++) {
    const r = ids ? load<i32>(ids + (<usize>k << 2)) : k;
    if (<u32>r >= <u32>rows) return k;
    const s = src + <usize>r * rowBytes;
    const d = out + <usize>k * rowBytes;
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) v128.store(d + j, v128.load(s + j));
    for (; j < rowBytes; j += 4) store<f32>(d + j, load<f32>(s + j));
  }
  return -1;
}
