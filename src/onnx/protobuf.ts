// A minimal protobuf writer: just what the ONNX messages of onnx/messages.ts need. A message is
// a list of parts (Uint8Array) so that large payloads (an initializer's raw_data) are referenced,
// not copied, until the file is written; nested messages are measured by their parts' lengths.
//
//   key    = varint(field << 3 | wire)   wire 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
//   int64  = varint of the two's complement (negative numbers take 10 bytes)
//   string = varint(byte length) ‖ UTF-8 bytes; a nested message likewise with its bytes
// Repeated scalars are written one key per value (unpacked): every protobuf parser reads both forms.

/** A protobuf message being written: its encoded parts, in order. */
export class ProtoWriter {
  readonly parts: Uint8Array[] = [];
  private pending: number[] = [];
  private size = 0;

  /** Bytes written so far. */
  get byteLength(): number {
    return this.size + this.pending.length;
  }

  private flush(): void {
    if (!this.pending.length) return;
    const b = Uint8Array.from(this.pending);
    this.parts.push(b);
    this.size += b.length;
    this.pending = [];
  }

  private varint(v: number | bigint): void {
    if (typeof v === "number" && !Number.isSafeInteger(v)) throw new RangeError(`protobuf: ${v} is not a safe integer`);
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.pending.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.pending.push(Number(x));
  }

  private key(field: number, wire: 0 | 1 | 2 | 5): void {
    this.varint(field * 8 + wire);
  }

  /** An int32/int64/enum/bool field (varint). */
  int(field: number, v: number | bigint): this {
    this.key(field, 0);
    this.varint(v);
    return this;
  }

  /** A float field (fixed32, little-endian). */
  float(field: number, v: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.pending.push(...b);
    return this;
  }

  /** A bytes field: the bytes are kept by reference. */
  bytes(field: number, data: Uint8Array): this {
    this.key(field, 2);
    this.varint(data.length);
    this.flush();
    if (data.length) {
      this.parts.push(data);
      this.size += data.length;
    }
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  /** A nested message field. */
  message(field: number, m: ProtoWriter): this {
    m.flush();
    this.key(field, 2);
    this.varint(m.size);
    this.flush();
    this.parts.push(...m.parts);
    this.size += m.size;
    return this;
  }

  /** The encoded parts (the writer stays usable). */
  finish(): Uint8Array[] {
    this.flush();
    return this.parts;
  }
}
