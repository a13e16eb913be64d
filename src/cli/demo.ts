// `alpt demo` (what `npm start` runs): trains DCN on the built-in synthetic Criteo-shaped data
// with fp32 embeddings and with ALPT at 8, 4 and 2 bits, and prints a side-by-side table of
// validation AUC, logloss, training bytes per embedding row and training throughput.
import { SyntheticCtr } from "../data/synthetic.js";
import type { EmbeddingOptions } from "../embedding/options.js";
import { auc } from "../metrics/index.js";
import { createModel } from "../models/registry.js";
import type { ProgressOptions, TrainProgress } from "../train/progress.js";
import { Trainer } from "../train/trainer.js";

/** Options of the demo. */
export interface DemoOptions {
  trainRows: number;
  validRows: number;
  epochs: number;
  json: boolean;
  seed: number;
  /** Progress of each method's training (labelled with the method; default: a bar on a TTY). */
  progress?: Omit<ProgressOptions, "label" | "onReport"> & { onReport?: (p: TrainProgress, method: string) => void };
}

interface DemoResult {
  method: string;
  auc: number;
  logloss: number;
  bytesPerRow: number;
  samplesPerSec: number;
  seconds: number;
}

const RUNS: [string, Omit<EmbeddingOptions, "rows" | "dim">][] = [
  ["fp32", { method: "fp32" }],
  ["alpt-b8", { method: "alpt", bits: 8 }],
  ["alpt-b4", { method: "alpt", bits: 4 }],
  ["alpt-b2", { method: "alpt", bits: 2 }],
];

export function demo(o: DemoOptions, log: (line: string) => void): DemoResult[] {
  const gen = new SyntheticCtr({ seed: o.seed });
  const train = gen.generate(0, o.trainRows);
  const valid = gen.generate(o.trainRows, o.validRows);
  const oracle = auc(valid.labels, Float32Array.from(gen.logits(o.trainRows, o.validRows)));
  if (!o.json) {
    log(`alpt demo: DCN (3 cross layers, MLP 256-128-64, dim 16) on synthetic Criteo-shaped data`);
    log(`  ${gen.numFields} fields, ${gen.totalRows.toLocaleString("en")} embedding rows, ${o.trainRows.toLocaleString("en")} train / ${o.validRows.toLocaleString("en")} validation rows, ${o.epochs} epochs`);
    log(`  AUC of the hidden ground-truth model on the validation rows: ${oracle.toFixed(4)}`);
    log("");
    log("method    val AUC  logloss  B/row (codes+Δ+optimizer)  samples/s"); // a row per method as it finishes
  }
  const results: DemoResult[] = [];
  for (const [method, embedding] of RUNS) {
    const model = createModel("DCN", {
      fieldSizes: gen.fieldSizes, embeddingDim: 16, crossLayers: 3, hiddenUnits: [256, 128, 64], seed: o.seed,
      embedding: { optimizer: "adam", lr: 1e-3, ...embedding },
    });
    const { onReport, ...shown } = o.progress ?? {};
    const progress: ProgressOptions = { ...shown, label: method, notes: false, ...(onReport ? { onReport: (r: TrainProgress) => onReport(r, method) } : {}) };
    const trainer = new Trainer(model, { epochs: o.epochs, batchSize: 2048, seed: o.seed, optimizer: { lr: 1e-3 }, progress });
    const h = trainer.fit(train, valid);
    const m = trainer.evaluate(valid);
    const r = {
      method, auc: m.auc, logloss: m.logloss, bytesPerRow: model.embedding.memory().bytesPerRow,
      samplesPerSec: (h.steps * 2048) / h.seconds, seconds: h.seconds,
    };
    results.push(r);
    if (o.json) log(JSON.stringify({ ...r, oracleAuc: oracle }));
    else log(`${r.method.padEnd(8)}  ${r.auc.toFixed(4)}   ${r.logloss.toFixed(4)}   ${String(r.bytesPerRow).padStart(8)}                 ${Math.round(r.samplesPerSec).toLocaleString("en").padStart(9)}`);
    model.dispose();
  }
  return results;
}
