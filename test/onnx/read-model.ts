// Test helper: reads the few ModelProto fields a test checks (ir_version, opset_import,
// metadata_props, the graph's initializer types) with a minimal protobuf reader, independent of
// src/onnx/protobuf.ts (ONNX Runtime's JS API does not expose them).

interface Field {
  field: number;
  wire: number;
  value: bigint | Uint8Array;
}

function* fields(b: Uint8Array): Generator<Field> {
  let p = 0;
  const varint = (): bigint => {
    let x = 0n, shift = 0n;
    for (;;) {
      const byte = b[p++]!;
      x |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return x;
      shift += 7n;
    }
  };
  while (p < b.length) {
    const key = Number(varint());
    const field = key >>> 3, wire = key & 7;
    if (wire === 0) yield { field, wire, value: varint() };
    else if (wire === 2) {
      const n = Number(varint());
      yield { field, wire, value: b.subarray(p, p + n) };
      p += n;
    } else if (wire === 5) {
      yield { field, wire, value: b.subarray(p, p + 4) };
      p += 4;
    } else if (wire === 1) {
      yield { field, wire, value: b.subarray(p, p + 8) };
      p += 8;
    } else throw new Error(`wire type ${wire} at ${p}`);
  }
}

const text = (v: bigint | Uint8Array) => new TextDecoder().decode(v as Uint8Array);

/** What a test checks of a ModelProto. */
export interface ModelSummary {
  irVersion: number;
  opsets: Record<string, number>;
  metadata: Record<string, string>;
  /** Initializer name → ONNX data type and dims. */
  initializers: Record<string, { dataType: number; dims: number[]; bytes: number }>;
  ops: string[];
}

export function readModel(bytes: Uint8Array): ModelSummary {
  const out: ModelSummary = { irVersion: 0, opsets: {}, metadata: {}, initializers: {}, ops: [] };
  for (const f of fields(bytes)) {
    if (f.field === 1) out.irVersion = Number(f.value);
    else if (f.field === 8) {
      let domain = "", version = 0;
      for (const g of fields(f.value as Uint8Array)) g.field === 1 ? (domain = text(g.value)) : g.field === 2 && (version = Number(g.value));
      out.opsets[domain] = version;
    } else if (f.field === 14) {
      let k = "", v = "";
      for (const g of fields(f.value as Uint8Array)) g.field === 1 ? (k = text(g.value)) : g.field === 2 && (v = text(g.value));
      out.metadata[k] = v;
    } else if (f.field === 7) {
      for (const g of fields(f.value as Uint8Array)) {
        if (g.field === 1) {
          for (const n of fields(g.value as Uint8Array)) if (n.field === 4) out.ops.push(text(n.value));
        } else if (g.field === 5) {
          let name = "", dataType = 0, bytes = 0;
          const dims: number[] = [];
          for (const t of fields(g.value as Uint8Array)) {
            if (t.field === 1) dims.push(Number(t.value));
            else if (t.field === 2) dataType = Number(t.value);
            else if (t.field === 8) name = text(t.value);
            else if (t.field === 9) bytes = (t.value as Uint8Array).length;
          }
          out.initializers[name] = { dataType, dims, bytes };
        }
      }
    }
  }
  return out;
}
