// The tensors a model is made of, computed from its name and options without building it:
// name → dtype and shape, exactly as io/state.ts collects them from a live model (a test checks
// the two agree for every model, method, optimizer and granularity). The loader of checkpoints
// and exports compares a file's tensors with this before it allocates anything, and createModel
// uses the byte count to refuse a model that cannot fit under the heap ceiling at once.
//
//   dense/<param>    F32   Linear W [in, out] and b [out], cross w [in] (v2: [in, in]) and b [in],
//                          batch-norm gamma and beta [h], biases [1]
//   buffer/<path>    F32   batch-norm runningMean, runningVar [h]
//   embedding/<buf>  U8 codes [rows, ceil(dim·bits/8)], F32 weights, delta, optimizer state
//                    (shape [rows, dim] when the buffer has rows·dim elements, else [length])
import { resolveOptions, type ResolvedEmbeddingOptions } from "../embedding/options.js";
import type { Dtype } from "../io/safetensors.js";
import { DEFAULT_HIDDEN_UNITS } from "../layers/mlp.js";
import { rowStride } from "../ref/quant/codes.js";
import type { ModelOptions } from "./registry.js";

/** A tensor's dtype and shape. */
export interface TensorSpec {
  dtype: Dtype;
  shape: number[];
}

/** The sizes that follow from a model's options. */
export interface ModelShape {
  fields: number;
  denseFeatures: number;
  embeddingDim: number;
  /** Rows of the table: Σ fieldSizes. */
  rows: number;
  /** Columns of the table: embeddingDim, + 1 for models with a first-order term. */
  dim: number;
  /** Width of the flattened input of the dense network: fields · embeddingDim + denseFeatures. */
  inputDim: number;
}

/** Models whose table rows hold a first-order weight in one more column (first-order.ts). */
const FIRST_ORDER = new Set(["LR", "FM", "WideDeep", "DeepFM"]);

/** The sizes of model `name` with options `o` (LR has no vector part; fields count the bag fields). */
export function modelShape(name: string, o: ModelOptions): ModelShape {
  const fields = o.fieldSizes.length;
  const embeddingDim = name === "LR" ? 0 : o.embeddingDim ?? 16;
  const denseFeatures = o.denseFeatures ?? 0;
  const rows = o.fieldSizes.reduce((a, b) => a + b, 0);
  return { fields, denseFeatures, embeddingDim, rows, dim: embeddingDim + (FIRST_ORDER.has(name) ? 1 : 0), inputDim: fields * embeddingDim + denseFeatures };
}

type Layout = Map<string, TensorSpec>;
/** Where layout functions put tensors: a Map, or a byte counter (layoutBytesOf). */
interface Sink {
  set(name: string, spec: TensorSpec): unknown;
}
const f32 = (...shape: number[]): TensorSpec => ({ dtype: "F32", shape });

function linear(out: Sink, name: string, inFeatures: number, outFeatures: number, bias = true): void {
  out.set(`dense/${name}.W`, f32(inFeatures, outFeatures));
  if (bias) out.set(`dense/${name}.b`, f32(outFeatures));
}

/** MLP "deep": Linear (+ BatchNorm) per hidden width; returns its output width. */
function mlp(out: Sink, inFeatures: number, o: ModelOptions): number {
  let width = inFeatures;
  (o.hiddenUnits ?? DEFAULT_HIDDEN_UNITS).forEach((h, i) => {
    linear(out, `deep.${i}`, width, h);
    if (o.batchNorm ?? true) {
      out.set(`dense/deep.${i}.bn.gamma`, f32(h));
      out.set(`dense/deep.${i}.bn.beta`, f32(h));
      out.set(`buffer/deep.${i}.bn.runningMean`, f32(h));
      out.set(`buffer/deep.${i}.bn.runningVar`, f32(h));
    }
    width = h;
  });
  return width;
}

/** The dense part (dense/ and buffer/ tensors) of each registered model. */
const DENSE: Record<string, (out: Sink, s: ModelShape, o: ModelOptions) => void> = {
  LR: (out, s) => {
    out.set("dense/lr.bias", f32(1));
    if (s.denseFeatures) linear(out, "lr.dense", s.denseFeatures, 1, false);
  },
  FM: (out, s) => {
    out.set("dense/fm.bias", f32(1));
    if (s.denseFeatures) linear(out, "fm.dense", s.denseFeatures, 1, false);
  },
  DNN: (out, s, o) => linear(out, "head", mlp(out, s.inputDim, o), 1),
  WideDeep: (out, s, o) => {
    out.set("dense/wide.bias", f32(1));
    linear(out, "head", mlp(out, s.inputDim, o), 1, false);
  },
  DeepFM: (out, s, o) => DENSE.WideDeep!(out, s, o),
  DCN: (out, s, o) => cross(out, s, o, 1),
  DCNv2: (out, s, o) => cross(out, s, o, 2),
};

function cross(out: Sink, s: ModelShape, o: ModelOptions, version: 1 | 2): void {
  const d = s.inputDim;
  for (let l = 0; l < (o.crossLayers ?? 3); l++) {
    out.set(`dense/cross.${l}.w`, version === 1 ? f32(d) : f32(d, d));
    out.set(`dense/cross.${l}.b`, f32(d));
  }
  const deep = (o.hiddenUnits ?? DEFAULT_HIDDEN_UNITS).length ? mlp(out, d, o) : 0;
  linear(out, "head", d + deep, 1);
}

/** Names of the models this file knows (a test checks them against the registry). */
export const layoutModels = (): string[] => Object.keys(DENSE);

/**
 * Calls `fn` for each dense/ and buffer/ tensor of model `name`, in order, without collecting them
 * (a loader can stop at the first that a file lacks; options validated: options-check.ts).
 */
export function forEachDenseTensor(name: string, o: ModelOptions, fn: (name: string, spec: TensorSpec) => void): void {
  const dense = DENSE[name];
  if (!dense) throw new RangeError(`model: unknown model "${name}" (known: ${layoutModels().join(", ")})`);
  dense({ set: fn }, modelShape(name, o), o);
}

/** The dense/ and buffer/ tensors of model `name`. */
export function denseLayout(name: string, o: ModelOptions): Layout {
  const out: Layout = new Map();
  forEachDenseTensor(name, o, (k, v) => out.set(k, v));
  return out;
}

/** The embedding options of a model as its table resolves them (rows, dim and field offsets filled in). */
export function tableOptions(name: string, o: ModelOptions): ResolvedEmbeddingOptions {
  const s = modelShape(name, o);
  const offsets: number[] = [];
  let r = 0;
  for (const n of o.fieldSizes) {
    offsets.push(r);
    r += n;
  }
  return resolveOptions({ seed: o.seed ?? 0, name: "embedding", ...o.embedding, rows: s.rows, dim: s.dim, fieldOffsets: offsets });
}

/** The embedding/ tensors of a training table (weightsOnly: what it computes with, no optimizer state). */
export function embeddingLayout(t: ResolvedEmbeddingOptions, weightsOnly = false): Layout {
  const { rows, dim, method, bits } = t;
  const out: Layout = new Map();
  const add = (key: string, length: number) => out.set(`embedding/${key}`, length === rows * dim ? f32(rows, dim) : f32(length));
  if (method === "fp32" || method === "qat-lsq") add("weights", rows * dim);
  if (method === "lpt" || method === "alpt") out.set("embedding/codes", { dtype: "U8", shape: [rows, rowStride(dim, bits)] });
  if (method !== "fp32") add("delta", rows);
  if (!weightsOnly && t.optimizer === "adam") {
    add("m", rows * dim);
    add("v", rows * dim);
  } else if (!weightsOnly && t.optimizer === "adagrad") add("acc", rows);
  if (method === "qat-lsq" || method === "alpt") {
    const groups = t.granularity === "row" ? rows : t.granularity === "field" ? t.fieldOffsets.length : 1;
    if (t.granularity !== "row") add("groupDelta", groups);
    if (!weightsOnly && t.deltaOptimizer.kind === "adam") {
      add("delta.m", groups);
      add("delta.v", groups);
    } else if (!weightsOnly && t.deltaOptimizer.kind === "adagrad") add("delta.acc", groups);
  }
  return out;
}

/** Every tensor of a model in training (dense, buffers and its table), without optimizer/ state. */
export function modelLayout(name: string, o: ModelOptions, weightsOnly = false): Layout {
  const out = denseLayout(name, o);
  for (const [k, v] of embeddingLayout(tableOptions(name, o), weightsOnly)) out.set(k, v);
  return out;
}

const HEAP_ALIGN = 16;
const elements = (t: TensorSpec): number => t.shape.reduce((a, b) => a * b, 1);
const BYTES: Record<Dtype, number> = { F32: 4, F16: 2, I32: 4, U8: 1 };

/** Heap bytes of one tensor of a layout (dense parameters twice: value and gradient), 16-byte aligned. */
export const heapBytes = (name: string, t: TensorSpec): number => {
  const b = Math.ceil((elements(t) * BYTES[t.dtype]) / HEAP_ALIGN) * HEAP_ALIGN;
  return name.startsWith("dense/") ? 2 * b : b;
};

/** Heap bytes of a layout's tensors. */
export function layoutBytes(layout: Layout): number {
  let n = 0;
  for (const [name, t] of layout) n += heapBytes(name, t);
  return n;
}

/**
 * Heap bytes of model `name` in training (its layout), counted without building the layout; stops
 * counting (returns a partial sum above `limit`) as soon as the sum passes `limit`, so an absurd
 * model (a million cross layers) is measured in milliseconds.
 */
export function modelBytes(name: string, o: ModelOptions, limit = Infinity): number {
  let n = 0;
  for (const [k, t] of embeddingLayout(tableOptions(name, o))) n += heapBytes(k, t);
  const over = new Error("over");
  try {
    forEachDenseTensor(name, o, (k, t) => {
      n += heapBytes(k, t);
      if (n > limit) throw over;
    });
  } catch (e) {
    if (e !== over) throw e;
  }
  return n;
}

/** A short description of the model for messages: "DCN, 4 fields × dim 4 + 0 dense = input 16, crossLayers 2, hiddenUnits [16,8]". */
export function describeModel(name: string, o: ModelOptions): string {
  const s = modelShape(name, o);
  const parts = [`${name}, ${s.fields} fields × dim ${s.embeddingDim} + ${s.denseFeatures} dense = input ${s.inputDim}`];
  if (name === "DCN" || name === "DCNv2") parts.push(`crossLayers ${o.crossLayers ?? 3}`);
  if (name !== "LR" && name !== "FM") parts.push(`hiddenUnits [${(o.hiddenUnits ?? DEFAULT_HIDDEN_UNITS).join(",")}]`);
  return parts.join(", ");
}
