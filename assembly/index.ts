// The ABI of the core module: every exported kernel and one flag, nothing else. Kernels take
// numbers only (pointers as usize, counts as i32, hyper-parameters as f32, seeds as u32), write
// into caller-given buffers, never allocate and import nothing.

/** 1 in the relaxed-SIMD build (core-relaxed.wasm: fused multiply-add in the GEMM), 0 in the exact one. */
export const relaxedSimd: i32 = ASC_FEATURE_RELAXED_SIMD ? 1 : 0;

export { fillUniform } from "./util/rng";
export { packCodes, unpackCodes } from "./quant/pack";
export { quantizeRows } from "./quant/quantize";
export { gatherDequant } from "./quant/dequant";
export { fakeQuantRows, lsqGradRows } from "./quant/lsq";
export { coalesceIds, segmentSumRows } from "./embed/coalesce";
export { firstBadRow, firstNotPositive } from "./embed/check";
export { gatherRowsF32 } from "./embed/gather";
export { bagRowsF32, bagDequant, bagSegmentSumRows } from "./embed/bag";
export { sgdRows, adamRows, adagradRows } from "./optim/sparse";
export { reluForward, reluBackward } from "./dense/activation";
export { bnStats, bnForward, bnColumnSums, bnInputGrad } from "./dense/batchnorm";
export { crossForward, crossBackward, crossColumnGrads } from "./dense/cross";
export { gemm, gemmRows, gemmScratchBytes, addBiasRows, sumRows } from "./dense/gemm";
export { moveColumns, zeroFill } from "./dense/columns";
