// Exact ROC AUC with sklearn roc_auc_score semantics: the probability that a random positive
// scores above a random negative, ties counting 1/2. Positives and negatives are sorted apart
// (O(n log n)) and merged: AUC = Σ_pos (#neg below + ½ #neg equal) / (P·N).
// When one class is absent the AUC is undefined: we return NaN (sklearn raises an error).

function check(labels: ArrayLike<number>, scores: ArrayLike<number>, what: string): void {
  if (labels.length !== scores.length) throw new RangeError(`${what}: ${labels.length} labels but ${scores.length} scores`);
}

/**
 * The exact AUC of `scores` against binary `labels` (0 or 1, any other value is an error).
 * Scores may be any numbers (probabilities, logits); NaN scores are an error.
 * Returns NaN when all labels belong to one class (or there are none).
 */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  check(labels, scores, "auc");
  const n = labels.length;
  let P = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (y === 1) P++;
    else if (y !== 0) throw new RangeError(`auc: labels[${i}] = ${y} is not 0 or 1`);
    if (Number.isNaN(scores[i]!)) throw new RangeError(`auc: scores[${i}] is NaN`);
  }
  const N = n - P;
  if (P === 0 || N === 0) return NaN;
  const pos = new Float64Array(P), neg = new Float64Array(N);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    if (labels[i] === 1) pos[p++] = scores[i]!;
    else neg[q++] = scores[i]!;
  }
  pos.sort();
  neg.sort();
  let sum = 0;
  for (let i = 0, below = 0; i < P; ) {
    const v = pos[i]!;
    let k = i + 1;
    while (k < P && pos[k] === v) k++;
    while (below < N && neg[below]! < v) below++;
    let equal = below;
    while (equal < N && neg[equal] === v) equal++;
    sum += (k - i) * (below + 0.5 * (equal - below));
    i = k;
  }
  return sum / P / N;
}
