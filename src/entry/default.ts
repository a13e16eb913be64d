// Entry for Node, Bun, Deno and browsers: init() without a source loads the core.wasm (or, with
// simd: "relaxed", core-relaxed.wasm) that sits next to this package's files (read from disk for
// file: URLs, fetched otherwise). On Node 20, relaxed SIMD is behind a V8 flag that this entry
// sets before compiling when it is asked for.
import { init as initCore, relaxedSimdSupported, type Engine, type InitOptions, type WasmSource } from "../wasm/load.js";
import { autoThreads, threadsUnavailable } from "../wasm/pool.js";

export * from "../index.js";

/** Where the packaged core is; in a source checkout, the build output. */
async function packagedWasm(file: string): Promise<URL> {
  const packaged = new URL(`../${file}`, import.meta.url);
  if (packaged.protocol !== "file:") return packaged;
  const fs = "node:fs/promises";
  // stat, not access: Deno's access() also asks for sys permission, stat needs read only
  const { stat } = (await import(/* @vite-ignore */ fs)) as typeof import("node:fs/promises");
  for (const url of [packaged, new URL(`../../build/${file}`, import.meta.url)]) {
    try {
      await stat(url);
      return url;
    } catch {
      // try the next place
    }
  }
  return packaged;
}

/** Node ≤ 21 ships relaxed SIMD behind a flag; V8 reads it when the next module compiles. */
async function enableRelaxedSimd(): Promise<void> {
  if (relaxedSimdSupported() || typeof process !== "object" || !process.versions?.node) return;
  const v8 = "node:v8";
  const { setFlagsFromString } = (await import(/* @vite-ignore */ v8)) as typeof import("node:v8");
  setFlagsFromString("--experimental-wasm-relaxed-simd");
}

/**
 * Instantiates the engine once, on threads: "auto" (the available cores, at most 8) unless told.
 * With no source, loads the packaged core: core.wasm, or core-relaxed.wasm with simd: "relaxed",
 * or their shared-memory builds core-threads[-relaxed].wasm with more than one thread where
 * threads can run (elsewhere one thread runs and backend() says why).
 * @param source a WebAssembly.Module, the bytes, a URL or a Response of the core
 */
export async function init(source?: WasmSource, options?: InitOptions): Promise<Engine> {
  const relaxed = options?.simd === "relaxed";
  if (relaxed) await enableRelaxedSimd();
  const o: InitOptions = { ...options, threads: options?.threads ?? "auto" };
  const threads = o.threads === "auto" ? await autoThreads() : o.threads!;
  const shared = threads > 1 && !threadsUnavailable();
  return initCore(source ?? (await packagedWasm(`core${shared ? "-threads" : ""}${relaxed ? "-relaxed" : ""}.wasm`)), o);
}
