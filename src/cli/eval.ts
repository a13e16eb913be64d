// `alpt eval`: AUC and logloss of a checkpoint or an export on a prepared split, or on a raw
// labeled file encoded with the model's own FeatureMap. A prepared split is streamed a shard at a
// time (data/stream.ts: predictStream) with --stream, or by default when it has several shards or
// more than 2^27 ids (cli/stream-split.ts): the same batches, so the same AUC and logloss.
import { encodeRawFile } from "../data/prepare-config.js";
import type { EncodedData } from "../train/trainer.js";
import { prepareDataset } from "../data/prepare.js";
import { formatRowError } from "../data/schema.js";
import { readFileBytes } from "../data/source.js";
import type { EncodedDataset } from "../data/dataset.js";
import { auc, logloss } from "../metrics/index.js";
import { ENGINE_FLAGS, startEngineFromFlags } from "./engine.js";
import { UsageError, flag, type CommandSpec, type Output, type Parsed } from "./args.js";
import { DATA_FORMATS, openModel, openPrepared, readerOptions, requireFile } from "./files.js";
import { predictStream } from "../data/stream.js";
import { shouldStream } from "./stream-split.js";
import { folderInputs } from "./data-inputs.js";

export const spec: CommandSpec = {
  name: "eval",
  summary: "AUC and logloss of a model on prepared or raw labeled data",
  positionals: [{ name: "model", help: "a checkpoint or an export (.safetensors)", required: true }],
  flags: [
    { name: "data", type: "string", metavar: "DIR", help: "a folder written by `alpt prepare` (with the model's FeatureMap)" },
    { name: "split", type: "choice", choices: ["train", "valid", "test"], help: "split of --data", default: "test, else valid" },
    { name: "input", type: "string", metavar: "FILE", help: "raw labeled rows instead of --data" },
    { name: "format", type: "choice", choices: DATA_FORMATS, help: "format of --input", default: "the model's" },
    { name: "batch-size", type: "int", min: 1, help: "rows per forward pass", default: "2048" },
    { name: "stream", type: "bool", help: "predict --data a shard at a time (--no-stream: load the split whole)", default: "when the split has several shards or more than 2^27 ids" },
    ...ENGINE_FLAGS,
  ],
};

export async function run(p: Parsed, out: Output): Promise<number> {
  const modelPath = p.positionals[0]!;
  const dataDir = flag<string>(p, "data"), input = flag<string>(p, "input");
  if (!dataDir === !input) throw new UsageError("eval needs exactly one of --data DIR or --input FILE");
  if (input && p.flags.has("split")) throw new UsageError("--split applies to --data, not to --input");
  if (input && p.flags.has("stream")) throw new UsageError("--stream applies to --data, not to --input");
  await requireFile(modelPath, "model");
  if (input) await requireFile(input, "input");
  await startEngineFromFlags(p, out);
  const m = await openModel(modelPath, flag<number>(p, "batch-size"));
  try {
    const fm = m.predictor.info.featureMap;
    let ds: EncodedDataset | undefined;
    let source: string;
    // predictions and labels: of a split streamed a shard at a time, or of the rows in memory
    let scored: { predictions: Float32Array; labels: Float32Array; seconds: number } | undefined;
    if (dataDir) {
      const prepared = await openPrepared(dataDir);
      if (fm && fm.hash !== prepared.featureMapText.hash) {
        throw new Error(`${dataDir} was prepared with FeatureMap ${prepared.featureMapText.hash}, the model was trained with ${fm.hash}: ids would not match (use --input with the raw file)`);
      }
      const split = flag<string>(p, "split") ?? (prepared.manifest.splits.test ? "test" : "valid");
      source = `${dataDir} (${split})`;
      const shards = await prepared.shards(split);
      if (shouldStream(shards, flag<boolean>(p, "stream"))) {
        const t0 = performance.now();
        // consecutive batches of the predictor's batch size, as predictIds makes of rows in memory
        const { denseFeatures, bagPooling } = folderInputs(prepared, dataDir);
        const r = await predictStream(shards, flag<number>(p, "batch-size") ?? 2048, (b, out) => out.set(m.predictor.predictIds(b.ids, b.dense, b.bags)), denseFeatures, bagPooling);
        scored = { ...r, seconds: (performance.now() - t0) / 1000 };
      } else ds = await prepared.split(split);
    } else {
      if (!fm) throw new Error(`${modelPath} has no FeatureMap: it cannot encode raw rows (use --data)`);
      const dc = m.predictor.info.dataConfig;
      const format = flag<string>(p, "format") ?? m.predictor.info.dataFormat;
      if (!dc && !format) throw new UsageError(`${modelPath} does not record its data format: give --format ${DATA_FORMATS.join("|")}`);
      // a config dataset's model: raw rows encoded with its saved config, as prepare did
      const r = dc ? await encodeRawFile(dc.config, dc.fitted, readFileBytes(input!), { file: input! })
        : await prepareDataset({ open: () => readFileBytes(input!), reader: readerOptions(format!, input!), fittedMap: fm });
      if (r.stats.skipped) out.note(`${input}: skipped ${r.stats.skipped} malformed row(s); first: ${r.stats.errors.slice(0, 3).map(formatRowError).join("; ")}`);
      ds = r.dataset;
      source = input!;
    }
    if (!scored) {
      const d = ds!;
      if (d.n === 0) throw new Error(`${source}: no rows to evaluate`);
      for (let i = 0; i < d.n; i++) if (!(d.labels[i] === 0 || d.labels[i] === 1)) throw new Error(`${source}: row ${i + 1} has no 0/1 label (eval needs labeled data)`);
      const t0 = performance.now();
      const { dense, bags } = d as EncodedData; // dense features and bag fields, when the data has them
      const predictions = m.predictor.predictIds(d.ids.subarray(0, d.n * d.fields), dense, bags);
      scored = { predictions, labels: d.labels.subarray(0, d.n), seconds: (performance.now() - t0) / 1000 };
    }
    const { predictions: pred, labels, seconds } = scored;
    const n = labels.length;
    if (n === 0) throw new Error(`${source}: no rows to evaluate`);
    let pos = 0;
    for (let i = 0; i < n; i++) {
      if (!(labels[i] === 0 || labels[i] === 1)) throw new Error(`${source}: row ${i + 1} has no 0/1 label (eval needs labeled data)`);
      pos += labels[i]!;
    }
    const r = { command: "eval", model: modelPath, kind: m.kind, data: source, rows: n, positiveRate: pos / n, auc: auc(labels, pred), logloss: logloss(labels, pred), seconds, streamed: !ds };
    out.record(r);
    out.text(`${modelPath} (${m.kind}) on ${source}: ${n.toLocaleString("en")} rows${ds ? "" : " (streamed)"}`);
    out.text(`  AUC ${r.auc.toFixed(5)}  logloss ${r.logloss.toFixed(5)}  (positive rate ${r.positiveRate.toFixed(4)}, ${seconds.toFixed(2)} s)`);
    return 0;
  } finally {
    m.dispose();
  }
}
