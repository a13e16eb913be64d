// Entry for Cloudflare Workers (export condition "workerd"): Workers refuse to compile wasm
// from bytes, so the module is imported (Wrangler hands over a WebAssembly.Module).
import wasm from "../core.wasm";
import wasmRelaxed from "../core-relaxed.wasm";
import { init as initCore, type Engine, type InitOptions, type WasmSource } from "../wasm/load.js";

export * from "../index.js";

/** Instantiates the engine once from the bundled module (core-relaxed.wasm with simd: "relaxed"), or from `source`. */
export function init(source?: WasmSource, options?: InitOptions): Promise<Engine> {
  return initCore(source ?? (options?.simd === "relaxed" ? wasmRelaxed : wasm), options);
}
