// Child process of the peak-RSS bench: builds DCN criteo1m with the given embedding options (a
// JSON object: method, bits, rounding, optimizer), trains `steps` steps, prints {"peakRssMiB"}
// (process.resourceUsage().maxRSS).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { init } from "../src/entry/default.js";
import { DCN } from "../src/models/dcn.js";
import { Adam } from "../src/optim/optimizer.js";
import { trainStep } from "../src/train/step.js";
import type { EmbeddingOptions } from "../src/embedding/options.js";
import { criteo1m } from "./train.bench.js";

const [embeddingArg = '{"method":"alpt","bits":4,"optimizer":"adagrad"}', stepsArg = "20"] = process.argv.slice(2);
const embedding = JSON.parse(embeddingArg) as Pick<EmbeddingOptions, "method" | "bits" | "rounding" | "optimizer">;
const e = await init(await readFile(join(process.cwd(), "build/core.wasm")));
const data = criteo1m(2048 * 4);
const model = new DCN({
  fieldSizes: data.sizes, denseFeatures: 13, embeddingDim: 16, crossLayers: 3, hiddenUnits: [400, 400, 400], batchNorm: false,
  embedding,
});
const opt = new Adam(model.parameters(), { lr: 1e-3 });
const ids = e.heap.allocI32(2048 * data.fields);
for (let s = 0; s < Number(stepsArg); s++) {
  const b = s % 4;
  ids.array.set(data.ids.subarray(b * 2048 * data.fields, (b + 1) * 2048 * data.fields));
  trainStep(model, { ids, labels: data.labels.subarray(b * 2048, (b + 1) * 2048), dense: data.dense.subarray(b * 2048 * 13, (b + 1) * 2048 * 13), size: 2048 }, opt);
}
console.log(JSON.stringify({ peakRssMiB: process.resourceUsage().maxRSS / 1024, heapMiB: e.heap.capacity / 2 ** 20 }));
