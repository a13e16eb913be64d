// Optional peer bench: the DCN criteo1m training step of `train/dcn-criteo1m-fp32` written with
// TensorFlow.js on its WebAssembly backend (XNNPACK, SIMD binary, one thread), on the same
// synthetic data and batch order, so `npm run bench -- peer` measures the ratio to our figure.
//
//   x0 = [e₁ ‖ … ‖ e₂₆ ‖ dense₁₃]  (B × 429)      e = rows of one 1M × 16 fp32 table
//   cross: x_{l+1} = x0·(x_l·w_l) + b_l + x_l, 3 layers
//   deep:  3 × (x·W + b, ReLU), 400-400-400, no BatchNorm, no dropout (as ours in criteo1m)
//   loss = sigmoid BCE of [x_3 ‖ deep]·w + b;  Adam 1e-3 (β 0.9, 0.999, ε 1e-8), batch 2048
//
// Two cases:
// - `peer-tfjs-wasm-dcn-criteo1m` (stock: what tfjs code written the usual way costs). The table
//   is one tf.Variable read with tf.gather and updated by tf.train.adam like every variable, so
//   each step makes a dense 1M × 16 gradient and a dense Adam update of all rows and their m, v.
//   tf.gather's own gradient (UnsortedSegmentSum) has no wasm kernel and throws, so the gather
//   gets its gradient through tf.customGrad as tf.scatterND into the table's shape: the same
//   dense tensor UnsortedSegmentSum makes on the other backends. Layers use tf.fused.matMul
//   (as tfjs-layers' Dense does); their gradients are matMuls with transposeA/transposeB, which
//   the wasm backend runs about 10× slower than a plain matMul (not through XNNPACK).
// - `peer-tfjs-wasm-dcn-criteo1m-best` (at best: both costs removed by hand). The table and its
//   Adam m, v are JS Float32Arrays; each step gathers the batch's unique rows into a [U, 16]
//   tensor, the gather's gradient is scatterND into those U rows, and a JS loop applies lazy
//   Adam to them (as ours: batch rows only). Every matMul's gradient is written with explicit
//   tf.transpose + plain matMul (customGrad), which XNNPACK runs at full speed.
//
// Timing: whole steps (batch assembly from the shuffled data, forward, backward, update, loss
// read back) after warm-up steps. Full runs time `fn` with tinybench like ours; under --quick
// the case times a few steps itself and reports their median, because tinybench runs at least
// 64 + 16 iterations whatever its time budget, minutes for a multi-second step.
//
// The packages are devDependencies but optional here: without them the suite prints why on
// stderr and emits nothing. Run as a script (`node peer-tfjs.bench.js --peak-rss VARIANT STEPS`)
// this file is the child process of the peak-RSS cases, as peak-rss.ts is for ours.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { shuffledOrder } from "../src/data/batcher.js";
import { normal } from "../src/util/rng.js";
import type { BenchCase } from "./harness.js";
import { criteo1m } from "./train.bench.js";

type Tf = typeof import("@tensorflow/tfjs");
type Tensor = import("@tensorflow/tfjs").Tensor;
type Variable = import("@tensorflow/tfjs").Variable;
type GradSaveFunc = import("@tensorflow/tfjs").GradSaveFunc;
type Variant = "stock" | "best";
type Data = ReturnType<typeof criteo1m>;

const BATCH = 2048;
const DENSE = 13;
const DIM = 16;
const HIDDEN = [400, 400, 400];
const CROSS = 3;
const LR = 1e-3, BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;
const NAME = "peer-tfjs-wasm-dcn-criteo1m";

/** Loads tfjs with the wasm backend (SIMD binary from node_modules, one thread), or says why not. */
export async function loadTfjsWasm(): Promise<{ tf: Tf; version: string } | string> {
  let tf: Tf, wasm: typeof import("@tensorflow/tfjs-backend-wasm");
  try {
    tf = await import("@tensorflow/tfjs");
    wasm = await import("@tensorflow/tfjs-backend-wasm");
  } catch (err) {
    return `@tensorflow/tfjs and @tensorflow/tfjs-backend-wasm cannot be imported (${err instanceof Error ? err.message.split("\n")[0] : String(err)})`;
  }
  // The package's main file, dist/tf-backend-wasm.node.js, sits next to the .wasm binaries.
  const dist = dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"));
  wasm.setWasmPaths(dist + "/");
  wasm.setThreadsCount(1);
  // No threads: with SIMD the backend then loads tfjs-backend-wasm-simd.wasm (tfjs already
  // reports no multithread support on Node; this keeps it so).
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  try {
    if (!(await tf.setBackend("wasm")) || tf.getBackend() !== "wasm") return "the tfjs wasm backend failed to start";
  } catch (err) {
    return `the tfjs wasm backend failed to start (${err instanceof Error ? err.message : String(err)})`;
  }
  if (!(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"))) return "this runtime has no wasm SIMD";
  return { tf, version: `tfjs ${tf.version.tfjs}, tfjs-backend-wasm ${wasm.version_wasm}` };
}

/** One DCN + Adam in tfjs; `step(order, s)` trains on batch `s` of `order`, returns the loss. */
export function buildPeer(tf: Tf, data: Data, variant: Variant, tag: string) {
  const F = data.fields, N = BATCH * F;
  const rows = data.sizes.reduce((a, b) => a + b, 0);
  const inDim = F * DIM + DENSE;
  let seed = 1;
  const glorot = (r: number, c: number) => tf.randomUniform([r, c], -Math.sqrt(6 / (r + c)), Math.sqrt(6 / (r + c)), "float32", seed++);
  const vars: Variable[] = [];
  const v = (t: Tensor, name: string) => {
    const x = tf.variable(t, true, `${tag}/${name}`);
    t.dispose();
    vars.push(x);
    return x;
  };
  const crossW = Array.from({ length: CROSS }, (_, l) => v(glorot(inDim, 1), `cross.w${l}`));
  const crossB = Array.from({ length: CROSS }, (_, l) => v(tf.zeros([inDim]), `cross.b${l}`));
  const deepW: Variable[] = [], deepB: Variable[] = [];
  let width = inDim;
  HIDDEN.forEach((h, k) => {
    deepW.push(v(glorot(width, h), `deep.w${k}`));
    deepB.push(v(tf.zeros([h]), `deep.b${k}`));
    width = h;
  });
  const outW = v(glorot(inDim + width, 1), "head.w");
  const outB = v(tf.zeros([1]), "head.b");
  const dense = [...vars];
  const opt = tf.train.adam(LR, BETA1, BETA2, EPS);

  const stock = variant === "stock";
  // Stock: a table variable (N(0, 0.003²) as ours). Best: the table and its Adam state in JS.
  const table = stock ? v(tf.randomNormal([rows, DIM], 0, 0.003, "float32", seed++), "embedding") : undefined;
  const jsTable = stock ? undefined : Float32Array.from({ length: rows * DIM }, (_, i) => 0.003 * normal(1, 7, i));
  const jsM = stock ? undefined : new Float32Array(rows * DIM);
  const jsV = stock ? undefined : new Float32Array(rows * DIM);
  const stamp = stock ? undefined : new Int32Array(rows).fill(-1);
  const slot = stock ? undefined : new Int32Array(rows);
  const ids = new Int32Array(N), labels = new Float32Array(BATCH), denseIn = new Float32Array(BATCH * DENSE);
  const local = new Int32Array(N), uniq = new Int32Array(N), rowsBuf = new Float32Array(N * DIM);

  /** tf.gather(src, idx) with its gradient as scatterND of dy into src's shape (summing duplicates). */
  const gatherRows = (src: Tensor, idx: Tensor): Tensor =>
    tf.customGrad((s) => ({
      value: tf.gather(s as Tensor, idx),
      gradFunc: (dy: Tensor) => [tf.scatterND(tf.reshape(idx, [-1, 1]), dy, src.shape)],
    }))(src);

  /** a·b; best: gradients dy·bᵀ and aᵀ·dy with explicit transposes (plain matMuls run on XNNPACK). */
  const mm = (a: Tensor, b: Tensor): Tensor =>
    stock
      ? tf.matMul(a, b)
      : tf.customGrad((x, w, save) => {
        (save as GradSaveFunc)([x as Tensor, w as Tensor]); // intermediates live past forward only if saved
        return {
          value: tf.matMul(x as Tensor, w as Tensor),
          gradFunc: (dy: Tensor, [xs, ws]: Tensor[]) => [tf.matMul(dy, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy)],
        };
      })(a, b);

  const deepLayer = (h: Tensor, k: number): Tensor =>
    stock
      ? tf.fused.matMul({ a: h, b: deepW[k], bias: deepB[k], activation: "relu" })
      : tf.relu(tf.add(mm(h, deepW[k]), deepB[k]));

  const loss = (emb: Tensor, idx: Tensor, x: Tensor, y: Tensor): Tensor => {
    const x0 = tf.concat([tf.reshape(gatherRows(emb, idx), [BATCH, F * DIM]), x], 1);
    let xl = x0;
    for (let l = 0; l < CROSS; l++) xl = tf.add(tf.add(tf.mul(x0, mm(xl, crossW[l])), crossB[l]), xl);
    let h = x0;
    for (let k = 0; k < HIDDEN.length; k++) h = deepLayer(h, k);
    const logit = tf.add(mm(tf.concat([xl, h], 1), outW), outB);
    return tf.losses.sigmoidCrossEntropy(y, logit);
  };

  const fill = (order: Uint32Array, s: number) => {
    for (let k = 0; k < BATCH; k++) {
      const r = order[(s * BATCH + k) % data.n];
      ids.set(data.ids.subarray(r * F, (r + 1) * F), k * F);
      labels[k] = data.labels[r];
      denseIn.set(data.dense.subarray(r * DENSE, (r + 1) * DENSE), k * DENSE);
    }
  };

  /** Lazy Adam (bias-corrected like tf.train.adam) on the U rows `uniq`, gradient g [U, 16]. */
  let t = 0;
  const lazyAdam = (u: number, g: Float32Array) => {
    t++;
    const a = (LR * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t);
    for (let j = 0; j < u; j++) {
      const base = uniq[j] * DIM;
      for (let d = 0; d < DIM; d++) {
        const gi = g[j * DIM + d], o = base + d;
        const m = (jsM![o] = BETA1 * jsM![o] + (1 - BETA1) * gi);
        const vv = (jsV![o] = BETA2 * jsV![o] + (1 - BETA2) * gi * gi);
        jsTable![o] -= (a * m) / (Math.sqrt(vv) + EPS);
      }
    }
  };

  const stockStep = (order: Uint32Array, s: number): number => {
    fill(order, s);
    return tf.tidy(() => {
      const x = tf.tensor2d(denseIn, [BATCH, DENSE]), y = tf.tensor2d(labels, [BATCH, 1]);
      const idx = tf.tensor1d(ids, "int32");
      const params = [table!, ...dense]; // valueAndGrads differentiates w.r.t. its arguments
      const { value, grads } = tf.valueAndGrads(() => loss(table!, idx, x, y))(params);
      opt.applyGradients(params.map((p, i) => ({ name: p.name, tensor: grads[i] })));
      return value.dataSync()[0];
    });
  };

  let stepNo = 0;
  const bestStep = (order: Uint32Array, s: number): number => {
    fill(order, s);
    // The batch's unique rows in first-seen order; local[i] = row of ids[i] among them.
    let u = 0;
    stepNo++;
    for (let i = 0; i < N; i++) {
      const id = ids[i];
      if (stamp![id] !== stepNo) {
        stamp![id] = stepNo;
        slot![id] = u;
        uniq[u] = id;
        rowsBuf.set(jsTable!.subarray(id * DIM, (id + 1) * DIM), u * DIM);
        u++;
      }
      local[i] = slot![id];
    }
    return tf.tidy(() => {
      const x = tf.tensor2d(denseIn, [BATCH, DENSE]), y = tf.tensor2d(labels, [BATCH, 1]);
      const rowsT = tf.tensor2d(rowsBuf.subarray(0, u * DIM), [u, DIM]);
      const idx = tf.tensor1d(local, "int32");
      const { value, grads } = tf.valueAndGrads(() => loss(rowsT, idx, x, y))([rowsT, ...dense]);
      opt.applyGradients(dense.map((p, i) => ({ name: p.name, tensor: grads[i + 1] })));
      lazyAdam(u, grads[0].dataSync() as Float32Array);
      return value.dataSync()[0];
    });
  };

  return {
    step: stock ? stockStep : bestStep,
    dispose: () => {
      opt.dispose();
      for (const x of vars) x.dispose();
    },
  };
}

const ABOUT: Record<Variant, string> = {
  stock: "tf.Variable table + tf.gather (gradient scatterND into the full table), tf.train.adam on all rows; fused.matMul layers, stock matMul gradients (transposeA/B)",
  best: "JS table, batch rows gathered into a [U,16] tensor (gradient scatterND into U rows), lazy Adam in JS; matMul gradients with explicit transposes",
};

/**
 * The peer's cases: `train/peer-…` (samples/s of whole steps, batch assembly included as in
 * ours) and `memory/peak-rss-peer-…` (MiB, child process), for both variants. Prints a skip
 * message on stderr and returns no case when tfjs or its wasm backend is unavailable.
 */
export async function peerCases(quick: boolean): Promise<{ train: BenchCase[]; memory: BenchCase[] }> {
  const loaded = await loadTfjsWasm();
  if (typeof loaded === "string") {
    console.error(`bench peer: skipped: ${loaded}`);
    return { train: [], memory: [] };
  }
  const { tf, version } = loaded;
  const data = criteo1m(quick ? BATCH * 2 : BATCH * 32);
  const order = shuffledOrder(data.n, 1, 1);
  const warmup = quick ? 1 : 3, timed = 2;
  const rows = data.sizes.reduce((a, b) => a + b, 0);
  const train: BenchCase[] = [], memory: BenchCase[] = [];
  for (const variant of ["stock", "best"] as const) {
    const name = variant === "stock" ? NAME : `${NAME}-best`;
    const about = { peer: version, backend: "wasm-simd", variant, embedding: ABOUT[variant] };
    const meta = {
      batch: BATCH, rows, dim: DIM, hiddenUnits: HIDDEN, crossLayers: CROSS, method: "fp32", optimizer: "adam", ...about,
      warmupSteps: warmup, timing: quick ? `median of ${timed} steps` : "tinybench p50",
    };
    let peer: ReturnType<typeof buildPeer> | undefined, s = 0, value = NaN;
    const build = () => {
      peer = buildPeer(tf, data, variant, name);
      for (let i = 0; i < warmup; i++) peer.step(order, s++);
    };
    const fn = () => {
      peer!.step(order, s++);
    };
    train.push(quick
      ? {
        name, unit: "samples/s", meta, teardown: () => peer?.dispose(),
        setup: () => {
          build();
          const ms: number[] = [];
          for (let i = 0; i < timed; i++) {
            const t0 = performance.now();
            fn();
            ms.push(performance.now() - t0);
          }
          ms.sort((a, b) => a - b);
          const mid = ms.length >> 1;
          value = BATCH / ((ms.length % 2 ? ms[mid] : (ms[mid - 1] + ms[mid]) / 2) / 1000);
        },
        get value() {
          return value;
        },
      }
      : { name, unit: "samples/s", work: BATCH, meta, setup: build, teardown: () => peer?.dispose(), fn });
    memory.push(peakRssCase(variant, `peak-rss-${name}`, quick ? 2 : 20, about));
  }
  return { train, memory };
}

/** Peak RSS of a child process that builds the peer and trains `steps` steps (MiB). */
function peakRssCase(variant: Variant, name: string, steps: number, about: Record<string, unknown>): BenchCase {
  const script = fileURLToPath(import.meta.url);
  let value = NaN;
  return {
    name, unit: "MiB", meta: { steps, ...about },
    setup: () => {
      const out = execFileSync(process.execPath, [script, "--peak-rss", variant, String(steps)], { encoding: "utf8" });
      value = JSON.parse(out.trim().split("\n").pop()!).peakRssMiB as number;
    },
    get value() {
      return value;
    },
  };
}

// The peak-RSS child: as peak-rss.ts for ours, 4 batches of criteo1m, `steps` steps over them.
if (process.argv[2] === "--peak-rss" && resolve(process.argv[1] ?? "") === fileURLToPath(import.meta.url)) {
  const [, , , variant = "stock", steps = "20"] = process.argv;
  const loaded = await loadTfjsWasm();
  if (typeof loaded === "string") throw new Error(loaded);
  const data = criteo1m(BATCH * 4);
  const order = Uint32Array.from({ length: data.n }, (_, i) => i);
  const peer = buildPeer(loaded.tf, data, variant as Variant, "rss");
  for (let s = 0; s < Number(steps); s++) peer.step(order, s % 4);
  console.log(JSON.stringify({ peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
}
