// Child process of the scale/train-* cases: one epoch of DCN (alpt 4-bit codes, rowwise Adagrad
// rows) streamed from the shards of a prepared folder's train split, on the exact core, one
// thread. Prints {"samplesPerSec", "peakRssMiB", …} (peak RSS: process.resourceUsage().maxRSS,
// the whole process: node, the wasm heap, the shuffle buffer and the prefetched shard).
//   node scale-train-run.js PREPARED_DIR BUFFER_ROWS [BATCH] [EMBEDDING_JSON]
// (EMBEDDING_JSON: other table options, e.g. '{"method":"fp32","optimizer":"adagrad"}' for the
// fp32 comparison of docs/SCALE.md; default alpt 4-bit + rowwise Adagrad).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { init } from "../src/entry/default.js";
import { createModel } from "../src/models/registry.js";
import { openPrepared } from "../src/cli/files.js";
import { Trainer } from "../src/train/trainer.js";

const [dir = ".cache/scale/prep-5m", bufferArg = "1000000", batchArg = "2048", embeddingArg = '{"method":"alpt","bits":4,"optimizer":"adagrad"}'] = process.argv.slice(2);
const e = await init(await readFile(join(process.cwd(), "build/core.wasm")));
const prepared = await openPrepared(dir);
const fm = prepared.featureMapText; // the summary: the vocabulary is not parsed (as in `alpt train`)
const split = await prepared.shards("train");
if (typeof global.gc === "function") global.gc();
// what opening the folder costs (the FeatureMap's text, which the CLI keeps for the checkpoint), before any row is read
const rssOpenedMiB = process.memoryUsage().rss / 2 ** 20;
const model = createModel("DCN", {
  fieldSizes: fm.fieldSizes, embeddingDim: 16, crossLayers: 3, hiddenUnits: [400, 400, 400], batchNorm: false, seed: 1,
  embedding: JSON.parse(embeddingArg) as { method: "alpt" | "fp32"; bits?: number; optimizer: "adagrad" },
});
const trainer = new Trainer(model, { epochs: 1, batchSize: Number(batchArg), seed: 1, shuffleBuffer: Number(bufferArg), progress: false });
const h = await trainer.fit(split);
console.log(JSON.stringify({
  samplesPerSec: split.rows / h.seconds, seconds: h.seconds, rows: split.rows, shards: split.shards.length, bufferRows: Number(bufferArg),
  tableRows: fm.totalRows, embedding: JSON.parse(embeddingArg) as unknown, peakRssMiB: process.resourceUsage().maxRSS / 1024, rssOpenedMiB, heapMiB: e.heap.capacity / 2 ** 20,
}));
