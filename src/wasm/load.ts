// Instantiates the core module once and owns the engine state: the heap and the active
// kernel backend. `init(source)` takes a WebAssembly.Module, bytes, a URL or a Response; with
// no source it uses the default that the package entry registered (the packaged core.wasm).
// Without wasm SIMD (or if the module cannot be compiled) the engine runs the TS reference
// kernels over a plain WebAssembly.Memory and says so in backend().
// Two builds of the core exist: the exact one (core.wasm, the default: the same bits on every
// CPU) and the relaxed one (core-relaxed.wasm: fused multiply-add in the GEMM micro-kernel,
// faster, bits may differ between CPUs). `simd: "relaxed"` asks for the second; the module says
// which build it is (its `relaxedSimd` flag), and a mismatch is an error, never a silent switch.
// `threads: N > 1` needs the shared-memory build of either (core-threads[-relaxed].wasm, which
// imports its memory): the engine then creates a shared memory and a pool of N − 1 workers
// (pool.ts) that kernels split their rows over, with the bits of one thread. Where threads
// cannot run (pool.ts threadsUnavailable) the engine runs one thread and says why in backend().

import { createRefKernels } from "../ref/index.js";
import type { CoreKernels } from "./abi.js";
import { Heap, heapCeilingBytes, type HeapOptions } from "./heap.js";
import { Pool, autoThreads, threadsUnavailable } from "./pool.js";

/** What init() accepts as the core module. */
export type WasmSource =
  | WebAssembly.Module
  | ArrayBuffer
  | ArrayBufferView
  | URL
  | string
  | Response
  | PromiseLike<Response>;

/** Options of init(). */
export interface InitOptions extends HeapOptions {
  /** "auto" (default): wasm SIMD when available; "ref": the TS reference kernels. */
  backend?: "auto" | "ref";
  /**
   * "exact" (default): mul + add, the same bits on every CPU. "relaxed": the relaxed-SIMD core
   * (fused multiply-add), deterministic on one machine; needs relaxed SIMD in the runtime.
   */
  simd?: SimdMode;
  /**
   * Threads for the kernels: a number, or "auto" (the available cores, at most 8; the default of
   * the package's init(); createEngine's default is 1). More than one needs the shared-memory core
   * (core-threads.wasm / core-threads-relaxed.wasm; the package entry picks it). Results are the
   * same bits at any count.
   */
  threads?: number | "auto";
}

/** Which build of the core: exact mul + add, or relaxed SIMD (fused multiply-add). */
export type SimdMode = "exact" | "relaxed";

/** Which kernels run, and why. */
export interface BackendInfo {
  name: "wasm-simd" | "ref";
  /** The build of the wasm core that runs (wasm-simd only). */
  simd?: SimdMode;
  /** Threads the kernels run on (wasm-simd only). */
  threads?: number;
  /** Why fewer threads run than were asked for, when they do. */
  threadsReason?: string;
  /** Why the reference backend is active, when it is. */
  reason?: string;
}

/** The initialised engine. */
export interface Engine {
  readonly heap: Heap;
  /** The wasm kernels, when the module loaded. */
  readonly wasm: CoreKernels | undefined;
  /** The reference kernels over the same memory. */
  readonly ref: CoreKernels;
  /** The kernels that wrappers dispatch to. */
  active: CoreKernels;
  /** The build of the wasm core (what useBackend("wasm-simd") returns to). */
  readonly simd: SimdMode;
  /** The worker threads of the wasm kernels, when more than one thread runs. */
  readonly pool?: Pool;
  /** What the wasm backend reports (info while it is active; useBackend("wasm-simd") restores it). */
  readonly wasmInfo?: BackendInfo;
  info: BackendInfo;
}

// (module (func (result v128) i32.const 0 i32x4.splat))
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 17, 11,
]);

// (module (func (result v128) i32.const 0 i32x4.splat ×3 f32x4.relaxed_madd))
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0,
  65, 0, 253, 17, 65, 0, 253, 17, 65, 0, 253, 17, 253, 133, 2, 11,
]);

let engine: Engine | undefined;
let pending: Promise<Engine> | undefined;

/** True when this runtime validates wasm fixed-width SIMD. */
export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** True when this runtime validates wasm relaxed SIMD (Node 20 needs a V8 flag: entry/default.ts). */
export function relaxedSimdSupported(): boolean {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(RELAXED_SIMD_PROBE);
  } catch {
    return false;
  }
}

/**
 * Instantiates the core once (later calls return the same engine). The package entries wrap
 * this with their default source.
 * @param source the module, its bytes, a URL or a Response
 */
export function init(source?: WasmSource, options: InitOptions = {}): Promise<Engine> {
  if (engine) {
    // init() with no simd takes the engine as it is; asking for the other build is an error
    const want = options.simd;
    if (want !== undefined && engine.wasm && engine.simd !== want) {
      return Promise.reject(new Error(`alpt: the engine already runs the ${engine.simd} core; init({ simd: "${want}" }) cannot switch it (one core per process)`));
    }
    return Promise.resolve(engine);
  }
  pending ??= createEngine(source, options).then(
    (e) => (engine = e),
    (err: unknown) => {
      pending = undefined;
      throw err;
    },
  );
  return pending;
}

/** The engine; throws if init() has not completed. */
export function getEngine(): Engine {
  if (!engine) throw new Error("alpt: call `await init()` before using the engine");
  return engine;
}

/** The active backend. */
export function backend(): BackendInfo {
  return getEngine().info;
}

/** Switches the kernels every wrapper uses ("wasm-simd" needs a loaded module). */
export function useBackend(name: "wasm-simd" | "ref"): void {
  const e = getEngine();
  if (name === "ref") {
    e.active = e.ref;
    e.info = { name: "ref", reason: "selected with useBackend" };
  } else {
    if (!e.wasm) throw new Error(`alpt: the wasm backend is not available (${e.info.reason})`);
    e.active = e.wasm;
    e.info = { ...e.wasmInfo! }; // set with every wasm module
  }
}

/**
 * Builds a new, independent engine (init() keeps one per process; this is for hosts and tests
 * that need several). `source` may be omitted only with backend: "ref".
 */
export async function createEngine(source: WasmSource | undefined, options: InitOptions = {}): Promise<Engine> {
  const simd = options.simd ?? "exact";
  if (simd !== "exact" && simd !== "relaxed") throw new Error(`alpt: simd must be "exact" or "relaxed", got ${JSON.stringify(simd)}`);
  if (simd === "relaxed" && options.backend === "ref") throw new Error(`alpt: simd: "relaxed" needs the wasm backend, not backend: "ref"`);
  if (simd === "relaxed" && !relaxedSimdSupported()) {
    throw new Error("alpt: simd: \"relaxed\" was asked for, but this runtime does not support WebAssembly relaxed SIMD (Node ≥ 22, Deno, Bun, Chromium and workerd do; Node 20 with --experimental-wasm-relaxed-simd)");
  }
  let reason: string | undefined;
  if (options.backend === "ref") reason = "requested with backend: 'ref'";
  else if (!simdSupported()) reason = "this runtime does not support WebAssembly SIMD";
  let module: WebAssembly.Module | undefined;
  if (reason === undefined) {
    if (source === undefined) throw new Error("alpt: init() needs a source for core.wasm here");
    module = await compile(source);
  }
  if (module) {
    const auto = options.threads === "auto";
    const wanted: number = auto ? await autoThreads() : (options.threads as number | undefined) ?? 1;
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > 256) throw new Error(`alpt: threads must be an integer in [1, 256] or "auto", got ${JSON.stringify(wanted)}`);
    const shared = WebAssembly.Module.imports(module).some((i) => i.kind === "memory");
    const sharedFile = `core-threads${simd === "relaxed" ? "-relaxed" : ""}.wasm`;
    let threads: number = wanted, threadsReason: string | undefined;
    if (wanted > 1) {
      threadsReason = threadsUnavailable() ?? (auto && !shared ? `the core given has no shared memory (${sharedFile} runs threads)` : undefined);
      if (threadsReason) threads = 1;
      else if (!shared) throw new Error(`alpt: init({ threads: ${wanted} }) was given a core without shared memory; pass ${sharedFile}`);
    }
    const maximum = Math.ceil(heapCeilingBytes(options) / 65536);
    const imports: WebAssembly.Imports = shared ? { env: { memory: new WebAssembly.Memory({ initial: 0, maximum, shared: true }) } } : {};
    const instance = await WebAssembly.instantiate(module, imports);
    const exports = instance.exports as unknown as CoreKernels & { memory: WebAssembly.Memory; relaxedSimd?: WebAssembly.Global };
    const built: SimdMode = exports.relaxedSimd?.value === 1 ? "relaxed" : "exact";
    if (built !== simd) {
      throw new Error(`alpt: init({ simd: "${simd}" }) was given the ${built} core (${built === "relaxed" ? "core-relaxed.wasm" : "core.wasm"}); pass ${simd === "relaxed" ? "core-relaxed.wasm" : "core.wasm"}, or simd: "${built}"`);
    }
    const heap = new Heap(exports.memory, options);
    const ref = createRefKernels(exports.memory);
    const pool = threads > 1 ? await Pool.create(threads, module, exports.memory, exports) : undefined;
    const info = wasmInfo(simd, threads, threadsReason);
    return { heap, wasm: exports, ref, active: exports, simd, pool, wasmInfo: info, info: { ...info } };
  }
  const memory = new WebAssembly.Memory({ initial: 0, maximum: 65536 });
  const ref = createRefKernels(memory);
  return { heap: new Heap(memory, options), wasm: undefined, ref, active: ref, simd, info: { name: "ref", reason } };
}

function wasmInfo(simd: SimdMode, threads: number, threadsReason: string | undefined): BackendInfo {
  return threadsReason ? { name: "wasm-simd", simd, threads, threadsReason } : { name: "wasm-simd", simd, threads };
}

async function compile(src: WasmSource): Promise<WebAssembly.Module> {
  if (src instanceof WebAssembly.Module) return src;
  if (src instanceof ArrayBuffer || ArrayBuffer.isView(src)) {
    return WebAssembly.compile(src as BufferSource);
  }
  if (typeof src === "string" || src instanceof URL) {
    const url = new URL(String(src), typeof location === "object" ? location.href : undefined);
    if (url.protocol === "file:") return WebAssembly.compile(await readFileUrl(url));
    return compileResponse(fetch(url));
  }
  return compileResponse(src);
}

async function compileResponse(res: Response | PromiseLike<Response>): Promise<WebAssembly.Module> {
  const r = await res;
  if (!r.ok) throw new Error(`alpt: fetching core.wasm failed: HTTP ${r.status} ${r.statusText} (${r.url})`);
  const typed = r.headers.get("content-type")?.startsWith("application/wasm");
  if (typed && typeof WebAssembly.compileStreaming === "function") {
    return WebAssembly.compileStreaming(r);
  }
  return WebAssembly.compile(await r.arrayBuffer());
}

async function readFileUrl(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  const fs = "node:fs/promises";
  const { readFile } = (await import(/* @vite-ignore */ fs)) as typeof import("node:fs/promises");
  const bytes = await readFile(url);
  return new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
}
