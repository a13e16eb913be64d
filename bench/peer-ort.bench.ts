// Peer bench: ONNX Runtime Node (native CPU) and ONNX Runtime Web (its wasm build, 1 thread, run
// in Node) serving the ONNX export (src/onnx/export.ts) of the
// DCN criteo1m model of `infer/dcn-criteo1m-alpt-b4` (4-bit ALPT table, 400-400-400, no batch
// norm, 13 dense features, a few training steps), on the same rows, next to ours:
//
//   infer/peer-ort-node-dcn-criteo1m-t1|t2          samples/s at batch 2048 (1, 2 intra-op threads)
//   infer/peer-ort-node-dcn-criteo1m-batch1-t1|t2   ms per call at batch 1 (latency)
//   infer/peer-ort-web-dcn-criteo1m[-batch1]        ONNX Runtime Web, wasm, 1 thread
//   infer/dcn-criteo1m-alpt-b4-serve[-batch1]-t1|t2  ours: loadPredictor on the alpt export (exact core)
//   memory/bytes-dcn-criteo1m-alpt-b4-onnx|export   the two files' bytes on disk
//   memory/peak-rss-…-serve                         peak RSS of each 1-thread child while serving (MiB)
//
// Each runtime serves in a child process (this file run as a script: ORT's session is async, and
// the RSS is then the server's own): it loads its file, warms up, and times calls one by one on
// the same rows (ORT: int32 ids and dense features as tensors over the same arrays each call;
// ours: predictIds); a case's value is the median. Without onnxruntime-node the suite says why
// on stderr and emits nothing.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { init } from "../src/entry/default.js";
import { encodeExport } from "../src/io/export.js";
import { DCN } from "../src/models/dcn.js";
import { exportOnnx } from "../src/onnx/export.js";
import { loadPredictor } from "../src/serve/predictor.js";
import { Adam } from "../src/optim/optimizer.js";
import { trainStep } from "../src/train/step.js";
import type { Engine } from "../src/wasm/load.js";
import type { BenchCase } from "./harness.js";
import { criteo1m } from "./train.bench.js";

const BATCH = 2048;
const DENSE = 13;
const NAME = "peer-ort-node-dcn-criteo1m";
const MODEL_OPTIONS = {
  denseFeatures: DENSE, embeddingDim: 16, crossLayers: 3, hiddenUnits: [400, 400, 400], batchNorm: false,
  embedding: { method: "alpt" as const, bits: 4 },
};

interface ChildRecord {
  batch: number;
  threads: number;
  medianMs: number;
  min: number;
  max: number;
  steps: number;
  warmup: number;
  peakRssMiB: number;
  version: string;
}

type Runtime = "node" | "web" | "alpt";

/** A function that predicts `batch` rows from their ids and dense features. */
type Serve = (ids: Int32Array, dense: Float32Array, batch: number) => Promise<unknown> | unknown;

/** The serving runtime of the child: an ORT session, or alpt's predictor on the alpt export. */
async function serving(runtime: Runtime, file: string, threads: number, F: number): Promise<{ serve: Serve; version: string; release: () => Promise<void> }> {
  if (runtime === "alpt") {
    const e = await init(readFileSync(join(process.cwd(), `build/core${threads > 1 ? "-threads" : ""}.wasm`)), { simd: "exact", threads });
    const p = loadPredictor(new Uint8Array(readFileSync(file)), { batchSize: BATCH });
    return { serve: (ids, dense) => p.predictIds(ids, dense), version: `alpt (${e.info.name}, ${e.info.threads ?? 1} thread(s))`, release: async () => p.dispose() };
  }
  const ort = runtime === "node" ? await import("onnxruntime-node") : (await import("onnxruntime-web")) as unknown as typeof import("onnxruntime-node");
  if (runtime === "web") (ort.env as { wasm: { numThreads: number } }).wasm.numThreads = threads;
  const session = runtime === "node"
    ? await ort.InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential" })
    : await ort.InferenceSession.create(new Uint8Array(readFileSync(file)));
  return {
    serve: (ids, dense, batch) => session.run({ ids: new ort.Tensor("int32", ids, [batch, F]), dense: new ort.Tensor("float32", dense, [batch, DENSE]) }),
    version: `onnxruntime-${runtime} ${(ort.env.versions as Record<string, string | undefined>)[runtime] ?? "?"}`,
    release: () => session.release(),
  };
}

/**
 * The child: `--child node|web|alpt FILE DATA_DIR THREADS WARMUP STEPS` serves batches of 2048
 * then of 1 and prints one JSON line per batch size (ORT Web at batch 2048: at most 3 + 20 calls).
 */
async function child(runtime: Runtime, file: string, dataDir: string, threads: number, warmup: number, steps: number): Promise<void> {
  const ids = new Int32Array(readFileSync(join(dataDir, "ids.bin")).buffer.slice(0));
  const dense = new Float32Array(readFileSync(join(dataDir, "dense.bin")).buffer.slice(0));
  const F = Number(readFileSync(join(dataDir, "fields.txt"), "utf8"));
  const { serve, version, release } = await serving(runtime, file, threads, F);
  const n = ids.length / F;
  for (const batch of [BATCH, 1]) {
    const slow = runtime === "web" && batch > 1;
    const [w, k] = slow ? [Math.min(warmup, 3), Math.min(steps, 20)] : [warmup, steps];
    const times: number[] = [];
    for (let s = 0; s < w + k; s++) {
      const r = (s * batch) % (n - batch + 1);
      const t0 = performance.now();
      await serve(ids.subarray(r * F, (r + batch) * F), dense.subarray(r * DENSE, (r + batch) * DENSE), batch);
      if (s >= w) times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const rec: ChildRecord = {
      batch, threads, medianMs: times[(times.length - 1) >> 1]!, min: times[0]!, max: times[times.length - 1]!, steps: k, warmup: w,
      peakRssMiB: process.resourceUsage().maxRSS / 1024, version,
    };
    console.log(JSON.stringify(rec));
  }
  await release();
}

const round = (x: number): number => Number(x.toPrecision(4));

/** The ORT peer cases and ours at batch 1 (run in the base setup: exact core, 1 thread). */
export function ortPeerCases(e: Engine, quick: boolean): { infer: BenchCase[]; memory: BenchCase[] } {
  try {
    execFileSync(process.execPath, ["-e", "require('onnxruntime-node')"], { stdio: "ignore" });
  } catch {
    console.error("bench peer (onnxruntime-node): skipped: the package does not load (npm ci installs it as a devDependency)");
    return { infer: [], memory: [] };
  }
  const data = criteo1m(quick ? BATCH * 2 : BATCH * 8);
  const dir = resolve(".cache/bench/peer-ort");
  const files = { onnx: join(dir, "dcn-criteo1m-alpt-b4.onnx"), export: join(dir, "dcn-criteo1m-alpt-b4.safetensors") };
  const steps = quick ? { warmup: 1, steps: 3 } : { warmup: 20, steps: 200 };
  let prepared = false;
  const batchIds = e.heap.allocI32(BATCH * data.fields, "bench ort ids");
  let model: DCN | undefined;
  /** Builds the model as inferCases does (4 training steps), writes both files and the rows. */
  const prepare = () => {
    if (prepared) return;
    prepared = true;
    model = new DCN({ fieldSizes: data.sizes, ...MODEL_OPTIONS });
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    for (let step = 0; step < 4; step++) {
      const s = step % (data.n / BATCH);
      batchIds.array.set(data.ids.subarray(s * BATCH * data.fields, (s + 1) * BATCH * data.fields));
      trainStep(model, { ids: batchIds, labels: data.labels.subarray(s * BATCH, (s + 1) * BATCH), dense: data.dense.subarray(s * BATCH * DENSE, (s + 1) * BATCH * DENSE), size: BATCH }, opt);
    }
    mkdirSync(dir, { recursive: true });
    const info = { model: "DCN", modelOptions: { fieldSizes: data.sizes, ...MODEL_OPTIONS } };
    writeFileSync(files.export, encodeExport(model, info));
    writeFileSync(files.onnx, exportOnnx(model, info, { idsDtype: "int32" }));
    writeFileSync(join(dir, "ids.bin"), data.ids);
    writeFileSync(join(dir, "dense.bin"), data.dense);
    writeFileSync(join(dir, "fields.txt"), String(data.fields));
  };
  const runs = new Map<string, ChildRecord[]>();
  const run = (runtime: Runtime, threads: number): ChildRecord[] => {
    let r = runs.get(`${runtime}-${threads}`);
    if (!r) {
      prepare();
      const file = runtime === "alpt" ? files.export : files.onnx;
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--child", runtime, file, dir, String(threads), String(steps.warmup), String(steps.steps)], { encoding: "utf8", maxBuffer: 1 << 24 });
      runs.set(`${runtime}-${threads}`, (r = out.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as ChildRecord)));
    }
    return r;
  };
  const common = { rows: data.sizes.reduce((a, b) => a + b, 0), dim: 16, hiddenUnits: MODEL_OPTIONS.hiddenUnits, crossLayers: 3, method: "alpt", bits: 4, onnxIds: "int32" };
  const BASE: Record<Runtime, string> = { node: NAME, web: "peer-ort-web-dcn-criteo1m", alpt: "dcn-criteo1m-alpt-b4-serve" };
  /** Throughput (batch 2048) or latency (batch 1) of `runtime` at `threads`, from its child. */
  const speedCase = (runtime: Runtime, threads: number, batch: number): BenchCase => {
    let rec: ChildRecord | undefined;
    return {
      name: `${BASE[runtime]}${batch === 1 ? "-batch1" : ""}${runtime !== "web" ? `-t${threads}` : ""}`, unit: batch === 1 ? "ms" : "samples/s",
      setup: () => {
        rec = run(runtime, threads).find((r) => r.batch === batch);
      },
      get value() {
        if (!rec) return NaN;
        return batch === 1 ? round(rec.medianMs) : round((batch / rec.medianMs) * 1000);
      },
      get meta() {
        return {
          ...common, batch, threads, engine: `${rec?.version ?? runtime}${runtime === "web" ? " (wasm, in Node)" : ""}`,
          medianMs: rec && round(rec.medianMs), minMs: rec && round(rec.min), maxMs: rec && round(rec.max),
          timing: rec && `median of ${rec.steps} calls timed one by one after ${rec.warmup} warm-up calls, in a child process`,
        };
      },
    };
  };
  const bytesCase = (kind: "onnx" | "export"): BenchCase => {
    let value = NaN;
    return {
      name: `bytes-dcn-criteo1m-alpt-b4-${kind}`, unit: "B", meta: { ...common, file: kind === "onnx" ? "exportOnnx (opset 17)" : "alpt export (safetensors, F32 Δ)" },
      setup: () => {
        prepare();
        value = statSync(files[kind]).size;
      },
      get value() {
        return value;
      },
    };
  };
  /** Peak RSS of the 1-thread child of `runtime` after serving both batch sizes. */
  const rssCase = (runtime: Runtime): BenchCase => ({
    name: `peak-rss-${BASE[runtime]}`.replace(/-serve$/, "") + "-serve", unit: "MiB",
    meta: { ...common, what: `the ${runtime === "alpt" ? "alpt predictor" : `ONNX Runtime ${runtime === "web" ? "Web (wasm, in Node)" : "Node"}`} child after serving batch 2048 then batch 1, 1 thread` },
    setup: () => void run(runtime, 1),
    get value() {
      return round(Math.max(...run(runtime, 1).map((r) => r.peakRssMiB)));
    },
  });
  const infer: BenchCase[] = [];
  for (const batch of [BATCH, 1]) {
    infer.push(speedCase("alpt", 1, batch), speedCase("alpt", 2, batch), speedCase("node", 1, batch), speedCase("node", 2, batch), speedCase("web", 1, batch));
  }
  return { infer, memory: [bytesCase("onnx"), bytesCase("export"), rssCase("alpt"), rssCase("node"), rssCase("web")] };
}

if (process.argv[2] === "--child" && resolve(process.argv[1] ?? "") === fileURLToPath(import.meta.url)) {
  const [, , , runtime = "node", file = "", dataDir = "", threads = "1", warmup = "5", steps = "50"] = process.argv;
  await child(runtime as Runtime, file, dataDir, Number(threads), Number(warmup), Number(steps));
}
