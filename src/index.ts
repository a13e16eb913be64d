// The public API shared by every entry (each entry adds its own `init`).
export { backend, createEngine, getEngine, simdSupported, useBackend } from "./wasm/load.js";
export type { BackendInfo, Engine, InitOptions, WasmSource } from "./wasm/load.js";
export { Heap, HeapF32, HeapI32, HeapU8 } from "./wasm/heap.js";
export type { HeapOptions } from "./wasm/heap.js";
export type { CoreKernels } from "./wasm/abi.js";
export {
  allocPackedTable, codeMax, codeMin, dequantizeRows, fakeQuantRows, gatherDequant, lsqGradRows,
  packCodes, quantizeRows, rowStride, unpackCodes,
} from "./kernels/quant.js";
export type { PackedTable, QuantizeOptions, Rounding } from "./kernels/quant.js";
export { coalesceIds, segmentSumRows } from "./kernels/embed.js";
export type { Coalesced } from "./kernels/embed.js";
export { fillUniform } from "./kernels/rng.js";
export { mix32, normal, streamKey, uniform, uniformAt } from "./util/rng.js";
