// Binary search over a non-decreasing array: which run a position falls in (a row's field among
// the field offsets, an id's bag among the bag offsets).

/** The last i with a[i] ≤ x (0 when x is below a[1]); `a` non-decreasing, non-empty. */
export function lastAtMost(a: ArrayLike<number>, x: number): number {
  let lo = 0, hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (a[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
