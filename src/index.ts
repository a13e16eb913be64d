// The public API shared by every entry (each entry adds its own `init`).

// engine, heap and kernels
export { backend, createEngine, getEngine, relaxedSimdSupported, simdSupported, useBackend } from "./wasm/load.js";
export type { BackendInfo, Engine, InitOptions, SimdMode, WasmSource } from "./wasm/load.js";
export { Heap, HeapF32, HeapI32, HeapU8 } from "./wasm/heap.js";
export type { HeapOptions } from "./wasm/heap.js";
export type { CoreKernels } from "./wasm/abi.js";
export {
  allocPackedTable, codeMax, codeMin, dequantizeRows, fakeQuantRows, gatherDequant, lsqGradRows,
  packCodes, quantizeRows, rowStride, unpackCodes,
} from "./kernels/quant.js";
export type { PackedTable, QuantizeOptions, Rounding, StepSizes } from "./kernels/quant.js";
export { coalesceIds, gatherRowsF32, segmentSumRows } from "./kernels/embed.js";
export type { Coalesced } from "./kernels/embed.js";
export { bagDequant, bagRowsF32, bagSegmentSumRows, type HeapBags } from "./kernels/bag.js";
export { embeddingBag } from "./ops/embedding-bag.js";
export { batchBags, checkBagData } from "./data/bag-batch.js";
export type { BagData, BagPooling } from "./data/bag-fields.js";
export { adagradRows, adamRows, sgdRows } from "./kernels/optim.js";
export { addBiasRows, gemm, sumRows } from "./kernels/dense.js";
export type { GemmLayout } from "./kernels/dense.js";
export { fillUniform } from "./kernels/rng.js";
export { fillNormal, mix32, normal, streamKey, uniform, uniformAt } from "./util/rng.js";

// autograd, ops, layers
export { Tensor, gradOf } from "./tensor/tensor.js";
export { backward, noGrad, scope } from "./tensor/tape.js";
export { linear } from "./ops/linear.js";
export { relu } from "./ops/relu.js";
export { sigmoid } from "./ops/sigmoid.js";
export { bceWithLogits } from "./ops/bce.js";
export { add, mul } from "./ops/elementwise.js";
export { concat, reshape, slice } from "./ops/shape.js";
export { fm, sumFields } from "./ops/interaction.js";
export { crossV1 } from "./ops/cross.js";
export { batchNorm } from "./ops/batchnorm.js";
export type { BatchNormMode, BatchNormState } from "./ops/batchnorm.js";
export { dropout } from "./ops/dropout.js";
export { Module } from "./layers/module.js";
export { Linear } from "./layers/linear.js";
export { MLP } from "./layers/mlp.js";
export type { MLPOptions } from "./layers/mlp.js";
export { CrossNet } from "./layers/cross-net.js";
export { BatchNorm1d } from "./layers/batchnorm.js";

// embeddings, models, training
export { EmbeddingTable } from "./embedding/table.js";
export type { AlptPending, EmbeddingMemory } from "./embedding/table.js";
export type {
  DeltaGranularity, DeltaOptimizerOptions, EmbeddingMethod, EmbeddingOptions, GradScale, SparseOptimizerName,
} from "./embedding/options.js";
export { CtrModel } from "./models/base.js";
export type { CtrModelOptions } from "./models/base.js";
export { LR } from "./models/lr.js";
export { FM } from "./models/fm.js";
export { DNN } from "./models/dnn.js";
export type { DeepOptions } from "./models/dnn.js";
export { WideDeep } from "./models/wide-deep.js";
export { DeepFM } from "./models/deepfm.js";
export { DCN } from "./models/dcn.js";
export type { DCNOptions } from "./models/dcn.js";
export { createModel, modelNames } from "./models/registry.js";
export type { ModelOptions } from "./models/registry.js";
export { ALTERNATIVES, MemoryLimitError, checkMemoryPlan, describePlan, formatBytes, planMemory } from "./train/memory-plan.js";
export type { DenseOptimizerPlan, MemoryPlan, PlanOptions } from "./train/memory-plan.js";
export { Adam, AdamW, SGD } from "./optim/optimizer.js";
export type { AdamOptions, Optimizer, SGDOptions } from "./optim/optimizer.js";
export { ReduceOnPlateau, stepDecay } from "./optim/schedule.js";
export { predict, trainStep } from "./train/step.js";
export type { Batch, StepResult } from "./train/step.js";
export { Trainer, isSharded } from "./train/trainer.js";
export type { EncodedData, History, Metrics, TrainEvent, TrainerOptions } from "./train/trainer.js";
export type { ProgressOptions, TrainProgress } from "./train/progress.js";

// data, metrics, files
export * from "./data/index.js";
export { auc, gauc, logloss } from "./metrics/index.js";
export { crc32, decodeSafetensors, encodeSafetensors } from "./io/safetensors.js";
export type { Dtype, StoredTensor } from "./io/safetensors.js";
export { decodeCheckpoint, encodeCheckpoint, loadCheckpoint, restoreCheckpoint, saveCheckpoint } from "./io/checkpoint.js";
export type { CheckpointInfo, DecodedCheckpoint } from "./io/checkpoint.js";
export { encodeExport, saveExport } from "./io/export.js";
export { exportOnnx, onnxFromExport, saveOnnx, ONNX_OPSET, ONNX_IR_VERSION, type OnnxExportOptions } from "./onnx/export.js";
export { encodeFbgemmRowwise, fbgemmSparseType, saveFbgemmRowwise } from "./io/fbgemm-rowwise.js";
export type { ExportInfo, ExportOptions } from "./io/export.js";
export { f16ToF32, f32ToF16, fromF16Array, toF16Array } from "./io/half.js";
export { loadPredictor, predictorFromModel } from "./serve/predictor.js";
export type { Predictor, PredictorInfo, PredictorOptions, RowInput } from "./serve/predictor.js";
