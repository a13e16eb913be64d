// Threads (init({ threads }), the shared-memory cores and the worker pool of src/wasm/pool.ts):
// the runtime job (DCN, 4-bit ALPT, 2 epochs) run by the built package in Node with 1, 2, 3 and
// 4 threads, on the exact core and on the relaxed one, gives the same bits at every thread
// count: the losses of every step and the predictions (the kernels split only along outputs).
// Batches of 2048 rows make every row-parallel kernel (GEMM, bias, ReLU, cross, column moves)
// large enough to be split. Deno and Bun run the same pool (Deno through its node:worker_threads,
// Bun through Web Workers) and give Node's bits with 2 threads.
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  BUN_ENV, CLI, DENO_ENV, DENO_READ, bunExe, defaultEntryUrl, denoExe, killChildren, parseJobLine, requireDist, run, type JobResult,
} from "./helpers.js";

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

it("Deno and Bun: 2 threads give the bits of their one thread, and on the exact core those of Node", async () => {
  const runtimes = [
    { name: "deno", exe: denoExe(), pre: ["run", "--no-config", "--no-prompt", DENO_READ], env: DENO_ENV },
    { name: "bun", exe: bunExe(), pre: [], env: BUN_ENV },
  ];
  const node = await job("exact", 1);
  for (const rt of runtimes) {
    // relaxed_madd may be fused or not (JavaScriptCore does not fuse): one runtime against itself
    for (const simd of ["exact", "relaxed"]) {
      const [one, two] = await Promise.all(["1", "2"].map(async (threads) => {
        const out = await run(rt.exe, [...rt.pre, CLI, defaultEntryUrl(), simd, threads, "2048"], { timeoutMs: 60_000, env: rt.env });
        return parseJobLine(out, `${rt.name}, ${simd}, ${threads} thread(s)`);
      }));
      expect([two.simd, two.threads], `${rt.name} ${simd}: ${two.backendReason ?? ""}`).toEqual([simd, 2]);
      expect(two.stages, `${rt.name}, ${simd}: 2 threads against 1`).toEqual(one!.stages);
      if (simd === "exact") expect(two.stages, `${rt.name}, exact, 2 threads against Node`).toEqual(node.stages);
    }
  }
}, 240_000);
