// The protobuf writer of src/onnx/protobuf.ts against the protobuf wire format: varints
// (multi-byte, negative int64 as 10 bytes), fixed32 floats, length-delimited strings, bytes and
// nested messages whose lengths count referenced parts; unsafe integers are refused.
import { describe, expect, it } from "vitest";
import { ProtoWriter } from "../../src/onnx/protobuf.js";

const bytes = (w: ProtoWriter): number[] => Array.from(w.finish().flatMap((p) => Array.from(p)));

describe("ProtoWriter", () => {
  it("writes varints, floats and strings as the wire format says", () => {
    expect(bytes(new ProtoWriter().int(1, 150))).toEqual([0x08, 0x96, 0x01]);
    expect(bytes(new ProtoWriter().int(2, -1))).toEqual([0x10, ...new Array(9).fill(0xff), 0x01]);
    expect(bytes(new ProtoWriter().int(3, 2n ** 40n))).toEqual([0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
    expect(bytes(new ProtoWriter().float(2, 1))).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
    expect(bytes(new ProtoWriter().string(2, "testing"))).toEqual([0x12, 0x07, ...Array.from(new TextEncoder().encode("testing"))]);
    expect(bytes(new ProtoWriter().int(20, 7))).toEqual([0xa0, 0x01, 0x07]); // field ≥ 16: a 2-byte key
  });

  it("nests messages with the byte length of all their parts, large payloads by reference", () => {
    const payload = new Uint8Array(300).fill(7);
    const inner = new ProtoWriter().int(1, 5).bytes(9, payload);
    const outer = new ProtoWriter().message(5, inner).int(1, 1);
    const parts = outer.finish();
    expect(parts).toContain(payload); // not copied
    const b = bytes(outer);
    // key 5/2, length 2 + 3 + 300 = 305 = varint [0xb1, 0x02], then 08 05, 4a ac 02, payload, then 08 01
    expect(b.slice(0, 3)).toEqual([0x2a, 0xb1, 0x02]);
    expect(b.slice(3, 8)).toEqual([0x08, 0x05, 0x4a, 0xac, 0x02]);
    expect(b.length).toBe(3 + 305 + 2);
    expect(b.slice(-2)).toEqual([0x08, 0x01]);
  });

  it("refuses a number that is not a safe integer", () => {
    expect(() => new ProtoWriter().int(1, 2 ** 60)).toThrow(/not a safe integer/);
    expect(() => new ProtoWriter().int(1, 1.5)).toThrow(/not a safe integer/);
  });
});
