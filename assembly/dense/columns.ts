// Column-block moves between row-major matrices, the work of concat and slice along the
// feature axis: rows b = 0 .. B−1, `width` columns from column `srcOff` of a row of `srcCols`
// values to column `dstOff` of a row of `dstCols` values. zeroFill clears scratch gradients.

/** dst[b, dstOff + j] = src[b, srcOff + j] (accumulate = 0) or += (accumulate = 1). */
export function moveColumns(
  src: usize, srcCols: i32, srcOff: i32, dst: usize, dstCols: i32, dstOff: i32, B: i32, width: i32, accumulate: i32,
): void {
  const bytes = <usize>width << 2;
  for (let b = 0; b < B; b++) {
    const s = src + ((<usize>b * <usize>srcCols + <usize>srcOff) << 2);
    const d = dst + ((<usize>b * <usize>dstCols + <usize>dstOff) << 2);
    if (!accumulate) {
      memory.copy(d, s, bytes);
      continue;
    }
    let j: usize = 0;
    for (; j + 16 <= bytes; j += 16) v128.store(d + j, f32x4.add(v128.load(d + j), v128.load(s + j)));
    for (; j < bytes; j += 4) store<f32>(d + j, load<f32>(d + j) + load<f32>(s + j));
  }
}

/** Sets `bytes` bytes at p to zero. */
export function zeroFill(p: usize, bytes: i32): void {
  memory.fill(p, 0, <usize>bytes);
}
