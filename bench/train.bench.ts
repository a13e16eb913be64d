// End-to-end benches on the criteo1m and criteo1m-small configurations (DESIGN.md §11):
// training throughput (batch assembly from a shuffled in-memory dataset + one full step),
// inference throughput (predict on batches of 2048), and the peak RSS of a whole training run
// measured in a child process (so the bench's own allocations do not count).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DCN } from "../src/models/dcn.js";
import type { EmbeddingOptions } from "../src/embedding/options.js";
import { Adam } from "../src/optim/optimizer.js";
import { predict, trainStep, type Batch } from "../src/train/step.js";
import { shuffledOrder } from "../src/data/batcher.js";
import { uniform } from "../src/util/rng.js";
import type { Engine } from "../src/wasm/load.js";
import type { HeapI32 } from "../src/wasm/heap.js";
import type { BenchCase } from "./harness.js";
import { fieldSizes, zipfIds } from "./data.js";

const BATCH = 2048;
const DENSE = 13;
const SAMPLES = BATCH * 32;

/** A criteo1m-shaped dataset in memory: Zipf ids over ~1M rows, dense values, labels. */
export function criteo1m(n = SAMPLES, seed = 1) {
  const sizes = fieldSizes(1_000_000);
  const ids = zipfIds(sizes, n, seed);
  const dense = Float32Array.from({ length: n * DENSE }, (_, i) => uniform(seed, 2, i));
  const labels = Float32Array.from({ length: n }, (_, i) => (uniform(seed, 3, i) < 0.25 ? 1 : 0));
  return { sizes, ids, dense, labels, n, fields: sizes.length };
}

/** Fills batch `s` of the given order into heap ids and plain label/dense arrays. */
function fill(data: ReturnType<typeof criteo1m>, order: Uint32Array, s: number, batch: Batch & { ids: HeapI32 }): void {
  const F = data.fields, ids = batch.ids.array;
  for (let k = 0; k < BATCH; k++) {
    const r = order[(s * BATCH + k) % data.n];
    ids.set(data.ids.subarray(r * F, (r + 1) * F), k * F);
    batch.labels[k] = data.labels[r];
    batch.dense!.set(data.dense.subarray(r * DENSE, (r + 1) * DENSE), k * DENSE);
  }
}

export function trainCases(e: Engine, quick: boolean): BenchCase[] {
  const data = criteo1m(quick ? BATCH * 2 : SAMPLES);
  const order = shuffledOrder(data.n, 1, 1);
  const batch = { ids: e.heap.allocI32(BATCH * data.fields, "bench ids"), labels: new Float32Array(BATCH), dense: new Float32Array(BATCH * DENSE), size: BATCH };
  const cases: BenchCase[] = [];
  const configs: [string, number[], EmbeddingOptions["method"], number | undefined][] = [
    ["dcn-criteo1m-fp32", [400, 400, 400], "fp32", undefined],
    ["dcn-criteo1m-alpt-b4", [400, 400, 400], "alpt", 4],
    ["dcn-criteo1m-small-fp32", [256, 128, 64], "fp32", undefined],
    ["dcn-criteo1m-small-alpt-b4", [256, 128, 64], "alpt", 4],
  ];
  for (const [name, hiddenUnits, method, bits] of configs) {
    let model: DCN | undefined, opt: Adam | undefined, s = 0;
    const meta = { batch: BATCH, rows: data.sizes.reduce((a, b) => a + b, 0), dim: 16, hiddenUnits, crossLayers: 3, method, bits, optimizer: "adam" };
    const build = () => {
      model = new DCN({ fieldSizes: data.sizes, denseFeatures: DENSE, embeddingDim: 16, crossLayers: 3, hiddenUnits, embedding: { method, bits } });
      opt = new Adam(model.parameters(), { lr: 1e-3 });
    };
    cases.push({
      name, unit: "samples/s", work: BATCH, meta, setup: build, teardown: () => model?.dispose(),
      fn: () => {
        fill(data, order, s++, batch);
        trainStep(model!, batch, opt!);
      },
    });
  }
  return cases;
}

/** Inference throughput of DCN criteo1m with 4-bit ALPT embeddings (after a few steps). */
export function inferCases(e: Engine, quick: boolean): BenchCase[] {
  const data = criteo1m(quick ? BATCH * 4 : SAMPLES);
  const order = shuffledOrder(data.n, 1, 1);
  const batch = { ids: e.heap.allocI32(BATCH * data.fields, "bench ids"), labels: new Float32Array(BATCH), dense: new Float32Array(BATCH * DENSE), size: BATCH };
  const out = new Float32Array(BATCH);
  let model: DCN | undefined, s = 0;
  return [{
    name: "dcn-criteo1m-alpt-b4", unit: "samples/s", work: BATCH,
    meta: { batch: BATCH, dim: 16, hiddenUnits: [400, 400, 400], crossLayers: 3, method: "alpt", bits: 4 },
    setup: () => {
      model = new DCN({ fieldSizes: data.sizes, denseFeatures: DENSE, embeddingDim: 16, crossLayers: 3, hiddenUnits: [400, 400, 400], embedding: { method: "alpt", bits: 4 } });
      const opt = new Adam(model.parameters(), { lr: 1e-3 });
      for (let i = 0; i < 4; i++) {
        fill(data, order, i, batch);
        trainStep(model, batch, opt);
      }
    },
    teardown: () => model?.dispose(),
    fn: () => {
      fill(data, order, s++, batch);
      predict(model!, batch, out);
    },
  }];
}

/** Peak RSS of a child process that builds the model and trains `steps` steps (MiB). */
export function peakRssCases(quick: boolean): BenchCase[] {
  const script = fileURLToPath(new URL("./peak-rss.js", import.meta.url));
  const cases: BenchCase[] = [];
  for (const [name, method, optimizer] of [
    ["peak-rss-dcn-criteo1m-alpt-b4-adagrad", "alpt", "adagrad"],
    ["peak-rss-dcn-criteo1m-fp32-adam", "fp32", "adam"],
  ] as const) {
    const steps = quick ? 2 : 20;
    let value = NaN;
    cases.push({
      name, unit: "MiB", meta: { steps, method, optimizer, bits: 4, hiddenUnits: [400, 400, 400] },
      setup: () => {
        const out = execFileSync(process.execPath, [script, method, optimizer, String(steps)], { encoding: "utf8" });
        value = JSON.parse(out.trim().split("\n").pop()!).peakRssMiB as number;
      },
      get value() {
        return value;
      },
    });
  }
  return cases;
}
