// Entry for Node, Bun, Deno and browsers: init() without a source loads the core.wasm that
// sits next to this package's files (read from disk for file: URLs, fetched otherwise).
import { init as initCore, type Engine, type InitOptions, type WasmSource } from "../wasm/load.js";

export * from "../index.js";

/** Where the packaged core.wasm is; in a source checkout, the build output. */
async function packagedWasm(): Promise<URL> {
  const packaged = new URL("../core.wasm", import.meta.url);
  if (packaged.protocol !== "file:") return packaged;
  const fs = "node:fs/promises";
  // stat, not access: Deno's access() also asks for sys permission, stat needs read only
  const { stat } = (await import(/* @vite-ignore */ fs)) as typeof import("node:fs/promises");
  for (const url of [packaged, new URL("../../build/core.wasm", import.meta.url)]) {
    try {
      await stat(url);
      return url;
    } catch {
      // try the next place
    }
  }
  return packaged;
}

/**
 * Instantiates the engine once. With no source, loads the packaged core.wasm.
 * @param source a WebAssembly.Module, the bytes, a URL or a Response of core.wasm
 */
export async function init(source?: WasmSource, options?: InitOptions): Promise<Engine> {
  return initCore(source ?? (await packagedWasm()), options);
}
