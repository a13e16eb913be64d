// `alpt train`: trains a model on a prepared-data folder with settings from flags and/or a JSON
// config of named experiments (config.ts), prints metrics per epoch and writes a checkpoint
// (model with the best weights, FeatureMap, optimizer state) atomically. At each epoch end it
// also writes the run's resume file, <out stem>.resume.safetensors: the current weights and
// optimizer state, the best weights so far, the settings and the trainer state, from which
// `alpt train --resume FILE` continues exactly as if the run had never stopped. The resume file
// holds the settings without --out (its bytes do not depend on where the run writes; a resumed
// run writes next to its resume file unless --out is given), and is validated before anything is
// built (resume.ts). Outputs are checked before the data is read: a missing or unwritable folder
// fails at once.
import { dataConfigToJSON } from "../data/prepare-config.js";
import { bagAssumption, folderInputs, withFolderInputs, type FolderInputs } from "./data-inputs.js";
import type { EmbeddingOptions } from "../embedding/options.js";
import { decodeCheckpoint, encodeCheckpointParts, type DecodedCheckpoint, readFileBytesOf, restoreCheckpoint, saveCheckpoint } from "../io/checkpoint.js";
import { writeFileAtomicSync } from "../io/atomic.js";
import type { DenseInit } from "../layers/init.js";
import type { CtrModel } from "../models/base.js";
import { createModel, type ModelOptions } from "../models/registry.js";
import type { Optimizer } from "../optim/optimizer.js";
import { Trainer, createOptimizer, isSharded, type EncodedData, type TrainerOptions, type WeightsSnapshot } from "../train/trainer.js";
import type { ShardedSplit } from "../data/shard-source.js";
import { planDataMemory, type DataMemory } from "../train/data-memory.js";
import { shouldStream, splitShape } from "./stream-split.js";
import { UsageError, flag, type CommandSpec, type Output, type Parsed } from "./args.js";
import { SETTINGS, loadConfig, type Settings } from "./config.js";
import { startEngine } from "./engine.js";
import { backend } from "../entry/default.js";
import type { SimdMode } from "../wasm/load.js";
import { openPrepared } from "./files.js";
import { checkModelOptions } from "../models/options-check.js";
import { resolveOptions } from "../embedding/options.js";
import { heapCeilingBytes } from "../wasm/heap.js";
import { MemoryLimitError, checkMemoryPlan, formatBytes, formatCeiling, planLabel, type MemoryPlan } from "../train/memory-plan.js";
import { requireWritableFile } from "./targets.js";
import { statRegularFile } from "../data/regular-file.js";
import { TrainLogWriter } from "../io/train-log.js";
import { PROGRESS_FLAGS, progressChoice } from "./progress-flags.js";
import { RESUME_UNSTORED, checkResumeInfo, outPathOfResume, resumePathOf, type ResumeInfo } from "./resume.js";

export const spec: CommandSpec = {
  name: "train",
  summary: "train a model on a prepared folder and write a checkpoint",
  positionals: [],
  flags: [
    { name: "config", type: "string", metavar: "FILE", help: "JSON config of named experiments (flags override it)" },
    { name: "experiment", type: "string", metavar: "NAME", help: "the experiment of --config to run (needed when it has several)" },
    { name: "resume", type: "string", metavar: "FILE", help: "continue the run saved in FILE (its .resume.safetensors); only --epochs, --out, --data, --patience, --max-memory-mb and --threads may change" },
    { name: "resume-file", type: "bool", help: "write <out stem>.resume.safetensors at each epoch end (default true; --no-resume-file to skip)" },
    { name: "dry-run", type: "bool", help: "print the memory plan (table, dense network, batch) against the heap ceiling and stop, without loading the data or training" },
    { name: "log", type: "string", metavar: "FILE", help: "write every step's loss and every evaluation to FILE as JSON lines, as the run goes (for `alpt plot`)" },
    ...PROGRESS_FLAGS,
    ...SETTINGS,
  ],
  details: `Config files: { "Base": {shared settings}, "<experiment>": {settings} }. Keys are the camelCase
names of the flags above (embeddingDim, hiddenUnits, …); FuxiCTR names are accepted as aliases:
embedding_dim, dnn_hidden_units, num_cross_layers, net_dropout, batch_norm, learning_rate,
batch_size, embedding_regularizer, net_regularizer, early_stop_patience, eval_steps; task, loss and
dnn_activations are accepted when they name what alpt does (binary_classification,
binary_crossentropy, relu); bookkeeping keys (metrics, verbose, model_root, …) are ignored.

Resuming: each epoch end rewrites <out stem>.resume.safetensors (atomically). After an interruption,
or to add epochs to a run that did not stop early, \`alpt train --resume dcn-b4.resume.safetensors
--epochs 4\` continues with the saved settings, shuffles, learning rate, early-stopping state and best
weights: the result is bit-identical to a run that never stopped. If the run was interrupted while
writing its final checkpoint (all epochs done, or stopped early), \`alpt train --resume FILE\` (with
--epochs equal to the epochs done) writes that checkpoint without training. The resume file does
not record --out: without --out the checkpoint goes next to it (x.resume.safetensors → x.safetensors).
Temporary files an interrupted write left (.<name>.<pid>.<n>.tmp) are removed at the next write of
the same file, with a note.

Progress: on a terminal a bar (epoch, step, loss, samples/s, ETA) is redrawn in place; when stderr
is a pipe or a file, a line every --progress-every seconds (default 5); with --json, records
{"event":"progress",…} on stdout instead. Evaluations print a line each: at every epoch end, and
with --eval-every N also every N steps inside an epoch (labelled "mid-epoch"; in --json, records
with "event":"eval" and "midEpoch":true, while epoch ends are "event":"epoch").

Log: --log run.jsonl writes a header line (model, method, bits, data, settings), then a line per
step {"kind":"step","epoch","step","loss","lr","t"} and per evaluation {"kind":"eval","epoch","step",
"midEpoch","auc","logloss","t"}, and an end line; \`alpt plot run.jsonl other.jsonl --out runs.svg\`
draws the loss and AUC curves of several runs on one chart.

Memory: before the data is loaded, the heap the run needs (table, Δ and their optimizers, the dense
network with its gradients and optimizer, one batch's activations) is computed from the settings;
above 4 GiB (wasm32) or --max-memory-mb the run stops with the figure and the table methods that fit,
e.g. "fp32 + Adam needs 6.61 GB > 4 GiB (wasm32) …: alpt train --method alpt --bits 4
--embedding-optimizer adagrad needs 0.94 GB" (33.8 M rows × dim 16). --dry-run prints that plan and stops (docs/SCALE.md),
with the host memory of the data (outside the heap): every row in memory, or when streamed the
shuffle buffer, the prefetched shard and the validation predictions. A config dataset's plan has an
inputs line: its dense inputs and bag fields (from the folder), each batch's bag ids counted at the
longest bags the prepare recorded (one per bag for older folders).

Streaming: with --stream, or by default when a split has several shards or more than 2^27 ids
(3.4 M Criteo rows), the train and valid splits are read a shard at a time: per epoch a seeded
shard order, a shuffle buffer of --shuffle-buffer ROWS (whole shards, default two of the largest)
whose rows are permuted (seed, epoch), and the next shard loaded while the buffer trains. The
batch sequence is a pure function of the seed; when the buffer holds the whole split it is the
in-memory one (the same model). --no-stream loads the splits whole. Dense inputs and bag fields
(prepare --config) are streamed with their rows. Memory: docs/SCALE.md.

Example: alpt train --data prepared --model DCN --method alpt --bits 4 --epochs 2 --out dcn-b4.safetensors`,
};

const pick = (s: Settings, key: string) => s[key];

/** Model options from settings (unset keys keep the model's defaults). */
export function modelOptionsOf(s: Settings, fieldSizes: readonly number[]): ModelOptions {
  const embedding: Omit<EmbeddingOptions, "rows" | "dim"> = { method: (pick(s, "method") ?? "alpt") as EmbeddingOptions["method"] };
  const set = <K extends keyof typeof embedding>(k: K, v: unknown) => {
    if (v !== undefined) embedding[k] = v as (typeof embedding)[K];
  };
  set("bits", pick(s, "bits"));
  set("rounding", pick(s, "rounding"));
  set("granularity", pick(s, "granularity"));
  set("deltaInit", pick(s, "deltaInit"));
  set("gradScale", pick(s, "gradScale"));
  set("initStd", pick(s, "initStd"));
  set("optimizer", pick(s, "embeddingOptimizer"));
  set("lr", pick(s, "embeddingLr") ?? pick(s, "lr"));
  set("weightDecay", pick(s, "embeddingWeightDecay"));
  if (pick(s, "deltaLr") !== undefined) embedding.deltaOptimizer = { lr: pick(s, "deltaLr") as number };
  const o: ModelOptions = { fieldSizes, embedding, seed: (pick(s, "seed") as number | undefined) ?? 0 };
  if (pick(s, "embeddingDim") !== undefined) o.embeddingDim = pick(s, "embeddingDim") as number;
  if (pick(s, "hiddenUnits") !== undefined) o.hiddenUnits = pick(s, "hiddenUnits") as number[];
  if (pick(s, "crossLayers") !== undefined) o.crossLayers = pick(s, "crossLayers") as number;
  if (pick(s, "batchNorm") !== undefined) o.batchNorm = pick(s, "batchNorm") as boolean;
  if (pick(s, "batchNormMomentum") !== undefined) o.batchNormMomentum = pick(s, "batchNormMomentum") as number;
  if (pick(s, "init") !== undefined) o.init = pick(s, "init") as DenseInit;
  if (pick(s, "dropout") !== undefined) o.dropout = pick(s, "dropout") as number;
  return o;
}

/** Settings that may differ when a run is resumed (the rest would change the run itself). */
const RESUME_OVERRIDES = new Set(["epochs", "out", "data", "patience", "maxMemoryMb", "threads"]);

export { resumePathOf } from "./resume.js";

/** Settings from flags and the config, or from the resume file (flags may change a few). */
async function settingsOf(p: Parsed, out: Output): Promise<{ settings: Settings; experiment?: string; resume?: { path: string; checkpoint: DecodedCheckpoint; info: ResumeInfo } }> {
  const configPath = flag<string>(p, "config");
  const resumePath = flag<string>(p, "resume");
  if (!configPath && p.flags.has("experiment")) throw new UsageError("--experiment needs --config FILE");
  if (resumePath) {
    if (configPath) throw new UsageError("--resume takes the settings of the saved run; drop --config");
    await statRegularFile(resumePath, "resume file"); // a device or a folder is refused before it is read
    // its FeatureMap summarised, not parsed: resuming compares it with the folder's by fingerprint
    const checkpoint = decodeCheckpoint(await readFileBytesOf(resumePath), resumePath, { featureMapText: true });
    const training = checkResumeInfo(checkpoint.info.training, resumePath);
    const settings = { ...training.settings };
    for (const st of SETTINGS) {
      if (!p.flags.has(st.name)) continue;
      const v = p.flags.get(st.name)!;
      if (!RESUME_OVERRIDES.has(st.key) && JSON.stringify(v) !== JSON.stringify(settings[st.key])) {
        throw new UsageError(`--${st.name} = ${JSON.stringify(v)}: a resumed run keeps its settings (it was ${JSON.stringify(settings[st.key] ?? null)}); only --${[...RESUME_OVERRIDES].map((k) => SETTINGS.find((x) => x.key === k)!.name).join(", --")} may change`);
      }
      settings[st.key] = v;
    }
    return { settings, experiment: training.experiment ?? undefined, resume: { path: resumePath, checkpoint, info: training } };
  }
  let settings: Settings = {};
  let experiment: string | undefined;
  if (configPath) {
    const c = await loadConfig(configPath, flag<string>(p, "experiment"));
    for (const n of c.notes) out.note(`note: ${n}`);
    settings = c.settings;
    experiment = c.experiment;
  }
  for (const st of SETTINGS) if (p.flags.has(st.name)) settings[st.key] = p.flags.get(st.name)!;
  return { settings, experiment };
}

/** Embedding option names that are set by a differently named setting. */
const EMBEDDING_KEYS: Record<string, string> = { lr: "embeddingLr", optimizer: "embeddingOptimizer", weightDecay: "embeddingWeightDecay", "deltaOptimizer.lr": "deltaLr" };

/** An error of createModel with the config file, experiment and setting it comes from. */
function buildError(message: string, model: string, settings: Settings, config: string | undefined, experiment: string | undefined): string {
  // "Embedding <name>: lr = …" (the layer), "model DCN: embedding.lr = …" (checkModelOptions)
  const m = /^(?:Embedding \S+|model \S+|model|\w+): (embedding\.)?(\S+?) (?:=|\()/.exec(message);
  const embedding = message.startsWith("Embedding") || m?.[1] !== undefined;
  let key = m ? (embedding ? EMBEDDING_KEYS[m[2]!] ?? m[2]! : m[2]!) : undefined;
  if (key === "embeddingLr" && settings.embeddingLr === undefined) key = "lr"; // the embedding rows default to --lr
  const st = key ? SETTINGS.find((x) => x.key === key) : undefined;
  const where = config ? `${config}: experiment "${experiment}": ` : "";
  const setting = st ? ` (setting "${st.key}"${config ? "" : `, flag --${st.name}`})` : "";
  return `${where}cannot build ${model}: ${message}${setting}`;
}

/**
 * The memory plan of the run (train/memory-plan.ts); a run above the heap ceiling is refused with
 * the figure and the table methods that would fit. Invalid options are left to createModel's
 * messages (they name the setting). Kernel threads: --threads, else the most `auto` starts (8).
 */
function memoryPlanOf(model: string, o: ModelOptions, settings: Settings, denseKind: "adam" | "adamw" | "sgd", maxMemoryMB: number, p: Parsed, experiment: string | undefined, bagIds: number): MemoryPlan | undefined {
  const planOptions = { batchSize: (settings.batchSize as number | undefined) ?? 2048, denseOptimizer: { kind: denseKind }, threads: (settings.threads as number | undefined) ?? 8, ...(bagIds ? { bagIds } : {}) };
  try {
    checkModelOptions(model, o);
    resolveOptions({ ...o.embedding, rows: 1, dim: 1 });
  } catch {
    return undefined;
  }
  try {
    return checkMemoryPlan(model, o, heapCeilingBytes({ maxMemoryMB }), planOptions);
  } catch (e) {
    if (!(e instanceof MemoryLimitError)) throw e;
    const config = flag<string>(p, "config");
    const where = config ? `${config}: experiment "${experiment}": ` : "";
    throw new UsageError(`${where}cannot train ${model}: ${e.message}`);
  }
}

/** `--dry-run`: the plan, part by part, against the ceiling, and the other table methods. */
function printPlan(plan: MemoryPlan | undefined, ceiling: number, model: string, out: Output, data: DataMemory, inputs: FolderInputs & { fields: number }): void {
  if (!plan) throw new UsageError(`--dry-run: the settings do not describe a model that can be built (run without --dry-run for the error)`);
  const { fields, denseFeatures, bagNames, bagPooling, bagLengths, bagIdsPlanned, bagIdsMean } = inputs;
  const assumed = bagAssumption(inputs);
  out.record({
    event: "plan", command: "train", ceilingBytes: ceiling, fits: plan.totalBytes <= ceiling, ...plan, data,
    inputs: { fields, denseFeatures, bagFields: bagNames.length, bagNames, bagPooling, bagLengths: bagLengths ?? null, bagIdsPlanned, bagIdsMean, assumed },
  });
  const mb = (b: number) => formatBytes(b);
  out.text(`memory plan of ${model} (${planLabel(plan)}, ${plan.rows.toLocaleString("en")} rows × dim ${plan.dim}, batch ${plan.batchSize}):`);
  const count = (k: number, what: string) => `${k} ${what}${k === 1 ? "" : "s"}`;
  // config datasets: what the model takes besides the single-valued ids
  if (denseFeatures || bagNames.length) out.text(`  inputs  ${count(fields, "single-valued field")}, ${count(denseFeatures, "dense input")}, ${count(bagNames.length, "bag field")}${bagNames.length ? ` (${bagNames.map((b, j) => `${b} ${bagPooling[j]}`).join(", ")}; ${assumed})` : ""}`);
  out.text(`  table   ${mb(plan.table.total).padStart(10)}  ${+plan.table.bytesPerRow.toFixed(2)} B/row: weights ${mb(plan.table.weights)}, codes ${mb(plan.table.codes)}, Δ ${mb(plan.table.delta)}, row optimizer ${mb(plan.table.optimizer)}, Δ optimizer ${mb(plan.table.deltaOptimizer)}`);
  out.text(`  dense   ${mb(plan.dense.total).padStart(10)}  parameters ${mb(plan.dense.parameters)}, gradients ${mb(plan.dense.gradients)}, buffers ${mb(plan.dense.buffers)}, optimizer ${mb(plan.dense.optimizer)}`);
  out.text(`  batch   ${mb(plan.batch.total).padStart(10)}  ids ${mb(plan.batch.ids)}, activations ${mb(plan.batch.activations)}, embedding update ${mb(plan.batch.embeddingUpdate)}`);
  out.text(`  total   ${mb(plan.totalBytes).padStart(10)}  of a ceiling of ${formatCeiling(ceiling)}: ${plan.totalBytes <= ceiling ? "fits" : "does not fit"}`);
  {
    const how = data.streamed ? `streamed: at most ${data.trainRows.toLocaleString("en")} train rows (shuffle buffer + carry + prefetched shard)` : "every row in memory";
    out.text(`  data    ${mb(data.total).padStart(10)}  outside the heap, ${how}: train ${mb(data.train)}, valid ${mb(data.valid)} (${+data.rowBytes.toFixed(1)} B/row)`);
  }
}

export async function run(p: Parsed, out: Output): Promise<number> {
  const { settings, experiment, resume } = await settingsOf(p, out);
  const data = settings.data as string | undefined;
  if (!data) throw new UsageError(`train needs the data: --data DIR (a folder written by \`alpt prepare\`) or "data" in the config`);
  const modelName = (settings.model as string | undefined) ?? "DCN";
  const outPath = (settings.out as string | undefined) ?? (resume ? outPathOfResume(resume.path) : "model.safetensors");
  const resumeFile = flag<boolean>(p, "resume-file") ?? true;
  if ((settings.method ?? "alpt") === "fp32" && settings.bits !== undefined) out.note(`warning: bits = ${String(settings.bits)} is ignored with method fp32 (fp32 embeddings are not quantized)`);
  // the outputs first: a folder that does not exist or cannot be written fails now, not after training
  await requireWritableFile(outPath, "--out");
  if (resumeFile) await requireWritableFile(resumePathOf(outPath), "resume file");
  const logPath = flag<string>(p, "log");
  if (logPath) await requireWritableFile(logPath, "--log");

  const prepared = await openPrepared(data);
  const lr = settings.lr as number | undefined;
  const optimizerSettings = { kind: (settings.optimizer as "adam" | "adamw" | "sgd" | undefined) ?? "adam", lr: lr ?? 1e-3, weightDecay: (settings.weightDecay as number | undefined) ?? 0 };
  // config datasets: dense inputs per row (numeric features with a normaliser) and the bag fields'
  // poolings, from the folder (its manifest and data config), once: the plan and the model agree
  const inputs = folderInputs(prepared, data);
  const modelOptions = withFolderInputs(modelOptionsOf(settings, prepared.featureMapText.fieldSizes), inputs);
  // the heap the run needs, from the options, before the data is loaded or anything allocated
  const maxMemoryMB = (settings.maxMemoryMb as number | undefined) ?? 4096;
  const plan = memoryPlanOf(modelName, modelOptions, settings, optimizerSettings.kind, maxMemoryMB, p, experiment, inputs.bagIdsPlanned);
  // streamed (data/stream.ts) or loaded whole (cli/stream-split.ts decides)
  const trainSplit = await prepared.shards("train");
  const validSplit = prepared.manifest.splits.valid ? await prepared.shards("valid") : undefined;
  const streamed = shouldStream(trainSplit, settings.stream as boolean | undefined) || (!!validSplit && shouldStream(validSplit, settings.stream as boolean | undefined));
  const shuffleBuffer = settings.shuffleBuffer as number | undefined;
  if (flag<boolean>(p, "dry-run")) {
    const data = planDataMemory({
      fields: trainSplit.fields, denseFeatures: inputs.denseFeatures, bagFields: inputs.bagNames.length, bagIds: inputs.bagIdsMean, batchSize: (settings.batchSize as number | undefined) ?? 2048, streamed, train: splitShape(trainSplit),
      ...(validSplit ? { valid: splitShape(validSplit) } : {}), ...(shuffleBuffer !== undefined ? { bufferRows: shuffleBuffer } : {}),
    });
    printPlan(plan, heapCeilingBytes({ maxMemoryMB }), modelName, out, data, { ...inputs, fields: trainSplit.fields });
    return 0;
  }
  const train: EncodedData | ShardedSplit = streamed ? trainSplit : await prepared.split("train");
  const valid: EncodedData | ShardedSplit | undefined = validSplit && (streamed ? validSplit : await prepared.split("valid"));
  const rowsOf = (d: EncodedData | ShardedSplit) => (isSharded(d) ? d.rows : d.n);
  await startEngine(out, { maxMemoryMB, threads: settings.threads as number | undefined, simd: settings.simd as SimdMode | undefined });
  let model: CtrModel;
  let optimizer: Optimizer | undefined;
  let resumeFrom: TrainerOptions["resume"];
  if (resume) {
    const ck = resume.checkpoint;
    // by fingerprint: the checkpoint's recorded hash (checked against its map on load) and the folder's text
    if (ck.info.featureMapHash !== prepared.featureMapText.hash) {
      throw new Error(`${data}: its FeatureMap differs from the one ${resume.path} was trained with; resume on the same prepared folder`);
    }
    ({ model, optimizer } = restoreCheckpoint(ck, (m) => createOptimizer(m, optimizerSettings), resume.path) as { model: CtrModel; optimizer: Optimizer });
    resumeFrom = { state: resume.info.state, ...(ck.info.bestWeights ? { bestWeights: ck.info.bestWeights as WeightsSnapshot } : {}) };
  } else {
    try {
      model = createModel(modelName, modelOptions);
    } catch (e) {
      if (e instanceof RangeError || e instanceof TypeError) throw new UsageError(buildError(e.message, modelName, settings, flag<string>(p, "config"), experiment));
      throw e;
    }
  }
  const epochs = (settings.epochs as number | undefined) ?? 1;
  if (resumeFrom) {
    const st = resumeFrom.state;
    // a run that ended (all its epochs, or stopped early) but whose checkpoint was not written (a
    // kill during the final write): resuming it with --epochs equal to its epochs writes the checkpoint
    const finished = st.stoppedEarly || epochs === st.epoch;
    if (finished && epochs !== st.epoch && !p.flags.has("epochs")) {
      throw new UsageError(`${resume!.path}: the run stopped early at epoch ${st.epoch}; \`alpt train --resume ${resume!.path} --epochs ${st.epoch}\` writes its checkpoint`);
    }
    if (st.stoppedEarly && epochs !== st.epoch) throw new UsageError(`--epochs = ${epochs}: the run stopped early at epoch ${st.epoch} (no improvement for ${st.bad} evaluations); there is nothing to continue (\`--epochs ${st.epoch}\` writes its checkpoint)`);
    if (epochs < st.epoch) throw new UsageError(`--epochs = ${epochs}: the saved run has done ${st.epoch} epochs already; give --epochs ${st.epoch} to write its checkpoint, or more to continue it`);
    if (finished) {
      // nothing to train: fit() restores the best weights and the checkpoint is written as the run would have
      resumeFrom = { ...resumeFrom, state: { ...st, stoppedEarly: false } };
      out.note(`note: ${resume!.path} holds a finished run (${st.epoch} epochs${st.stoppedEarly ? ", stopped early" : ""}): writing its checkpoint without training`);
    }
  }
  const mem = model.embedding.memory();
  out.text(`training ${modelName}${experiment ? ` (experiment ${experiment})` : ""}: ${modelOptions.embedding!.method}${model.embedding.packed ? ` ${model.embedding.options.bits}-bit` : ""} embeddings, ${mem.rows.toLocaleString("en")} rows × ${mem.dim}, ${mem.bytesPerRow.toFixed(1)} B/row of training state`);
  const b = backend();
  out.text(`  ${rowsOf(train).toLocaleString("en")} training rows${valid ? `, ${rowsOf(valid).toLocaleString("en")} validation rows` : " (no validation split)"}; ${b.name === "wasm-simd" ? `wasm ${b.simd} SIMD on ${b.threads} thread${b.threads === 1 ? "" : "s"}` : `TS reference kernels (${b.reason})`}`);
  if (isSharded(train)) {
    const buffer = Math.min(train.rows, shuffleBuffer ?? 2 * splitShape(train).largestShard);
    out.text(`  streamed from ${train.shards.length} shard${train.shards.length === 1 ? "" : "s"}, shuffle buffer ${buffer.toLocaleString("en")} rows`);
  }
  if (resumeFrom) out.text(`  resuming ${resume!.path} after epoch ${resumeFrom.state.epoch} (step ${resumeFrom.state.steps}), up to epoch ${epochs}`);

  let epochLoss = 0, epochSteps = 0, tEpoch = performance.now();
  const stored = Object.fromEntries(Object.entries(settings).filter(([k]) => !RESUME_UNSTORED.includes(k)));
  const batchSize = (settings.batchSize as number | undefined) ?? 2048;
  const shown = progressChoice(p, out);
  const log = logPath ? new TrainLogWriter(logPath, {
    model: modelName, method: model.embedding.options.method, bits: model.embedding.packed ? model.embedding.options.bits : 32,
    experiment: experiment ?? null, data, trainRows: rowsOf(train), validRows: valid ? rowsOf(valid) : 0, batchSize,
    stepsPerEpoch: Math.ceil(rowsOf(train) / batchSize), epochs, startStep: resumeFrom?.state.steps ?? 0, settings: stored,
  }) : undefined;
  const options: TrainerOptions = {
    epochs,
    batchSize,
    optimizer: optimizer ?? optimizerSettings,
    lrSchedule: (settings.lrSchedule as "none" | "paper" | undefined) ?? "none",
    monitor: (settings.monitor as "auc" | "logloss" | undefined) ?? "auc",
    seed: (settings.seed as number | undefined) ?? 0,
    shuffle: (settings.shuffle as boolean | undefined) ?? true,
    progress: {
      mode: shown.mode, notes: false, ...(shown.intervalMs !== undefined ? { intervalMs: shown.intervalMs } : {}),
      ...(shown.records ? { onReport: (r) => out.record({ event: "progress", command: "train", ...r }) } : {}),
    },
    onStep: (ev) => {
      epochLoss += ev.loss;
      epochSteps++;
      log?.step(ev.epoch, ev.step, ev.loss, ev.lr);
    },
  };
  if (resumeFrom) options.resume = resumeFrom;
  if (shuffleBuffer !== undefined) options.shuffleBuffer = shuffleBuffer;
  if (settings.patience !== undefined) options.patience = settings.patience as number;
  if (settings.evalEvery !== undefined) options.evalEvery = settings.evalEvery as number;
  // a line per evaluation (or per epoch without validation); train loss: the mean since the last line
  const line = (epoch: number, step: number, m?: { auc: number; logloss: number }, midEpoch = false) => {
    const loss = epochSteps ? epochLoss / epochSteps : NaN;
    const seconds = (performance.now() - tEpoch) / 1000;
    if (m) log?.evaluation(epoch, step, midEpoch, m.auc, m.logloss);
    out.record({ event: midEpoch ? "eval" : "epoch", epoch, step, midEpoch, trainLoss: loss, ...(m ? { valAuc: m.auc, valLogloss: m.logloss } : {}), seconds });
    out.text(`epoch ${epoch} step ${step}${midEpoch ? " (mid-epoch)" : ""}: train loss ${loss.toFixed(5)}${m ? `  val AUC ${m.auc.toFixed(5)} logloss ${m.logloss.toFixed(5)}` : ""}  (${seconds.toFixed(1)} s)`);
    epochLoss = 0;
    epochSteps = 0;
    tEpoch = performance.now();
  };
  if (valid) options.onEval = (ev) => line(ev.epoch, ev.step, ev.metrics, ev.midEpoch);
  else options.onEpochEnd = (ev) => line(ev.epoch, ev.step);
  // the FeatureMap as read from the folder (its text, not a parsed map: the vocabulary is never parsed here)
  const featureMap = prepared.featureMapText;
  // config datasets: the config and fitted normalisers go into the checkpoint (predict encodes raw rows with them)
  const dataConfig = prepared.dataConfigJson ? dataConfigToJSON(prepared.dataConfigJson.config, prepared.dataConfigJson) : undefined;
  const resumePath = resumePathOf(outPath);
  if (resumeFile) {
    options.onEpochDone = (state, bestWeights) => {
      const training: ResumeInfo = { settings: stored, experiment: experiment ?? null, state };
      // the parts are views of the heap: written synchronously, before anything can allocate
      writeFileAtomicSync(resumePath, encodeCheckpointParts(model, {
        model: modelName, modelOptions, featureMap, dataFormat: prepared.manifest.dataFormat, dataConfig, training,
        progress: { epochs: state.epoch, steps: state.steps, bestEpoch: state.bestEpoch },
        ...(bestWeights ? { bestWeights } : {}),
      }, trainer.optimizer));
    };
  }

  const trainer = new Trainer(model, options);
  let history;
  try {
    history = await trainer.fit(train, valid);
  } catch (e) {
    log?.close();
    throw e;
  }
  const final = valid ? await trainer.evaluate(valid) : undefined;
  log?.end({
    steps: history.steps, bestEpoch: history.bestEpoch, bestStep: history.bestStep, stoppedEarly: history.stoppedEarly,
    valAuc: final?.auc ?? null, valLogloss: final?.logloss ?? null, seconds: history.seconds,
  });
  // bestStep: the step of the weights the checkpoint holds (the best evaluation's, with validation)
  const progress: Record<string, number> = {
    epochs: history.evals.length ? history.evals[history.evals.length - 1]!.epoch : options.epochs!, steps: history.steps, bestEpoch: history.bestEpoch,
    ...(valid ? { bestStep: history.bestStep } : {}),
  };
  if (final) Object.assign(progress, { valAuc: final.auc, valLogloss: final.logloss });
  const withOptimizer = (settings.optimizerState as boolean | undefined) ?? true;
  await saveCheckpoint(outPath, model, {
    model: modelName, modelOptions, featureMap, dataFormat: prepared.manifest.dataFormat, dataConfig, progress,
  }, withOptimizer ? trainer.optimizer : undefined);
  const summary = {
    event: "done", command: "train", checkpoint: outPath, resumeFile: resumeFile ? resumePath : null, model: modelName, method: model.embedding.options.method,
    bits: model.embedding.packed ? model.embedding.options.bits : 32, experiment: experiment ?? null, steps: history.steps,
    bestEpoch: history.bestEpoch, stoppedEarly: history.stoppedEarly, valAuc: final?.auc ?? null, valLogloss: final?.logloss ?? null,
    seconds: history.seconds, samplesPerSec: ((history.steps - (resumeFrom?.state.steps ?? 0)) * options.batchSize!) / history.seconds, bytesPerRow: mem.bytesPerRow,
  };
  out.record(summary);
  out.text(`done in ${history.seconds.toFixed(1)} s (${Math.round(summary.samplesPerSec).toLocaleString("en")} samples/s)${final ? `; best epoch ${history.bestEpoch}: val AUC ${final.auc.toFixed(5)}, logloss ${final.logloss.toFixed(5)}` : ""}`);
  out.text(`checkpoint: ${outPath}${withOptimizer ? "" : " (without optimizer state)"}${resumeFile ? `; resume file: ${resumePath}` : ""}`);
  model.dispose();
  return 0;
}
