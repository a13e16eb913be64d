// The reference backend: every kernel of the ABI in plain TS over the same memory. It is the
// test oracle of the wasm kernels and the fallback when wasm SIMD is unavailable.
import type { CoreKernels } from "../wasm/abi.js";
import { RefMemory } from "./memory.js";
import { coalesceIds, segmentSumRows } from "./embed/coalesce.js";
import { firstBadRow, firstNotPositive } from "./embed/check.js";
import { gatherRowsF32 } from "./embed/gather.js";
import { bagDequant, bagRowsF32, bagSegmentSumRows } from "./embed/bag.js";
import { adagradRows, adamRows, sgdRows } from "./optim/sparse.js";
import { reluBackward, reluForward } from "./dense/activation.js";
import { bnColumnSums, bnForward, bnInputGrad, bnStats } from "./dense/batchnorm.js";
import { crossBackward, crossColumnGrads, crossForward } from "./dense/cross.js";
import { moveColumns, zeroFill } from "./dense/columns.js";
import { addBiasRows, gemm, gemmRows, gemmScratchBytes, sumRows } from "./dense/gemm.js";
import { gatherDequant } from "./quant/dequant.js";
import { fakeQuantRows, lsqGradRows } from "./quant/lsq.js";
import { packCodes, unpackCodes } from "./quant/pack.js";
import { quantizeRows } from "./quant/quantize.js";
import { fillUniform } from "./util/rng.js";

type Twin<F> = F extends (...args: infer A) => infer R ? (m: RefMemory, ...args: A) => R : never;
type Twins = { [K in keyof CoreKernels]: Twin<CoreKernels[K]> };

const twins: Twins = {
  fillUniform, packCodes, unpackCodes, quantizeRows, gatherDequant, fakeQuantRows, lsqGradRows,
  coalesceIds, segmentSumRows, firstBadRow, firstNotPositive,
  gatherRowsF32, bagRowsF32, bagDequant, bagSegmentSumRows, sgdRows, adamRows, adagradRows,
  reluForward, reluBackward, bnStats, bnForward, bnColumnSums, bnInputGrad, crossForward, crossBackward, crossColumnGrads,
  moveColumns, zeroFill,
  gemm, gemmRows, gemmScratchBytes, addBiasRows, sumRows,
};

/** The reference kernels bound to `memory`. */
export function createRefKernels(memory: WebAssembly.Memory): CoreKernels {
  const m = new RefMemory(memory);
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(twins)) {
    out[name] = (...args: number[]) => (fn as (m: RefMemory, ...a: number[]) => unknown)(m, ...args);
  }
  return out as unknown as CoreKernels;
}
