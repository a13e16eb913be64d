// Training-state bytes per embedding row, measured from the tables' own accounting
// (criteo1m shape: dim 16). Not timed: unit B.
import { EmbeddingTable } from "../src/embedding/table.js";
import type { EmbeddingOptions } from "../src/embedding/options.js";
import type { BenchCase } from "./harness.js";

const ROWS = 10_000; // bytes per row do not depend on the row count

export function memoryCases(): BenchCase[] {
  const configs: [string, Partial<EmbeddingOptions>][] = [
    ["fp32", { method: "fp32" }],
    ["qat-lsq-b8", { method: "qat-lsq", bits: 8 }],
    ["lpt-sr-b8", { method: "lpt", bits: 8 }],
    ["lpt-sr-b4", { method: "lpt", bits: 4 }],
    ["lpt-sr-b2", { method: "lpt", bits: 2 }],
    ["alpt-b8", { method: "alpt", bits: 8 }],
    ["alpt-b4", { method: "alpt", bits: 4 }],
    ["alpt-b2", { method: "alpt", bits: 2 }],
  ];
  const cases: BenchCase[] = [];
  for (const [name, o] of configs) {
    for (const optimizer of ["adam", "adagrad", "sgd"] as const) {
      const t = new EmbeddingTable({ rows: ROWS, dim: 16, initStd: 0.003, optimizer, ...o });
      const m = t.memory();
      t.dispose();
      cases.push({
        name: `bytes-per-row-${name}-${optimizer}`, unit: "B", value: m.bytesPerRow,
        meta: { dim: 16, codes: m.codesBytes / ROWS, delta: m.deltaBytes / ROWS, weights: m.weightBytes / ROWS, optimizer: m.optimizerBytes / ROWS, deltaOptimizer: m.deltaOptimizerBytes / ROWS },
      });
    }
  }
  // the frugal ALPT configuration: rowwise Adagrad for rows, SGD for Δ
  const t = new EmbeddingTable({ rows: ROWS, dim: 16, method: "alpt", bits: 4, optimizer: "adagrad", deltaOptimizer: { kind: "sgd" } });
  cases.push({ name: "bytes-per-row-alpt-b4-adagrad-delta-sgd", unit: "B", value: t.memory().bytesPerRow, meta: { dim: 16 } });
  t.dispose();
  return cases;
}
