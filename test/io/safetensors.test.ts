// Our files are plain safetensors: a reader written here from the published layout alone
// (u64 LE header length, JSON header of {dtype, shape, data_offsets}, __metadata__ of strings,
// contiguous little-endian tensor bytes) opens a checkpoint and finds every expected tensor.
import { beforeAll, describe, expect, it } from "vitest";
import { encodeCheckpoint } from "../../src/io/checkpoint.js";
import { crc32, decodeSafetensors, encodeSafetensors } from "../../src/io/safetensors.js";
import { rowStride } from "../../src/kernels/quant.js";
import { createModel, type ModelOptions } from "../../src/models/registry.js";
import { Adam } from "../../src/optim/optimizer.js";
import { engine } from "../helpers/engine.js";

beforeAll(engine);

interface Entry {
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** An independent safetensors reader: returns header entries, metadata and the body offset. */
function readSafetensors(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true), hi = view.getUint32(4, true);
  expect(hi).toBe(0);
  const n = lo;
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString("utf8")) as Record<string, unknown>;
  const metadata = header.__metadata__ as Record<string, unknown>;
  const entries = new Map<string, Entry>();
  for (const [k, v] of Object.entries(header)) {
    if (k === "__metadata__") continue;
    const e = v as { dtype: string; shape: number[]; data_offsets: [number, number] };
    entries.set(k, { dtype: e.dtype, shape: e.shape, begin: e.data_offsets[0], end: e.data_offsets[1] });
  }
  return { headerLength: n, bodyStart: 8 + n, metadata, entries, view };
}

const SIZE: Record<string, number> = { F64: 8, F32: 4, F16: 2, I32: 4, U8: 1 };

describe("an independent reader opens our checkpoint", () => {
  it("finds every tensor with the right dtype, shape, place and values", () => {
    const mo: ModelOptions = {
      fieldSizes: [7, 5, 9], embeddingDim: 6, hiddenUnits: [8], crossLayers: 2, batchNorm: true, seed: 2,
      embedding: { method: "alpt", bits: 4, initStd: 0.05 },
    };
    const model = createModel("DCN", mo);
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const bytes = encodeCheckpoint(model, { model: "DCN", modelOptions: mo }, opt);
    const f = readSafetensors(bytes);

    // layout rules of the format
    expect(f.headerLength % 8).toBe(0);
    for (const v of Object.values(f.metadata)) expect(typeof v).toBe("string");
    const spans = [...f.entries.values()].sort((a, b) => a.begin - b.begin);
    let at = 0;
    for (const s of spans) {
      expect(s.begin).toBe(at);
      expect(s.end - s.begin).toBe(s.shape.reduce((a, b) => a * b, 1) * SIZE[s.dtype]);
      expect((f.bodyStart + s.begin) % SIZE[s.dtype]).toBe(0); // aligned to the element size
      at = s.end;
    }
    expect(f.bodyStart + at).toBe(bytes.length);

    // what a checkpoint must hold
    expect(f.metadata.format).toBe("alpt-checkpoint");
    expect(f.metadata.version).toBe("1");
    expect(f.metadata.model).toBe("DCN");
    expect(f.metadata.method).toBe("alpt");
    expect(f.metadata.bits).toBe("4");
    expect(JSON.parse(f.metadata.modelOptions as string)).toEqual(mo);
    const rows = 7 + 5 + 9;
    const expected: [string, string, number[], Uint8Array][] = [
      ["embedding/codes", "U8", [rows, rowStride(6, 4)], model.embedding.packed!.codes.array],
      ["embedding/delta", "F32", [rows], new Uint8Array(model.embedding.delta!.array.slice().buffer)],
    ];
    for (const p of model.parameters()) expected.push([`dense/${p.name}`, "F32", [...p.shape], new Uint8Array(p.data.array.slice().buffer)]);
    for (const [name, b] of model.buffers()) expected.push([`buffer/${name}`, "F32", [b.length], new Uint8Array(b.array.slice().buffer)]);
    for (const [name, b] of opt.state().buffers) expected.push([`optimizer/${name}`, "F32", [b.length], new Uint8Array(b.array.slice().buffer)]);
    for (const [name, dtype, shape, values] of expected) {
      const t = f.entries.get(name);
      expect(t, name).toBeDefined();
      expect(t!.dtype, name).toBe(dtype);
      expect(t!.shape, name).toEqual(shape);
      expect(Buffer.from(bytes.subarray(f.bodyStart + t!.begin, f.bodyStart + t!.end)).equals(Buffer.from(values)), name).toBe(true);
    }
    expect(f.entries.has("buffer/deep.0.bn.runningMean")).toBe(true);
    // little-endian f32: the first Δ read with DataView equals the model's
    const d = f.entries.get("embedding/delta")!;
    expect(f.view.getFloat32(f.bodyStart + d.begin, true)).toBe(model.embedding.delta!.array[0]);
    model.dispose();
  });
});

describe("safetensors encoder and decoder", () => {
  it("round-trips tensors and metadata; files of other writers (no checksum) decode", () => {
    const tensors = new Map([
      ["a", { dtype: "U8" as const, shape: [3], data: new Uint8Array([1, 2, 3]) }],
      ["b", { dtype: "F32" as const, shape: [2, 1], data: new Uint8Array(new Float32Array([1.5, -2]).buffer) }],
      ["c", { dtype: "F16" as const, shape: [0], data: new Uint8Array(0) }],
    ]);
    const bytes = encodeSafetensors(tensors, { note: "ünïcode ✓" });
    const { metadata, tensors: back } = decodeSafetensors(bytes, { requireChecksum: true });
    expect(metadata.note).toBe("ünïcode ✓");
    for (const [k, t] of tensors) {
      expect(back.get(k)!.shape).toEqual(t.shape);
      expect([...back.get(k)!.data]).toEqual([...t.data]);
    }
    // a minimal hand-written file (as another writer would make it)
    const json = JSON.stringify({ x: { dtype: "I32", shape: [1], data_offsets: [0, 4] } });
    const head = new TextEncoder().encode(json);
    const file = new Uint8Array(8 + head.length + 4);
    new DataView(file.buffer).setBigUint64(0, BigInt(head.length), true);
    file.set(head, 8);
    file.set([7, 0, 0, 0], 8 + head.length);
    expect([...decodeSafetensors(file).tensors.get("x")!.data]).toEqual([7, 0, 0, 0]);
    expect(() => decodeSafetensors(file, { what: "f", requireChecksum: true })).toThrow(/^f: .*no "checksum"/);
  });

  it("names each inconsistency", () => {
    const make = (header: unknown, body = 0): Uint8Array => {
      const head = new TextEncoder().encode(JSON.stringify(header));
      const file = new Uint8Array(8 + head.length + body);
      new DataView(file.buffer).setBigUint64(0, BigInt(head.length), true);
      file.set(head, 8);
      return file;
    };
    const cases: [unknown, number, RegExp][] = [
      [{ x: { dtype: "F64", shape: [1], data_offsets: [0, 8] } }, 8, /dtype "F64"/],
      [{ x: { dtype: "toString", shape: [1], data_offsets: [0, 8] } }, 8, /dtype "toString"/],
      [{ x: { dtype: "U8", shape: [-1], data_offsets: [0, 1] } }, 1, /bad shape/],
      [{ x: { dtype: "U8", shape: [2], data_offsets: [0, 1] } }, 1, /1 bytes for shape \[2\]/],
      [{ x: { dtype: "U8", shape: [1], data_offsets: [0, 1] }, y: { dtype: "U8", shape: [1], data_offsets: [0, 1] } }, 1, /overlaps/],
      [{ x: { dtype: "U8", shape: [1], data_offsets: [1, 2] } }, 2, /belong to no tensor/],
      [{ x: null }, 0, /entry "x" is not an object/],
      [{ __metadata__: { a: 1 } }, 0, /__metadata__\.a is not a string/],
      [[1, 2], 0, /does not start with "\{"/],
    ];
    for (const [h, body, re] of cases) expect(() => decodeSafetensors(make(h, body), "f")).toThrow(re);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
    expect(() => decodeSafetensors(huge, "f")).toThrow(/header length says 9223372036854775808 bytes but only 8 follow/);
  });

  it("crc32 matches the standard check value and continues across chunks", () => {
    const s = new TextEncoder().encode("123456789");
    expect(crc32(s).toString(16)).toBe("cbf43926");
    const big = Uint8Array.from({ length: 1001 }, (_, i) => (i * 31) & 255);
    let c = 0;
    for (let i = 0; i < big.length; i += 97) c = crc32(big.subarray(i, i + 97), c);
    expect(c).toBe(crc32(big));
    // against a bitwise definition
    let r = 0xffffffff;
    for (const b of big) {
      r ^= b;
      for (let k = 0; k < 8; k++) r = r & 1 ? (r >>> 1) ^ 0xedb88320 : r >>> 1;
    }
    expect(crc32(big)).toBe(~r >>> 0);
  });
});
