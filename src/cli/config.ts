// Training settings of `alpt train`: one table gives each setting's flag, config key, FuxiCTR
// alias, type and help, so flags and config files are validated the same way. A config file is
// JSON with named experiments, FuxiCTR-style: an optional "Base" object of shared settings and
// one object per experiment (`--experiment NAME` picks one):
//
//   { "Base": { "data": "prep", "epochs": 2 },
//     "dcn_alpt8": { "model": "DCN", "method": "alpt", "bits": 8, "dnn_hidden_units": [256, 128] } }
//
// Precedence: defaults < Base < the experiment < flags. Errors name the file, line and column (bad
// JSON) or the experiment and key (unknown key, wrong type: expected vs actual).
import { JsonError, parseJson, placeOfKey } from "../data/json.js";
import { readRegularText } from "../data/regular-file.js";
import { DEFAULT_HIDDEN_UNITS } from "../layers/mlp.js";
import { modelNames } from "../models/registry.js";
import { SIMD_HELP, THREADS_HELP } from "./engine.js";
import { UsageError, convert, didYouMean, expectation, hintFor, type FlagSpec, type Value } from "./args.js";

/** A training setting: a flag of `alpt train` and a key of config files. */
export interface Setting extends FlagSpec {
  /** camelCase config key (the constructor option name). */
  key: string;
  /** Other accepted config keys (FuxiCTR's snake_case names). */
  aliases?: string[];
}

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
const s = (key: string, type: Setting["type"], help: string, more: Partial<Setting> = {}): Setting => ({ key, name: kebab(key), type, help, ...more });

/** Every training setting, in help order. */
export const SETTINGS: Setting[] = [
  s("data", "string", "folder written by `alpt prepare` (train and valid splits, FeatureMap)", { metavar: "DIR" }),
  s("out", "string", "checkpoint to write", { metavar: "FILE", default: "model.safetensors" }),
  s("model", "choice", "model", { choices: modelNames(), default: "DCN" }),
  s("embeddingDim", "int", "embedding dimension", { min: 1, default: "16", aliases: ["embedding_dim"] }),
  s("hiddenUnits", "ints", "MLP widths", { min: 1, default: DEFAULT_HIDDEN_UNITS.join(","), aliases: ["dnn_hidden_units", "hidden_units"] }),
  s("crossLayers", "int", "cross layers (DCN, DCNv2)", { min: 0, default: "3", aliases: ["num_cross_layers"] }),
  s("batchNorm", "bool", "batch norm in the MLP (--no-batch-norm: none)", { default: "true", aliases: ["batch_norm"] }),
  s("batchNormMomentum", "number", "momentum of the batch-norm running statistics", { min: 0.001, max: 1, default: "0.3" }),
  s("init", "choice", "initialisation of the dense layers", { choices: ["torch", "glorot", "xavier-normal"], default: "torch" }),
  s("dropout", "number", "dropout rate of the MLP", { min: 0, max: 0.99, default: "0", aliases: ["net_dropout"] }),
  s("method", "choice", "embedding training method", { choices: ["fp32", "qat-lsq", "lpt", "alpt"], default: "alpt" }),
  s("bits", "int", "bits per code (quantized methods; ignored with --method fp32)", { min: 1, max: 16, oneOf: [1, 2, 3, 4, 5, 6, 7, 8, 16], default: "8" }),
  s("rounding", "choice", "lpt write-back rounding", { choices: ["dr", "sr"], default: "sr" }),
  s("granularity", "choice", "rows sharing one Δ", { choices: ["row", "field", "table"], default: "row" }),
  s("deltaInit", "number-or-choice", "initial Δ", { choices: ["lsq", "lsq-group"], default: "lsq" }),
  s("deltaLr", "number", "learning rate of Δ (Adam)", { min: 0, default: "0.3 × initial Δ" }),
  s("gradScale", "number-or-choice", "scale of the Δ gradient", { choices: ["hetu", "mpe", "none"], default: "hetu" }),
  s("initStd", "number", "std of the initial embeddings", { min: 0, default: "0.003" }),
  s("embeddingOptimizer", "choice", "optimizer of the embedding rows (adagrad is rowwise Adagrad: one accumulator per row)", {
    choices: ["sgd", "adam", "adagrad"], default: "adam",
    hints: { rowwiseadagrad: "alpt's adagrad is rowwise Adagrad: give adagrad", rowadagrad: "alpt's adagrad is rowwise Adagrad: give adagrad" },
  }),
  s("embeddingLr", "number", "learning rate of the embedding rows", { min: 0, default: "--lr" }),
  s("embeddingWeightDecay", "number", "L2 on the embedding rows a batch touches", { min: 0, default: "0", aliases: ["embedding_regularizer"] }),
  s("optimizer", "choice", "dense optimizer", { choices: ["adam", "adamw", "sgd"], default: "adam" }),
  s("lr", "number", "dense learning rate", { min: 0, default: "1e-3", aliases: ["learning_rate"] }),
  s("weightDecay", "number", "dense weight decay", { min: 0, default: "0", aliases: ["net_regularizer"] }),
  s("lrSchedule", "choice", "dense lr schedule (paper: ÷10 after epochs 6 and 9)", { choices: ["none", "paper"], default: "none" }),
  s("epochs", "int", "epochs", { min: 1, default: "1" }),
  s("batchSize", "int", "batch size", { min: 1, default: "2048", aliases: ["batch_size"] }),
  s("seed", "int", "seed of init, shuffles and stochastic rounding", { min: 0, default: "0" }),
  s("shuffle", "bool", "shuffle the training rows each epoch", { default: "true" }),
  s("stream", "bool", "stream the train and valid splits from their shards with a bounded shuffle buffer (--no-stream: load them whole)", { default: "when a split has several shards or more than 2^27 ids" }),
  s("shuffleBuffer", "int", "rows of the streaming shuffle buffer (whole shards, at least one)", { min: 1, metavar: "ROWS", default: "two of the largest shards" }),
  s("monitor", "choice", "validation metric for early stopping and best weights", { choices: ["auc", "logloss"], default: "auc" }),
  s("patience", "int", "evaluations without improvement before stopping", { min: 0, aliases: ["early_stop_patience"] }),
  s("evalEvery", "int", "also validate every N steps inside an epoch (each epoch end is validated too)", { min: 1, aliases: ["eval_steps"] }),
  s("optimizerState", "bool", "store the optimizer state in the checkpoint", { default: "true" }),
  s("maxMemoryMb", "number", "ceiling of the wasm heap in MiB (wasm32 addresses at most 4096)", { min: 1, max: 4096, default: "4096" }),
  s("threads", "int", THREADS_HELP, { min: 1, max: 256, default: "the available cores, at most 8" }),
  s("simd", "choice", SIMD_HELP, { choices: ["exact", "relaxed"], default: "exact" }),
];

/**
 * FuxiCTR keys that have no setting here: accepted when their value is what alpt does anyway
 * (checked), or ignored with a note (bookkeeping keys).
 */
const FUXI_FIXED = new Map<string, (v: unknown) => boolean>([
  ["task", (v) => v === "binary_classification"],
  ["loss", (v) => v === "binary_crossentropy" || v === "bce"],
  ["dnn_activations", (v) => (Array.isArray(v) ? v : [v]).every((a) => typeof a === "string" && a.toLowerCase() === "relu")],
]);
const FUXI_IGNORED = ["metrics", "verbose", "model_root", "dataset_id", "save_best_only", "workers", "num_workers", "debug_mode", "gpu", "model_id", "monitor_mode", "embedding_initializer", "feature_specs"];

const byKey = new Map<string, Setting>();
for (const st of SETTINGS) {
  byKey.set(st.key, st);
  for (const a of st.aliases ?? []) byKey.set(a, st);
}

/** Validated training settings by camelCase key. */
export type Settings = Record<string, Value>;

/** A config file's selected experiment, validated; notes are warnings to print. */
export interface LoadedConfig {
  experiment: string;
  settings: Settings;
  notes: string[];
}

/** A JSON value for messages, cut to 80 characters (never the whole of a long or deep value). */
export function showValue(v: unknown): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    s = undefined;
  }
  if (s === undefined) return Array.isArray(v) ? "[…]" : typeof v === "object" && v !== null ? "{…}" : String(v);
  return s.length > 80 ? s.slice(0, 80) + "…" : s;
}

/**
 * Parses the JSON text of `file` (data/json.ts: null-prototype objects, bounded nesting, errors
 * as file:line:column on one line). A config file's error is a usage error (exit 2); a data
 * file's (dataset.json, a FeatureMap, …) a runtime error (exit 1). `fast` uses the engine's
 * JSON.parse for large files written by alpt itself, and the strict parser only to locate an error.
 */
export function parseJsonFile(text: string, file: string, kind: "config" | "data" = "config", fast = false): unknown {
  try {
    if (fast) {
      try {
        return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      } catch {
        parseJson(text, file, { maxDepth: 1000 });
        throw new JsonError(file, 1, 1, "rejected by the JSON parser");
      }
    }
    return parseJson(text, file);
  } catch (e) {
    if (!(e instanceof JsonError)) throw e;
    throw kind === "config" ? new UsageError(e.message) : new Error(e.message);
  }
}

/** Validates one experiment object into settings; errors start with the key's file:line:column. */
function readExperiment(obj: unknown, file: string, label: string, notes: string[]): Settings {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw new UsageError(`${file}: ${label}: expected an object of settings, got ${showValue(obj)}`);
  const out: Settings = {};
  const from = new Map<string, string>();
  for (const [k, v] of Object.entries(obj)) {
    const where = `${placeOfKey(obj, k) ?? file}: ${label}`;
    const st = byKey.get(k);
    if (!st) {
      const fixed = FUXI_FIXED.get(k);
      if (fixed) {
        if (!fixed(v)) throw new UsageError(`${where}: "${k}" = ${showValue(v)} is not supported (alpt trains binary CTR models: binary_classification, binary_crossentropy, relu)`);
        continue;
      }
      if (FUXI_IGNORED.includes(k)) {
        notes.push(`${where}: "${k}" is a FuxiCTR key without effect here: ignored`);
        continue;
      }
      const known = [...byKey.keys(), ...FUXI_FIXED.keys()];
      throw new UsageError(`${where}: "${k.slice(0, 60)}" is not a setting${didYouMean(k.slice(0, 60), known, (c) => `"${c}"`)}`);
    }
    if (from.has(st.key)) throw new UsageError(`${where}: "${k}" and "${from.get(st.key)}" set the same setting`);
    from.set(st.key, k);
    if (v === null) continue; // FuxiCTR writes null for "not set"
    let raw: unknown = v;
    if (st.key === "monitor" && typeof v === "object") {
      throw new UsageError(`${where}: "monitor" = ${showValue(v)}: a weighted combination of metrics is not supported (expected "auc" or "logloss")`);
    }
    if (st.type === "ints" && typeof v === "number") raw = [v];
    const c = convert(st, raw, true);
    if (typeof c === "object" && !Array.isArray(c)) throw new UsageError(`${where}: "${k}" = ${showValue(v)}: expected ${expectation(st)}${hintFor(st, v)}`);
    out[st.key] = c;
  }
  return out;
}

/** Reads a config file and returns the settings of one experiment (Base merged in). */
export async function loadConfig(path: string, experiment: string | undefined): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readRegularText(path, "config", 16 << 20);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const root = parseJsonFile(text, path);
  if (typeof root !== "object" || root === null || Array.isArray(root)) throw new UsageError(`${path}: expected a JSON object of experiments ({ "Base": {…}, "<name>": {…} })`);
  const all = root as Record<string, unknown>;
  const baseKey = Object.keys(all).find((k) => k === "Base" || k === "base");
  const names = Object.keys(all).filter((k) => k !== baseKey);
  let name = experiment;
  if (name === undefined) {
    if (names.length !== 1) throw new UsageError(`${path} has ${names.length} experiments (${names.join(", ") || "none"}): choose one with --experiment NAME`);
    name = names[0]!;
  } else if (!names.includes(name)) {
    throw new UsageError(`${path}: no experiment "${name}" (it has: ${names.join(", ") || "none"})${didYouMean(name, names, (c) => `"${c}"`)}`);
  }
  const notes: string[] = [];
  const base = baseKey ? readExperiment(all[baseKey], path, baseKey, notes) : {};
  const own = readExperiment(all[name], path, `experiment "${name}"`, notes);
  return { experiment: name, settings: { ...base, ...own }, notes };
}
