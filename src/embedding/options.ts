// Options of an embedding table and their validation. Every method of DESIGN.md §5:
//   fp32     fp32 rows, sparse optimizer on them
//   qat-lsq  fp32 master rows, forward Δ·clip(round(w/Δ)) (STE for w, LSQ gradient for Δ)
//   lpt      packed b-bit codes with a fixed Δ; rows dequantized, updated in fp32, requantized
//            with deterministic (dr) or stochastic (sr) rounding
//   alpt     lpt with Δ learned in a second forward/backward pass (ALPT.md §3.4), SR write-back
import { lastAtMost } from "../util/search.js";

/** Training method of an embedding table. */
export type EmbeddingMethod = "fp32" | "qat-lsq" | "lpt" | "alpt";
/** Sparse optimizer of the rows. */
export type SparseOptimizerName = "sgd" | "adam" | "adagrad";
/** Which rows share one Δ. */
export type DeltaGranularity = "row" | "field" | "table";
/** The gradient scale s of the Δ gradient (ALPT.md §3.3). */
export type GradScale = "hetu" | "mpe" | "none" | number;

/** Options of the Δ optimizer. */
export interface DeltaOptimizerOptions {
  kind?: "adam" | "adagrad" | "sgd";
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Options of an EmbeddingTable. */
export interface EmbeddingOptions {
  rows: number;
  dim: number;
  method?: EmbeddingMethod;
  /** Bits of a code: 1..8 or 16 (quantized methods). */
  bits?: number;
  /** Write-back rounding of lpt ("sr" by default); alpt always uses sr, qat-lsq dr. */
  rounding?: "dr" | "sr";
  granularity?: DeltaGranularity;
  /** First row of each field (ascending, starting at 0); needed for granularity "field". */
  fieldOffsets?: readonly number[];
  /** Initial weights: N(0, initStd²) (default 0.003, as the ALPT author's code). */
  initStd?: number;
  /**
   * Initial Δ: "lsq" = 2·E|w₀| / √(2^(b−1)) over the whole table (default; ALPT.md §3.2),
   * "lsq-group" = the same per Δ group, or a positive constant.
   */
  deltaInit?: "lsq" | "lsq-group" | number;
  /**
   * Δ never goes below this absolute floor ε. Default: deltaFloorRatio × the mean initial Δ of
   * the table (a relative floor keeps rows from being pruned to zero by a collapsing Δ).
   */
  deltaFloor?: number;
  /** The floor as a fraction of the mean initial Δ, when deltaFloor is not given (default 0.1). */
  deltaFloorRatio?: number;
  gradScale?: GradScale;
  deltaOptimizer?: DeltaOptimizerOptions;
  optimizer?: SparseOptimizerName;
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** L2 penalty on the rows a batch touches. */
  weightDecay?: number;
  seed?: number;
  name?: string;
}

/** Options with every default filled in. */
export type ResolvedEmbeddingOptions = Required<Omit<EmbeddingOptions, "fieldOffsets" | "deltaOptimizer" | "deltaFloor">> & {
  /** The absolute floor if one was given (else the table derives it: EmbeddingTable.deltaFloor). */
  deltaFloor: number | undefined;
  fieldOffsets: readonly number[];
  deltaOptimizer: Required<DeltaOptimizerOptions>;
};

/**
 * The Δ learning rate by default, relative to the initial Δ: lr_Δ = 0.3 · Δ₀. Adam's step is
 * about lr whatever the gradient's scale, so one update can move Δ by up to about 30 % of its
 * initial value at every bit width (Δ₀ at 2 bits is twice that at 4 bits, at 8 bits a quarter).
 * Chosen on validation AUC (Criteo sample, DCN, ratios 0.03 / 0.1 / 0.3 / 1 at 4 and 2 bits:
 * docs/experiments/README.md). A fixed lr (Hetu's 2e-5) leaves Δ where it started at 4 and 2
 * bits: ALPT then trains as LPT.
 */
export const DEFAULT_DELTA_LR_RATIO = 0.3;

/** The LSQ initial Δ in expectation for w₀ ~ N(0, σ²): 2·E|w₀| / √(2^(b−1)), E|w₀| = σ·√(2/π). */
export function lsqDelta(initStd: number, bits: number): number {
  return (2 * initStd * Math.sqrt(2 / Math.PI)) / Math.sqrt(2 ** (bits - 1));
}

/** The Δ₀ a table starts from on average: deltaInit, or the LSQ value in expectation. */
function meanInitialDelta(o: { deltaInit?: "lsq" | "lsq-group" | number; initStd?: number; bits?: number }): number {
  return typeof o.deltaInit === "number" ? o.deltaInit : lsqDelta(o.initStd ?? 0.003, o.bits ?? 8);
}

/** The Δ learning rate of these options: deltaOptimizer.lr, else DEFAULT_DELTA_LR_RATIO × the mean Δ₀. */
export function deltaLrOf(o: Partial<Pick<EmbeddingOptions, "deltaOptimizer" | "deltaInit" | "initStd" | "bits">>): number {
  return o.deltaOptimizer?.lr ?? Math.max(MIN_DELTA, DEFAULT_DELTA_LR_RATIO * meanInitialDelta(o));
}

/** The relative Δ floor by default: a tenth of the mean initial Δ. */
export const DEFAULT_DELTA_FLOOR_RATIO = 0.1;
/** Δ is never below this, whatever the options (a zero Δ would make every code infinite). */
export const MIN_DELTA = 1e-7;

function fail(name: string, key: string, msg: string): never {
  throw new RangeError(`Embedding ${name}: ${key} ${msg}`);
}

/** Fills defaults and validates; errors name the option and the value. */
export function resolveOptions(o: EmbeddingOptions): ResolvedEmbeddingOptions {
  const name = o.name ?? "embedding";
  const r: ResolvedEmbeddingOptions = {
    rows: o.rows, dim: o.dim, method: o.method ?? "fp32", bits: o.bits ?? 8,
    rounding: o.rounding ?? "sr", granularity: o.granularity ?? "row",
    fieldOffsets: o.fieldOffsets ?? [0], initStd: o.initStd ?? 0.003, deltaInit: o.deltaInit ?? "lsq",
    deltaFloor: o.deltaFloor, deltaFloorRatio: o.deltaFloorRatio ?? DEFAULT_DELTA_FLOOR_RATIO, gradScale: o.gradScale ?? "hetu",
    deltaOptimizer: { kind: "adam", beta1: 0.9, beta2: 0.999, eps: 1e-8, ...o.deltaOptimizer, lr: deltaLrOf(o) },
    optimizer: o.optimizer ?? "adam", lr: o.lr ?? 1e-3, beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999,
    eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0, seed: o.seed ?? 0, name,
  };
  if (!Number.isInteger(r.rows) || r.rows < 1) fail(name, "rows", `= ${r.rows} must be a positive integer`);
  if (!Number.isInteger(r.dim) || r.dim < 1) fail(name, "dim", `= ${r.dim} must be a positive integer`);
  if (!["fp32", "qat-lsq", "lpt", "alpt"].includes(r.method)) fail(name, "method", `= "${r.method}" (expected fp32, qat-lsq, lpt or alpt)`);
  if (!(Number.isInteger(r.bits) && ((r.bits >= 1 && r.bits <= 8) || r.bits === 16))) fail(name, "bits", `= ${r.bits} (expected 1..8 or 16)`);
  if (r.rounding !== "dr" && r.rounding !== "sr") fail(name, "rounding", `= "${r.rounding}" (expected "dr" or "sr")`);
  if (!["row", "field", "table"].includes(r.granularity)) fail(name, "granularity", `= "${r.granularity}" (expected row, field or table)`);
  if (r.granularity === "field") {
    const f = r.fieldOffsets;
    if (f[0] !== 0 || f.some((v, i) => !Number.isInteger(v) || (i > 0 && v <= f[i - 1])) || f[f.length - 1] >= r.rows) {
      fail(name, "fieldOffsets", `= [${f.join(", ")}] must start at 0 and increase within [0, ${r.rows})`);
    }
  }
  if (!(r.initStd >= 0)) fail(name, "initStd", `= ${r.initStd} must be ≥ 0`);
  if (typeof r.deltaInit === "number" ? !(r.deltaInit > 0) : !["lsq", "lsq-group"].includes(r.deltaInit)) {
    fail(name, "deltaInit", `= ${String(r.deltaInit)} (expected "lsq", "lsq-group" or a positive number)`);
  }
  if (r.deltaFloor !== undefined && !(r.deltaFloor > 0 && Number.isFinite(r.deltaFloor))) fail(name, "deltaFloor", `= ${r.deltaFloor} must be > 0`);
  if (!(r.deltaFloorRatio >= 0 && r.deltaFloorRatio < 1)) fail(name, "deltaFloorRatio", `= ${r.deltaFloorRatio} must be in [0, 1)`);
  if (typeof r.gradScale === "number" ? !(r.gradScale > 0) : !["hetu", "mpe", "none"].includes(r.gradScale)) {
    fail(name, "gradScale", `= ${String(r.gradScale)} (expected "hetu", "mpe", "none" or a positive number)`);
  }
  if (!["sgd", "adam", "adagrad"].includes(r.optimizer)) fail(name, "optimizer", `= "${r.optimizer}" (expected sgd, adam or adagrad)`);
  if (!["sgd", "adam", "adagrad"].includes(r.deltaOptimizer.kind)) fail(name, "deltaOptimizer.kind", `= "${r.deltaOptimizer.kind}"`);
  for (const [k, v] of [["lr", r.lr], ["eps", r.eps], ["deltaOptimizer.lr", r.deltaOptimizer.lr], ["deltaOptimizer.eps", r.deltaOptimizer.eps]] as const) {
    if (!(v > 0 && Number.isFinite(v))) fail(name, k, `= ${v} must be > 0`);
  }
  for (const [k, v] of [["beta1", r.beta1], ["beta2", r.beta2], ["deltaOptimizer.beta1", r.deltaOptimizer.beta1], ["deltaOptimizer.beta2", r.deltaOptimizer.beta2]] as const) {
    if (!(v >= 0 && v < 1)) fail(name, k, `= ${v} must be in [0, 1)`);
  }
  if (!(r.weightDecay >= 0)) fail(name, "weightDecay", `= ${r.weightDecay} must be ≥ 0`);
  return r;
}

/** The field of a row: the last i with fieldOffsets[i] ≤ row (binary search). */
export function fieldOfRow(fieldOffsets: readonly number[], row: number): number {
  return lastAtMost(fieldOffsets, row);
}
