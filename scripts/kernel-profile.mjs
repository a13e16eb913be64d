// Where a training step's time goes, per wasm kernel: the train bench's case (DCN criteo1m, batch
// 2048; bench/train.bench.ts) on one thread, every export of the core timed by a wrapper, 3 warm-up
// steps then 10 timed. Needs the bench build (`npx tsc -p tsconfig.bench.json`, which
// `npm run bench` runs) and build/core.wasm.
//   node scripts/kernel-profile.mjs [case, default dcn-criteo1m-alpt-b4]
// Used for the serial share of a 2-thread step: what is not the GEMM runs on one thread.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const { init } = await import(`${root}build/bench/src/entry/default.js`);
const { trainCases } = await import(`${root}build/bench/bench/train.bench.js`);
const e = await init(await readFile(`${root}build/core.wasm`), { simd: "exact", threads: 1 });

const ms = new Map();
const timed = {};
for (const [k, f] of Object.entries(e.active)) {
  timed[k] = typeof f !== "function" ? f : (...a) => {
    const t = performance.now();
    const r = f(...a);
    ms.set(k, (ms.get(k) ?? 0) + performance.now() - t);
    return r;
  };
}
e.active = e.wasm = timed;

const name = process.argv[2] ?? "dcn-criteo1m-alpt-b4";
const c = trainCases(e, false).find((x) => x.name === name);
if (!c) throw new Error(`no train case ${name}`);
c.setup();
for (let i = 0; i < 3; i++) c.fn();
ms.clear();
const steps = 10, t0 = performance.now();
for (let i = 0; i < steps; i++) c.fn();
const step = (performance.now() - t0) / steps;
const rows = [...ms].sort((a, b) => b[1] - a[1]);
const inKernels = rows.reduce((s, [, v]) => s + v / steps, 0);
console.log(`${name}, 1 thread: ${step.toFixed(1)} ms per step, ${inKernels.toFixed(1)} ms in kernels`);
for (const [k, v] of rows.slice(0, 20)) console.log(`${k.padEnd(18)} ${(v / steps).toFixed(2).padStart(8)} ms ${((100 * v) / steps / step).toFixed(1).padStart(5)} %`);
