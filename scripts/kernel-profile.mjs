// Where a training step's time goes, per wasm kernel: the train bench's case (DCN criteo1m, batch
// 2048; bench/train.bench.ts), every export of the core and every job of the thread pool
// ("pool:<kernel>") timed by a wrapper, 3 warm-up steps then 10 timed; what is left of the step
// is JavaScript (ops, tape, dispatch). Needs the bench build (`npx tsc -p tsconfig.bench.json`,
// which `npm run bench` runs) and build/core[-threads].wasm.
//   node scripts/kernel-profile.mjs [case, default dcn-criteo1m-alpt-b4; infer/<case> for inference] [threads, default 1] [--shapes]
// --shapes: the GEMMs timed per layout and shape ("gemm xW 2048×429×400").
// Used for the serial share of a 2-thread step: what is not split runs on one thread.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const { init } = await import(`${root}build/bench/src/entry/default.js`);
const { trainCases, inferCases } = await import(`${root}build/bench/bench/train.bench.js`);
const shapes = process.argv.includes("--shapes");
const [caseName, threadsArg] = process.argv.slice(2).filter((a) => a !== "--shapes");
const threads = Number(threadsArg ?? 1);
const LAYOUT = ["xW", "dyWt", "xtdy"];
/** The time's key: the kernel, and with --shapes a GEMM's layout and M×K×N. */
const keyOf = (k, a) => (shapes && (k === "gemm" || k === "gemmRows") ? `${k} ${LAYOUT[a[0]]} ${a[4]}×${a[5]}×${a[6]}` : k);
const e = await init(await readFile(`${root}build/core${threads > 1 ? "-threads" : ""}.wasm`), { simd: "exact", threads });
if (e.info.threadsReason) throw new Error(`${threads} threads asked for, but ${e.info.threadsReason}`);

const ms = new Map();
const timed = {};
for (const [k, f] of Object.entries(e.active)) {
  timed[k] = typeof f !== "function" ? f : (...a) => {
    const t = performance.now();
    const r = f(...a);
    const key = keyOf(k, a);
    ms.set(key, (ms.get(key) ?? 0) + performance.now() - t);
    return r;
  };
}
e.active = e.wasm = timed;
if (e.pool) {
  const run = e.pool.run.bind(e.pool);
  e.pool.run = (kernel, parts) => {
    const t = performance.now();
    run(kernel, parts);
    const key = `pool:${keyOf(kernel, parts[0])}`;
    ms.set(key, (ms.get(key) ?? 0) + performance.now() - t);
  };
}

const name = caseName ?? "dcn-criteo1m-alpt-b4";
// "infer/<case>" profiles an inference case; a bare name is a train case
const [cases, bare] = name.startsWith("infer/") ? [inferCases(e, false), name.slice(6)] : [trainCases(e, false), name];
const c = cases.find((x) => x.name === bare);
if (!c) throw new Error(`no ${name.startsWith("infer/") ? "infer" : "train"} case ${bare}`);
c.setup();
for (let i = 0; i < 3; i++) c.fn();
ms.clear();
const steps = 10, t0 = performance.now();
for (let i = 0; i < steps; i++) c.fn();
const step = (performance.now() - t0) / steps;
const rows = [...ms].sort((a, b) => b[1] - a[1]);
const inKernels = rows.reduce((s, [, v]) => s + v / steps, 0);
console.log(`${name}, ${threads} thread(s): ${step.toFixed(1)} ms per step, ${inKernels.toFixed(1)} ms in kernels and pool jobs, ${(step - inKernels).toFixed(1)} ms of JavaScript`);
for (const [k, v] of rows.slice(0, shapes ? 40 : 24)) console.log(`${k.padEnd(shapes ? 34 : 18)} ${(v / steps).toFixed(2).padStart(8)} ms ${((100 * v) / steps / step).toFixed(1).padStart(5)} %`);
