// ONNX export of a trained model (opset 17, IR version 8): the graph any ONNX runtime serves.
//
//   inputs   ids   int64 | int32 [batch, F]   global row ids, as FeatureMap.encode gives them
//            dense float [batch, nd]          only for models with dense features
//            bag_ids  [batch, Fb, bag_len]    only for models with bag fields: each bag padded
//            bag_mask float [batch, Fb, bag_len]  to bag_len (≥ 1) values, 1 = value, 0 = padding
//                                             (onnx/embedding.ts lookupWithBags)
//   output   probability float [batch, 1]     sigmoid of the logit
//
// Built from the alpt export of the model (io/export.ts), so the ONNX file holds the same
// tensors as `alpt export` (packed codes and Δ kept as they are, onnx/embedding.ts) and predicts
// what loadPredictor(export) predicts; batch norm is folded into the preceding Linear
// (onnx/models.ts). metadata_props carry what the alpt export's metadata says: model, options,
// method, bits, storage, deltaDtype, the FeatureMap JSON and its hash.
// The protobuf is written by onnx/protobuf.ts (no dependency).
import type { CtrModel } from "../models/base.js";
import { DCN } from "../models/dcn.js";
import { DeepFM } from "../models/deepfm.js";
import { DNN } from "../models/dnn.js";
import { FM } from "../models/fm.js";
import { LR } from "../models/lr.js";
import { WideDeep } from "../models/wide-deep.js";
import type { ModelOptions } from "../models/registry.js";
import { encodeExport, EXPORT_FORMAT, EXPORT_VERSION, type ExportInfo } from "../io/export.js";
import { decodeSafetensors, type StoredTensor } from "../io/safetensors.js";
import { validateModelFile } from "../io/validate.js";
import { FileFormatError } from "../io/errors.js";
import { concatBytes } from "../util/bytes.js";
import { lookup, lookupWithBags, type TableData } from "./embedding.js";
import { GraphBuilder } from "./graph.js";
import { encodeModel, type ValueInfo } from "./messages.js";
import { denseNetwork } from "./models.js";

/** The ONNX operator set the graphs use (default domain). */
export const ONNX_OPSET = 17;
/** The ONNX IR version of the files (IR 8 goes with opset 17). */
export const ONNX_IR_VERSION = 8;
/** The largest protobuf message ONNX runtimes parse (2 GiB − 1). */
const PROTOBUF_LIMIT = 2 ** 31 - 1;
/** metadata_props "format" of our files. */
export const ONNX_FORMAT = "alpt-onnx";

/** Options of an ONNX export. */
export interface OnnxExportOptions {
  /** Element type of the ids input (default "int64", what most ONNX clients send). */
  idsDtype?: "int64" | "int32";
  /** Element type of Δ for code tables: "F32" (exact, default) or "F16" (as `alpt export --delta-dtype f16`). */
  deltaDtype?: "F32" | "F16";
  /** Name of the input in messages. */
  what?: string;
}

/** The registry name and options of a live model (when the caller gives no ExportInfo). */
function describeLive(model: CtrModel): Pick<ExportInfo, "model" | "modelOptions"> {
  const name = model instanceof LR ? "LR" : model instanceof FM ? "FM" : model instanceof DeepFM ? "DeepFM"
    : model instanceof WideDeep ? "WideDeep" : model instanceof DNN ? "DNN"
    : model instanceof DCN ? (model.options.crossVersion === 2 ? "DCNv2" : "DCN") : undefined;
  if (!name) throw new TypeError(`exportOnnx: unknown model class ${model.constructor.name}; pass its ExportInfo`);
  // LR and FM keep their options as given to the base class, with the sizes they fix written in
  const { embeddingDim, ...rest } = model.baseOptions;
  const modelOptions: ModelOptions = "options" in model ? (model as { options: ModelOptions }).options : name === "FM" ? { ...rest, embeddingDim } : rest;
  return { model: name, modelOptions };
}

/**
 * The ONNX file of a live model (evaluation mode: running statistics, no dropout). `info` names
 * the model and its options and carries the FeatureMap; without it the model is described from
 * its class and options, with no FeatureMap.
 */
export function exportOnnx(model: CtrModel, info?: ExportInfo, options: OnnxExportOptions = {}): Uint8Array {
  const full: ExportInfo = info ?? { ...describeLive(model), featureMap: undefined };
  return concatBytes(onnxFromExportParts(encodeExport(model, full, { deltaDtype: options.deltaDtype ?? "F32" }), options));
}

/** The ONNX file of an `alpt export` artifact (its bytes). */
export function onnxFromExport(bytes: Uint8Array, options: Omit<OnnxExportOptions, "deltaDtype"> = {}): Uint8Array {
  return concatBytes(onnxFromExportParts(bytes, options));
}

const f32Of = (t: StoredTensor): Float32Array => {
  const copy = t.data.slice();
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
};

/** The ONNX file of an `alpt export` artifact as parts (the table's bytes referenced, not copied). */
export function onnxFromExportParts(bytes: Uint8Array, options: Omit<OnnxExportOptions, "deltaDtype"> = {}): Uint8Array[] {
  const what = options.what ?? "export";
  const idsDtype = options.idsDtype ?? "int64";
  if (idsDtype !== "int64" && idsDtype !== "int32") throw new RangeError(`exportOnnx: idsDtype = ${JSON.stringify(idsDtype)} (expected "int64" or "int32")`);
  const { metadata: m, tensors } = decodeSafetensors(bytes, { what, requireChecksum: true });
  if (m.format !== EXPORT_FORMAT) throw new FileFormatError(`${what}: metadata format is ${JSON.stringify(m.format)}, expected "${EXPORT_FORMAT}"`);
  if (m.version !== String(EXPORT_VERSION)) throw new FileFormatError(`${what}: format version ${m.version} is not supported (this build reads ${EXPORT_VERSION})`);
  const d = validateModelFile("export", m, tensors, what, { ceiling: Infinity });
  const { rows, dim, fields, embeddingDim, denseFeatures } = d.shape;
  const tensor = (name: string): StoredTensor => {
    const t = tensors.get(name);
    if (!t) throw new FileFormatError(`${what}: tensor "${name}" is missing`);
    return t;
  };

  const g = new GraphBuilder();
  const ids = g.input("ids");
  const dense = denseFeatures ? g.input("dense") : undefined;
  const table: TableData = m.storage === "codes"
    ? { storage: "codes", rows, dim, bits: d.table.bits, codes: tensor("embedding/codes").data, delta: { dtype: m.deltaDtype as "F32" | "F16", bytes: tensor("embedding/delta").data } }
    : { storage: "weights", rows, dim, weights: f32Of(tensor("embedding/weights")) };
  const bagPooling = d.modelOptions.bagPooling ?? [];
  const Fb = bagPooling.length, single = fields - Fb;
  const bagIds = Fb ? g.input("bag_ids") : undefined, bagMask = Fb ? g.input("bag_mask") : undefined;
  const e = Fb ? lookupWithBags(g, ids, bagIds!, bagMask!, table, single, bagPooling) : lookup(g, ids, table);
  const logit = denseNetwork(g, e, dense, {
    model: d.model, options: d.modelOptions, fields, embeddingDim, denseFeatures,
    tensor: (name) => f32Of(tensor(name)),
  });
  g.nodes.push({ op: "Sigmoid", inputs: [logit], outputs: ["probability"], name: "Sigmoid_probability" });

  const inputs: ValueInfo[] = [{ name: "ids", dtype: idsDtype, shape: ["batch", single] }];
  if (Fb) inputs.push({ name: "bag_ids", dtype: idsDtype, shape: ["batch", Fb, "bag_len"] }, { name: "bag_mask", dtype: "float", shape: ["batch", Fb, "bag_len"] });
  if (dense) inputs.push({ name: "dense", dtype: "float", shape: ["batch", denseFeatures] });
  const metadata: Record<string, string> = {
    format: ONNX_FORMAT,
    model: d.model,
    modelOptions: m.modelOptions!,
    method: m.method!,
    storage: m.storage!,
    bits: m.bits!,
    rows: String(rows),
    dim: String(dim),
    fields: String(single),
    ...(Fb ? { bagPooling: JSON.stringify(bagPooling) } : {}),
    denseFeatures: String(denseFeatures),
    deltaDtype: m.deltaDtype!,
    featureMap: m.featureMap ?? "null",
    ...(m.featureMapHash !== undefined ? { featureMapHash: m.featureMapHash } : {}),
    ...(m.dataFormat !== undefined ? { dataFormat: m.dataFormat } : {}),
  };
  const parts = encodeModel({
    irVersion: ONNX_IR_VERSION,
    opset: ONNX_OPSET,
    producerName: "alpt",
    producerVersion: "0.1.0",
    docString: `${d.model} CTR model (${d.table.method}${m.storage === "codes" ? `, ${d.table.bits}-bit codes + ${m.deltaDtype} Δ` : ", fp32 rows"}): ids [batch, ${single}]${Fb ? `, bag_ids and bag_mask [batch, ${Fb}, bag_len] (${bagPooling.join(", ")} pooled)` : ""}${dense ? ` and dense [batch, ${denseFeatures}]` : ""} → probability [batch, 1]`,
    graphName: `alpt_${d.model}`,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs,
    outputs: [{ name: "probability", dtype: "float", shape: ["batch", 1] }],
    metadata,
  });
  const size = parts.reduce((n, p) => n + p.length, 0);
  if (size > PROTOBUF_LIMIT) {
    throw new RangeError(`${what}: the ONNX file would be ${size.toLocaleString("en")} bytes, above protobuf's 2 GiB limit (ONNX external data is not written; export with fewer bits or an F16 Δ)`);
  }
  return parts;
}

/** Writes the ONNX file of `model` atomically (Node). */
export async function saveOnnx(path: string, model: CtrModel, info?: ExportInfo, options: OnnxExportOptions = {}): Promise<void> {
  const { writeFileAtomic } = await import("../io/atomic.js");
  const full: ExportInfo = info ?? { ...describeLive(model), featureMap: undefined };
  await writeFileAtomic(path, onnxFromExportParts(encodeExport(model, full, { deltaDtype: options.deltaDtype ?? "F32" }), options));
}
