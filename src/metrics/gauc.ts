// Group AUC (DIN paper; FuxiCTR metrics.gAUC): the AUC of each group (e.g. each user), averaged
// with weights = group size. Groups with a single class have no AUC and are skipped; with
// `skipConstantScores` (torchrec's gauc) so are groups whose scores are all equal. NaN when no
// group qualifies.
import { auc } from "./auc.js";

/** Options of gauc. */
export interface GaucOptions {
  /** Also skip groups whose scores are all equal (their AUC is 0.5). Default false. */
  skipConstantScores?: boolean;
}

/** Result details of gaucDetails. */
export interface GaucResult {
  gauc: number;
  /** Groups in the input, and those that counted. */
  groups: number;
  usedGroups: number;
  /** Rows of the groups that counted (the denominator). */
  usedRows: number;
}

/** The group-size-weighted mean AUC over groups of `groups` (numbers or strings per row). */
export function gauc(labels: ArrayLike<number>, scores: ArrayLike<number>, groups: ArrayLike<number | string>, options: GaucOptions = {}): number {
  return gaucDetails(labels, scores, groups, options).gauc;
}

/** gauc with the group counts. */
export function gaucDetails(labels: ArrayLike<number>, scores: ArrayLike<number>, groups: ArrayLike<number | string>, options: GaucOptions = {}): GaucResult {
  const n = labels.length;
  if (scores.length !== n || groups.length !== n) {
    throw new RangeError(`gauc: ${n} labels, ${scores.length} scores and ${groups.length} group keys must have the same length`);
  }
  // Dense group numbers in order of first appearance, then a counting sort of the rows by group.
  const gid = new Int32Array(n), ids = new Map<number | string, number>();
  for (let i = 0; i < n; i++) {
    const key = groups[i]!;
    let g = ids.get(key);
    if (g === undefined) ids.set(key, (g = ids.size));
    gid[i] = g;
  }
  const G = ids.size, start = new Int32Array(G + 1);
  for (let i = 0; i < n; i++) start[gid[i]! + 1]!++;
  for (let g = 0; g < G; g++) start[g + 1]! += start[g]!;
  const fill = start.slice(0, G), y = new Float64Array(n), s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = fill[gid[i]!]!++;
    y[k] = labels[i]!;
    s[k] = scores[i]!;
  }
  let total = 0, used = 0, usedGroups = 0;
  for (let g = 0; g < G; g++) {
    const a = start[g]!, b = start[g + 1]!;
    let pos = 0, constant = true;
    for (let k = a; k < b; k++) {
      if (y[k] === 1) pos++;
      else if (y[k] !== 0) throw new RangeError(`gauc: label ${y[k]} is not 0 or 1`);
      if (s[k] !== s[a]) constant = false;
    }
    if (pos === 0 || pos === b - a || (options.skipConstantScores && constant)) continue;
    total += auc(y.subarray(a, b), s.subarray(a, b)) * (b - a);
    used += b - a;
    usedGroups++;
  }
  return { gauc: used ? total / used : NaN, groups: G, usedGroups, usedRows: used };
}
