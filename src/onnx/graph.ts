// Building an ONNX graph: nodes in topological order (each added after its inputs) and
// initializers, with unique value names. The builders of onnx/embedding.ts and onnx/models.ts
// call `op` the way the forward pass calls ops/, and get the output's name back:
//
//   const h = g.op("Gemm", [x, g.f32("deep.0.W", W, [in, out]), b]);   // h = x·W + b
import type { AttributeValue, Initializer, NodeSpec, OnnxDtype } from "./messages.js";

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: Initializer[] = [];
  private readonly used = new Set<string>();

  /** `hint`, or `hint_2`, `hint_3`, … if taken. */
  private fresh(hint: string): string {
    let name = hint, k = 1;
    while (this.used.has(name)) name = `${hint}_${++k}`;
    this.used.add(name);
    return name;
  }

  /** Reserves a name (a graph input). */
  input(name: string): string {
    if (this.used.has(name)) throw new Error(`onnx: value name "${name}" is taken`);
    this.used.add(name);
    return name;
  }

  /** A constant tensor; `data` is referenced, not copied (its bytes are the little-endian elements). */
  constant(hint: string, dtype: OnnxDtype, dims: readonly number[], data: ArrayBufferView): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dtype, dims: [...dims], raw: bytesOf(data) });
    return name;
  }

  /** A float32 constant. */
  f32(hint: string, values: Float32Array | readonly number[], dims: readonly number[]): string {
    const a = values instanceof Float32Array ? values : Float32Array.from(values);
    const n = dims.reduce((x, y) => x * y, 1);
    if (a.length !== n) throw new RangeError(`onnx: constant ${hint} has ${a.length} values, its shape [${dims.join(",")}] needs ${n}`);
    return this.constant(hint, "float", dims, a);
  }

  /** An int64 constant (shapes, axes, slice bounds). */
  i64(hint: string, values: readonly number[]): string {
    return this.constant(hint, "int64", [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /** Adds a node with one output; returns the output's name. */
  op(op: string, inputs: readonly string[], attributes?: Record<string, AttributeValue>, hint = op.toLowerCase()): string {
    const out = this.fresh(hint);
    this.nodes.push({ op, inputs, outputs: [out], name: `${op}_${out}`, ...(attributes ? { attributes } : {}) });
    return out;
  }
}
