// The check shared by the embedding thread tests: a training run on the threaded wasm kernels
// gives the bits of the same run on the reference kernels, and the pool did split the kernels the
// run is about (a pool that ran nothing would pass the bit comparison trivially).
import { expect } from "vitest";
import { useBackend } from "../../src/entry/default.js";
import type { Engine } from "../../src/wasm/load.js";
import { expectBitEqual } from "./engine.js";

/** Runs `train` on wasm (recording the pool's kernels) and on the reference; `expected`: kernels that must have run split. */
export function expectThreadedLikeReference(e: Engine, train: () => Map<string, Float32Array | Int32Array | Uint8Array>, expected: string[]): void {
  const split = new Set<string>();
  const pool = e.pool;
  const run = pool?.run;
  try {
    useBackend("wasm-simd");
    if (pool && run) pool.run = (kernel, parts) => (split.add(kernel), run.call(pool, kernel, parts));
    const wasm = train();
    if (pool && run) pool.run = run;
    useBackend("ref");
    const ref = train();
    expect([...wasm.keys()]).toEqual([...ref.keys()]);
    for (const [k, v] of wasm) expectBitEqual(v, ref.get(k)!, k);
    if (pool) expect([...split].filter((k) => expected.includes(k)).sort()).toEqual([...expected].sort());
    else console.warn(`one thread only (${e.info.threadsReason ?? "no pool"}): the split was not exercised`);
  } finally {
    if (pool && run) pool.run = run;
    useBackend("wasm-simd");
  }
}
