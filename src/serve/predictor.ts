// Serving: load an export (io/export.ts) and predict click probabilities on raw rows. Uses the
// model's forward pass in evaluation mode (dropout off, batch-norm running statistics) and the
// same lookup kernels as training, so an export with F32 Δ predicts exactly what the trained
// model predicts; nothing from train/ or optim/ is loaded. Call `await init()` first.
//
//   raw row ──FeatureMap──▶ ids [F] (unseen → OOV, empty → missing) ──lookup──▶ [1, F, D]
//     ──forwardEmbedded (eval)──▶ logit ──sigmoid──▶ p
// A model with bag fields takes encoded rows with their bags (predictIds(ids, dense, bags)): the
// lookup then pools them in the same kernels as training (kernels/bag.ts).
//
// The dense network depends only on the number of fields, not on their vocabularies: it is built
// with one row per field and fed rows looked up in the exported table.
import { FeatureMap } from "../data/feature-map.js";
import type { RawValue } from "../data/schema.js";
import type { DatasetConfig } from "../data/config.js";
import type { FittedInputs } from "../data/encode-row.js";
import { dataConfigFromJSON } from "../data/prepare-config.js";
import { gatherRowsF32 } from "../kernels/embed.js";
import { bagDequant, bagRowsF32, type HeapBags } from "../kernels/bag.js";
import type { BagData } from "../data/bag-fields.js";
import { batchBags, checkBagData } from "../data/bag-batch.js";
import { batchLayout } from "../models/bag-layout.js";
import { gatherDequant, type PackedTable } from "../kernels/quant.js";
import type { CtrModel } from "../models/base.js";
import { createModel, type ModelOptions } from "../models/registry.js";
import { sigmoidOf } from "../ops/sigmoid.js";
import { noGrad, scope } from "../tensor/tape.js";
import { Tensor } from "../tensor/tensor.js";
import type { HeapF32, HeapI32 } from "../wasm/heap.js";
import { getEngine } from "../wasm/load.js";
import { EXPORT_FORMAT, EXPORT_VERSION } from "../io/export.js";
import { fromF16Array } from "../io/half.js";
import { decodeSafetensors, type StoredTensor } from "../io/safetensors.js";
import { collectState, entryBytes } from "../io/state.js";
import { FileFormatError } from "../io/errors.js";
import { validateModelFile } from "../io/validate.js";

/** A raw row: values in field order, or a record keyed by field name (absent keys are missing). */
export type RowInput = readonly RawValue[] | Readonly<Record<string, RawValue>>;

/** What a predictor serves. */
export interface PredictorInfo {
  model: string;
  modelOptions: ModelOptions;
  /** The training method of the table ("fp32", "lpt", "alpt", "qat-lsq"). */
  method: string;
  /** "codes" (packed b-bit codes + Δ) or "weights" (fp32 rows). */
  storage: "codes" | "weights";
  bits: number;
  rows: number;
  dim: number;
  /** Single-valued fields (the id columns of predictIds). */
  fields: number;
  /** Bag fields and their pooling (the bags of predictIds). */
  bagPooling: readonly ("mean" | "sum")[];
  deltaDtype: "F32" | "F16" | "none";
  featureMap: FeatureMap | undefined;
  dataFormat: string | undefined;
  /** Config datasets: the dataset config and fitted normalisers, for encodeRawRow (data/encode-row.ts). */
  dataConfig?: { config: DatasetConfig; fitted: FittedInputs };
}

/** A loaded model that predicts click probabilities. */
export interface Predictor {
  readonly info: PredictorInfo;
  /** The probability of one raw row (needs the artifact's FeatureMap). */
  predict(row: RowInput): number;
  /** Probabilities of raw rows (needs the artifact's FeatureMap). */
  predictBatch(rows: readonly RowInput[]): Float32Array;
  /**
   * Probabilities of encoded rows.
   * @param ids i32 [n, fields] global row ids
   * @param dense f32 [n, denseFeatures] for models with dense features
   * @param bags the bag fields of the n rows, for models with bag fields
   */
  predictIds(ids: Int32Array, dense?: Float32Array, bags?: BagData): Float32Array;
  /** Frees the heap memory of the predictor (its model and table). */
  dispose(): void;
}

/** Options of loadPredictor. */
export interface PredictorOptions {
  /** Rows per forward pass (default 2048, the trainer's default batch). */
  batchSize?: number;
  /** Name of the input in messages (a path). */
  what?: string;
}

/** Rows of the ids, or (with bags) the pooled rows of the bags. */
type Lookup = (ids: HeapI32, n: number, shape: readonly number[], bags?: HeapBags) => Tensor;

/** A predictor over a model whose forward pass reads rows through `lookup`. */
function makePredictor(model: CtrModel, lookup: Lookup, info: PredictorInfo, batchSize: number, release: () => void): Predictor {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`predictor: batchSize = ${batchSize} must be a positive integer`);
  const F = model.fields, D = info.dim, nd = model.denseFeatures;
  let idsBuf: HeapI32 | undefined = getEngine().heap.allocI32(batchSize * F, "predictor ids");
  model.train(false);
  const live = (): HeapI32 => {
    if (!idsBuf) throw new Error("predictor: used after dispose()");
    return idsBuf;
  };

  const S = model.embeddedFields;
  const predictIds = (ids: Int32Array, dense?: Float32Array, bags?: BagData): Float32Array => {
    if (ids.length % F !== 0) throw new RangeError(`predictor: ids has ${ids.length} elements, not a multiple of ${F} fields`);
    const n = ids.length / F;
    if (nd && (!dense || dense.length !== n * nd)) throw new RangeError(`predictor: the model takes ${nd} dense features per row: dense must have ${n * nd} values, got ${dense?.length ?? 0}`);
    if (model.bagFields && !bags) throw new RangeError(`predictor: the model takes ${model.bagFields} bag fields (pooling ${JSON.stringify(model.bagPooling)}): pass their bags`);
    if (bags) checkBagData(bags, n, "predictor: bags");
    const out = new Float32Array(n);
    const buf = live();
    for (let s = 0; s < n; s += batchSize) {
      const B = Math.min(batchSize, n - s);
      buf.array.set(ids.subarray(s * F, (s + B) * F));
      noGrad(() =>
        scope(() => {
          const layout = batchLayout(model, buf, B, bags && batchBags(bags, undefined, s, B));
          const e = lookup(buf, B * F, [B, S, D], layout);
          const d = nd ? Tensor.from(dense!.subarray(s * nd, (s + B) * nd), [B, nd]) : undefined;
          const z = model.forwardEmbedded(e, d).values;
          for (let i = 0; i < B; i++) out[s + i] = sigmoidOf(z[i]);
        }),
      );
    }
    return out;
  };

  const encode = (rows: readonly RowInput[]): Int32Array => {
    const fm = info.featureMap;
    if (!fm) throw new Error("predictor: the model was saved without a FeatureMap; use predictIds with encoded ids");
    if (nd) throw new Error(`predictor: the model takes ${nd} dense features; use predictIds`);
    if (model.bagFields) throw new Error(`predictor: the model takes ${model.bagFields} bag fields; use predictIds with their bags`);
    const ids = new Int32Array(rows.length * F);
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k];
      try {
        if (Array.isArray(r)) fm.encode(r as readonly RawValue[], ids, k * F);
        else if (typeof r === "object" && r !== null) fm.encodeRecord(r as Record<string, RawValue>, ids, k * F);
        else throw new TypeError(`expected an array of ${F} values or a record keyed by field name, got ${r === null ? "null" : typeof r}`);
      } catch (e) {
        throw new (e instanceof TypeError ? TypeError : RangeError)(`predictor: row ${k}: ${(e as Error).message}`);
      }
    }
    return ids;
  };

  return {
    info,
    predict: (row) => predictIds(encode([row]))[0],
    predictBatch: (rows) => predictIds(encode(rows)),
    predictIds,
    dispose() {
      if (!idsBuf) return;
      idsBuf.free();
      idsBuf = undefined;
      release();
    },
  };
}

const featureMapOf = (json: unknown, what: string): FeatureMap | undefined => {
  if (json === null || json === undefined) return undefined;
  try {
    return FeatureMap.fromJSON(json);
  } catch (e) {
    throw new Error(`${what}: the saved FeatureMap is invalid: ${(e as Error).message}`, { cause: e });
  }
};

/**
 * A predictor over a live model (e.g. restored from a checkpoint): looks rows up in the model's
 * own table. The model stays owned by the caller (dispose() frees only the predictor's buffers).
 */
export function predictorFromModel(
  model: CtrModel, info: { model: string; modelOptions: ModelOptions; featureMap?: unknown; dataFormat?: string; dataConfig?: unknown },
  options: PredictorOptions = {},
): Predictor {
  const t = model.embedding.options;
  const featureMap = featureMapOf(info.featureMap, options.what ?? "model");
  if (featureMap) checkFeatureMap(featureMap, model.embeddedFields, t.rows, options.what ?? "model");
  const pinfo: PredictorInfo = {
    model: info.model, modelOptions: info.modelOptions, method: t.method,
    storage: model.embedding.packed ? "codes" : "weights", bits: model.embedding.packed ? t.bits : 32,
    rows: t.rows, dim: t.dim, fields: model.fields, bagPooling: model.bagPooling, deltaDtype: model.embedding.packed ? "F32" : "none",
    featureMap, dataFormat: info.dataFormat,
  };
  if (featureMap && info.dataConfig != null) pinfo.dataConfig = dataConfigFromJSON(info.dataConfig, featureMap, `${options.what ?? "model"}: dataConfig`);
  const lookup: Lookup = (ids, n, shape, bags) => (bags ? model.embedding.lookupBags(bags, shape, false) : model.embedding.lookup(ids, n, shape, false));
  const p = makePredictor(model, lookup, pinfo, options.batchSize ?? 2048, () => undefined);
  return { ...p, dispose: () => { p.dispose(); model.train(true); } };
}

function checkFeatureMap(fm: FeatureMap, fields: number, rows: number, what: string): void {
  if (fm.numFields !== fields || fm.totalRows !== rows) {
    throw new Error(`${what}: the FeatureMap has ${fm.numFields} fields and ${fm.totalRows} rows, the model ${fields} fields and ${rows} rows`);
  }
}

/**
 * Loads an export (the bytes of a file written by io/export.ts) into a predictor. Everything the
 * file says is checked against its tensors first (io/validate.ts, shared with checkpoints).
 */
export function loadPredictor(bytes: Uint8Array, options: PredictorOptions = {}): Predictor {
  const what = options.what ?? "export";
  const { metadata: m, tensors } = decodeSafetensors(bytes, { what, requireChecksum: true });
  const fail = (msg: string): never => {
    throw new FileFormatError(`${what}: ${msg}`);
  };
  if (m.format !== EXPORT_FORMAT) fail(`metadata format is ${JSON.stringify(m.format)}, expected "${EXPORT_FORMAT}"${m.format === "alpt-checkpoint" ? " (a checkpoint: export it first, or use predictorFromModel)" : ""}`);
  if (m.version !== String(EXPORT_VERSION)) fail(`format version ${m.version} is not supported (this build reads ${EXPORT_VERSION})`);
  const d = validateModelFile("export", m, tensors, what);
  const { rows, dim, fields } = d.shape;
  const storage = d.table.method === "fp32" ? "weights" : "codes";
  const bits = storage === "codes" ? d.table.bits : 32;
  const deltaDtype = m.deltaDtype as "F32" | "F16" | "none";
  const featureMap = d.featureMap;
  const modelOptions = d.savedOptions;
  const tensor = (name: string): StoredTensor => tensors.get(name)!;

  let model: CtrModel;
  try {
    model = createModel(d.model, {
      ...d.modelOptions, fieldSizes: new Array<number>(fields).fill(1),
      embedding: { method: "fp32", optimizer: "sgd", initStd: 0 },
    });
  } catch (e) {
    return fail(`cannot build the model it describes: ${(e as Error).message}`);
  }
  const { heap } = getEngine();
  const owned: { free(): void }[] = [];
  try {
    if (model.embeddedFields !== fields || model.embedding.dim !== dim) fail(`the model has ${model.embeddedFields} fields of dim ${model.embedding.dim}, the table ${fields} fields of dim ${dim}`);
    for (const [name, e] of collectState(model).tensors) {
      if (!name.startsWith("dense/") && !name.startsWith("buffer/")) continue;
      entryBytes(e).set(tensor(name).data);
    }
    let lookup: Lookup;
    if (storage === "codes") {
      const codesT = tensor("embedding/codes");
      const deltaT = tensor("embedding/delta");
      const codes = heap.allocU8(codesT.data.length, "predictor codes");
      owned.push(codes);
      const delta: HeapF32 = heap.allocF32(rows, "predictor delta");
      owned.push(delta);
      codes.array.set(codesT.data);
      if (deltaDtype === "F16") {
        const h = new Uint16Array(rows);
        new Uint8Array(h.buffer).set(deltaT.data);
        fromF16Array(h, delta.array);
      } else new Uint8Array(delta.array.buffer, delta.ptr, rows * 4).set(deltaT.data);
      // an F16 Δ > 0 stays > 0 in f32; every Δ was checked by validateModelFile
      const table: PackedTable = { codes, delta, rows, dim, bits };
      lookup = (ids, n, shape, bags) => {
        const out = Tensor.scratch(shape, false, "predictor.lookup");
        if (bags) bagDequant(table, bags, out.data);
        else gatherDequant(table, ids, out.data, n);
        return out;
      };
    } else {
      const wT = tensor("embedding/weights");
      const w = heap.allocF32(rows * dim, "predictor weights");
      owned.push(w);
      new Uint8Array(w.array.buffer, w.ptr, rows * dim * 4).set(wT.data);
      lookup = (ids, n, shape, bags) => {
        const out = Tensor.scratch(shape, false, "predictor.lookup");
        if (bags) bagRowsF32(w, rows, dim, bags, out.data);
        else gatherRowsF32(w, rows, dim, ids, out.data, n);
        return out;
      };
    }
    const info: PredictorInfo = {
      model: d.model, modelOptions, method: d.table.method, storage, bits, rows, dim, fields: model.fields, bagPooling: model.bagPooling, deltaDtype, featureMap,
      dataFormat: m.dataFormat,
    };
    if (m.dataConfig !== undefined) {
      if (!featureMap) fail(`metadata "dataConfig" is given but there is no FeatureMap`);
      try {
        info.dataConfig = dataConfigFromJSON(JSON.parse(m.dataConfig), featureMap!, "dataConfig");
      } catch (e) {
        fail(`metadata ${(e as Error).message}`);
      }
    }
    const release = () => {
      for (const b of owned) b.free();
      model.dispose();
    };
    return makePredictor(model, lookup, info, options.batchSize ?? 2048, release);
  } catch (e) {
    for (const b of owned) b.free();
    model.dispose();
    throw e;
  }
}
