// The figure of `alpt plot`: training runs from their logs (io/train-log.ts) as one SVG with two
// panels — training loss (mean per window of steps) and validation AUC per evaluation — against
// epochs (fractional: step / steps per epoch, so runs with other batch sizes line up), one colour
// per run, the same in both panels. Drawn with the report's SVG code (svg.ts).
import type { TrainLog } from "../io/train-log.js";
import { lineChart, niceTicks, PALETTE, stackCharts, type LineSeries } from "./svg.js";

/** One run to draw: its log and its name in the legend. */
export interface RunCurve {
  label: string;
  log: TrainLog;
}

/** Points of the loss curve at most this many per run (windows of steps are averaged). */
export const MAX_LOSS_POINTS = 400;

/** "DCN alpt 4-bit" from a log's header. */
export function describeRun(log: TrainLog): string {
  const h = log.header;
  return `${h.model} ${h.method}${h.method === "fp32" ? "" : ` ${h.bits}-bit`}`;
}

/** The window (steps per loss point) for runs whose longest has `steps` steps. */
export function lossWindow(steps: number): number {
  return Math.max(1, Math.ceil(steps / MAX_LOSS_POINTS));
}

/** Mean loss per window of `window` steps (windows counted from step 1; non-finite losses skipped). */
function windowed(log: TrainLog, window: number): { x: number; y: number }[] {
  const per = log.header.stepsPerEpoch;
  const sums = new Map<number, { sum: number; n: number; last: number }>();
  for (const s of log.steps) {
    const k = Math.floor((s.step - 1) / window);
    const w = sums.get(k) ?? { sum: 0, n: 0, last: s.step };
    if (s.loss !== null && Number.isFinite(s.loss)) {
      w.sum += s.loss;
      w.n++;
    }
    w.last = Math.max(w.last, s.step);
    sums.set(k, w);
  }
  return [...sums.entries()].sort((a, b) => a[0] - b[0]).map(([, w]) => ({ x: w.last / per, y: w.n ? w.sum / w.n : NaN }));
}

/** The two-panel SVG of `runs` (at least one). */
export function runCurvesSvg(runs: readonly RunCurve[], title = "Training runs"): string {
  if (runs.length === 0) throw new RangeError("runCurvesSvg: no runs");
  const longest = Math.max(...runs.map((r) => r.log.steps.length));
  const window = lossWindow(longest);
  const color = (i: number) => PALETTE[i % PALETTE.length]!;
  const lossSeries: LineSeries[] = runs.map((r, i) => ({ name: r.label, color: color(i), markers: false, points: windowed(r.log, window) }));
  const aucSeries: LineSeries[] = runs.map((r, i) => ({
    name: r.label, color: color(i), points: r.log.evals.map((e) => ({ x: e.step / r.log.header.stepsPerEpoch, y: e.auc })),
  }));
  const xs = runs.flatMap((r) => [...r.log.steps.map((s) => s.step), ...r.log.evals.map((e) => e.step)].map((s) => s / r.log.header.stepsPerEpoch));
  const x0 = Math.min(0, ...xs), x1 = xs.length ? Math.max(...xs) : 1;
  // ticks on round epochs, and a little room either side so a marker on the last epoch is whole
  const { ticks: xTicks, lo, hi } = niceTicks(x0, x1 > x0 ? x1 : x0 + 1, 6);
  const pad = (hi - lo) * 0.02;
  const xDomain: [number, number] = [lo - pad, hi + pad];
  const loss = lineChart({
    title: `${title}: training loss`, xLabel: "epoch", yLabel: window > 1 ? `training loss (mean of ${window} steps)` : "training loss",
    series: lossSeries, clipId: "loss-plot", xDomain, xTicks, width: 720, height: 360,
  });
  const hasEvals = runs.some((r) => r.log.evals.length > 0);
  const auc = lineChart({
    title: hasEvals ? `${title}: validation AUC` : `${title}: validation AUC (no evaluations in these logs)`, xLabel: "epoch", yLabel: "validation AUC",
    series: aucSeries, clipId: "auc-plot", xDomain, xTicks, width: 720, height: 360,
  });
  return stackCharts(title, [loss, auc]);
}
