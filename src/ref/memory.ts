// Typed views over a WebAssembly.Memory for the reference kernels, refreshed when the
// memory grew (growth detaches the old ArrayBuffer).

/** Lazily refreshed views of one memory. */
export class RefMemory {
  private buffer: ArrayBuffer | undefined;
  private u8v = new Uint8Array(0);
  private i32v = new Int32Array(0);
  private f32v = new Float32Array(0);

  constructor(readonly memory: WebAssembly.Memory) {}

  private refresh(): void {
    const b = this.memory.buffer;
    if (b !== this.buffer) {
      this.buffer = b;
      this.u8v = new Uint8Array(b);
      this.i32v = new Int32Array(b, 0, b.byteLength >> 2);
      this.f32v = new Float32Array(b, 0, b.byteLength >> 2);
    }
  }

  /** Bytes of the whole memory. */
  get u8(): Uint8Array {
    this.refresh();
    return this.u8v;
  }

  /** i32 words of the whole memory (index = address / 4). */
  get i32(): Int32Array {
    this.refresh();
    return this.i32v;
  }

  /** f32 words of the whole memory (index = address / 4). */
  get f32(): Float32Array {
    this.refresh();
    return this.f32v;
  }
}
