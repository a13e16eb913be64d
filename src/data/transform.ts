// Numeric transforms that turn a number into an integer categorical token (schema.ts lists
// them): Criteo's floor(ln(v)²) for v > 2, floor(log1p(v)), bucket index over given boundaries.
import type { NumericTransform } from "./schema.js";

/** FuxiCTR's Criteo transform: v > 2 → floor(ln(v)²), else trunc(v) (0→0, 2→2, 3→1, 100→21, −2→−2). */
export function criteoBucket(v: number): number {
  if (v > 2) {
    const l = Math.log(v);
    return Math.floor(l * l);
  }
  return Math.trunc(v);
}

/** floor(log1p(max(v, 0))). */
export function log1pBucket(v: number): number {
  return Math.floor(Math.log1p(v > 0 ? v : 0));
}

/** The number of boundaries ≤ v (boundaries strictly increasing): bucket k holds b[k−1] ≤ v < b[k]. */
export function bucketize(v: number, boundaries: ArrayLike<number>): number {
  let lo = 0, hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (boundaries[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Applies `transform` to a finite number. */
export function applyTransform(transform: NumericTransform, v: number, boundaries?: ArrayLike<number>): number {
  switch (transform) {
    case "criteo":
      return criteoBucket(v);
    case "log1p":
      return log1pBucket(v);
    case "bucketize":
      return bucketize(v, boundaries ?? []);
    case "none":
      return v;
  }
}
