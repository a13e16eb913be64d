// The complete state of a model (and optionally its dense optimizer) as named tensors plus
// scalars: what a checkpoint stores, what resuming restores, and what the trainer snapshots
// to restore the best weights. Names:
//   dense/<param>            F32, the parameter's shape
//   buffer/<module path>     F32 (batch-norm running statistics)
//   embedding/<buffer>       U8 [rows, rowBytes] codes, F32 Δ / weights / optimizer state
//   optimizer/<param>.<slot> F32 dense optimizer state
import { MIN_DELTA } from "../embedding/options.js";
import type { CtrModel } from "../models/base.js";
import type { Optimizer } from "../optim/optimizer.js";
import { rowStride } from "../kernels/quant.js";
import type { HeapF32, HeapU8 } from "../wasm/heap.js";
import type { Dtype } from "./safetensors.js";

/** A named heap buffer with its file dtype and shape. */
export interface StateEntry {
  dtype: Dtype;
  shape: number[];
  buffer: HeapF32 | HeapU8;
}

/** Named tensors and scalars. */
export interface ModelState {
  tensors: Map<string, StateEntry>;
  scalars: Record<string, number>;
}

/** The bytes of a state entry: a view of its heap block (valid until the heap grows). */
export function entryBytes(e: StateEntry): Uint8Array {
  return new Uint8Array(e.buffer.array.buffer, e.buffer.ptr, e.buffer.length * (e.dtype === "U8" ? 1 : 4));
}

/** Embedding buffers that hold what the model computes with (the rest is optimizer state). */
const EMBEDDING_WEIGHTS = new Set(["weights", "codes", "delta", "groupDelta"]);

/** What to collect: everything (checkpoints), or the weights alone (best-weight snapshots). */
export interface StateOptions {
  weightsOnly?: boolean;
}

/**
 * Model options as a file saved them, with the structure it was written with, for files that
 * leave a structural option out and were written when its default was another: `batchNorm`
 * (batch norm became the default in issue 12) is whether the file has batch-norm statistics;
 * `hiddenUnits` (the default became 1024-512-256 after 400-400-400) are the lengths of the saved
 * `deep` MLP's F32 biases.
 */
export function savedModelOptions<O extends { batchNorm?: boolean; hiddenUnits?: readonly number[] }>(
  o: O, tensors: ReadonlyMap<string, Uint8Array | { data: Uint8Array }>,
): O {
  const saved = { ...o };
  if (saved.batchNorm === undefined) {
    saved.batchNorm = [...tensors.keys()].some((n) => n.startsWith("buffer/") && n.endsWith(".runningMean"));
  }
  if (saved.hiddenUnits === undefined) {
    const widths: number[] = [];
    for (let b; (b = tensors.get(`dense/deep.${widths.length}.b`));) widths.push((b instanceof Uint8Array ? b : b.data).byteLength / 4);
    if (widths.length) saved.hiddenUnits = widths;
  }
  return saved;
}

/** Collects every persistent buffer of `model` (and `optimizer`). */
export function collectState(model: CtrModel, optimizer?: Optimizer, { weightsOnly = false }: StateOptions = {}): ModelState {
  const tensors = new Map<string, StateEntry>();
  for (const p of model.parameters()) tensors.set(`dense/${p.name}`, { dtype: "F32", shape: [...p.shape], buffer: p.data });
  for (const [name, b] of model.buffers()) tensors.set(`buffer/${name}`, { dtype: "F32", shape: [b.length], buffer: b });
  const t = model.embedding;
  const { rows, dim, bits } = t.options;
  for (const [name, b] of t.buffers()) {
    if (weightsOnly && !EMBEDDING_WEIGHTS.has(name)) continue;
    const shape = name === "codes" ? [rows, rowStride(dim, bits)] : b.length === rows * dim ? [rows, dim] : [b.length];
    tensors.set(`embedding/${name}`, { dtype: name === "codes" ? "U8" : "F32", shape, buffer: b });
  }
  if (weightsOnly) return { tensors, scalars: {} };
  const scalars: Record<string, number> = { "embedding.step": t.step, "embedding.deltaStep": t.deltaLearner?.step ?? 0 };
  if (t.deltaLearner) scalars["embedding.deltaFloor"] = t.deltaLearner.floor;
  for (const [k, v] of model.scalars()) scalars[`model.${k}`] = v;
  if (optimizer) {
    const st = optimizer.state();
    for (const [name, b] of st.buffers) tensors.set(`optimizer/${name}`, { dtype: "F32", shape: [b.length], buffer: b });
    for (const [k, v] of Object.entries(st.scalars)) scalars[`optimizer.${k}`] = v;
  }
  return { tensors, scalars };
}

/**
 * Writes saved tensors and scalars into the live buffers of `model` / `optimizer`. Every
 * buffer of the live state must be present with the same byte length; the error names the
 * tensor and both sizes.
 */
export function applyState(
  model: CtrModel, optimizer: Optimizer | undefined, saved: { tensors: Map<string, Uint8Array>; scalars: Record<string, number> },
  what = "checkpoint", options: StateOptions = {},
): void {
  const live = collectState(model, optimizer, options);
  for (const [name, entry] of live.tensors) {
    const bytes = saved.tensors.get(name);
    const target = entryBytes(entry);
    if (!bytes) throw new Error(`${what}: tensor "${name}" is missing`);
    if (bytes.length !== target.length) {
      throw new Error(`${what}: tensor "${name}" has ${bytes.length} bytes, the model expects ${target.length} (shape [${entry.shape.join(", ")}])`);
    }
    target.set(bytes);
  }
  if (options.weightsOnly) return;
  const s = saved.scalars;
  const t = model.embedding;
  if (typeof s["embedding.step"] === "number") t.step = s["embedding.step"];
  if (t.deltaLearner && typeof s["embedding.deltaStep"] === "number") t.deltaLearner.step = s["embedding.deltaStep"];
  // checkpoints before the relative floor had the absolute default 1e-7 (MIN_DELTA)
  if (t.deltaLearner) t.deltaLearner.floor = s["embedding.deltaFloor"] ?? t.options.deltaFloor ?? MIN_DELTA;
  const modelScalars: Record<string, number> = {};
  const optScalars: Record<string, number> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith("model.")) modelScalars[k.slice(6)] = v;
    if (k.startsWith("optimizer.")) optScalars[k.slice(10)] = v;
  }
  model.loadScalars(modelScalars);
  optimizer?.loadScalars(optScalars);
}

/** An in-memory copy of the state (with weightsOnly: for restoring the best weights). */
export function snapshotState(
  model: CtrModel, optimizer?: Optimizer, options: StateOptions = {},
): { tensors: Map<string, Uint8Array>; scalars: Record<string, number> } {
  const st = collectState(model, optimizer, options);
  const tensors = new Map<string, Uint8Array>();
  for (const [name, e] of st.tensors) tensors.set(name, entryBytes(e).slice());
  return { tensors, scalars: st.scalars };
}
