// Worker threads that run kernels over the one shared wasm memory. The calling thread is
// participant 0; each worker instantiates the same module over the same memory and waits on a
// control block (a SharedArrayBuffer apart from the heap):
//
//   i32 [0] seq: bumped once per job      i32 [1] done: workers finished with this job
//   i32 [2] kernel (index into KERNELS)   i32 [3] stop (dispose)      i32 [4] a worker failed
//   i32 [5] next part to claim            i32 [6] parts of this job   i32 [7] the argument that is
//   f64 [4] its base, f64 [5] its stride      a per-thread buffer (−1: none; participant w gets
//                                             base + w·stride, e.g. the GEMM's packing scratch)
//   f64 [8 + SLOT·i]  the argument count of part i, then its arguments (every i32, u32 and f32
//                     is exact in an f64)
//
// run() writes the job's parts (more of them than threads), bumps seq and wakes the workers
// (Atomics.notify); every participant, the calling thread too, claims the next part with an
// atomic add until none is left, so a core that runs slower (a busy VM's vCPU, a little core)
// takes fewer parts instead of holding the others up. The calling thread then sleeps in
// Atomics.wait until every worker has counted itself done: no busy spinning, and the workers sleep
// between jobs. A job is split only along outputs (rows), and each output is computed as one
// thread computes it, whoever claims its part, so the bits do not depend on the threads.
// Workers start once (Pool.create) and are unref'd in Node, Deno and Bun: an idle pool never keeps a
// process up. seq only has to differ from the last value a worker saw, so it may wrap around.

/** Kernels the workers may run (their exports by name). */
const KERNELS = [
  "gemmRows", "addBiasRows", "sumRows", "reluForward", "reluBackward", "bnForward", "bnInputGrad", "crossForward", "crossBackward", "crossColumnGrads", "moveColumns", "zeroFill",
  "gatherRowsF32", "gatherDequant", "segmentSumRows", "bagRowsF32", "bagDequant", "bagSegmentSumRows", "quantizeRows", "fakeQuantRows", "lsqGradRows", "sgdRows", "adamRows", "adagradRows",
] as const;
export type PoolKernel = (typeof KERNELS)[number];

const SEQ = 0, DONE = 1, KERNEL = 2, STOP = 3, FAILED = 4, NEXT = 5, PARTS = 6, BUF_ARG = 7; // i32 slots
const BUF_BASE = 4, BUF_STRIDE = 5; // f64 slots
const ARGS = 8; // in f64 slots (byte 64)
const MAX_ARGS = 19;
const SLOT = MAX_ARGS + 1;
/** Most parts of one job. */
export const MAX_PARTS = 64;

/** The loop every worker runs (plain JS, shared by the Node and the Web bootstraps). */
const WORKER_LOOP = `
function serve(d, ready) {
  const { exports } = new WebAssembly.Instance(d.module, { env: { memory: d.memory } });
  const ctrl = new Int32Array(d.control), args = new Float64Array(d.control);
  const kernels = d.kernels.map((name) => exports[name]);
  ready();
  for (let seq = 0; ;) {
    Atomics.wait(ctrl, ${SEQ}, seq);
    seq = Atomics.load(ctrl, ${SEQ});
    if (Atomics.load(ctrl, ${STOP})) return;
    try {
      const kernel = kernels[ctrl[${KERNEL}]], parts = ctrl[${PARTS}], buf = ctrl[${BUF_ARG}];
      for (let i; (i = Atomics.add(ctrl, ${NEXT}, 1)) < parts; ) {
        const own = ${ARGS} + ${SLOT} * i, a = Array.from(args.subarray(own + 1, own + 1 + args[own]));
        if (buf >= 0) a[buf] = args[${BUF_BASE}] + d.index * args[${BUF_STRIDE}];
        kernel(...a);
      }
    } catch (e) {
      Atomics.store(ctrl, ${FAILED}, 1);
    }
    Atomics.add(ctrl, ${DONE}, 1);
    Atomics.notify(ctrl, ${DONE});
  }
}`;

// a dynamic import works whether Node evaluates this as a script or as a module
const NODE_BOOT = `${WORKER_LOOP}
import("node:worker_threads").then(({ parentPort, workerData }) => serve(workerData, () => parentPort.postMessage("ready")));`;

const WEB_BOOT = `${WORKER_LOOP}
onmessage = (e) => serve(e.data, () => postMessage("ready"));`;

/** What a worker needs: the module, the memory, the control block, its index. */
interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  kernels: readonly string[];
  index: number;
}

interface Handle {
  terminate(): void;
}

/** Kernel threads over one shared memory. */
export class Pool {
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private disposed = false;
  /** How long run() waits for a worker that makes no progress before it gives up. */
  watchdogMs = 30_000;

  private constructor(
    /** Participants, the calling thread included. */
    readonly threads: number,
    private readonly local: Record<PoolKernel, (...a: number[]) => void>,
    control: SharedArrayBuffer,
    private readonly workers: Handle[],
  ) {
    this.ctrl = new Int32Array(control);
    this.args = new Float64Array(control);
  }

  /**
   * Starts threads − 1 workers over `memory` running `module`; `local` are the calling thread's
   * kernels (the same module's exports).
   */
  static async create(threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory, local: Record<PoolKernel, (...a: number[]) => void>): Promise<Pool> {
    const control = new SharedArrayBuffer(8 * (ARGS + SLOT * MAX_PARTS));
    const workers: Handle[] = [];
    try {
      const started: Promise<void>[] = [];
      for (let w = 1; w < threads; w++) {
        const data: WorkerData = { module, memory, control, kernels: KERNELS, index: w };
        const [handle, ready] = await startWorker(data);
        workers.push(handle);
        started.push(ready);
      }
      await Promise.all(started);
    } catch (e) {
      for (const h of workers) h.terminate();
      throw e;
    }
    return new Pool(threads, local, control, workers);
  }

  /**
   * Runs `kernel(...part)` for every part (at most MAX_PARTS), the parts claimed by the
   * participants as they go, and returns when all are done. `threadBuffer`: argument `arg` of
   * every part is replaced by participant w's own buffer, `base + w·bytes` (threads × bytes in all).
   */
  run(kernel: PoolKernel, parts: readonly (readonly number[])[], threadBuffer?: { arg: number; base: number; bytes: number }): void {
    if (this.disposed) throw new Error("alpt: the thread pool was disposed");
    if (parts.length > MAX_PARTS || parts.some((p) => p.length > MAX_ARGS)) {
      throw new RangeError(`pool.run(${kernel}): ${parts.length} parts (at most ${MAX_PARTS}, of at most ${MAX_ARGS} arguments each)`);
    }
    const { ctrl, args } = this;
    parts.forEach((part, i) => {
      args[ARGS + SLOT * i] = part.length;
      args.set(part, ARGS + SLOT * i + 1);
    });
    ctrl[PARTS] = parts.length;
    ctrl[BUF_ARG] = threadBuffer ? threadBuffer.arg : -1;
    if (threadBuffer) [args[BUF_BASE], args[BUF_STRIDE]] = [threadBuffer.base, threadBuffer.bytes];
    ctrl[KERNEL] = KERNELS.indexOf(kernel);
    Atomics.store(ctrl, NEXT, 0);
    Atomics.store(ctrl, DONE, 0);
    Atomics.add(ctrl, SEQ, 1);
    Atomics.notify(ctrl, SEQ);
    try {
      // participant 0 claims parts as the workers do (their loop is WORKER_LOOP's)
      for (let i; (i = Atomics.add(ctrl, NEXT, 1)) < parts.length; ) {
        const part = threadBuffer ? parts[i]!.map((v, k) => (k === threadBuffer.arg ? threadBuffer.base : v)) : parts[i]!;
        this.local[kernel](...part);
      }
    } finally {
      this.awaitWorkers(kernel);
    }
    if (Atomics.exchange(ctrl, FAILED, 0)) throw new Error(`alpt: ${kernel} failed in a worker thread`);
  }

  /**
   * Sleeps until every worker has counted itself done. A worker that makes no progress for
   * watchdogMs (it died: a kernel takes milliseconds) disposes the pool and throws, rather than
   * hanging the caller forever.
   */
  private awaitWorkers(kernel: PoolKernel): void {
    const { ctrl } = this;
    let last = Atomics.load(ctrl, DONE), since = Date.now();
    while (last < this.threads - 1) {
      Atomics.wait(ctrl, DONE, last, Math.min(1000, this.watchdogMs));
      const d = Atomics.load(ctrl, DONE);
      if (d !== last) [last, since] = [d, Date.now()];
      else if (Date.now() - since >= this.watchdogMs) {
        this.dispose();
        throw new Error(`alpt: ${kernel}: ${this.threads - 1 - d} worker thread(s) did not finish within ${this.watchdogMs} ms (a worker died?); the thread pool was stopped`);
      }
    }
  }

  /** Stops the workers. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
    for (const h of this.workers) h.terminate();
  }
}

/**
 * Why threads cannot run here, or undefined when they can: they need SharedArrayBuffer (a page
 * must be cross-origin isolated; Cloudflare Workers have none), Atomics.wait on this thread
 * (a browser's main thread may not block) and a way to start workers.
 */
export function threadsUnavailable(): string | undefined {
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object") {
    return "SharedArrayBuffer is not available here (a page needs cross-origin isolation; Cloudflare Workers have none)";
  }
  const g = globalThis as { document?: unknown; Worker?: unknown; process?: { versions?: { node?: string } } };
  if (typeof g.document === "object") return "a browser's main thread may not wait (Atomics.wait): run alpt in a Web Worker for threads";
  if (typeof g.Worker !== "function" && !g.process?.versions?.node) return "this runtime cannot start workers";
  try {
    new WebAssembly.Memory({ initial: 0, maximum: 1, shared: true });
  } catch (e) {
    return `this runtime has no shared WebAssembly memory (${(e as Error).message})`;
  }
  return undefined;
}

/** The threads this machine offers (Node: os.availableParallelism; browsers: hardwareConcurrency). */
export async function availableThreads(): Promise<number> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const g = globalThis as { process?: { versions?: { node?: string } } };
  if (g.process?.versions?.node && !(globalThis as { Deno?: unknown }).Deno) {
    const os = "node:os";
    const { availableParallelism, cpus } = (await import(/* @vite-ignore */ os)) as typeof import("node:os");
    return typeof availableParallelism === "function" ? availableParallelism() : cpus().length;
  }
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}

/** What threads: "auto" means: the available cores, at most 8 (more split a GEMM too thinly). */
export async function autoThreads(): Promise<number> {
  return Math.min(8, await availableThreads());
}

/** Starts one worker; resolves its handle and a promise of its "ready". */
async function startWorker(data: WorkerData): Promise<[Handle, Promise<void>]> {
  const g = globalThis as { Worker?: new (url: string) => WebWorker; process?: { versions?: { node?: string } }; Bun?: unknown };
  // Node and Deno (whose node:worker_threads workers can be unref'd, unlike its Web Workers)
  if (g.process?.versions?.node && !g.Bun) {
    const wt = "node:worker_threads";
    const { Worker } = (await import(/* @vite-ignore */ wt)) as typeof import("node:worker_threads");
    const w = new Worker(NODE_BOOT, { eval: true, workerData: data, execArgv: [] });
    const ready = new Promise<void>((resolve, reject) => {
      w.once("message", () => resolve());
      w.once("error", reject);
      w.once("exit", (code) => reject(new Error(`alpt: a worker thread exited (code ${code}) before it started`)));
    });
    ready.then(() => w.unref(), () => {});
    return [{ terminate: () => void w.terminate() }, ready];
  }
  const url = URL.createObjectURL(new Blob([WEB_BOOT], { type: "text/javascript" }));
  const w = new g.Worker!(url);
  const ready = new Promise<void>((resolve, reject) => {
    w.onmessage = () => {
      (w as { unref?: () => void }).unref?.(); // Bun: an idle pool does not keep the process up
      resolve();
    };
    w.onerror = (e) => reject(new Error(`alpt: a worker thread failed to start: ${(e as { message?: string }).message ?? e}`));
  });
  w.postMessage(data);
  void ready.finally(() => URL.revokeObjectURL(url)).catch(() => {});
  return [{ terminate: () => w.terminate() }, ready];
}

interface WebWorker {
  onmessage: ((e: unknown) => void) | null;
  onerror: ((e: unknown) => void) | null;
  postMessage(data: unknown): void;
  terminate(): void;
}
