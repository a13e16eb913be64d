// The TS-owned heap over the one WebAssembly.Memory the kernels read and write.
//
//   0        16                                               byteLength (grows)
//   ├ null ──┼── blocks, 16-byte aligned, first fit ──────────┤
//
// Persistent blocks (parameters, codes, Δ, optimizer state) are alloc/free; per-step scratch
// is allocated after mark() and freed in one release(mark). Free ranges are kept sorted and
// coalesced, so a training loop that allocates the same scratch every step stays flat.
// memory.grow detaches every ArrayBuffer view: `generation` counts growths, and the Heap*
// views below re-create their typed array when it changed. Address 0 is never handed out,
// so kernels can use 0 as "no buffer".

const PAGE = 65536;
const ALIGN = 16;
const MAX_WASM_BYTES = 65536 * PAGE;

/** Options of a Heap. */
export interface HeapOptions {
  /** Ceiling on the memory the heap may grow to, in MiB (default and maximum: 4096). */
  maxMemoryMB?: number;
}

interface Range {
  start: number;
  end: number;
}

const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

const NOTHING_KEPT: ReadonlySet<number> = new Set();

/** The most bytes a heap with these options may grow to (maxMemoryMB, at most the 4 GiB of wasm32). */
export function heapCeilingBytes(options: HeapOptions): number {
  const mb = options.maxMemoryMB ?? 4096;
  if (!(mb > 0) || !Number.isFinite(mb)) {
    throw new RangeError(`Heap: maxMemoryMB must be a positive number, got ${mb}`);
  }
  return Math.min(Math.floor(mb * 1024 * 1024), MAX_WASM_BYTES);
}

/** A 16-byte-aligned allocator over a WebAssembly.Memory, with scratch frames. */
export class Heap {
  /** Incremented on every memory.grow; views compare it to know when to refresh. */
  generation = 0;
  /** Bytes currently handed out (rounded up to 16). */
  bytesInUse = 0;
  /** The largest bytesInUse seen. */
  peakBytesInUse = 0;
  readonly maxBytes: number;
  private readonly freeRanges: Range[] = [];
  private readonly sizes = new Map<number, number>();
  private readonly scratchStack: number[] = [];

  constructor(
    readonly memory: WebAssembly.Memory,
    options: HeapOptions = {},
  ) {
    this.maxBytes = heapCeilingBytes(options);
    const size = memory.buffer.byteLength;
    if (size > ALIGN) this.freeRanges.push({ start: ALIGN, end: size });
  }

  /** Bytes of linear memory currently reserved. */
  get capacity(): number {
    return this.memory.buffer.byteLength;
  }

  /** Allocates a persistent block of `bytes` (≥ 0) and returns its address (never 0). */
  alloc(bytes: number, what = "block"): number {
    if (!Number.isInteger(bytes) || bytes < 0) {
      throw new RangeError(`Heap: cannot allocate ${bytes} bytes for ${what}: not a byte count`);
    }
    const size = Math.max(ALIGN, align(bytes));
    let i = this.freeRanges.findIndex((r) => r.end - r.start >= size);
    if (i < 0) i = this.grow(size, what);
    const r = this.freeRanges[i];
    const ptr = r.start;
    r.start += size;
    if (r.start === r.end) this.freeRanges.splice(i, 1);
    this.sizes.set(ptr, size);
    this.bytesInUse += size;
    this.peakBytesInUse = Math.max(this.peakBytesInUse, this.bytesInUse);
    return ptr;
  }

  /** Returns a block to the heap. */
  free(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new RangeError(`Heap: free(${ptr}) is not a live block`);
    this.sizes.delete(ptr);
    this.bytesInUse -= size;
    const ranges = this.freeRanges;
    let lo = 0;
    let hi = ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ranges[mid].start < ptr) lo = mid + 1;
      else hi = mid;
    }
    const end = ptr + size;
    const prev = lo > 0 ? ranges[lo - 1] : undefined;
    const next = lo < ranges.length ? ranges[lo] : undefined;
    if (prev && prev.end === ptr) {
      prev.end = end;
      if (next && next.start === end) {
        prev.end = next.end;
        ranges.splice(lo, 1);
      }
    } else if (next && next.start === end) {
      next.start = ptr;
    } else {
      ranges.splice(lo, 0, { start: ptr, end });
    }
  }

  /** Opens a scratch frame; pass the result to release(). */
  mark(): number {
    return this.scratchStack.length;
  }

  /** Allocates a block that the next release() of an enclosing mark frees. */
  scratch(bytes: number, what = "scratch"): number {
    const ptr = this.alloc(bytes, what);
    this.scratchStack.push(ptr);
    return ptr;
  }

  /**
   * Frees every scratch block allocated since `mark` (newest first), except those at the pointers
   * in `keep`, which stay scratch of the enclosing frame (freed by its release).
   */
  release(mark: number, keep: ReadonlySet<number> = NOTHING_KEPT): void {
    if (!Number.isInteger(mark) || mark < 0 || mark > this.scratchStack.length) {
      throw new RangeError(`Heap: release(${mark}) does not match an open mark`);
    }
    const kept: number[] = [];
    while (this.scratchStack.length > mark) {
      const ptr = this.scratchStack.pop()!;
      if (keep.has(ptr)) kept.push(ptr);
      else this.free(ptr);
    }
    for (let i = kept.length - 1; i >= 0; i--) this.scratchStack.push(kept[i]!);
  }

  /** Frees one scratch block before its frame is released (e.g. a gradient already consumed). */
  freeScratch(ptr: number): void {
    const i = this.scratchStack.lastIndexOf(ptr);
    if (i < 0) throw new RangeError(`Heap: freeScratch(${ptr}) is not a live scratch block`);
    this.scratchStack.splice(i, 1);
    this.free(ptr);
  }

  /** A fresh f32 view; valid until the next allocation. */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  /** A fresh i32 view; valid until the next allocation. */
  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }

  /** A fresh u8 view; valid until the next allocation. */
  u8(ptr: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr, length);
  }

  /** Allocates a zero-filled persistent f32 block with a self-refreshing view. */
  allocF32(length: number, what = "f32 block"): HeapF32 {
    return new HeapF32(this, this.zeroed(length * 4, what), length);
  }

  /** Allocates a zero-filled persistent i32 block with a self-refreshing view. */
  allocI32(length: number, what = "i32 block"): HeapI32 {
    return new HeapI32(this, this.zeroed(length * 4, what), length);
  }

  /** Allocates a zero-filled persistent u8 block with a self-refreshing view. */
  allocU8(length: number, what = "u8 block"): HeapU8 {
    return new HeapU8(this, this.zeroed(length, what), length);
  }

  /** Scratch blocks below are NOT zeroed: kernels overwrite them. */

  /** Scratch f32 block (freed by release). */
  scratchF32(length: number, what = "f32 scratch"): HeapF32 {
    return new HeapF32(this, this.scratch(length * 4, what), length);
  }

  /** Scratch i32 block (freed by release). */
  scratchI32(length: number, what = "i32 scratch"): HeapI32 {
    return new HeapI32(this, this.scratch(length * 4, what), length);
  }

  /** Scratch u8 block (freed by release). */
  scratchU8(length: number, what = "u8 scratch"): HeapU8 {
    return new HeapU8(this, this.scratch(length, what), length);
  }

  private zeroed(bytes: number, what: string): number {
    const ptr = this.alloc(bytes, what);
    new Uint8Array(this.memory.buffer, ptr, bytes).fill(0);
    return ptr;
  }

  /** Grows memory so that a free range of `size` bytes exists; returns its index. */
  private grow(size: number, what: string): number {
    const top = this.capacity;
    const last = this.freeRanges[this.freeRanges.length - 1];
    const tail = last && last.end === top ? last.end - last.start : 0;
    const start = Math.max(top, ALIGN);
    const needed = size - tail + (start - top);
    const minPages = Math.ceil(needed / PAGE);
    const current = top / PAGE;
    const maxPages = Math.floor(this.maxBytes / PAGE);
    if (current + minPages > maxPages) {
      throw new RangeError(
        `Heap: out of memory allocating ${size} bytes for ${what}: ${this.bytesInUse} bytes ` +
          `in use, ${top} reserved, ceiling ${this.maxBytes} bytes ` +
          `(raise maxMemoryMB or free blocks)`,
      );
    }
    const pages = Math.min(Math.max(minPages, Math.ceil(current / 8)), maxPages - current);
    try {
      this.memory.grow(pages);
    } catch (e) {
      throw new RangeError(
        `Heap: the runtime refused to grow memory by ${pages} pages for ${what} ` +
          `(${size} bytes; ${this.bytesInUse} in use): ${(e as Error).message}`,
      );
    }
    this.generation++;
    const end = this.capacity;
    if (tail > 0) last.end = end;
    else this.freeRanges.push({ start, end });
    return this.freeRanges.length - 1;
  }
}

abstract class HeapView<T extends Float32Array | Int32Array | Uint8Array> {
  private cache: T | undefined;
  private cachedGeneration = -1;

  constructor(
    readonly heap: Heap,
    readonly ptr: number,
    readonly length: number,
  ) {}

  /** The typed array over the block, re-created after memory growth. */
  get array(): T {
    if (this.cachedGeneration !== this.heap.generation || this.cache === undefined) {
      this.cache = this.make(this.heap.memory.buffer);
      this.cachedGeneration = this.heap.generation;
    }
    return this.cache;
  }

  /** Returns the block to the heap (persistent blocks only). */
  free(): void {
    this.heap.free(this.ptr);
  }

  protected abstract make(buffer: ArrayBuffer): T;
}

/** An f32 block of the heap. */
export class HeapF32 extends HeapView<Float32Array> {
  protected make(buffer: ArrayBuffer): Float32Array {
    return new Float32Array(buffer, this.ptr, this.length);
  }
}

/** An i32 block of the heap. */
export class HeapI32 extends HeapView<Int32Array> {
  protected make(buffer: ArrayBuffer): Int32Array {
    return new Int32Array(buffer, this.ptr, this.length);
  }
}

/** A byte block of the heap. */
export class HeapU8 extends HeapView<Uint8Array> {
  protected make(buffer: ArrayBuffer): Uint8Array {
    return new Uint8Array(buffer, this.ptr, this.length);
  }
}
