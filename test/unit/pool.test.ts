// The thread pool (src/wasm/pool.ts) on engines of their own: a GEMM split over 3 threads gives
// the bits of one call, every part runs (also when there are fewer parts than threads), the
// loader refuses threads on a core without shared memory unless "auto" asked (then one thread
// runs and says why), a disposed pool refuses work, and a dead worker is an error, not a hang.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/wasm/load.js";

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
    e.pool!.dispose();
    expect(() => e.pool!.run("gemmRows", [])).toThrow(/disposed/);
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
