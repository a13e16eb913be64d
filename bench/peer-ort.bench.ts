// Peer bench: ONNX Runtime Node (native CPU) and ONNX Runtime Web (its wasm build, 1 thread, run
// in Node) serving the ONNX export (src/onnx/export.ts) of the
// DCN criteo1m model of `infer/dcn-criteo1m-alpt-b4` (4-bit ALPT table, 400-400-400, no batch
// norm, 13 dense features, a few training steps), on the same rows, next to ours:
//
//   infer/peer-ort-node-dcn-criteo1m-t1|t2          samples/s at batch 2048 (1, 2 intra-op threads)
//   infer/peer-ort-node-dcn-criteo1m-batch1-t1|t2   ms per call at batch 1 (latency)
//   infer/peer-ort-web-dcn-criteo1m[-batch1]        ONNX Runtime Web, wasm, 1 thread
//   infer/dcn-criteo1m-alpt-b4-batch1               ours, ms per call at batch 1 (exact core, 1 thread)
//   memory/bytes-dcn-criteo1m-alpt-b4-onnx|export   the two files' bytes on disk
//   memory/peak-rss-peer-ort-node|web-dcn-criteo1m-serve  peak RSS of the ORT child while serving (MiB)
//
// ORT runs in a child process (this file run as a script: its session is async and its RSS is
// then its own): it loads the .onnx, warms up, and times calls one by one (ids int32 and dense
// features as ORT tensors made from the same arrays each call); a case's value is the median.
// Ours (infer/dcn-criteo1m-alpt-b4, train.bench.ts) times batch assembly + predict with
// tinybench: the two include comparable feeding work, not identical. Without onnxruntime-node
// the suite says why on stderr and emits nothing.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeExport } from "../src/io/export.js";
import { DCN } from "../src/models/dcn.js";
import { exportOnnx } from "../src/onnx/export.js";
import { Adam } from "../src/optim/optimizer.js";
import { predict, trainStep } from "../src/train/step.js";
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
  peakRssMiB: number;
  version: string;
}

type Runtime = "node" | "web";

/** The ORT child: `--child node|web ONNX DATA_DIR THREADS WARMUP STEPS` prints one JSON line per batch size. */
async function child(runtime: Runtime, onnx: string, dataDir: string, threads: number, warmup: number, steps: number): Promise<void> {
  const ort = runtime === "node" ? await import("onnxruntime-node") : (await import("onnxruntime-web")) as unknown as typeof import("onnxruntime-node");
  if (runtime === "web") (ort.env as { wasm: { numThreads: number } }).wasm.numThreads = threads;
  const ids = new Int32Array(readFileSync(join(dataDir, "ids.bin")).buffer.slice(0));
  const dense = new Float32Array(readFileSync(join(dataDir, "dense.bin")).buffer.slice(0));
  const F = Number(readFileSync(join(dataDir, "fields.txt"), "utf8"));
  const session = runtime === "node"
    ? await ort.InferenceSession.create(onnx, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential" })
    : await ort.InferenceSession.create(new Uint8Array(readFileSync(onnx)));
  const n = ids.length / F;
  for (const batch of [BATCH, 1]) {
    const times: number[] = [];
    for (let s = 0; s < warmup + steps; s++) {
      const r = ((s * batch) % (n - batch + 1));
      const t0 = performance.now();
      await session.run({
        ids: new ort.Tensor("int32", ids.subarray(r * F, (r + batch) * F), [batch, F]),
        dense: new ort.Tensor("float32", dense.subarray(r * DENSE, (r + batch) * DENSE), [batch, DENSE]),
      });
      if (s >= warmup) times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const rec: ChildRecord = {
      batch, threads, medianMs: times[(times.length - 1) >> 1]!, min: times[0]!, max: times[times.length - 1]!, steps,
      peakRssMiB: process.resourceUsage().maxRSS / 1024, version: (ort.env.versions as Record<string, string | undefined>)[runtime] ?? "?",
    };
    console.log(JSON.stringify(rec));
  }
  await session.release();
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
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--child", runtime, files.onnx, dir, String(threads), String(steps.warmup), String(steps.steps)], { encoding: "utf8", maxBuffer: 1 << 24 });
      runs.set(`${runtime}-${threads}`, (r = out.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as ChildRecord)));
    }
    return r;
  };
  const common = { rows: data.sizes.reduce((a, b) => a + b, 0), dim: 16, hiddenUnits: MODEL_OPTIONS.hiddenUnits, crossLayers: 3, method: "alpt", bits: 4, onnxIds: "int32" };
  const ortCase = (runtime: Runtime, threads: number, batch: number): BenchCase => {
    let rec: ChildRecord | undefined;
    const base = runtime === "node" ? NAME : "peer-ort-web-dcn-criteo1m";
    return {
      name: `${base}${batch === 1 ? "-batch1" : ""}${runtime === "node" ? `-t${threads}` : ""}`, unit: batch === 1 ? "ms" : "samples/s",
      setup: () => {
        rec = run(runtime, threads).find((r) => r.batch === batch);
      },
      get value() {
        if (!rec) return NaN;
        return batch === 1 ? round(rec.medianMs) : round((batch / rec.medianMs) * 1000);
      },
      get meta() {
        return {
          ...common, batch, threads, engine: `onnxruntime-${runtime} ${rec?.version ?? "?"}${runtime === "web" ? " (wasm, in Node)" : ""}`, medianMs: rec && round(rec.medianMs), minMs: rec && round(rec.min), maxMs: rec && round(rec.max),
          timing: `median of ${steps.steps} calls timed one by one after ${steps.warmup} warm-up calls`,
        };
      },
    };
  };
  const out = new Float32Array(1);
  let s = 0;
  const ours1: BenchCase = {
    name: "dcn-criteo1m-alpt-b4-batch1", unit: "ms", meta: { ...common, batch: 1 },
    setup: prepare,
    fn: () => {
      const r = s++ % data.n;
      batchIds.array.set(data.ids.subarray(r * data.fields, (r + 1) * data.fields));
      predict(model!, { ids: batchIds, labels: data.labels.subarray(r, r + 1), dense: data.dense.subarray(r * DENSE, (r + 1) * DENSE), size: 1 }, out);
    },
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
  const rssCase: BenchCase = {
    name: `peak-rss-${NAME}-serve`, unit: "MiB", meta: { ...common, what: "the ORT child after serving batch 2048 then batch 1, 1 thread" },
    setup: () => void run("node", 1),
    get value() {
      return round(Math.max(...run("node", 1).map((r) => r.peakRssMiB)));
    },
  };
  const rssWeb: BenchCase = {
    name: "peak-rss-peer-ort-web-dcn-criteo1m-serve", unit: "MiB", meta: { ...common, what: "the ORT Web child (wasm, in Node) after serving batch 2048 then batch 1, 1 thread" },
    setup: () => void run("web", 1),
    get value() {
      return round(Math.max(...run("web", 1).map((r) => r.peakRssMiB)));
    },
  };
  return {
    infer: [ortCase("node", 1, BATCH), ortCase("node", 2, BATCH), ortCase("web", 1, BATCH), ortCase("node", 1, 1), ortCase("node", 2, 1), ortCase("web", 1, 1), ours1],
    memory: [bytesCase("onnx"), bytesCase("export"), rssCase, rssWeb],
  };
}

if (process.argv[2] === "--child" && resolve(process.argv[1] ?? "") === fileURLToPath(import.meta.url)) {
  const [, , , runtime = "node", onnx = "", dataDir = "", threads = "1", warmup = "5", steps = "50"] = process.argv;
  await child(runtime as Runtime, onnx, dataDir, Number(threads), Number(warmup), Number(steps));
}
