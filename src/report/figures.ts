// The report's figures for one dataset, as SVG text: (i) test AUC against bit width per method
// (mean ± sample std over seeds, fp32 as a horizontal line), (ii) training-loss curves of LPT-SR
// against LPT-DR at 2 and 4 bits (mean over seeds, up to the shortest run), (iii) the
// distribution of the learned Δ per bit width (histograms over log10 Δ summed over seeds) for
// ALPT and QAT-LSQ. A figure without data is reported as missing, with the reason.
import { cellName, type Cell } from "./cells.js";
import type { DeltaHistogram, LossCurve } from "./records.js";
import { lineChart, PALETTE, stepChart, type LineSeries, type StepSeries } from "./svg.js";

/** One figure: its file name (in the figures folder), title, caption and SVG text. */
export interface Figure {
  file: string;
  title: string;
  caption: string;
  svg: string;
}

/** The figures of a dataset, and a sentence for each figure that could not be drawn. */
export interface DatasetFigures {
  figures: Figure[];
  missing: string[];
}

/** Fixed colours per method, the same in every figure. */
export const METHOD_COLORS: Record<string, string> = {
  fp32: "#000000", "qat-lsq": "#9467bd", "lpt-dr": "#ff7f0e", "lpt-sr": "#1f77b4", alpt: "#2ca02c",
};

/** "criteo" → "Criteo". */
export function displayName(dataset: string): string {
  return dataset.charAt(0).toUpperCase() + dataset.slice(1);
}

/** A file-name-safe form of a dataset or method name. */
export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "unnamed";
}

const seedsText = (n: number) => `${n} seed${n === 1 ? "" : "s"}`;

function aucVsBits(dataset: string, cells: readonly Cell[]): Figure | string {
  const quantized = cells.filter((c) => c.method !== "fp32" && c.testAuc.n > 0);
  if (quantized.length === 0) return "test AUC against bits: no quantized runs with a test AUC";
  const bits = [...new Set(quantized.map((c) => c.bits))].sort((a, b) => a - b);
  const methods = [...new Set(quantized.map((c) => c.method))];
  const series: LineSeries[] = methods.map((m, i) => ({
    name: m,
    color: METHOD_COLORS[m] ?? PALETTE[i % PALETTE.length]!,
    points: quantized.filter((c) => c.method === m).sort((a, b) => a.bits - b.bits)
      .map((c) => ({ x: bits.indexOf(c.bits), y: c.testAuc.mean, ...(c.testAuc.n > 1 ? { err: c.testAuc.std } : {}) })),
  }));
  const fp32 = cells.find((c) => c.method === "fp32" && c.testAuc.n > 0);
  const title = `${displayName(dataset)}: test AUC against bit width`;
  const svg = lineChart({
    title, xLabel: "bits per embedding value", yLabel: "test AUC", series, dodge: 6,
    xTicks: bits.map((b, i) => ({ value: i, label: String(b) })), xDomain: [-0.5, bits.length - 0.5],
    ...(fp32 ? { reference: { y: fp32.testAuc.mean, label: `fp32 ${fp32.testAuc.mean.toFixed(4)}` } } : {}),
  });
  const ref = fp32 ? `; dashed line: fp32 mean over ${seedsText(fp32.testAuc.n)}` : "; no fp32 runs";
  return { file: `${slug(dataset)}-auc-vs-bits.svg`, title, caption: `Mean test AUC over seeds; error bars ± 1 sample std (cells with ≥ 2 seeds)${ref}.`, svg };
}

/** Mean over seeds of the loss curves with the first run's window, up to the shortest curve. */
function meanCurve(cell: Cell): { every: number; values: number[]; seeds: number } | undefined {
  const curves = cell.records.map((r) => r.lossCurve).filter((c): c is LossCurve => c !== undefined && c.values.length > 0);
  if (curves.length === 0) return undefined;
  const every = curves[0]!.every;
  const same = curves.filter((c) => c.every === every);
  const len = Math.min(...same.map((c) => c.values.length));
  const values = Array.from({ length: len }, (_, i) => same.reduce((s, c) => s + c.values[i]!, 0) / same.length);
  return { every, values, seeds: same.length };
}

function lossCurves(dataset: string, cells: readonly Cell[]): Figure | string {
  const series: LineSeries[] = [];
  const used: number[] = [];
  for (const bits of [2, 4]) {
    for (const method of ["lpt-sr", "lpt-dr"]) {
      const cell = cells.find((c) => c.method === method && c.bits === bits);
      const curve = cell && meanCurve(cell);
      if (!curve) continue;
      series.push({
        name: `${cellName(method, bits)} (${seedsText(curve.seeds)})`, color: METHOD_COLORS[method]!, dashed: bits !== 2, markers: false,
        points: curve.values.map((y, i) => ({ x: (i + 1) * curve.every, y })),
      });
      used.push(curve.every);
    }
  }
  if (series.length === 0) return "training-loss curves: no lpt-sr or lpt-dr run at 2 or 4 bits has a loss curve";
  const title = `${displayName(dataset)}: training loss, LPT-SR vs LPT-DR`;
  const svg = lineChart({ title, xLabel: "training step", yLabel: "mean training loss (window)", series });
  return {
    file: `${slug(dataset)}-loss-sr-vs-dr.svg`, title, svg,
    caption: `Mean training loss per window of ${[...new Set(used)].join(" or ")} steps, averaged over seeds up to the shortest run; solid 2 bits, dashed 4 bits; gaps where the loss was not finite.`,
  };
}

/** 10^k as a tick label: "1e-6", "1", "10^-2.5". */
const power = (k: number) => (k === 0 ? "1" : Number.isInteger(k) ? `1e${k}` : `10^${k}`);

/** A fixed colour per bit width, the same in every Δ figure. */
const BITS_ORDER = [8, 4, 3, 2, 16, 6, 5, 7, 1];
function bitsColor(bits: number): string {
  const i = BITS_ORDER.indexOf(bits);
  return PALETTE[(i < 0 ? bits : i) % PALETTE.length]!;
}

const sameBins = (a: DeltaHistogram, b: DeltaHistogram) => a.log10Min === b.log10Min && a.log10Max === b.log10Max && a.bins === b.bins;

function deltaDistribution(dataset: string, cells: readonly Cell[], method: string): Figure | string {
  const series: StepSeries[] = [];
  let layout: DeltaHistogram | undefined;
  const notes: string[] = [];
  for (const cell of cells.filter((c) => c.method === method)) {
    const hs = cell.records.map((r) => r.delta?.histogram).filter((h) => h !== undefined);
    layout ??= hs[0];
    if (!layout) continue;
    const ok = hs.filter((h) => sameBins(h, layout!));
    if (ok.length < hs.length) notes.push(`${hs.length - ok.length} ${cellName(method, cell.bits)} histogram(s) with other bins left out`);
    if (ok.length === 0) continue;
    const counts = layout.counts.map((_, i) => ok.reduce((s, h) => s + h.counts[i]!, 0));
    const total = ok.reduce((s, h) => s + h.below + h.above, 0) + counts.reduce((s, c) => s + c, 0);
    const w = (layout.log10Max - layout.log10Min) / layout.bins;
    series.push({
      name: `${cell.bits}-bit (${seedsText(ok.length)})`, color: bitsColor(cell.bits),
      edges: Array.from({ length: layout.bins + 1 }, (_, i) => layout!.log10Min + i * w),
      values: counts.map((c) => (total > 0 ? c / total : 0)),
    });
  }
  if (!layout || series.length === 0) return `Δ distribution of ${method}: no ${method} run has a Δ histogram`;
  const ticks = [];
  for (let k = Math.ceil(layout.log10Min); k <= Math.floor(layout.log10Max); k++) ticks.push({ value: k, label: power(k) });
  const title = `${displayName(dataset)}: learned step sizes Δ of ${method}`;
  const svg = stepChart({ title, xLabel: "Δ (log scale)", yLabel: "fraction of rows per bin", series, xTicks: ticks, xDomain: [layout.log10Min, layout.log10Max] });
  const range = `[${power(layout.log10Min)}, ${power(layout.log10Max)})`;
  return {
    file: `${slug(dataset)}-delta-${slug(method)}.svg`, title, svg,
    caption: `Per-row Δ at the end of training, ${layout.bins} bins of log10 Δ over [${layout.log10Min}, ${layout.log10Max}), summed over seeds, as a fraction of all rows (rows outside ${range} count in the total only)${notes.length ? `; ${notes.join("; ")}` : ""}.`,
  };
}

/** The figures of one dataset from its cells (cells of other datasets are ignored). */
export function datasetFigures(dataset: string, allCells: readonly Cell[]): DatasetFigures {
  const cells = allCells.filter((c) => c.dataset === dataset);
  const out: DatasetFigures = { figures: [], missing: [] };
  const attempts = [aucVsBits(dataset, cells), lossCurves(dataset, cells), deltaDistribution(dataset, cells, "alpt")];
  if (cells.some((c) => c.method === "qat-lsq")) attempts.push(deltaDistribution(dataset, cells, "qat-lsq"));
  for (const f of attempts) {
    if (typeof f === "string") out.missing.push(f);
    else out.figures.push(f);
  }
  return out;
}
