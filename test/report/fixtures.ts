// Generated experiment records for the report tests, in the runner's format with the new
// fields (lossCurve, delta with its histogram): a small deterministic grid, no shared data.

import { mulberry32 } from "../helpers/mulberry32.js";

/** A deterministic generator in [0, 1) (mulberry32). */
export const lcg = mulberry32;

/** What a fixture record varies; everything else gets plausible values. */
export interface RecordSpec {
  dataset?: string;
  method: string;
  bits?: number;
  seed: number;
  testAuc: number;
  testLogloss?: number;
  valAuc?: number;
  seconds?: number;
  lossCurve?: boolean;
  delta?: boolean;
}

const BYTES: Record<string, number> = { fp32: 192, "qat-lsq": 204, "lpt-dr": 140, "lpt-sr": 140, alpt: 148 };

/** One record as the runner writes it (as a plain object, ready for JSON.stringify). */
export function record(s: RecordSpec): Record<string, unknown> {
  const dataset = s.dataset ?? "criteo";
  const bits = s.method === "fp32" ? 32 : s.bits ?? 4;
  const r = lcg(s.seed * 7919 + bits * 31 + s.method.length);
  const out: Record<string, unknown> = {
    case: `experiment/${dataset}-dcn-${s.method}${s.method === "fp32" ? "" : `-b${bits}`}-s${s.seed}`,
    value: s.testAuc, unit: "AUC", testAuc: s.testAuc, testLogloss: s.testLogloss ?? 0.45, valAuc: s.valAuc ?? s.testAuc + 0.01, valLogloss: 0.44,
    bestEpoch: 1 + (s.seed % 2), epochsRun: 3, seconds: s.seconds ?? 100, dataset, model: "DCN", method: s.method, bits, seed: s.seed,
    bytesPerRow: BYTES[s.method] ?? 100, embeddingRows: 5000, rows: { train: 8000, valid: 1000, test: 1000 },
    bestStep: 40, epochs: 10, patience: 2, schedule: "paper", quick: false, runtime: "node-20.20.2",
    date: `2026-11-27T0${s.seed}:00:00.000Z`,
  };
  if (s.lossCurve !== false) {
    const rounding = s.method === "lpt-dr" ? 0.02 : 0;
    out.lossCurve = { every: 10, values: Array.from({ length: 12 + s.seed }, (_, i) => 0.7 * Math.exp(-i / 4) + 0.42 + rounding + 0.01 * r()) };
  }
  if (s.method !== "fp32" && s.delta !== false) {
    const center = 30 - bits * 2; // wider steps at fewer bits
    const counts = Array.from({ length: 60 }, (_, i) => Math.max(0, Math.round(400 * Math.exp(-((i - center) ** 2) / 20) + 5 * r() - 2)));
    out.delta = {
      min: 1e-5, p10: 10 ** (-6 + (center - 4) / 10), median: 10 ** (-6 + center / 10), p90: 10 ** (-6 + (center + 4) / 10), max: 0.5, mean: 10 ** (-6 + center / 10) * 1.2,
      histogram: { log10Min: -6, log10Max: 0, bins: 60, counts, below: 3, above: 1 },
    };
  }
  return out;
}

/** Mean test AUC per method and bits in the grid (fp32 under 32). */
export const GRID_AUC: Record<string, Record<number, number>> = {
  fp32: { 32: 0.75 },
  "qat-lsq": { 8: 0.749, 4: 0.745, 3: 0.74, 2: 0.735 },
  "lpt-dr": { 8: 0.748, 4: 0.73, 3: 0.72, 2: 0.7 },
  "lpt-sr": { 8: 0.749, 4: 0.74, 3: 0.732, 2: 0.72 },
  alpt: { 8: 0.7502, 4: 0.746, 3: 0.741, 2: 0.735 },
};

/** Seed offsets with mean 0 and sample std 0.001: [−0.001, 0, +0.001]. */
export const OFFSETS = [-0.001, 0, 0.001];

/** The full grid (methods × bits 8/4/3/2 × seeds 0, 1, 2) for `dataset`, as JSON lines. */
export function gridLines(dataset = "criteo"): string[] {
  const lines: string[] = [];
  for (const [method, byBits] of Object.entries(GRID_AUC)) {
    for (const [bits, auc] of Object.entries(byBits)) {
      for (const seed of [0, 1, 2]) lines.push(JSON.stringify(record({ dataset, method, bits: Number(bits), seed, testAuc: auc + OFFSETS[seed]! })));
    }
  }
  return lines;
}
