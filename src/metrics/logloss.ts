// Log loss: the mean binary cross-entropy −[y·ln p + (1 − y)·ln(1 − p)] with p clipped to
// [eps, 1 − eps] (eps = 1e-7 by default, as in FuxiCTR/Keras), so a confident miss costs
// −ln(1e-7) ≈ 16.1 instead of infinity.

/** The default clipping of predictions. */
export const LOGLOSS_EPS = 1e-7;

/**
 * Mean binary cross-entropy of probabilities `preds` against `labels` in [0, 1] (soft labels are
 * allowed). NaN for empty input; NaN predictions and labels outside [0, 1] are errors.
 */
export function logloss(labels: ArrayLike<number>, preds: ArrayLike<number>, eps = LOGLOSS_EPS): number {
  if (labels.length !== preds.length) throw new RangeError(`logloss: ${labels.length} labels but ${preds.length} predictions`);
  if (!(eps > 0 && eps < 0.5)) throw new RangeError(`logloss: eps = ${eps} must be in (0, 0.5)`);
  const n = labels.length;
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    let p = preds[i]!;
    if (!(y >= 0 && y <= 1)) throw new RangeError(`logloss: labels[${i}] = ${y} is not in [0, 1]`);
    if (Number.isNaN(p)) throw new RangeError(`logloss: preds[${i}] is NaN`);
    p = p < eps ? eps : p > 1 - eps ? 1 - eps : p;
    sum -= y === 1 ? Math.log(p) : y === 0 ? Math.log(1 - p) : y * Math.log(p) + (1 - y) * Math.log(1 - p);
  }
  return sum / n;
}
