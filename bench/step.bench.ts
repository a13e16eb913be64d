// Training-step benches on the criteo1m configuration of DESIGN.md §11: 26 fields with ~1M
// rows (skewed vocabularies, Zipf ids), 13 dense features, dim 16, DCN with 3 cross layers and
// MLP 400-400-400, batch 2048, Adam 1e-3; one full step per call (ms). Also the dense network
// alone (forward + backward on [2048, 429]).
import { DCN } from "../src/models/dcn.js";
import type { EmbeddingOptions } from "../src/embedding/options.js";
import { Adam } from "../src/optim/optimizer.js";
import { concat } from "../src/ops/shape.js";
import { backward, scope } from "../src/tensor/tape.js";
import { Tensor } from "../src/tensor/tensor.js";
import { trainStep, type Batch } from "../src/train/step.js";
import { uniform } from "../src/util/rng.js";
import type { Engine } from "../src/wasm/load.js";
import type { BenchCase } from "./harness.js";
import { fieldSizes, zipfIds } from "./data.js";

const BATCH = 2048;
const DENSE = 13;

/** A fixed pool of batches of Zipf ids, random dense values and labels. */
function batches(e: Engine, sizes: number[], count: number): Batch[] {
  const out: Batch[] = [];
  for (let i = 0; i < count; i++) {
    const ids = e.heap.allocI32(BATCH * sizes.length, "bench batch ids");
    ids.array.set(zipfIds(sizes, BATCH, 100 + i));
    const labels = Float32Array.from({ length: BATCH }, (_, b) => (uniform(7, i, b) < 0.25 ? 1 : 0));
    const dense = Float32Array.from({ length: BATCH * DENSE }, (_, j) => uniform(8, i, j));
    out.push({ ids, labels, dense, size: BATCH });
  }
  return out;
}

export function stepCases(e: Engine, quick: boolean): BenchCase[] {
  const sizes = fieldSizes(1_000_000);
  const pool = batches(e, sizes, quick ? 2 : 8);
  const cases: BenchCase[] = [];
  const hiddenUnits = [400, 400, 400];
  const configs: [string, EmbeddingOptions["method"], number | undefined][] = [
    ["fp32", "fp32", undefined], ["lpt-sr-b4", "lpt", 4], ["alpt-b4", "alpt", 4],
  ];
  for (const optimizer of ["adam", "adagrad"] as const) {
    for (const [name, method, bits] of configs) {
      let model: DCN | undefined;
      let opt: Adam | undefined;
      let i = 0;
      cases.push({
        name: `dcn-criteo1m-${name}${optimizer === "adagrad" ? "-adagrad" : ""}`, unit: "ms",
        meta: { batch: BATCH, rows: sizes.reduce((a, b) => a + b, 0), dim: 16, hiddenUnits, crossLayers: 3, method, bits, optimizer },
        setup: () => {
          model = new DCN({
            fieldSizes: sizes, denseFeatures: DENSE, embeddingDim: 16, crossLayers: 3, hiddenUnits, batchNorm: false,
            embedding: { method, bits, optimizer, lr: 1e-3 },
          });
          opt = new Adam(model.parameters(), { lr: 1e-3 });
        },
        fn: () => {
          trainStep(model!, pool[i++ % pool.length], opt!);
        },
        teardown: () => model?.dispose(),
      });
    }
  }
  // the dense network alone: cross 3 + MLP 400-400-400 + head on x0 [2048, 429]
  let dense: DCN | undefined;
  let x: Tensor | undefined;
  cases.push({
    setup: () => {
      dense = new DCN({ fieldSizes: [1], denseFeatures: 429 - 16, embeddingDim: 16, crossLayers: 3, hiddenUnits, batchNorm: false });
      x = Tensor.param([BATCH, 429], "bench.x0");
      for (let j = 0; j < x.size; j++) x.data.array[j] = uniform(1, 2, j) - 0.5;
    },
    name: "dcn-dense-fwdbwd", unit: "ms", meta: { batch: BATCH, inputs: 429, hiddenUnits, crossLayers: 3 },
    fn: () =>
      scope(() => {
        backward(dense!.head.forward(concat([dense!.cross.forward(x!), dense!.deep!.forward(x!)])));
      }),
    teardown: () => {
      dense?.dispose();
      x?.dispose();
    },
  });
  return cases;
}
