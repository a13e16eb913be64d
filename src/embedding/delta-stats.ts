// Summary statistics of learned step sizes Δ (one per row or group): quantiles, mean and a
// histogram over log10 Δ with fixed edges, so that histograms of different runs add up. Used by
// `alpt inspect` and the experiment records behind docs/RESULTS.md.

/** A histogram of log10 Δ over [log10Min, log10Max) in `bins` equal bins. */
export interface LogHistogram {
  log10Min: number;
  log10Max: number;
  bins: number;
  counts: number[];
  /** Values below 10^log10Min / at or above 10^log10Max. */
  below: number;
  above: number;
}

export interface DeltaSummary {
  min: number;
  p10: number;
  median: number;
  p90: number;
  max: number;
  mean: number;
  histogram: LogHistogram;
}

/** The value at quantile q of ascending `sorted` (nearest rank). */
export function quantileOf(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!;
}

/** Summarizes Δ values (at least one); the histogram spans 1e-6..1 in 60 bins by default. */
export function summarizeDelta(values: Float32Array, { log10Min = -6, log10Max = 0, bins = 60 } = {}): DeltaSummary {
  if (values.length === 0) throw new RangeError("summarizeDelta: no values");
  const sorted = values.slice().sort();
  const counts = new Array<number>(bins).fill(0);
  let sum = 0, below = 0, above = 0;
  const scale = bins / (log10Max - log10Min);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    sum += v;
    const x = v > 0 ? Math.log10(v) : -Infinity;
    if (x < log10Min) below++;
    else if (x >= log10Max) above++;
    else counts[Math.min(bins - 1, Math.floor((x - log10Min) * scale))]!++;
  }
  return {
    min: sorted[0]!, p10: quantileOf(sorted, 0.1), median: quantileOf(sorted, 0.5), p90: quantileOf(sorted, 0.9),
    max: sorted[sorted.length - 1]!, mean: sum / values.length,
    histogram: { log10Min, log10Max, bins, counts, below, above },
  };
}
