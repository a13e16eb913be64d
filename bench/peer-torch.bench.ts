// Optional peer bench: PyTorch on the CPU (Debian's python3-torch + libopenblas0-openmp), the DCN
// criteo1m of `train/dcn-criteo1m-fp32` written as a PyTorch user would (bench/peer-torch.py:
// nn.Embedding(sparse=True) + SparseAdam, dense Adam), trained and inferred at 1 and 2 threads.
//
// Data: this side writes the very rows of our bench (criteo1m(): Zipf ids, dense values, labels)
// and its batch order (shuffledOrder(n, 1, 1)) to a temporary binary file that the script reads
// with torch.frombuffer, so both engines see the same batches in the same order; porting zipfIds
// to Python would need seedrandom's generator bit for bit, and any slip would change the rows a
// batch touches (the cost of the sparse update) without anyone noticing.
//
// Cases (values measured in child processes, one python per thread count):
// - `train/peer-torch-dcn-criteo1m-t1|t2`: samples/s of whole training steps (batch gather from
//   the in-memory data, forward, backward, SparseAdam + Adam, loss read back), median over the
//   timed steps after warm-up steps, each step timed alone; min and max in the record.
// - `infer/peer-torch-dcn-criteo1m-t1|t2`: the same for forward + sigmoid under
//   torch.inference_mode(), batch 2048 as `infer/dcn-criteo1m-*`, on the trained model.
// - `memory/peak-rss-peer-torch-dcn-criteo1m`: ru_maxrss of a python that trains `steps` steps
//   on 4 batches, as bench/peak-rss.ts does for ours (1 thread).
// The child runs without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (set on this machine for old
// OpenBLAS bugs; with them OpenBLAS picks slower kernels) and with OMP_NUM_THREADS = threads; the
// record names the torch version, the BLAS and the kernel it chose, the CPU model and the threads.
//
// Without a python that imports torch (ALPT_TORCH_PYTHON, /usr/bin/python3, python3, python)
// the suite prints why on stderr and emits nothing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { endianness, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { shuffledOrder } from "../src/data/batcher.js";
import type { BenchCase } from "./harness.js";
import { criteo1m } from "./train.bench.js";

const BATCH = 2048;
const NAME = "peer-torch-dcn-criteo1m";
const DROPPED_ENV = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

/** The script: next to this file in the source tree, or bench/ of the checkout when built. */
export function torchPeerScript(): string {
  const here = fileURLToPath(new URL("./peer-torch.py", import.meta.url));
  return existsSync(here) ? here : fileURLToPath(new URL("../../../bench/peer-torch.py", import.meta.url));
}

/** What the data file holds: rows of ids (field offsets added), dense values, labels, batch order. */
export interface TorchPeerData {
  sizes: number[];
  n: number;
  ids: Int32Array;
  dense: Float32Array;
  labels: Float32Array;
  order: Uint32Array;
}

/** One run of the script (see the docstring of bench/peer-torch.py). */
export interface TorchPeerConfig {
  denseFeatures: number;
  dim: number;
  cross: number;
  hidden: number[];
  batch: number;
  threads: number;
  lr: number;
  warmup: number;
  trainSteps: number;
  inferSteps: number;
  peakRss?: boolean;
}

/** A JSON line of the script: "env", "train", "infer" or "peak-rss". */
export interface TorchPeerRecord {
  kind: string;
  [k: string]: unknown;
}

/** The environment of the child: the OpenBLAS overrides removed, OpenMP at `threads`. */
export function torchPeerEnv(threads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads) };
  for (const k of DROPPED_ENV) delete env[k];
  return env;
}

/** The OpenBLAS overrides of this process that the child runs without ("K=V, …"), if any. */
function droppedEnv(): string | undefined {
  const set = DROPPED_ENV.filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]}`);
  return set.length ? set.join(", ") : undefined;
}

function parseLines(out: string): TorchPeerRecord[] {
  return out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as TorchPeerRecord);
}

/**
 * The first python that has torch, or why there is none. The check finds the package without
 * importing it (an import takes seconds, and every run of the script imports it anyway).
 */
export function findTorchPython(): string | { skip: string } {
  const tried: string[] = [];
  for (const python of [process.env.ALPT_TORCH_PYTHON, "/usr/bin/python3", "python3", "python"]) {
    if (!python) continue;
    const r = spawnSync(python, ["-c", "import importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is None)"], { encoding: "utf8", timeout: 60_000 });
    if (r.status === 0) return python;
    tried.push(`${python}: ${r.error ? r.error.message : r.status === 1 ? "no torch" : (r.stderr.trim().split("\n").pop() ?? `exit ${String(r.status)}`)}`);
  }
  return { skip: `no python has torch (apt-get install python3-torch libopenblas0-openmp, or set ALPT_TORCH_PYTHON); tried ${tried.join("; ")}` };
}

/** Writes `data` to a temporary file, runs the script on it with `config`, returns its records. */
export function runTorchPeer(python: string, data: TorchPeerData, config: TorchPeerConfig): TorchPeerRecord[] {
  if (endianness() !== "LE") throw new Error("peer-torch: the data file is written in this machine's byte order, little-endian expected");
  const F = data.sizes.length;
  const D = config.denseFeatures;
  if (data.ids.length !== data.n * F || data.dense.length !== data.n * D || data.labels.length !== data.n || data.order.length !== data.n) {
    throw new Error("peer-torch: ids, dense, labels and order must hold n rows");
  }
  const dir = mkdtempSync(join(tmpdir(), "alpt-peer-torch-"));
  try {
    const file = join(dir, "data.bin");
    const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    writeFileSync(file, Buffer.concat([bytes(data.ids), bytes(data.dense), bytes(data.labels), bytes(data.order)]));
    const arg = JSON.stringify({ ...config, data: file, n: data.n, sizes: data.sizes });
    const r = spawnSync(python, [torchPeerScript(), arg], {
      encoding: "utf8", env: torchPeerEnv(config.threads), maxBuffer: 1 << 24, stdio: ["ignore", "pipe", "pipe"],
    });
    if (r.status !== 0) {
      throw new Error(`peer-torch: ${python} ${r.error?.message ?? `exited with ${r.status ?? r.signal}`}: ${r.stderr.trim().split("\n").slice(-5).join("\n")}`);
    }
    const records = parseLines(r.stdout);
    checkData(data, byKind(records, "data"));
    return records;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Throws unless the sums the script read equal those of `data` (dense: up to summation order). */
function checkData(data: TorchPeerData, read: TorchPeerRecord): void {
  const sum = (a: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]!;
    return s;
  };
  const want = { idsSum: sum(data.ids), labelsSum: sum(data.labels), orderSum: sum(data.order) };
  for (const [k, v] of Object.entries(want)) {
    if (read[k] !== v) throw new Error(`peer-torch: the script read ${k} ${String(read[k])}, this side wrote ${v}`);
  }
  const dense = sum(data.dense);
  if (!(Math.abs((read.denseSum as number) - dense) <= 1e-9 * Math.max(1, Math.abs(dense)))) {
    throw new Error(`peer-torch: the script read denseSum ${String(read.denseSum)}, this side wrote ${dense}`);
  }
}

/** The records of one run by kind; throws when one is missing. */
function byKind(records: TorchPeerRecord[], kind: string): TorchPeerRecord {
  const r = records.find((x) => x.kind === kind);
  if (!r) throw new Error(`peer-torch: the script printed no "${kind}" line`);
  return r;
}

/** The meta of a case from the script's "env" record. */
function envMeta(env: TorchPeerRecord): Record<string, unknown> {
  return {
    peer: `torch ${String(env.torch)}`, python: env.python, cpu: env.cpu, threads: env.threads,
    parallel: env.parallel, blas: env.blas, blasKernel: env.blasKernel, openblasEnvUnset: droppedEnv(),
  };
}

/**
 * The PyTorch peer's cases for the train, infer and memory suites. Each thread count runs in its
 * own python process, started by the first of its cases that the filter keeps. Prints a skip
 * message on stderr and returns no case when no python imports torch.
 */
export function torchPeerCases(quick: boolean): { train: BenchCase[]; infer: BenchCase[]; memory: BenchCase[] } {
  const python = findTorchPython();
  if (typeof python !== "string") {
    console.error(`bench peer (torch): skipped: ${python.skip}`);
    return { train: [], infer: [], memory: [] };
  }
  const d = criteo1m(quick ? BATCH * 4 : BATCH * 32); // the rows of train.bench.ts (full: its SAMPLES)
  const data: TorchPeerData = { ...d, order: shuffledOrder(d.n, 1, 1) };
  const model = { denseFeatures: 13, dim: 16, cross: 3, hidden: [400, 400, 400], batch: BATCH, lr: 1e-3 };
  const steps = quick ? { warmup: 1, trainSteps: 2, inferSteps: 2 } : { warmup: 3, trainSteps: 20, inferSteps: 50 };
  const rows = d.sizes.reduce((a, b) => a + b, 0);
  const common = {
    batch: BATCH, rows, dim: 16, hiddenUnits: model.hidden, crossLayers: 3, method: "fp32",
    embedding: "nn.Embedding(sparse=True) + torch.optim.SparseAdam (batch rows only); dense torch.optim.Adam; lr 1e-3",
  };

  const runs = new Map<number, TorchPeerRecord[]>();
  const run = (threads: number): TorchPeerRecord[] => {
    let r = runs.get(threads);
    if (!r) runs.set(threads, (r = runTorchPeer(python, data, { ...model, ...steps, threads })));
    return r;
  };

  /** A case whose value and meta come from the run at `threads` (kind "train" or "infer"). */
  const speedCase = (kind: "train" | "infer", threads: number): BenchCase => {
    let rec: TorchPeerRecord | undefined, env: TorchPeerRecord | undefined;
    return {
      name: `${NAME}-t${threads}`, unit: "samples/s",
      setup: () => {
        const records = run(threads);
        rec = byKind(records, kind);
        env = byKind(records, "env");
      },
      get value() {
        return (rec?.value as number | undefined) ?? NaN;
      },
      get meta() {
        if (!rec || !env) return { ...common, threads };
        return {
          ...common, ...(kind === "train" ? { optimizer: "sparse-adam+adam" } : {}), ...envMeta(env),
          min: round(rec.min), max: round(rec.max), medianStepMs: round(rec.medianStepMs),
          warmupSteps: rec.warmupSteps, timedSteps: rec.timedSteps,
          timing: `median of ${String(rec.timedSteps)} steps timed one by one after ${String(rec.warmupSteps)} warm-up steps`,
        };
      },
    };
  };

  const rssSteps = quick ? 2 : 20;
  let rss: TorchPeerRecord | undefined, rssEnv: TorchPeerRecord | undefined;
  const memory: BenchCase = {
    name: `peak-rss-${NAME}`, unit: "MiB",
    setup: () => {
      // as bench/peak-rss.ts: 4 batches of criteo1m in their natural order, `rssSteps` steps over them
      const r = criteo1m(BATCH * 4);
      const records = runTorchPeer(python, { ...r, order: Uint32Array.from({ length: r.n }, (_, i) => i) }, {
        ...model, threads: 1, warmup: 0, trainSteps: rssSteps, inferSteps: 0, peakRss: true,
      });
      rss = byKind(records, "peak-rss");
      rssEnv = byKind(records, "env");
    },
    get value() {
      return (rss?.peakRssMiB as number | undefined) ?? NaN;
    },
    get meta() {
      return { ...common, optimizer: "sparse-adam+adam", steps: rssSteps, ...(rssEnv ? envMeta(rssEnv) : { threads: 1 }) };
    },
  };

  return {
    train: [speedCase("train", 1), speedCase("train", 2)],
    infer: [speedCase("infer", 1), speedCase("infer", 2)],
    memory: [memory],
  };
}

function round(x: unknown): number {
  return Number(Number(x).toPrecision(4));
}
