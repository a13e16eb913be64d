// Checkpoints: the whole training state in one safetensors file (DESIGN.md §9). Tensors are
// named as in state.ts; the metadata holds the format version, the model name and options,
// the embedding method and bits, the FeatureMap (if any) and its hash, scalar state and trainer
// progress, and the checksum of header and tensors (safetensors.ts). Decoding checks everything
// the metadata says against the tensors before a model is built (io/validate.ts). Encoding and decoding work in every
// runtime; saveCheckpoint / loadCheckpoint (Node) write atomically (temp file, fsync, rename),
// so a failed write leaves the previous file intact.
import { deltaLrOf } from "../embedding/options.js";
import type { CtrModel } from "../models/base.js";
import { createModel, type ModelOptions } from "../models/registry.js";
import type { Optimizer } from "../optim/optimizer.js";
import { decodeSafetensors, encodeSafetensorsParts, type StoredTensor } from "./safetensors.js";
import { applyState, collectState, entryBytes, savedModelOptions } from "./state.js";
import { concatBytes } from "../util/bytes.js";
import type { FeatureMapJson } from "../data/feature-map.js";
import { FeatureMapText, featureMapMetadata } from "../data/feature-map-text.js";
import { checkDataConfig, dataConfigFromJSON } from "../data/prepare-config.js";
import { FileFormatError } from "./errors.js";
import { checkScalars, validateModelFile } from "./validate.js";

export const CHECKPOINT_FORMAT = "alpt-checkpoint";
export const CHECKPOINT_VERSION = 1;

/** What a checkpoint describes besides the tensors. */
export interface CheckpointInfo {
  /** Registered model name (models/registry.ts). */
  model: string;
  modelOptions: ModelOptions;
  /**
   * A serialized FeatureMap (data/feature-map.ts), when the model was trained on raw rows: its JSON
   * form, or a FeatureMapText (data/feature-map-text.ts), whose text is written as it is.
   */
  featureMap?: unknown;
  /** Reader preset of the raw rows ("criteo", "avazu"), or the table format of a config dataset. */
  dataFormat?: string;
  /**
   * Config datasets: the dataset config and its fitted normalisers (DataConfigJson of
   * data/prepare-config.ts), so raw rows are encoded as `prepare` did (encodeRawRow).
   */
  dataConfig?: unknown;
  /** Free-form progress of the run (epoch, step, best metric…). */
  progress?: Record<string, number>;
  /** What resuming the run needs: its settings and trainer state (JSON). */
  training?: unknown;
  /**
   * The best weights so far when they are not the current ones (a weights-only snapshot of this
   * model, train/trainer.ts), stored as `best/<name>` tensors.
   */
  bestWeights?: { tensors: Map<string, Uint8Array> };
}

/**
 * Serializes model (and optimizer) state into safetensors parts: the header, then views of the
 * heap buffers (no copy). Write them before the heap can grow (any allocation detaches them).
 */
export function encodeCheckpointParts(model: CtrModel, info: CheckpointInfo, optimizer?: Optimizer): Uint8Array[] {
  const st = collectState(model, optimizer);
  const tensors = new Map<string, StoredTensor>();
  for (const [name, e] of st.tensors) tensors.set(name, { dtype: e.dtype, shape: e.shape, data: entryBytes(e) });
  if (info.bestWeights) {
    for (const [name, e] of collectState(model, undefined, { weightsOnly: true }).tensors) {
      const data = info.bestWeights.tensors.get(name);
      if (!data || data.length !== entryBytes(e).length) throw new Error(`checkpoint: best weights "${name}" missing or of the wrong size`);
      tensors.set(`best/${name}`, { dtype: e.dtype, shape: e.shape, data });
    }
  }
  const t = model.embedding.options;
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    version: String(CHECKPOINT_VERSION),
    model: info.model,
    modelOptions: JSON.stringify(info.modelOptions),
    method: t.method,
    bits: String(t.bits),
    rows: String(t.rows),
    dim: String(t.dim),
    ...featureMapMetadata(info.featureMap),
    scalars: JSON.stringify(st.scalars),
    progress: JSON.stringify(info.progress ?? {}),
    hasOptimizer: optimizer ? "1" : "0",
  };
  if (info.dataFormat !== undefined) metadata.dataFormat = info.dataFormat;
  if (info.dataConfig != null) metadata.dataConfig = JSON.stringify(info.dataConfig);
  if (info.training !== undefined) metadata.training = JSON.stringify(info.training);
  return encodeSafetensorsParts(tensors, metadata);
}

/** Serializes model (and optimizer) state into safetensors bytes (one copy). */
export function encodeCheckpoint(model: CtrModel, info: CheckpointInfo, optimizer?: Optimizer): Uint8Array {
  return concatBytes(encodeCheckpointParts(model, info, optimizer));
}

/** A decoded checkpoint, before it is applied to a model. */
export interface DecodedCheckpoint {
  /** featureMapHash: the hash of the saved FeatureMap (verified), when there is one. */
  info: CheckpointInfo & { method: string; bits: number; hasOptimizer: boolean; featureMapHash?: string };
  tensors: Map<string, Uint8Array>;
  scalars: Record<string, number>;
}

/** Reads a JSON-valued metadata entry; errors name the key and the file. */
export function metadataJson<T>(metadata: Record<string, string>, key: string, what: string): T {
  const raw = metadata[key];
  if (raw === undefined) throw new FileFormatError(`${what}: metadata "${key}" is missing`);
  try {
    return JSON.parse(raw) as T;
  } catch (e) {
    throw new FileFormatError(`${what}: metadata "${key}" is not valid JSON (${(e as Error).message})`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Parses and verifies checkpoint bytes: format, version, checksum, then everything the metadata
 * says against the tensors (io/validate.ts), before any model is built.
 */
export function decodeCheckpoint(bytes: Uint8Array, what = "checkpoint", options: { featureMapText?: boolean } = {}): DecodedCheckpoint {
  const { metadata, tensors } = decodeSafetensors(bytes, { what, requireChecksum: true });
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new FileFormatError(`${what}: metadata format is ${JSON.stringify(metadata.format)}, expected "${CHECKPOINT_FORMAT}"${metadata.format === "alpt-export" ? " (this is an export: it has no training state)" : ""}`);
  }
  if (metadata.version !== String(CHECKPOINT_VERSION)) throw new FileFormatError(`${what}: format version ${metadata.version} is not supported (this build reads ${CHECKPOINT_VERSION})`);
  const d = validateModelFile("checkpoint", metadata, tensors, what, options);
  const scalars = checkScalars(metadataJson<unknown>(metadata, "scalars", what), what);
  const progress = metadataJson<unknown>(metadata, "progress", what);
  if (!isObject(progress)) throw new FileFormatError(`${what}: metadata "progress" is not an object`);
  const raw = new Map<string, Uint8Array>();
  const best = new Map<string, Uint8Array>();
  for (const [name, t] of tensors) {
    if (name.startsWith("best/")) best.set(name.slice(5), t.data);
    else raw.set(name, t.data);
  }
  const info: DecodedCheckpoint["info"] = {
    model: d.model, modelOptions: d.savedOptions,
    featureMap: d.featureMapJson ?? undefined,
    ...(d.featureMapHash !== undefined ? { featureMapHash: d.featureMapHash } : {}),
    progress: progress as Record<string, number>, method: d.table.method, bits: d.table.bits,
    hasOptimizer: metadata.hasOptimizer === "1",
  };
  if (metadata.dataFormat !== undefined) info.dataFormat = metadata.dataFormat;
  if (metadata.dataConfig !== undefined) info.dataConfig = checkedDataConfig(metadataJson<unknown>(metadata, "dataConfig", what), info.featureMap, what);
  if (metadata.training !== undefined) info.training = metadataJson<unknown>(metadata, "training", what);
  if (best.size) info.bestWeights = { tensors: best };
  return { info, tensors: raw, scalars };
}

/** A saved data config, checked against the saved FeatureMap (the same fields, the fitted normalisers). */
export function checkedDataConfig(json: unknown, featureMap: unknown, what: string): unknown {
  if (featureMap == null) throw new FileFormatError(`${what}: metadata "dataConfig" is given but there is no FeatureMap`);
  try {
    if (featureMap instanceof FeatureMapText) checkDataConfig(json, featureMap.fieldNames, `${what}: metadata "dataConfig"`);
    else dataConfigFromJSON(json, featureMap as FeatureMapJson, `${what}: metadata "dataConfig"`);
  } catch (e) {
    throw new FileFormatError((e as Error).message, { cause: e });
  }
  return json;
}

/** Builds the model a checkpoint (bytes, or already decoded) describes and loads its weights (and the optimizer's state). */
export function restoreCheckpoint(source: Uint8Array | DecodedCheckpoint, makeOptimizer?: (m: CtrModel) => Optimizer, what = "checkpoint") {
  const ck = source instanceof Uint8Array ? decodeCheckpoint(source, what) : source;
  let model: CtrModel;
  try {
    // every buffer is overwritten below: a constant Δ₀ skips the pass that measures E|w₀| (half
    // the build time of a large table); the Δ learning rate that derives from Δ₀ stays the saved
    // options' (the Δ floor is a saved scalar); the options returned in `info` are the saved ones
    const o = savedModelOptions(ck.info.modelOptions, ck.tensors);
    const e = o.embedding ?? {};
    model = createModel(ck.info.model, { ...o, embedding: { ...e, deltaInit: 1, deltaOptimizer: { ...e.deltaOptimizer, lr: deltaLrOf(e) } } });
  } catch (e) {
    throw new FileFormatError(`${what}: cannot build the model it describes: ${(e as Error).message}`, { cause: e });
  }
  try {
    if (model.embedding.options.method !== ck.info.method) {
      throw new FileFormatError(`${what}: metadata method "${ck.info.method}" differs from the model options' "${model.embedding.options.method}"`);
    }
    const optimizer = makeOptimizer?.(model);
    applyState(model, ck.info.hasOptimizer ? optimizer : undefined, ck, what);
    return { model, optimizer, info: ck.info };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Writes a checkpoint atomically (Node): temp file in the same folder, fsync, rename. */
export async function saveCheckpoint(path: string, model: CtrModel, info: CheckpointInfo, optimizer?: Optimizer): Promise<void> {
  const { writeFileAtomic } = await import("./atomic.js");
  await writeFileAtomic(path, encodeCheckpointParts(model, info, optimizer));
}

/** Reads a whole file (Node); the error names the path. */
export async function readFileBytesOf(path: string): Promise<Uint8Array> {
  const fs = "node:fs/promises";
  const { readFile, stat } = (await import(/* @vite-ignore */ fs)) as typeof import("node:fs/promises");
  try {
    // a folder, a device such as /dev/zero or a pipe is refused by name before a byte is read
    const st = await stat(path);
    if (!st.isFile()) throw new Error(`${path}: ${st.isDirectory() ? "a folder" : st.isCharacterDevice() || st.isBlockDevice() ? "a device" : "not a regular file"}, expected a regular file`);
    const b = await readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    throw new Error(`${path}: cannot read the file${code === "ENOENT" ? ": it does not exist" : `: ${(e as Error).message}`}`, { cause: e });
  }
}

/** Reads and restores a checkpoint file (Node). */
export async function loadCheckpoint(path: string, makeOptimizer?: (m: CtrModel) => Optimizer) {
  return restoreCheckpoint(await readFileBytesOf(path), makeOptimizer, path);
}
