// Files the commands share: reader presets for raw data, the prepared-data folder written by
// `alpt prepare` (dataset.json + FeatureMap JSON + binary caches), and model files (checkpoints
// and exports) opened as predictors.
//
//   <dir>/dataset.json      { format: "alpt-dataset", version, dataFormat, featureMap, featureMapHash,
//                             fields, totalRows, splits: { train|valid|test: { file, rows } }, … }
//   <dir>/feature_map.json  FeatureMap.toJSON()
//   <dir>/<split>.cache     data/cache.ts format, tagged with the FeatureMap hash
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { avazuOptions } from "../data/avazu.js";
import { readCacheFile } from "../data/cache-file.js";
import { criteoOptions } from "../data/criteo.js";
import type { EncodedDataset } from "../data/dataset.js";
import type { DelimitedOptions } from "../data/delimited.js";
import { FeatureMap } from "../data/feature-map.js";
import { readFileBytes } from "../data/source.js";
import { readFileBytesOf, restoreCheckpoint } from "../io/checkpoint.js";
import { loadPredictor, predictorFromModel, type Predictor } from "../serve/predictor.js";
import { UsageError } from "./args.js";
import { parseJsonFile } from "./config.js";

/** Raw data formats the commands read. */
export const DATA_FORMATS = ["criteo", "avazu"] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

/** Reader options of a raw-data preset. */
export function readerOptions(format: string, file: string, o: { labeled?: boolean; strict?: boolean } = {}): DelimitedOptions {
  const labeled = o.labeled ?? true;
  if (format === "criteo") return criteoOptions({ file, labeled, strict: o.strict ?? false });
  if (format === "avazu") {
    const a = avazuOptions({ file, strict: o.strict ?? false });
    return labeled ? a : { ...a, columns: a.columns.filter((c) => c.type !== "label") };
  }
  throw new UsageError(`unknown data format "${format}" (expected ${DATA_FORMATS.join(" or ")})`);
}

/** Throws a runtime error naming `path` unless it is a readable file. */
export async function requireFile(path: string, what: string): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${what} ${path}: ${code === "ENOENT" ? "the file does not exist" : (e as Error).message}`);
  }
  if (!st.isFile()) throw new Error(`${what} ${path}: not a file`);
}

/** Whether a raw file has its label column: Criteo by the column count of the first line, Avazu by its header. */
export async function detectLabeled(path: string, format: string): Promise<boolean> {
  let first = "";
  const decoder = new TextDecoder();
  for await (const chunk of readFileBytes(path)) {
    first += decoder.decode(chunk, { stream: true });
    if (first.includes("\n") || first.length > 1 << 20) break;
  }
  const line = first.split(/\r?\n/)[0] ?? "";
  if (format === "criteo") return line.split("\t").length !== 39;
  return line.split(",").map((c) => c.trim()).includes("click");
}

/** The manifest of a prepared-data folder. */
export interface DatasetManifest {
  format: "alpt-dataset";
  version: number;
  dataFormat: string;
  source: string;
  featureMap: string;
  featureMapHash: string;
  fields: number;
  totalRows: number;
  splits: Record<string, { file: string; rows: number }>;
  skippedRows: number;
}

export const DATASET_FORMAT = "alpt-dataset";

/** A prepared-data folder: manifest, FeatureMap and its splits (read on demand). */
export interface Prepared {
  dir: string;
  manifest: DatasetManifest;
  featureMap: FeatureMap;
  split(name: string): Promise<EncodedDataset>;
}

/** Opens a folder written by `alpt prepare`; errors name the file and what is wrong. */
export async function openPrepared(dir: string): Promise<Prepared> {
  const mpath = join(dir, "dataset.json");
  let text: string;
  try {
    text = new TextDecoder().decode(await readFileBytesOf(mpath));
  } catch (e) {
    throw new Error(`${(e as Error).message} (is ${dir} a folder written by \`alpt prepare\`?)`);
  }
  const m = parseJsonFile(text, mpath) as Partial<DatasetManifest>;
  if (m?.format !== DATASET_FORMAT) throw new Error(`${mpath}: format = ${JSON.stringify(m?.format)}, expected "${DATASET_FORMAT}"`);
  if (m.version !== 1) throw new Error(`${mpath}: version ${JSON.stringify(m.version)} is not supported (this build reads 1)`);
  if (typeof m.featureMap !== "string" || typeof m.splits !== "object" || m.splits === null) throw new Error(`${mpath}: featureMap and splits are required`);
  const fpath = join(dir, m.featureMap);
  let featureMap: FeatureMap;
  try {
    featureMap = FeatureMap.fromJSON(parseJsonFile(new TextDecoder().decode(await readFileBytesOf(fpath)), fpath));
  } catch (e) {
    throw new Error(`${fpath}: ${(e as Error).message.replace(`${fpath}: `, "")}`);
  }
  if (featureMap.hash !== m.featureMapHash) throw new Error(`${fpath}: its hash ${featureMap.hash} differs from ${mpath}'s featureMapHash ${String(m.featureMapHash)}: the folder was modified`);
  const manifest = m as DatasetManifest;
  return {
    dir, manifest, featureMap,
    async split(name) {
      const s = manifest.splits[name];
      if (!s) throw new UsageError(`${mpath} has no split "${name}" (it has: ${Object.keys(manifest.splits).join(", ")})`);
      return readCacheFile(join(dir, s.file), { featureMapHash: featureMap.hash });
    },
  };
}

/** What kind of file a model file is, read from its header without verifying the tensors. */
export function peekFormat(bytes: Uint8Array): string | undefined {
  try {
    if (bytes.length < 8) return undefined;
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
    if (n > bytes.length - 8) return undefined;
    const h = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as { __metadata__?: { format?: unknown } };
    const f = h.__metadata__?.format;
    return typeof f === "string" ? f : undefined;
  } catch {
    return undefined;
  }
}

/** A model file (checkpoint or export) opened for prediction. */
export interface OpenedModel {
  kind: "checkpoint" | "export";
  bytes: number;
  predictor: Predictor;
  dispose(): void;
}

/** Opens a checkpoint or an export as a predictor (call init() first). */
export async function openModel(path: string, batchSize?: number): Promise<OpenedModel> {
  const bytes = await readFileBytesOf(path);
  const opts = batchSize === undefined ? { what: path } : { what: path, batchSize };
  if (peekFormat(bytes) === "alpt-export") {
    const predictor = loadPredictor(bytes, opts);
    return { kind: "export", bytes: bytes.length, predictor, dispose: () => predictor.dispose() };
  }
  const { model, info } = restoreCheckpoint(bytes, undefined, path);
  try {
    const predictor = predictorFromModel(model, info, opts);
    return { kind: "checkpoint", bytes: bytes.length, predictor, dispose: () => (predictor.dispose(), model.dispose()) };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
