// The thread pool (src/wasm/pool.ts) on engines of their own: a GEMM split over 3 threads gives
// the bits of one call, every part runs once (fewer parts than threads, and many more claimed as
// the threads go, with a packing buffer per thread), the
// loader refuses threads on a core without shared memory unless "auto" asked (then one thread
// runs and says why), a disposed pool refuses work, and a dead worker is an error, not a hang.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/wasm/load.js";
import { partsOf } from "../../src/kernels/parallel.js";

const core = (name: string) => readFile(new URL(`../../build/${name}`, import.meta.url));

function put(e: Engine, values: Float32Array): number {
  const p = e.heap.alloc(values.length * 4);
  e.heap.f32(p, values.length).set(values);
  return p;
}

const values = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + k));

describe("the thread pool", () => {
  it("a GEMM split over 3 threads gives the bits of one call; fewer parts than threads leave workers idle", async () => {
    const e = await createEngine(await core("core-threads.wasm"), { threads: 3 });
    expect(e.info).toEqual({ name: "wasm-simd", simd: "exact", threads: 3 });
    const [M, K, N] = [37, 45, 29];
    const a = put(e, values(M * K, 1)), b = put(e, values(K * N, 2));
    const one = e.heap.alloc(M * N * 4), split = e.heap.alloc(M * N * 4);
    const bytes = e.wasm!.gemmScratchBytes(0, M, K, N);
    const scratch = [0, 1, 2].map(() => e.heap.alloc(bytes));
    e.wasm!.gemm(0, a, b, one, M, K, N, 0, scratch[0]!);
    e.pool!.run("gemmRows", [[0, a, b, split, M, K, N, 0, scratch[0]!, 0, 12], [0, a, b, split, M, K, N, 0, scratch[1]!, 12, 24], [0, a, b, split, M, K, N, 0, scratch[2]!, 24, M]]);
    expect(e.heap.f32(split, M * N)).toEqual(e.heap.f32(one, M * N));
    e.heap.f32(split, M * N).fill(0);
    e.pool!.run("gemmRows", [[0, a, b, split, M, K, N, 0, scratch[0]!, 0, M]]);
    expect(e.heap.f32(split, M * N)).toEqual(e.heap.f32(one, M * N));
    // 10 parts of 4 rows (the last 1) claimed by 3 threads, each packing in its own buffer
    e.heap.f32(split, M * N).fill(NaN);
    const stride = Math.ceil(bytes / 16) * 16, buffers = e.heap.alloc(3 * stride);
    const parts = Array.from({ length: 10 }, (_, i) => [0, a, b, split, M, K, N, 0, -1, 4 * i, Math.min(M, 4 * i + 4)]);
    e.pool!.run("gemmRows", parts, { arg: 8, base: buffers, bytes: stride });
    expect(e.heap.f32(split, M * N)).toEqual(e.heap.f32(one, M * N));
    expect(() => e.pool!.run("gemmRows", Array.from({ length: 65 }, () => parts[0]!))).toThrow(/65 parts \(at most 64/);
    e.pool!.dispose();
    expect(() => e.pool!.run("gemmRows", [])).toThrow(/disposed/);
  });

  it("jobs are cut into more parts than threads (aligned, contiguous, whole), fewer where they would be small", () => {
    const covers = (parts: [number, number][], rows: number) => parts.every(([a, b], i) => b > a && a === (i ? parts[i - 1]![1] : 0)) && parts.at(-1)![1] === rows;
    expect(partsOf(2048, 2, 4, 256)).toEqual(Array.from({ length: 8 }, (_, i) => [256 * i, 256 * i + 256]));
    expect(partsOf(429, 2, 4, 256)).toEqual([[0, 216], [216, 429]]); // xᵀ·dy's rows: one part per thread
    for (const [rows, threads, align] of [[10, 3, 1], [1000, 2, 16], [65536, 8, 4], [7, 4, 4], [100_000, 100, 1]] as const) {
      const parts = partsOf(rows, threads, align);
      expect(covers(parts, rows), `${rows} rows, ${threads} threads`).toBe(true);
      expect(parts.length).toBeLessThanOrEqual(64);
      expect(parts.every(([a]) => a % align === 0)).toBe(true);
    }
  });

  it("a worker that dies makes run() throw after the watchdog's time instead of hanging, and stops the pool", async () => {
    const e = await createEngine(await core("core-threads.wasm"), { threads: 2 });
    const pool = e.pool!;
    pool.watchdogMs = 300;
    const a = put(e, values(64, 1)), y = e.heap.alloc(64 * 4);
    pool.run("reluForward", [[a, y, 32], [a + 128, y + 128, 32]]);
    (pool as unknown as { workers: { terminate(): void }[] }).workers[0]!.terminate();
    await new Promise((r) => setTimeout(r, 100)); // let the worker go
    const t0 = Date.now();
    expect(() => pool.run("reluForward", [[a, y, 32], [a + 128, y + 128, 32]])).toThrow(/reluForward: 1 worker thread\(s\) did not finish within 300 ms \(a worker died\?\)/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(() => pool.run("reluForward", [])).toThrow(/disposed/);
  });

  it("threads on a core without shared memory: an error when asked for, one thread and the reason with \"auto\"", async () => {
    await expect(createEngine(await core("core.wasm"), { threads: 2 })).rejects.toThrow(/was given a core without shared memory; pass core-threads\.wasm/);
    await expect(createEngine(await core("core-threads.wasm"), { threads: 0 })).rejects.toThrow(/threads must be an integer in \[1, 256\] or "auto", got 0/);
    const auto = await createEngine(await core("core.wasm"), { threads: "auto" });
    expect(auto.info.threads).toBe(1);
    if (auto.info.threadsReason) expect(auto.info.threadsReason).toMatch(/has no shared memory \(core-threads\.wasm runs threads\)/);
  });
});
