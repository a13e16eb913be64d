// The heap: alignment, free and coalescing, scratch frames, growth with live views, the ceiling.
import { describe, expect, it } from "vitest";
import { Heap } from "../../src/wasm/heap.js";

const fresh = (maxMemoryMB?: number) =>
  new Heap(new WebAssembly.Memory({ initial: 0, maximum: 65536 }), maxMemoryMB ? { maxMemoryMB } : {});

describe("Heap", () => {
  it("hands out 16-byte-aligned, non-overlapping, non-null blocks starting from 0 pages", () => {
    const h = fresh();
    const blocks: [number, number][] = [];
    for (const n of [1, 3, 16, 17, 100, 0, 4096, 70000]) {
      const p = h.alloc(n);
      expect(p % 16).toBe(0);
      expect(p).toBeGreaterThan(0);
      blocks.push([p, Math.max(n, 1)]);
    }
    blocks.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i][0]).toBeGreaterThanOrEqual(blocks[i - 1][0] + blocks[i - 1][1]);
    expect(h.capacity).toBeGreaterThanOrEqual(70000);
  });

  it("reuses freed space, coalescing neighbours, so a repeated pattern stays flat", () => {
    const h = fresh();
    const keep = h.alloc(1000);
    for (let step = 0; step < 1000; step++) {
      const mark = h.mark();
      for (const n of [5000, 123, 70000, 16, 9000]) h.scratch(n);
      h.release(mark);
    }
    const capacity = h.capacity;
    for (let step = 0; step < 100; step++) {
      const mark = h.mark();
      for (const n of [9000, 16, 70000, 123, 5000]) h.scratch(n);
      h.release(mark);
    }
    expect(h.capacity).toBe(capacity);
    expect(h.bytesInUse).toBe(1008);
    h.free(keep);
    expect(h.bytesInUse).toBe(0);
    // everything coalesced back into one range: a block as large as all of it fits without growth
    const all = h.alloc(capacity - 16);
    expect(h.capacity).toBe(capacity);
    h.free(all);
  });

  it("frees one scratch block early, or a frame's blocks but the kept ones, which the outer frame then frees", () => {
    const h = fresh();
    const outer = h.mark();
    const a = h.scratch(100);
    const inner = h.mark();
    const b = h.scratch(200), c = h.scratch(300), d = h.scratch(400);
    h.freeScratch(c);
    expect(() => h.freeScratch(c)).toThrow("not a live scratch block");
    expect(h.bytesInUse).toBe(112 + 208 + 400);
    h.release(inner, new Set([b]));
    expect(h.bytesInUse).toBe(112 + 208);
    expect(() => h.free(d)).toThrow("not a live block");
    h.release(outer);
    expect(h.bytesInUse).toBe(0);
    expect(() => h.free(a)).toThrow("not a live block");
    expect(() => h.free(b)).toThrow("not a live block");
  });

  it("keeps views valid across memory growth (the old ArrayBuffer is detached)", () => {
    const h = fresh();
    const a = h.allocF32(1000);
    a.array.set([1.5, 2.5, 3.5]);
    const before = a.array;
    const g = h.generation;
    h.alloc(64 * 65536); // forces growth
    expect(h.generation).toBeGreaterThan(g);
    expect(before.length).toBe(0); // detached
    expect(Array.from(a.array.subarray(0, 3))).toEqual([1.5, 2.5, 3.5]);
  });

  it("zero-fills persistent views and rejects bad frees and marks", () => {
    const h = fresh();
    const a = h.allocU8(64);
    a.array.fill(7);
    a.free();
    const b = h.allocU8(64);
    expect(b.array.every((v) => v === 0)).toBe(true);
    expect(() => h.free(12345)).toThrow("free(12345) is not a live block");
    expect(() => h.release(99)).toThrow("release(99) does not match an open mark");
    expect(() => h.alloc(-1, "weights")).toThrow("cannot allocate -1 bytes for weights");
  });

  it("turns exhaustion into an error naming the request and the bytes in use", () => {
    const h = fresh(2);
    h.alloc(1024 * 1024, "table");
    expect(() => h.alloc(1.5 * 1024 * 1024, "optimizer state")).toThrow(
      /out of memory allocating 1572864 bytes for optimizer state: 1048576 bytes in use, \d+ reserved, ceiling 2097152 bytes/,
    );
    // the heap is still usable after the error
    expect(h.alloc(1000)).toBeGreaterThan(0);
    expect(() => new Heap(new WebAssembly.Memory({ initial: 0 }), { maxMemoryMB: 0 })).toThrow(
      "maxMemoryMB must be a positive number, got 0",
    );
  });
});
