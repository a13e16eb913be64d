// One validator for checkpoints and exports: what a file's metadata says (model, options, method,
// bits, rows, dim, FeatureMap and its hash, …) is checked against itself and against the tensors
// before anything is allocated. The model the options describe (models/layout.ts) must match the
// tensors exactly: no tensor missing, none extra, each of the expected dtype and shape; every
// float finite, every Δ > 0, and the model must fit under the heap ceiling. A file whose bytes are
// intact (the checksum is recomputed after an edit) but whose content is inconsistent is refused
// with a FileFormatError naming the file and the key or tensor, e.g.
//   model.safetensors: tensor "dense/cross.0.w" has shape [16,1], the model (DCN, …) expects [429]
import { FeatureMap } from "../data/feature-map.js";
import { FeatureMapText } from "../data/feature-map-text.js";
import { fingerprint } from "../data/hash.js";
import type { ResolvedEmbeddingOptions } from "../embedding/options.js";
import { describeModel, embeddingLayout, forEachDenseTensor, modelBytes, modelShape, tableOptions, type ModelShape, type TensorSpec } from "../models/layout.js";
import { checkModelOptions } from "../models/options-check.js";
import { modelNames, type ModelOptions } from "../models/registry.js";
import { rowStride } from "../ref/quant/codes.js";
import { getEngine } from "../wasm/load.js";
import { FileFormatError } from "./errors.js";
import { f16ToF32 } from "./half.js";
import type { StoredTensor } from "./safetensors.js";
import { savedModelOptions } from "./state.js";

/** What a validated file describes. */
export interface ModelFileDescription {
  model: string;
  /** The saved options (as written) and the options the model is built with (savedModelOptions). */
  savedOptions: ModelOptions;
  modelOptions: ModelOptions;
  table: ResolvedEmbeddingOptions;
  shape: ModelShape;
  /** The saved FeatureMap, parsed (undefined when there is none, or when read as a FeatureMapText). */
  featureMap: FeatureMap | undefined;
  /** The FeatureMap in its JSON form as saved (null when there is none), or its FeatureMapText (option featureMapText). */
  featureMapJson: unknown;
  /** The saved FeatureMap's hash (verified), when there is one. */
  featureMapHash: string | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const shapeText = (s: readonly number[]) => `[${s.join(",")}]`;
const MB = 1024 * 1024;

/**
 * Validates the metadata and tensors of a checkpoint or an export (see the file header); the
 * heap ceiling is the engine's unless given (Infinity: no model will be built, e.g. inspect).
 */
export function validateModelFile(
  kind: "checkpoint" | "export", metadata: Record<string, string>, tensors: Map<string, StoredTensor>, what: string,
  { ceiling = heapCeiling(), featureMapText = false }: { ceiling?: number; featureMapText?: boolean } = {},
): ModelFileDescription {
  const fail = (msg: string, cause?: unknown): never => {
    throw new FileFormatError(`${what}: ${msg}`, cause === undefined ? undefined : { cause });
  };
  const json = (key: string): unknown => {
    if (metadata[key] === undefined) return fail(`metadata "${key}" is missing`);
    try {
      return JSON.parse(metadata[key]!);
    } catch (e) {
      return fail(`metadata "${key}" is not valid JSON (${(e as Error).message})`);
    }
  };
  const model = metadata.model;
  if (typeof model !== "string" || !modelNames().includes(model)) fail(`metadata "model" = ${JSON.stringify(model)} is not a known model (${modelNames().join(", ")})`);
  const saved = json("modelOptions");
  if (!isObject(saved)) return fail(`metadata "modelOptions" is not an object`);
  const o = savedModelOptions(saved as { batchNorm?: boolean }, tensors) as unknown as ModelOptions;
  try {
    checkModelOptions(model, o);
  } catch (e) {
    fail(`metadata "modelOptions": ${(e as Error).message}`, e);
  }
  const table = tableOptions(model, o);
  const shape = modelShape(model, o);
  const about = `the model options (${describeModel(model, o)}, method ${table.method}, bits ${table.bits}, ${shape.rows} rows × dim ${shape.dim})`;
  const exact = (key: string, expected: string) => {
    if (metadata[key] !== expected) fail(`metadata "${key}" = ${JSON.stringify(metadata[key])}, ${about} say ${JSON.stringify(expected)}`);
  };
  exact("method", table.method);
  exact("rows", String(shape.rows));
  exact("dim", String(shape.dim));
  let storage: "codes" | "weights" | undefined;
  let deltaDtype: "F32" | "F16" | undefined;
  if (kind === "checkpoint") {
    exact("bits", String(table.bits));
    if (metadata.hasOptimizer !== "0" && metadata.hasOptimizer !== "1") fail(`metadata "hasOptimizer" = ${JSON.stringify(metadata.hasOptimizer)} (expected "0" or "1")`);
  } else {
    storage = table.method === "fp32" ? "weights" : "codes";
    exact("storage", storage);
    exact("bits", String(storage === "codes" ? table.bits : 32));
    exact("fields", String(shape.fields));
    if (metadata.denseFeatures !== undefined) exact("denseFeatures", String(shape.denseFeatures));
    if (storage === "weights") exact("deltaDtype", "none");
    else if (metadata.deltaDtype === "F32" || metadata.deltaDtype === "F16") deltaDtype = metadata.deltaDtype;
    else fail(`metadata "deltaDtype" = ${JSON.stringify(metadata.deltaDtype)} (expected "F32" or "F16" for codes)`);
  }
  if (metadata.dataFormat !== undefined && !/^[a-z0-9-]+$/.test(metadata.dataFormat)) fail(`metadata "dataFormat" = ${JSON.stringify(metadata.dataFormat)} is not a format name`);

  // featureMapText: a map whose text has the recorded fingerprint is summarised, its tokens not parsed
  const light = featureMapText && metadata.featureMapHash !== undefined && typeof metadata.featureMap === "string" && fingerprint(metadata.featureMap) === metadata.featureMapHash;
  const featureMapJson = light ? readFeatureMapText(metadata.featureMap!, o.fieldSizes, fail) : json("featureMap");
  const featureMap = light ? undefined : readFeatureMap(featureMapJson, metadata.featureMapHash, o.fieldSizes, fail);
  const featureMapHash = featureMap?.hash ?? (featureMapJson instanceof FeatureMapText ? featureMapJson.hash : undefined);

  // the heap the model needs, from the options alone (stops counting at the ceiling)
  const model_ = `the model (${describeModel(model, o)}, ${table.method}${table.method === "fp32" ? "" : ` ${table.bits}-bit`}, ${table.optimizer}, ${shape.rows} rows × dim ${shape.dim})`;
  const need = modelBytes(model, o, ceiling);
  if (need > ceiling) fail(`${model_} needs more than ${(need / MB).toFixed(1)} MB of heap, above the ceiling of ${(ceiling / MB).toFixed(0)} MB (maxMemoryMB)`);

  // the tensors: exactly the expected set, each of the expected dtype and shape, checked as the
  // layout is generated (a file with 2 cross layers and options saying 10⁶ fails at the third)
  const seen = new Set<string>();
  const params = new Map<string, TensorSpec>();
  const expect = (name: string, spec: TensorSpec) => {
    const t = tensors.get(name);
    if (!t) fail(`tensor "${name}" is missing: ${model_} has it (${spec.dtype} ${shapeText(spec.shape)})`);
    else if (t.dtype !== spec.dtype) fail(`tensor "${name}" is ${t.dtype}, ${model_} expects ${spec.dtype}`);
    else if (shapeText(t.shape) !== shapeText(spec.shape)) fail(`tensor "${name}" has shape ${shapeText(t.shape)}, ${model_} expects ${shapeText(spec.shape)}`);
    seen.add(name);
    if (name.startsWith("dense/")) params.set(name, spec);
  };
  forEachDenseTensor(model, o, expect);
  if (kind === "checkpoint") {
    for (const [k, v] of embeddingLayout(table)) expect(k, v);
    if ([...tensors.keys()].some((k) => k.startsWith("best/"))) {
      forEachDenseTensor(model, o, (k, v) => expect(`best/${k}`, v));
      for (const [k, v] of embeddingLayout(table, true)) expect(`best/${k}`, v);
    }
  } else if (storage === "codes") {
    expect("embedding/codes", { dtype: "U8", shape: [shape.rows, rowStride(shape.dim, table.bits)] });
    expect("embedding/delta", { dtype: deltaDtype!, shape: [shape.rows] });
  } else expect("embedding/weights", { dtype: "F32", shape: [shape.rows, shape.dim] });
  for (const [name, t] of tensors) {
    if (seen.has(name)) continue;
    // dense optimizer state: optimizer/<parameter>.<slot>, one f32 per parameter element
    const opt = kind === "checkpoint" ? /^optimizer\/(.+)\.(m|v|momentum)$/.exec(name) : null;
    const p = opt ? params.get(`dense/${opt[1]}`) : undefined;
    if (!p) fail(`tensor "${name}" is not part of ${model_}`);
    const n = p!.shape.reduce((a, b) => a * b, 1);
    if (t.dtype !== "F32" || shapeText(t.shape) !== `[${n}]`) fail(`tensor "${name}" is ${t.dtype} ${shapeText(t.shape)}, the optimizer state of "dense/${opt![1]}" is F32 [${n}]`);
  }

  for (const [name, t] of tensors) checkValues(name, t, fail);
  return { model, savedOptions: saved as unknown as ModelOptions, modelOptions: o, table, shape, featureMap, featureMapJson, featureMapHash };
}

/** The saved FeatureMap summarised without its tokens (data/feature-map-text.ts), with the model's field sizes. */
function readFeatureMapText(text: string, fieldSizes: readonly number[], fail: (msg: string, cause?: unknown) => never): FeatureMapText {
  let t: FeatureMapText;
  try {
    t = FeatureMapText.read(text);
  } catch (e) {
    return fail(`the saved FeatureMap is invalid: ${(e as Error).message}`, e);
  }
  if (shapeText(t.fieldSizes) !== shapeText(fieldSizes)) {
    fail(`the saved FeatureMap has field sizes ${shapeText(t.fieldSizes)}, the model options fieldSizes ${shapeText(fieldSizes)}: ids would not match the table`);
  }
  return t;
}

/** The saved FeatureMap: valid, of the recorded hash (when recorded), with the model's field sizes. */
function readFeatureMap(json: unknown, hash: string | undefined, fieldSizes: readonly number[], fail: (msg: string, cause?: unknown) => never): FeatureMap | undefined {
  if (json === null) {
    if (hash !== undefined) fail(`metadata "featureMapHash" is given but there is no FeatureMap`);
    return undefined;
  }
  let fm: FeatureMap;
  try {
    fm = FeatureMap.fromJSON(json);
  } catch (e) {
    return fail(`the saved FeatureMap is invalid: ${(e as Error).message}`, e);
  }
  // files written before the hash was recorded have none: their map is checked for shape only
  if (hash !== undefined && fm.hash !== hash) {
    fail(`the saved FeatureMap has hash ${fm.hash}, the file records ${JSON.stringify(hash)}: the map was edited (a token moved, a field renamed, …)`);
  }
  if (shapeText(fm.fieldSizes) !== shapeText(fieldSizes)) {
    fail(`the saved FeatureMap has field sizes ${shapeText(fm.fieldSizes)}, the model options fieldSizes ${shapeText(fieldSizes)}: ids would not match the table`);
  }
  return fm;
}

/** Floats finite; Δ > 0; variances and accumulators ≥ 0. */
function checkValues(name: string, t: StoredTensor, fail: (msg: string) => never): void {
  if (t.dtype !== "F32" && t.dtype !== "F16") return;
  const base = name.replace(/^best\//, "");
  const positive = base === "embedding/delta" || base === "embedding/groupDelta";
  const nonNegative = /(runningVar|\/v|\.v|acc)$/.test(base);
  const n = t.data.length / (t.dtype === "F32" ? 4 : 2);
  const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const f32 = t.dtype === "F32" && t.data.byteOffset % 4 === 0 ? new Float32Array(t.data.buffer, t.data.byteOffset, n) : undefined;
  for (let i = 0; i < n; i++) {
    const x = f32 ? f32[i]! : t.dtype === "F32" ? view.getFloat32(i * 4, true) : f16ToF32(view.getUint16(i * 2, true));
    if (positive ? x > 0 && x < Infinity : nonNegative ? x >= 0 && x < Infinity : Number.isFinite(x)) continue;
    if (positive) fail(`tensor "${name}": Δ of ${base === "embedding/delta" ? "row" : "group"} ${i} = ${x} is not a positive finite step size`);
    fail(`tensor "${name}": element ${i} = ${x} is not ${nonNegative ? "a finite value ≥ 0" : "finite"}`);
  }
}

/**
 * The engine's heap ceiling; Infinity before init() (train --resume reads its file first): then
 * createModel compares the model with the ceiling when it is built, still before allocating.
 */
function heapCeiling(): number {
  try {
    return getEngine().heap.maxBytes;
  } catch {
    return Infinity;
  }
}

/** Validates checkpoint scalars: numbers, counters non-negative integers, momentum in (0, 1], Δ floor > 0. */
export function checkScalars(scalars: unknown, what: string): Record<string, number> {
  const fail = (msg: string): never => {
    throw new FileFormatError(`${what}: metadata "scalars": ${msg}`);
  };
  if (!isObject(scalars)) return fail("not an object");
  for (const [k, v] of Object.entries(scalars)) {
    if (!/^(embedding|model|optimizer)\./.test(k)) fail(`unknown key "${k}" (keys start with embedding., model. or optimizer.)`);
    if (typeof v !== "number" || !Number.isFinite(v)) fail(`"${k}" = ${JSON.stringify(v)} is not a finite number`);
    const x = v as number;
    if (/(step|Step|calls|updates|\.t)$/.test(k) && !(Number.isSafeInteger(x) && x >= 0)) fail(`"${k}" = ${x} must be an integer ≥ 0`);
    if (k.endsWith("momentum") && !(x > 0 && x <= 1)) fail(`"${k}" = ${x} must be in (0, 1]`);
    if ((k === "embedding.deltaFloor" || k === "optimizer.lr") && !(x > 0)) fail(`"${k}" = ${x} must be > 0`);
  }
  return scalars as Record<string, number>;
}
