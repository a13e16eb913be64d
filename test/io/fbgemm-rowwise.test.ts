// The tables in FBGEMM's row-wise layout (src/io/fbgemm-rowwise.ts), read back the way FBGEMM reads
// them: a decoder written from FBGEMM's FusedNBitRowwiseQuantizedSBHalfToFloatOrHalfRef (src/
// QuantUtils.cc: element j in byte j / (8/B) shifted by (j mod 8/B)·B, value scale·q + bias with the
// fp16 scale and bias of the row) gives c·Δ₁₆ exactly — every row of every field, for codes of 1 to 8
// bits, dims that force a wider type, every method, and fp32 / 16-bit tables as FP32 rows.
import { beforeAll, describe, expect, it } from "vitest";
import { createModel, type ModelOptions } from "../../src/models/registry.js";
import { encodeExport } from "../../src/io/export.js";
import { encodeFbgemmRowwise, fbgemmSparseType } from "../../src/io/fbgemm-rowwise.js";
import { decodeSafetensors } from "../../src/io/safetensors.js";
import { f16ToF32, f32ToF16 } from "../../src/io/half.js";
import { readCode, rowStride } from "../../src/ref/quant/codes.js";
import { engine } from "../helpers/engine.js";

beforeAll(async () => {
  await engine();
});

/** FBGEMM's reference dequantization of one B-bit row with its 4 bytes of fp16 scale and bias. */
function fbgemmRow(weight: Uint8Array, scaleShift: Uint8Array, row: number, dim: number, B: number): Float32Array {
  const perByte = 8 / B, rowBytes = (dim * B) / 8;
  const ss = new DataView(scaleShift.buffer, scaleShift.byteOffset + row * 4, 4);
  const scale = f16ToF32(ss.getUint16(0, true)), bias = f16ToF32(ss.getUint16(2, true));
  const out = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    const q = (weight[row * rowBytes + Math.floor(j / perByte)]! >> ((j % perByte) * B)) & ((1 << B) - 1);
    out[j] = Math.fround(Math.fround(scale * q) + bias);
  }
  return out;
}

describe("FBGEMM row-wise tables", () => {
  it("sparse types: the next of 2, 4, 8 bits that packs whole bytes per row; fp32 and 16-bit → FP32", () => {
    expect([1, 2, 3, 4, 5, 8].map((b) => fbgemmSparseType(b, 16).type)).toEqual(["INT2", "INT2", "INT4", "INT4", "INT8", "INT8"]);
    expect(fbgemmSparseType(2, 17).type).toBe("INT8");
    expect(fbgemmSparseType(2, 6).type).toBe("INT4");
    expect(fbgemmSparseType(16, 16).type).toBe("FP32");
    expect(fbgemmSparseType(32, 16).type).toBe("FP32");
  });

  const cases: [string, ModelOptions["embedding"], number][] = [];
  for (const bits of [1, 2, 3, 4, 5, 6, 7, 8]) cases.push(["DCN", { method: "alpt", bits, optimizer: "adagrad" }, 16]);
  cases.push(["DCN", { method: "lpt", bits: 4 }, 6], ["DCN", { method: "qat-lsq", bits: 4 }, 16], ["FM", { method: "alpt", bits: 4 }, 16], ["DCN", { method: "alpt", bits: 2 }, 2]);
  it.each(cases)("%s %j dim %i: FBGEMM's decoding gives c·Δ₁₆ exactly", (name, embedding, embeddingDim) => {
    const o: ModelOptions = { fieldSizes: [37, 5, 120], embeddingDim, hiddenUnits: [8], crossLayers: 1, embedding: { initStd: 0.05, ...embedding } };
    const m = createModel(name, o);
    try {
      const t = m.embedding;
      const { dim, bits } = t.options;
      const file = decodeSafetensors(encodeFbgemmRowwise(m, { model: name, modelOptions: o, featureMap: null }), "fbgemm");
      const sparse = fbgemmSparseType(bits, dim);
      expect(file.metadata.sparseType).toBe(sparse.type);
      const tables = JSON.parse(file.metadata.tables!) as { name: string; rows: number; offset: number }[];
      expect(tables.map((x) => [x.name, x.rows, x.offset])).toEqual([["f0", 37, 0], ["f1", 5, 37], ["f2", 120, 42]]);
      // our values: c·Δ with Δ rounded to fp16; qat-lsq: its DR codes of the fp32 master rows
      let codes: Uint8Array;
      if (t.packed) codes = t.packed.codes.array.slice();
      else codes = decodeSafetensors(encodeExport(m, { model: name, modelOptions: o, featureMap: null }), "export").tensors.get("embedding/codes")!.data;
      const delta = t.delta!.array;
      const stride = rowStride(dim, bits);
      let checked = 0;
      for (const tb of tables) {
        const w = file.tensors.get(`embedding/${tb.name}.weight`)!;
        const s = file.tensors.get(`embedding/${tb.name}.scale_shift`)!;
        expect(w.shape).toEqual([tb.rows, (dim * sparse.bits) / 8]);
        expect(s.shape).toEqual([tb.rows, 4]);
        for (let k = 0; k < tb.rows; k++) {
          const r = tb.offset + k;
          const d16 = f16ToF32(f32ToF16(delta[r]!) || 1);
          const got = fbgemmRow(w.data, s.data, k, dim, sparse.bits);
          for (let j = 0; j < dim; j++) {
            const want = Math.fround(readCode(codes, r * stride, j, bits) * d16);
            if (got[j] !== want) expect.fail(`${tb.name} row ${k} column ${j}: FBGEMM reads ${got[j]}, c·Δ₁₆ = ${want}`);
            checked++;
          }
        }
      }
      expect(checked).toBe(162 * dim);
      expect([...file.tensors.keys()].filter((k) => k.startsWith("dense/")).length).toBeGreaterThan(0);
    } finally {
      m.dispose();
    }
  });

  it("fp32 tables and 16-bit codes are FP32 rows: the fp32 weights, c·Δ in f32", () => {
    for (const embedding of [{ method: "fp32" }, { method: "alpt", bits: 16 }] as ModelOptions["embedding"][]) {
      const o: ModelOptions = { fieldSizes: [7, 9], embeddingDim: 4, hiddenUnits: [4], crossLayers: 1, embedding };
      const m = createModel("DCN", o);
      try {
        const file = decodeSafetensors(encodeFbgemmRowwise(m, { model: "DCN", modelOptions: o, featureMap: null }), "fbgemm");
        expect(file.metadata.sparseType).toBe("FP32");
        const w = file.tensors.get("embedding/f1.weight")!;
        expect([w.dtype, ...w.shape]).toEqual(["F32", 9, 4]);
        const got = new Float32Array(w.data.slice().buffer);
        const t = m.embedding;
        const want = t.weights
          ? t.weights.array.slice(7 * 4, 16 * 4)
          : Float32Array.from({ length: 36 }, (_, i) => Math.fround(readCode(t.packed!.codes.array, (7 + Math.floor(i / 4)) * rowStride(4, 16), i % 4, 16) * t.delta!.array[7 + Math.floor(i / 4)]!));
        expect([...got]).toEqual([...want]);
        expect(file.tensors.has("embedding/f1.scale_shift")).toBe(false);
      } finally {
        m.dispose();
      }
    }
  });
});
