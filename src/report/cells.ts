// The report's unit: a cell is every run of one dataset × method × bit width (one run per
// seed), summarized as mean ± sample standard deviation over the seeds. Cells sort as the
// tables show them: fp32 first, then qat-lsq, lpt-dr, lpt-sr, alpt (other methods after, by
// name), bit widths descending.
import type { ExperimentRecord } from "./records.js";
import { mean, sampleStd } from "./stats.js";

/** Methods in table order. */
export const METHOD_ORDER = ["fp32", "qat-lsq", "lpt-dr", "lpt-sr", "alpt"];

/** Datasets in report order (others follow by name). */
export const DATASET_ORDER = ["criteo", "avazu"];

/** Values of one metric over the seeds of a cell (runs without it are left out). */
export interface Summary {
  values: number[];
  n: number;
  mean: number;
  /** Sample standard deviation; NaN for fewer than two values. */
  std: number;
}

/** All runs of one dataset × method × bits. */
export interface Cell {
  dataset: string;
  method: string;
  bits: number;
  /** Sorted by seed (runs without a seed last). */
  records: ExperimentRecord[];
  seeds: (number | undefined)[];
  testAuc: Summary;
  testLogloss: Summary;
  valAuc: Summary;
  /** The distinct values, ascending. */
  bytesPerRow: number[];
  /** Mean wall time of a run; NaN when no run has it. */
  seconds: number;
  bestEpochs: (number | undefined)[];
}

/** Summary of the finite values among `values`. */
export function summarize(values: readonly (number | undefined)[]): Summary {
  const v = values.filter((x): x is number => x !== undefined && Number.isFinite(x));
  return { values: v, n: v.length, mean: mean(v), std: sampleStd(v) };
}

const rank = (order: readonly string[], name: string) => {
  const i = order.indexOf(name);
  return i < 0 ? order.length : i;
};

/** Compares method names in table order. */
export function compareMethods(a: string, b: string): number {
  return rank(METHOD_ORDER, a) - rank(METHOD_ORDER, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The datasets of `records` in report order. */
export function datasetsOf(records: readonly { dataset: string }[]): string[] {
  const names = [...new Set(records.map((r) => r.dataset))];
  return names.sort((a, b) => rank(DATASET_ORDER, a) - rank(DATASET_ORDER, b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Groups runs into cells, sorted by dataset, then method, then bits descending. */
export function groupCells(records: readonly ExperimentRecord[]): Cell[] {
  const groups = new Map<string, ExperimentRecord[]>();
  for (const r of records) {
    const key = JSON.stringify([r.dataset, r.method, r.bits]);
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const datasets = datasetsOf(records);
  const cells = [...groups.values()].map((rs): Cell => {
    rs.sort((a, b) => (a.seed ?? Infinity) - (b.seed ?? Infinity));
    const first = rs[0]!;
    const seconds = rs.map((r) => r.seconds).filter((s): s is number => s !== undefined);
    return {
      dataset: first.dataset, method: first.method, bits: first.bits, records: rs,
      seeds: rs.map((r) => r.seed),
      testAuc: summarize(rs.map((r) => r.testAuc)),
      testLogloss: summarize(rs.map((r) => r.testLogloss)),
      valAuc: summarize(rs.map((r) => r.valAuc)),
      bytesPerRow: [...new Set(rs.map((r) => r.bytesPerRow).filter((b): b is number => b !== undefined))].sort((a, b) => a - b),
      seconds: mean(seconds),
      bestEpochs: rs.map((r) => r.bestEpoch),
    };
  });
  return cells.sort((a, b) => datasets.indexOf(a.dataset) - datasets.indexOf(b.dataset) || compareMethods(a.method, b.method) || b.bits - a.bits);
}

/** The cell of `dataset` × `method` × `bits`, if any run exists. */
export function findCell(cells: readonly Cell[], dataset: string, method: string, bits: number): Cell | undefined {
  return cells.find((c) => c.dataset === dataset && c.method === method && c.bits === bits);
}

/** A method and bit width as the text says it: "fp32", "alpt 4-bit". */
export function cellName(method: string, bits: number): string {
  return method === "fp32" ? "fp32" : `${method} ${bits}-bit`;
}
