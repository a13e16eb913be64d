// Threads (init({ threads }), the shared-memory cores and the worker pool of src/wasm/pool.ts):
// the runtime job (DCN, 4-bit ALPT, 2 epochs) run by the built package in Node with 1, 2, 3 and
// 4 threads, on the exact core and on the relaxed one, gives the same bits at every thread
// count: the losses of every step and the predictions (the kernels split only along outputs).
// Batches of 2048 rows make every row-parallel kernel (GEMM, bias, ReLU, cross, column moves)
// large enough to be split.
import { afterAll, beforeAll, expect, it } from "vitest";
import { CLI, defaultEntryUrl, killChildren, parseJobLine, requireDist, run, type JobResult } from "./helpers.js";

beforeAll(requireDist);
afterAll(killChildren);

const job = (simd: string, threads: number): Promise<JobResult> =>
  run(process.execPath, [CLI, defaultEntryUrl(), simd, String(threads), "2048"], { timeoutMs: 60_000 }).then((o) => parseJobLine(o, `node, ${simd}, ${threads} threads`));

it("1, 2, 3 and 4 threads give the same bits (exact and relaxed cores); backend() says how many run", async () => {
  for (const simd of ["exact", "relaxed"]) {
    const base = await job(simd, 1);
    for (const threads of [2, 3, 4]) {
      const r = await job(simd, threads);
      expect([r.simd, r.threads], `${simd} ${threads}`).toEqual([simd, threads]);
      expect(r.stages, `${simd}, ${threads} threads`).toEqual(base.stages);
    }
  }
}, 240_000);
