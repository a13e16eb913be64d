// End-to-end benches on the criteo1m and criteo1m-small configurations (DESIGN.md §11), with
// fp32, lpt-sr and alpt at 8/4/2 bits: training throughput (batch assembly from a shuffled
// in-memory dataset + one full step), inference throughput (predict on batches of 2048), and the
// peak RSS of a whole training run measured in a child process (so the bench's own allocations
// do not count).
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

/** A configuration of the end-to-end benches: the model shape and the embedding method. */
interface E2eConfig {
  /** Case name without the suite: dcn-criteo1m[-small]-<method>[-b<bits>]. */
  name: string;
  hiddenUnits: number[];
  embedding: Pick<EmbeddingOptions, "method" | "bits" | "rounding">;
}

const SHAPES: [string, number[]][] = [["criteo1m", [400, 400, 400]], ["criteo1m-small", [256, 128, 64]]];
const METHODS: [string, E2eConfig["embedding"]][] = [
  ["fp32", { method: "fp32" }],
  ...[8, 4, 2].map((bits): [string, E2eConfig["embedding"]] => [`lpt-sr-b${bits}`, { method: "lpt", rounding: "sr", bits }]),
  ...[8, 4, 2].map((bits): [string, E2eConfig["embedding"]] => [`alpt-b${bits}`, { method: "alpt", bits }]),
];

/** Every shape × method of the end-to-end benches (DESIGN.md §11). */
export const E2E_CONFIGS: E2eConfig[] = SHAPES.flatMap(([shape, hiddenUnits]) =>
  METHODS.map(([method, embedding]) => ({ name: `dcn-${shape}-${method}`, hiddenUnits, embedding })));

function buildModel(data: ReturnType<typeof criteo1m>, c: E2eConfig): { model: DCN; opt: Adam } {
  // no batch norm: the configuration of DESIGN.md §11 and of the tf.js peer (bench/peer-tfjs.bench.ts)
  const model = new DCN({ fieldSizes: data.sizes, denseFeatures: DENSE, embeddingDim: 16, crossLayers: 3, hiddenUnits: c.hiddenUnits, batchNorm: false, embedding: c.embedding });
  return { model, opt: new Adam(model.parameters(), { lr: 1e-3 }) };
}

function metaOf(data: ReturnType<typeof criteo1m>, c: E2eConfig): Record<string, unknown> {
  return { batch: BATCH, rows: data.sizes.reduce((a, b) => a + b, 0), dim: 16, hiddenUnits: c.hiddenUnits, crossLayers: 3, ...c.embedding };
}

/** Training throughput: batch assembly + one full step (forward, backward, all optimizers). */
export function trainCases(e: Engine, quick: boolean): BenchCase[] {
  const data = criteo1m(quick ? BATCH * 2 : SAMPLES);
  const order = shuffledOrder(data.n, 1, 1);
  const batch = { ids: e.heap.allocI32(BATCH * data.fields, "bench ids"), labels: new Float32Array(BATCH), dense: new Float32Array(BATCH * DENSE), size: BATCH };
  return E2E_CONFIGS.map((c) => {
    let built: { model: DCN; opt: Adam } | undefined, s = 0;
    return {
      name: c.name, unit: "samples/s", work: BATCH, meta: { ...metaOf(data, c), optimizer: "adam" },
      setup: () => (built = buildModel(data, c)),
      teardown: () => built?.model.dispose(),
      fn: () => {
        fill(data, order, s++, batch);
        trainStep(built!.model, batch, built!.opt);
      },
    };
  });
}

/** Inference throughput (predict on batches of 2048) after a few training steps. */
export function inferCases(e: Engine, quick: boolean): BenchCase[] {
  const data = criteo1m(quick ? BATCH * 4 : SAMPLES);
  const order = shuffledOrder(data.n, 1, 1);
  const batch = { ids: e.heap.allocI32(BATCH * data.fields, "bench ids"), labels: new Float32Array(BATCH), dense: new Float32Array(BATCH * DENSE), size: BATCH };
  const out = new Float32Array(BATCH);
  return E2E_CONFIGS.map((c) => {
    let built: { model: DCN; opt: Adam } | undefined, s = 0;
    return {
      name: c.name, unit: "samples/s", work: BATCH, meta: metaOf(data, c),
      setup: () => {
        built = buildModel(data, c);
        for (let i = 0; i < 4; i++) {
          fill(data, order, i, batch);
          trainStep(built.model, batch, built.opt);
        }
      },
      teardown: () => built?.model.dispose(),
      fn: () => {
        fill(data, order, s++, batch);
        predict(built!.model, batch, out);
      },
    };
  });
}

/**
 * Peak RSS (MiB) of a child process that builds DCN criteo1m and trains `steps` steps: every
 * method of the train bench with Adam rows, and 4-bit ALPT with rowwise Adagrad rows.
 */
export function peakRssCases(quick: boolean): BenchCase[] {
  const script = fileURLToPath(new URL("./peak-rss.js", import.meta.url));
  const steps = quick ? 2 : 20;
  const runs: [string, E2eConfig["embedding"], "adam" | "adagrad"][] = [
    ...METHODS.map(([name, embedding]): [string, E2eConfig["embedding"], "adam"] => [`${name}-adam`, embedding, "adam"]),
    ["alpt-b4-adagrad", { method: "alpt", bits: 4 }, "adagrad"],
  ];
  return runs.map(([name, embedding, optimizer]) => {
    let value = NaN;
    return {
      name: `peak-rss-dcn-criteo1m-${name}`, unit: "MiB", meta: { steps, ...embedding, optimizer, hiddenUnits: [400, 400, 400] },
      setup: () => {
        const args = [script, JSON.stringify({ ...embedding, optimizer }), String(steps)];
        const out = execFileSync(process.execPath, args, { encoding: "utf8" });
        value = JSON.parse(out.trim().split("\n").pop()!).peakRssMiB as number;
      },
      get value() {
        return value;
      },
    };
  });
}
