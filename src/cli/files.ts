// Files the commands share: reader presets for raw data, the prepared-data folder written by
// `alpt prepare` (dataset.json + FeatureMap JSON + binary caches), and model files (checkpoints
// and exports) opened as predictors.
//
//   <dir>/dataset.json      { format: "alpt-dataset", version: 2, dataFormat, featureMap, featureMapHash,
//                             fields, totalRows, splits: { train|valid|test: { rows, shards: [{ file, rows }] } }, … }
//                           (version 1, still read: splits: { train|valid|test: { file, rows } })
//   <dir>/feature_map.json  FeatureMap.toJSON()
//   <dir>/<split>.cache     data/cache.ts format, tagged with the FeatureMap hash and the split: a
//                           split of one shard; a larger one is <split>-00000.cache, <split>-00001.cache, …
//
// openPrepared trusts nothing a folder claims: see its comment.
import { stat } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { avazuOptions } from "../data/avazu.js";
import { readCacheFile } from "../data/cache-file.js";
import { criteoOptions } from "../data/criteo.js";
import type { Shard, ShardedSplit } from "../data/shard-source.js";
import type { DelimitedOptions } from "../data/delimited.js";
import { FeatureMap } from "../data/feature-map.js";
import { readFileBytes } from "../data/source.js";
import { readFileBytesOf, restoreCheckpoint } from "../io/checkpoint.js";
import { loadPredictor, predictorFromModel, type Predictor } from "../serve/predictor.js";
import { UsageError } from "./args.js";
import { parseJsonFile, showValue } from "./config.js";
import { placeOfKey } from "../data/json.js";
import { readRegularText } from "../data/regular-file.js";
import type { DatasetWithInputs } from "../data/cache.js";
import { joinShards } from "../data/join-shards.js";
import type { DatasetConfig } from "../data/config.js";
import type { FittedDense, FittedInputs } from "../data/encode-row.js";
import { checkDataConfig } from "../data/prepare-config.js";
import { FeatureMapText } from "../data/feature-map-text.js";
import { fingerprint } from "../data/hash.js";
import { TABLE_FORMATS } from "../data/formats/table.js";
import type { BagLengths } from "../data/prepare-config-shards.js";

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

/** A split in the manifest (version 2): its rows and its shards in row order. */
export interface ManifestSplit {
  rows: number;
  shards: { file: string; rows: number }[];
}

/** The manifest of a prepared-data folder (a version-1 one is read into this form). */
export interface DatasetManifest {
  format: "alpt-dataset";
  version: number;
  dataFormat: string;
  source: string;
  featureMap: string;
  featureMapHash: string;
  fields: number;
  totalRows: number;
  splits: Record<string, ManifestSplit>;
  skippedRows: number;
  /** Config datasets (prepare --config): the file with the config and fitted normalisers, the dense inputs D and bag fields Fb. */
  dataConfig?: string;
  denseFeatures?: number;
  bagFields?: number;
  /** Config datasets with bag fields: ids per bag of each bag field over the training rows (absent in folders prepared before it was recorded). */
  bagLengths?: BagLengths;
}

export const DATASET_FORMAT = "alpt-dataset";
/** The manifest version `alpt prepare` writes; openPrepared reads it and version 1. */
export const DATASET_VERSION = 2;

/** A prepared-data folder: manifest, FeatureMap and its splits (read on demand). */
export interface Prepared {
  dir: string;
  manifest: DatasetManifest;
  /**
   * The FeatureMap file as read, summarised without its vocabulary (field names and sizes, hash):
   * what training and evaluating ids need, and what checkpoints carry (data/feature-map-text.ts).
   */
  featureMapText: FeatureMapText;
  /** The full FeatureMap, parsed (tokens validated) on first use: only encoding raw rows needs it. */
  readonly featureMap: FeatureMap;
  /** Config datasets: the config and the fitted normalisers, checked against the FeatureMap's fields. */
  dataConfigJson?: { config: DatasetConfig; dense: FittedDense[] };
  /** Config datasets: the config and what was fitted (to encode raw rows as prepare did; parses the FeatureMap). */
  readonly dataConfig?: { config: DatasetConfig; fitted: FittedInputs };
  /** The whole split in memory (its shards read, verified and joined); config datasets also carry `dense` [n, D] and `bags`. */
  split(name: string): Promise<DatasetWithInputs>;
  /** The split as shards, each read and verified only when loaded (data/shard-source.ts). */
  shards(name: string): Promise<ShardedSplit>;
}

/** The names of the splits a prepared folder may hold. */
export const SPLIT_NAMES = ["train", "valid", "test"] as const;

/**
 * `name` from a manifest, checked to be a plain file name inside the folder (no folder part, no
 * "..", no absolute path), so a manifest cannot make alpt read (or show) a file elsewhere.
 */
function memberPath(dir: string, name: unknown, key: string, mpath: string): string {
  const ok = typeof name === "string" && name !== "" && name !== "." && name !== ".." && !/[/\\\0]/.test(name) && !isAbsolute(name);
  if (!ok) throw new Error(`${mpath}: ${key} = ${showValue(name)} must be the name of a file inside ${dir} (no folders, no "..")`);
  return join(dir, name);
}

const isCount = (v: unknown, min: number): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= min;

/** Checks the manifest's keys and types (not yet against the FeatureMap and the caches). */
function checkManifest(m: Record<string, unknown>, dir: string, mpath: string): DatasetManifest {
  const at = (key: string) => placeOfKey(m, key) ?? mpath;
  if (m.format !== DATASET_FORMAT) throw new Error(`${at("format")}: format = ${showValue(m.format)}, expected "${DATASET_FORMAT}"`);
  if (m.version !== 1 && m.version !== DATASET_VERSION) throw new Error(`${at("version")}: version ${showValue(m.version)} is not supported (this build reads 1 and ${DATASET_VERSION})`);
  const v1 = m.version === 1;
  memberPath(dir, m.featureMap, "featureMap", at("featureMap"));
  if (typeof m.featureMapHash !== "string") throw new Error(`${at("featureMapHash")}: featureMapHash must be a string (the FeatureMap's hash)`);
  if (m.dataConfig !== undefined) {
    memberPath(dir, m.dataConfig, "dataConfig", at("dataConfig"));
    if (!(TABLE_FORMATS as readonly unknown[]).includes(m.dataFormat)) throw new Error(`${at("dataFormat")}: dataFormat = ${showValue(m.dataFormat)}, expected ${TABLE_FORMATS.join(", ")} (a config dataset)`);
    for (const k of ["denseFeatures", "bagFields"]) if (!isCount(m[k], 0)) throw new Error(`${at(k)}: ${k} = ${showValue(m[k])} must be an integer ≥ 0`);
    const bl = m.bagLengths as { mean?: unknown; max?: unknown } | undefined, Fb = m.bagFields as number;
    const lengths = (v: unknown, ok: (x: unknown) => boolean) => Array.isArray(v) && v.length === Fb && v.every(ok);
    if (bl !== undefined && !(typeof bl === "object" && bl !== null && Object.keys(bl).every((k) => k === "mean" || k === "max")
      && lengths(bl.mean, (x) => typeof x === "number" && x >= 0 && Number.isFinite(x)) && lengths(bl.max, (x) => isCount(x, 0)))) {
      throw new Error(`${at("bagLengths")}: bagLengths must be { mean: [${Fb} numbers ≥ 0], max: [${Fb} integers ≥ 0] } (ids per bag of each bag field)`);
    }
  } else if (!(DATA_FORMATS as readonly unknown[]).includes(m.dataFormat)) throw new Error(`${at("dataFormat")}: dataFormat = ${showValue(m.dataFormat)}, expected ${DATA_FORMATS.join(" or ")}`);
  if (!isCount(m.fields, 1)) throw new Error(`${at("fields")}: fields = ${showValue(m.fields)} must be an integer ≥ 1`);
  if (!isCount(m.totalRows, 1)) throw new Error(`${at("totalRows")}: totalRows = ${showValue(m.totalRows)} must be an integer ≥ 1`);
  if (m.skippedRows !== undefined && !isCount(m.skippedRows, 0)) throw new Error(`${at("skippedRows")}: skippedRows = ${showValue(m.skippedRows)} must be an integer ≥ 0`);
  const splits = m.splits;
  const shape = v1 ? "{ file, rows }" : "{ rows, shards: [{ file, rows }, …] }";
  if (typeof splits !== "object" || splits === null || Array.isArray(splits)) throw new Error(`${at("splits")}: splits must be an object { train: ${shape}, … }`);
  const entries = Object.entries(splits as Record<string, unknown>);
  if (!Object.prototype.hasOwnProperty.call(splits, "train")) throw new Error(`${at("splits")}: splits has no "train" entry`);
  for (const [name, sp] of entries) {
    const key = `splits.${name.slice(0, 40)}`;
    const where = placeOfKey(splits, name) ?? mpath;
    if (!(SPLIT_NAMES as readonly string[]).includes(name)) throw new Error(`${where}: ${key}: unknown split (expected ${SPLIT_NAMES.join(", ")})`);
    if (typeof sp !== "object" || sp === null || Array.isArray(sp)) throw new Error(`${where}: ${key} must be an object ${shape}`);
    const e = sp as Record<string, unknown>;
    if (v1) memberPath(dir, e.file, `${key}.file`, placeOfKey(e, "file") ?? where);
    if (!isCount(e.rows, 1)) throw new Error(`${placeOfKey(e, "rows") ?? where}: ${key}.rows = ${showValue(e.rows)} must be an integer ≥ 1 (an empty split is never written)`);
    if (v1) {
      (splits as Record<string, ManifestSplit>)[name] = { rows: e.rows, shards: [{ file: e.file as string, rows: e.rows }] };
      continue;
    }
    const extra = Object.keys(e).find((k) => k !== "rows" && k !== "shards");
    if (extra !== undefined) throw new Error(`${placeOfKey(e, extra) ?? where}: ${key}.${extra.slice(0, 40)} is not a key of a split (rows, shards)`);
    const shards = e.shards;
    if (!Array.isArray(shards) || shards.length === 0) throw new Error(`${placeOfKey(e, "shards") ?? where}: ${key}.shards must be a non-empty array of { file, rows }`);
    let sum = 0;
    const files = new Set<string>();
    shards.forEach((x: unknown, k: number) => {
      const sk = `${key}.shards[${k}]`;
      const place = placeOfKey(e, "shards") ?? where;
      if (typeof x !== "object" || x === null || Array.isArray(x)) throw new Error(`${place}: ${sk} must be an object { file, rows }`);
      const o = x as Record<string, unknown>;
      const bad = Object.keys(o).find((q) => q !== "file" && q !== "rows");
      if (bad !== undefined) throw new Error(`${placeOfKey(o, bad) ?? place}: ${sk}.${bad.slice(0, 40)} is not a key of a shard (file, rows)`);
      memberPath(dir, o.file, `${sk}.file`, placeOfKey(o, "file") ?? place);
      if (files.has(o.file as string)) throw new Error(`${placeOfKey(o, "file") ?? place}: ${sk}.file = ${showValue(o.file)} is listed twice`);
      files.add(o.file as string);
      if (!isCount(o.rows, 1)) throw new Error(`${placeOfKey(o, "rows") ?? place}: ${sk}.rows = ${showValue(o.rows)} must be an integer ≥ 1`);
      sum += o.rows;
    });
    if (sum !== e.rows) throw new Error(`${placeOfKey(e, "rows") ?? where}: ${key}.rows = ${e.rows}, but its shards (${(shards as { file: string }[]).slice(0, 3).map((x) => x.file).join(", ")}${shards.length > 3 ? ", …" : ""}) hold ${sum} rows: the folder was modified`);
  }
  return m as unknown as DatasetManifest;
}

/**
 * Opens a folder written by `alpt prepare`. Everything it claims is checked: the manifest's keys,
 * that its paths stay inside the folder, the FeatureMap's hash, fields and rows (read as a
 * FeatureMapText: the tokens are parsed and checked only when `featureMap` is first used); each split, when
 * read, against its manifest entry (rows), the FeatureMap (hash, field names, id ranges) and its
 * own checksum, with 0/1 labels. Errors name the file (and line:column of the key) and the problem.
 */
export async function openPrepared(dir: string): Promise<Prepared> {
  const mpath = join(dir, "dataset.json");
  let text: string;
  try {
    text = await readRegularText(mpath, "dataset manifest", 1 << 20);
  } catch (e) {
    throw new Error(`${(e as Error).message} (is ${dir} a folder written by \`alpt prepare\`?)`);
  }
  const parsed = parseJsonFile(text, mpath, "data");
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${mpath}: expected a JSON object (the manifest of a prepared folder)`);
  const manifest = checkManifest(parsed as Record<string, unknown>, dir, mpath);
  const fpath = join(dir, manifest.featureMap);
  const featureMapText = await readFeatureMapText(fpath, manifest.featureMapHash, mpath);
  if (featureMapText.numFields !== manifest.fields) throw new Error(`${mpath}: fields = ${manifest.fields}, the FeatureMap has ${featureMapText.numFields} fields: the folder was modified`);
  if (featureMapText.totalRows !== manifest.totalRows) throw new Error(`${mpath}: totalRows = ${manifest.totalRows}, the FeatureMap has ${featureMapText.totalRows} embedding rows: the folder was modified`);
  let parsedMap: FeatureMap | undefined;
  const featureMapOf = (): FeatureMap => (parsedMap ??= parseFeatureMapText(featureMapText, fpath));
  let dataConfigJson: Prepared["dataConfigJson"];
  if (manifest.dataConfig !== undefined) {
    const cpath = join(dir, manifest.dataConfig);
    try {
      dataConfigJson = checkDataConfig(parseJsonFile(await readRegularText(cpath, "data config"), cpath, "data"), featureMapText.fieldNames, cpath);
    } catch (e) {
      throw new Error(`${(e as Error).message.startsWith(cpath) ? "" : `${cpath}: `}${(e as Error).message}`);
    }
    if (dataConfigJson.dense.length !== manifest.denseFeatures) throw new Error(`${mpath}: denseFeatures = ${manifest.denseFeatures}, ${cpath} has ${dataConfigJson.dense.length}: the folder was modified`);
  }
  const featureMap = featureMapText;
  // config datasets: the last Fb fields of the FeatureMap are bag fields, kept in the caches' bag sections
  const Fb = manifest.bagFields ?? 0, F = featureMap.numFields - Fb;
  const bagRanges = Array.from({ length: Fb }, (_, j) => [featureMap.fieldOffsets[F + j]!, featureMap.fieldOffsets[F + j]! + featureMap.fieldSizes[F + j]!] as const);
  const shards = async (name: string): Promise<ShardedSplit> => {
    const s = Object.prototype.hasOwnProperty.call(manifest.splits, name) ? manifest.splits[name] : undefined;
    if (!s) throw new UsageError(`${mpath} has no split "${name}" (it has: ${Object.keys(manifest.splits).join(", ")})`);
    const v1 = manifest.version === 1;
    const list = s.shards.map((x, k): Shard => ({
      rows: x.rows,
      name: join(dir, x.file),
      async load(): Promise<DatasetWithInputs> {
        const path = join(dir, x.file);
        const ds = await readCacheFile(path, {
          featureMapHash: featureMap.hash, split: name, fieldNames: featureMap.fieldNames.slice(0, F), fieldSizes: featureMap.fieldSizes.slice(0, F), minRows: 1, requireLabels: true,
          ...(dataConfigJson ? { bagRanges, bagNames: featureMap.fieldNames.slice(F), denseNames: dataConfigJson.dense.map((d) => d.name) } : {}),
        });
        if (dataConfigJson && (Fb > 0) !== (ds.bags !== undefined)) throw new Error(`${path}: ${Fb} bag fields expected, the cache has ${ds.bags?.fields ?? 0}: the folder was modified`);
        if (ds.n !== x.rows) throw new Error(`${mpath}: splits.${name}.${v1 ? "" : `shards[${k}].`}rows = ${x.rows}, but ${x.file} holds ${ds.n} rows: the folder was modified`);
        return ds;
      },
    }));
    return { rows: s.rows, fields: F, shards: list };
  };
  const prepared: Prepared = {
    dir, manifest, featureMapText, shards,
    get featureMap() {
      return featureMapOf();
    },
    async split(name) {
      const sh = await shards(name);
      if (sh.shards.length === 1) return sh.shards[0]!.load();
      return joinShards(await Promise.all(sh.shards.map((x) => x.load())), featureMap.fieldNames.slice(0, F));
    },
  };
  if (dataConfigJson) {
    const json = dataConfigJson;
    let fitted: FittedInputs | undefined;
    prepared.dataConfigJson = json;
    Object.defineProperty(prepared, "dataConfig", { enumerable: true, get: () => ({ config: json.config, fitted: (fitted ??= { featureMap: featureMapOf(), dense: json.dense }) }) });
  }
  return prepared;
}

/**
 * A prepared folder's FeatureMap file, summarised without parsing its vocabulary when its
 * fingerprint is the manifest's featureMapHash (the text is then the one prepare wrote); a file
 * written otherwise (re-indented, say) is parsed whole and checked as before, and its canonical
 * text kept. Errors name the file.
 */
async function readFeatureMapText(fpath: string, hash: string, mpath: string): Promise<FeatureMapText> {
  const text = await readRegularText(fpath, "FeatureMap");
  if (fingerprint(text) === hash) return FeatureMapText.read(text, fpath, hash);
  let map: FeatureMap;
  try {
    map = FeatureMap.fromJSON(parseJsonFile(text, fpath, "data", true) as Parameters<typeof FeatureMap.fromJSON>[0]);
  } catch (e) {
    throw new Error(`${fpath}: ${(e as Error).message.replace(`FeatureMap ${fpath}: `, "").replace(`${fpath}: `, "")}`);
  }
  if (map.hash !== hash) throw new Error(`${fpath}: its hash ${map.hash} differs from ${mpath}'s featureMapHash ${hash.slice(0, 40)}: the folder was modified`);
  return FeatureMapText.of(map);
}

/** The full FeatureMap of a folder's FeatureMapText; errors name the file. */
function parseFeatureMapText(t: FeatureMapText, fpath: string): FeatureMap {
  let map: FeatureMap;
  try {
    map = t.parse();
  } catch (e) {
    throw new Error(`${fpath}: ${(e as Error).message}`);
  }
  if (map.hash !== t.hash) throw new Error(`${fpath}: the FeatureMap's hash ${map.hash} is not its text's ${t.hash}: the file was modified`);
  return map;
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
