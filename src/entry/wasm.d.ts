// Bundlers for Workers (Wrangler) turn `import x from "./core.wasm"` into a compiled module.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
