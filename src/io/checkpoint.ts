// Checkpoints: the whole training state in one safetensors file (DESIGN.md §9). Tensors are
// named as in state.ts; the metadata holds the format version, the model name and options,
// the embedding method and bits, the FeatureMap (if any), scalar state and trainer progress.
// Encoding and decoding work in every runtime; saveCheckpoint / loadCheckpoint (Node) write
// atomically (temp file, fsync, rename), so a failed write leaves the previous file intact.
import type { CtrModel } from "../models/base.js";
import { createModel, type ModelOptions } from "../models/registry.js";
import type { Optimizer } from "../optim/optimizer.js";
import { decodeSafetensors, encodeSafetensors, type StoredTensor } from "./safetensors.js";
import { applyState, collectState } from "./state.js";

export const CHECKPOINT_FORMAT = "alpt-checkpoint";
export const CHECKPOINT_VERSION = 1;

/** What a checkpoint describes besides the tensors. */
export interface CheckpointInfo {
  /** Registered model name (models/registry.ts). */
  model: string;
  modelOptions: ModelOptions;
  /** A serialized FeatureMap (data/feature-map.ts), when the model was trained on raw rows. */
  featureMap?: unknown;
  /** Free-form progress of the run (epoch, step, best metric…). */
  progress?: Record<string, number>;
}

/** Serializes model (and optimizer) state into safetensors bytes. */
export function encodeCheckpoint(model: CtrModel, info: CheckpointInfo, optimizer?: Optimizer): Uint8Array {
  const st = collectState(model, optimizer);
  const tensors = new Map<string, StoredTensor>();
  for (const [name, e] of st.tensors) {
    const bytes = e.dtype === "U8" ? 1 : 4;
    tensors.set(name, { dtype: e.dtype, shape: e.shape, data: new Uint8Array(e.buffer.array.buffer, e.buffer.ptr, e.buffer.length * bytes) });
  }
  const t = model.embedding.options;
  return encodeSafetensors(tensors, {
    format: CHECKPOINT_FORMAT,
    version: String(CHECKPOINT_VERSION),
    model: info.model,
    modelOptions: JSON.stringify(info.modelOptions),
    method: t.method,
    bits: String(t.bits),
    featureMap: JSON.stringify(info.featureMap ?? null),
    scalars: JSON.stringify(st.scalars),
    progress: JSON.stringify(info.progress ?? {}),
    hasOptimizer: optimizer ? "1" : "0",
  });
}

/** A decoded checkpoint, before it is applied to a model. */
export interface DecodedCheckpoint {
  info: CheckpointInfo & { method: string; bits: number; hasOptimizer: boolean };
  tensors: Map<string, Uint8Array>;
  scalars: Record<string, number>;
}

/** Parses and verifies checkpoint bytes (format, version, JSON fields, CRC). */
export function decodeCheckpoint(bytes: Uint8Array, what = "checkpoint"): DecodedCheckpoint {
  const { metadata, tensors } = decodeSafetensors(bytes, what);
  if (metadata.format !== CHECKPOINT_FORMAT) throw new Error(`${what}: metadata format is "${metadata.format}", expected "${CHECKPOINT_FORMAT}"`);
  if (metadata.version !== String(CHECKPOINT_VERSION)) throw new Error(`${what}: format version ${metadata.version} is not supported (this build reads ${CHECKPOINT_VERSION})`);
  const json = <T>(key: string): T => {
    try {
      return JSON.parse(metadata[key]) as T;
    } catch {
      throw new Error(`${what}: metadata "${key}" is not valid JSON`);
    }
  };
  const raw = new Map<string, Uint8Array>();
  for (const [name, t] of tensors) raw.set(name, t.data);
  return {
    info: {
      model: metadata.model, modelOptions: json<ModelOptions>("modelOptions"), featureMap: json<unknown>("featureMap") ?? undefined,
      progress: json<Record<string, number>>("progress"), method: metadata.method, bits: Number(metadata.bits),
      hasOptimizer: metadata.hasOptimizer === "1",
    },
    tensors: raw,
    scalars: json<Record<string, number>>("scalars"),
  };
}

/** Builds the model a checkpoint describes and loads its weights (and the optimizer's state). */
export function restoreCheckpoint(bytes: Uint8Array, makeOptimizer?: (m: CtrModel) => Optimizer, what = "checkpoint") {
  const ck = decodeCheckpoint(bytes, what);
  const model = createModel(ck.info.model, ck.info.modelOptions);
  const optimizer = makeOptimizer?.(model);
  try {
    applyState(model, ck.info.hasOptimizer ? optimizer : undefined, ck, what);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, optimizer, info: ck.info };
}

/** Writes a checkpoint atomically (Node): temp file in the same folder, fsync, rename. */
export async function saveCheckpoint(path: string, model: CtrModel, info: CheckpointInfo, optimizer?: Optimizer): Promise<void> {
  const { writeFileAtomic } = await import("./atomic.js");
  await writeFileAtomic(path, encodeCheckpoint(model, info, optimizer));
}

/** Reads and restores a checkpoint file (Node). */
export async function loadCheckpoint(path: string, makeOptimizer?: (m: CtrModel) => Optimizer) {
  const fs = "node:fs/promises";
  const { readFile } = (await import(/* @vite-ignore */ fs)) as typeof import("node:fs/promises");
  const bytes = await readFile(path);
  return restoreCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), makeOptimizer, path);
}
