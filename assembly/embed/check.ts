// Validation scans used by the TS wrappers before a kernel writes anything.

/**
 * First k with ids[k] outside [0, rows), or with delta[ids[k]] not > 0 when delta ≠ 0.
 * @returns that k, or -1 when every id is valid
 */
export function firstBadRow(ids: usize, n: i32, rows: i32, delta: usize): i32 {
  const limit = i32x4.splat(rows);
  let k = 0;
  if (!delta) {
    for (; k + 4 <= n; k += 4) {
      if (v128.any_true(i32x4.ge_u(v128.load(ids + (<usize>k << 2)), limit))) break;
    }
  }
  for (; k < n; k++) {
    const r = load<i32>(ids + (<usize>k << 2));
    if (<u32>r >= <u32>rows) return k;
    if (delta && !(load<f32>(delta + (<usize>r << 2)) > 0)) return k;
  }
  return -1;
}

/** First i with x[i] not > 0 (NaN included), or -1. @param x f32 [n] */
export function firstNotPositive(x: usize, n: i32): i32 {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    if (!i32x4.all_true(f32x4.gt(v128.load(x + (<usize>i << 2)), zero))) break;
  }
  for (; i < n; i++) if (!(load<f32>(x + (<usize>i << 2)) > 0)) return i;
  return -1;
}
