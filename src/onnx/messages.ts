// The ONNX messages an export writes (onnx/onnx.proto, proto2; field numbers as there), encoded
// with onnx/protobuf.ts:
//
//   ModelProto          1 ir_version, 2 producer_name, 3 producer_version, 6 doc_string, 7 graph,
//                       8 opset_import, 14 metadata_props
//   OperatorSetIdProto  1 domain, 2 version          StringStringEntryProto  1 key, 2 value
//   GraphProto          1 node, 2 name, 5 initializer, 11 input, 12 output
//   NodeProto           1 input, 2 output, 3 name, 4 op_type, 5 attribute
//   AttributeProto      1 name, 3 i, 4 s, 8 ints, 20 type (INT 2, STRING 3, INTS 7)
//   TensorProto         1 dims, 2 data_type, 8 name, 9 raw_data (little-endian)
//   ValueInfoProto      1 name, 2 type → TypeProto 1 tensor_type → 1 elem_type, 2 shape →
//                       TensorShapeProto 1 dim → 1 dim_value | 2 dim_param
import { ProtoWriter } from "./protobuf.js";

/** Element types used by the exports (TensorProto.DataType). */
export const DATA_TYPE = { float: 1, uint8: 2, int8: 3, int16: 5, int32: 6, int64: 7, float16: 10 } as const;
export type OnnxDtype = keyof typeof DATA_TYPE;

/** A named constant tensor of the graph. */
export interface Initializer {
  name: string;
  dtype: OnnxDtype;
  dims: readonly number[];
  /** Little-endian element bytes (kept by reference). */
  raw: Uint8Array;
}

/** Attribute values: an integer, a list of integers or a string. */
export type AttributeValue = number | readonly number[] | string;

/** One operator application. */
export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

/** A graph input or output: a name, an element type and a shape (a string dimension is symbolic, e.g. "batch"). */
export interface ValueInfo {
  name: string;
  dtype: OnnxDtype;
  shape: readonly (number | string)[];
}

/** A whole model. */
export interface ModelSpec {
  irVersion: number;
  opset: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  graphName: string;
  nodes: readonly NodeSpec[];
  initializers: readonly Initializer[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
  metadata: Readonly<Record<string, string>>;
}

function attribute(name: string, v: AttributeValue): ProtoWriter {
  const a = new ProtoWriter().string(1, name);
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new RangeError(`onnx: attribute ${name} = ${v} must be an integer`);
    a.int(3, v).int(20, 2);
  } else if (typeof v === "string") a.string(4, v).int(20, 3);
  else {
    for (const x of v) a.int(8, x);
    a.int(20, 7);
  }
  return a;
}

function node(n: NodeSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.op);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, attribute(k, v));
  return w;
}

function tensor(t: Initializer): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  return w.int(2, DATA_TYPE[t.dtype]).string(8, t.name).bytes(9, t.raw);
}

function valueInfo(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) shape.message(1, typeof d === "number" ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, DATA_TYPE[v.dtype]).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

/** The ModelProto of `m` as parts (initializer bytes by reference). */
export function encodeModel(m: ModelSpec): Uint8Array[] {
  const g = new ProtoWriter();
  for (const n of m.nodes) g.message(1, node(n));
  g.string(2, m.graphName);
  for (const t of m.initializers) g.message(5, tensor(t));
  for (const v of m.inputs) g.message(11, valueInfo(v));
  for (const v of m.outputs) g.message(12, valueInfo(v));
  const w = new ProtoWriter().int(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, g);
  w.message(8, new ProtoWriter().string(1, "").int(2, m.opset));
  for (const [k, v] of Object.entries(m.metadata)) w.message(14, new ProtoWriter().string(1, k).string(2, v));
  return w.finish();
}
