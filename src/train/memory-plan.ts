// The heap a training run needs, computed from the options before anything is allocated, and
// the error `alpt train` stops with when it does not fit (wasm32 addresses 4 GiB; --max-memory-mb
// may set less). The plan's parts:
//
//   table    embedding weights (fp32, qat-lsq) or packed codes (lpt, alpt), Δ, the rows'
//            optimizer (Adam m+v: 8·dim B/row, rowwise Adagrad: 4 B/row, SGD: none), Δ's optimizer
//   dense    parameters + their gradients + batch-norm buffers (models/layout.ts, exact), and the
//            dense optimizer (Adam/AdamW m+v: 2 × the parameters, SGD with momentum: 1 ×)
//   init     a packed table's initialisation scratch (65,536 rows of w₀ at a time), freed before
//            the dense part and Δ's optimizer are built: the total is the larger of table + dense
//            + batch and table − Δ optimizer + init
//   batch    the trainer's batch ids, the activations of one step (forward widths × batch, the
//            gradients alive at the backward peak) and the embedding update's scratch (coalesced
//            ids, row gradients, alpt's second pass); U = min(batch × ids per row, rows) distinct
//            rows. With bag fields a row has F single-valued ids and the bags' ids (PlanOptions
//            bagIds: what the data says, else one per bag), looked up through the bag layout (its
//            ids, offsets and poolings) and pooled into F + Fb embedded fields
//
// The table and dense parts are what createModel allocates, to the byte (16-byte aligned). The
// batch part is an upper bound: test/train/memory-plan.test.ts checks the whole plan against the
// heap peak of a built model and two training steps: never below it, at most 1.2× above.
import { DEFAULT_HIDDEN_UNITS } from "../layers/mlp.js";
import { embeddingLayout, forEachDenseTensor, heapBytes, modelShape, tableOptions } from "../models/layout.js";
import type { ModelOptions } from "../models/registry.js";

/** The dense optimizer of a run (Trainer's optimizer settings). */
export interface DenseOptimizerPlan {
  kind?: "adam" | "adamw" | "sgd";
  momentum?: number;
}

/** What a plan depends on besides the model: batch size, dense optimizer, kernel threads. */
export interface PlanOptions {
  /** Default 2048, as the Trainer. */
  batchSize?: number;
  /** Default Adam, as the Trainer. */
  denseOptimizer?: DenseOptimizerPlan;
  /** Kernel threads (each packs its own GEMM panels); default 8, the most `auto` starts. */
  threads?: number;
  /** Ids of the bag fields per row, all bag fields together (e.g. Σ of their longest bags); default one per bag field. */
  bagIds?: number;
}

/** Bytes of one training run, by part (all in heap bytes). */
export interface MemoryPlan {
  model: string;
  method: string;
  /** Bits of a code; 32 for fp32 rows. */
  bits: number;
  embeddingOptimizer: string;
  rows: number;
  dim: number;
  batchSize: number;
  table: { weights: number; codes: number; delta: number; optimizer: number; deltaOptimizer: number; total: number; bytesPerRow: number };
  /** Scratch of the table's initialisation (packed tables), freed before the dense layers are built. */
  initScratch: number;
  dense: { parameters: number; gradients: number; buffers: number; optimizer: number; total: number };
  batch: { ids: number; activations: number; embeddingUpdate: number; total: number };
  totalBytes: number;
}

const ALIGN = 16;
const INIT_CHUNK = 1 << 16;
const aligned = (bytes: number) => Math.ceil(bytes / ALIGN) * ALIGN;
const FIRST_ORDER = new Set(["LR", "FM", "WideDeep", "DeepFM"]);

/**
 * The training heap of model `name` with options `o` at batch size `batchSize` with the dense
 * optimizer `denseOptimizer` (default Adam, as the Trainer). Nothing is allocated; options are
 * assumed valid (createModel checks them: models/options-check.ts).
 */
export function planMemory(name: string, o: ModelOptions, { batchSize = 2048, denseOptimizer = {}, threads = 8, bagIds }: PlanOptions = {}): MemoryPlan {
  const t = tableOptions(name, o);
  const s = modelShape(name, o);
  const table = { weights: 0, codes: 0, delta: 0, optimizer: 0, deltaOptimizer: 0, total: 0, bytesPerRow: 0 };
  for (const [key, spec] of embeddingLayout(t)) {
    const b = heapBytes(key, spec);
    const k = key.slice("embedding/".length);
    if (k === "weights") table.weights += b;
    else if (k === "codes") table.codes += b;
    else if (k === "delta" || k === "groupDelta") table.delta += b;
    else if (k.startsWith("delta.")) table.deltaOptimizer += b;
    else table.optimizer += b;
    table.total += b;
  }
  table.bytesPerRow = table.total / t.rows;

  const dense = { parameters: 0, gradients: 0, buffers: 0, optimizer: 0, total: 0 };
  const kind = denseOptimizer.kind ?? "adam";
  const slots = kind === "sgd" ? ((denseOptimizer.momentum ?? 0) > 0 ? 1 : 0) : 2;
  forEachDenseTensor(name, o, (key, spec) => {
    const b = aligned(spec.shape.reduce((a, x) => a * x, 1) * 4);
    if (key.startsWith("dense/")) {
      dense.parameters += b;
      dense.gradients += b;
      dense.optimizer += slots * b;
    } else dense.buffers += b;
  });
  dense.total = dense.parameters + dense.gradients + dense.buffers + dense.optimizer;

  // S embedded fields: F single-valued, Fb bags of bagIds ids per row together; n ids looked up
  const B = batchSize, S = s.fields, Fb = o.bagPooling?.length ?? 0, F = S - Fb, Dt = s.dim;
  const n = B * (F + (Fb ? bagIds ?? Fb : 0));
  const U = Math.min(n, t.rows);
  // (qat-lsq's bag lookup holds [n, dim] fake-quantized rows, freed before the activations peak)
  const activations = 4 * B * activationWidths(name, o) + threads * gemmPackingBytes(name, o, B);
  // the embedding update: coalesced ids (unique, inverse) and its hash table, the rows' gradient
  // [U, dim]; qat-lsq/lpt/alpt the updated rows; alpt's second pass adds the fake-quantized rows,
  // their pass-2 gradient and the Δ gradient (pass-2 activations reuse pass 1's space)
  const hash = 8 * 2 ** Math.max(4, Math.ceil(Math.log2(Math.max(1, 2 * n))));
  const rowsF32 = aligned(4 * U * Dt);
  // (the hash table is freed before the row gradient is allocated)
  const ids2 = aligned(4 * n) * 2;
  let update = ids2 + Math.max(hash, rowsF32 * (t.method === "fp32" ? 1 : 2) + (t.method === "qat-lsq" ? aligned(4 * U) : 0));
  if (t.method === "alpt") update = Math.max(update, ids2 + 3 * rowsF32 + aligned(4 * U));
  // the trainer's batch ids [B, F]; with bags the bag layout's ids [n], offsets [B·S + 1] and poolings [S]
  const layout = Fb ? aligned(4 * Math.max(1, n)) + aligned(4 * (B * S + 1)) + aligned(4 * S) : 0;
  const batch = { ids: aligned(4 * B * F) + layout, activations, embeddingUpdate: update, total: 0 };
  batch.total = batch.ids + batch.activations + batch.embeddingUpdate;

  // a packed table is quantized from w₀ in chunks of INIT_CHUNK rows (embedding/table.ts), before
  // Δ's optimizer state and the dense layers exist: the peak of a small model may be there
  const chunk = Math.min(INIT_CHUNK, t.rows);
  const initScratch = table.codes > 0 ? aligned(4 * chunk * Dt) + aligned(4 * chunk) : 0;
  return {
    model: name, method: t.method, bits: t.method === "fp32" ? 32 : t.bits, embeddingOptimizer: t.optimizer,
    rows: t.rows, dim: t.dim, batchSize: B, table, initScratch, dense, batch, totalBytes: table.total + Math.max(initScratch - table.deltaOptimizer, dense.total + batch.total),
  };
}

/**
 * Floats per sample alive at the peak of a training step: every forward activation (the step's
 * scratch is released when it ends) and the gradients of the backward at its widest point (the
 * table rows', the network input's, two of the widest layer).
 */
function activationWidths(name: string, o: ModelOptions): number {
  const s = modelShape(name, o);
  const { fields: F, embeddingDim: D, dim: Dt, denseFeatures: nd, inputDim: d } = s;
  let forward = F * Dt + nd + 4; // rows looked up, dense input, logit/loss scalars
  let widest = 0;
  if (FIRST_ORDER.has(name)) forward += F + 3 + (D > 0 ? F * D : 0); // first-order column, Σ, bias; vectors slice
  const hasDeep = name !== "LR" && name !== "FM";
  if (hasDeep && nd > 0) forward += d; // concat of the embeddings and dense features
  if (name === "FM" || name === "DeepFM") forward += 2; // the FM term and its sum
  if (name === "DCN" || name === "DCNv2") {
    const L = o.crossLayers ?? 3;
    forward += L * (name === "DCN" ? d + 1 : 3 * d);
    if (L > 0) widest = d;
  }
  if (hasDeep) {
    const bn = o.batchNorm ?? true, drop = (o.dropout ?? 0) > 0;
    for (const h of o.hiddenUnits ?? DEFAULT_HIDDEN_UNITS) {
      forward += h * (1 + (bn ? 2 : 0) + (drop ? 1 : 0));
      widest = Math.max(widest, h);
    }
  }
  let grads = F * Dt + (hasDeep ? d : 0) + 2 * widest;
  if (FIRST_ORDER.has(name)) grads += F * Dt; // the slices' gradients
  if (name === "DCNv2") grads += Math.max(0, (o.crossLayers ?? 3) - 1) * d; // a gradient per cross layer's sum
  return forward + grads;
}

// the GEMM kernel's packing buffer per thread (assembly/dense/gemm.ts gemmScratchBytes)
const MR = 4, NR = 8, KC = 256, NC = 512;
const packing = (S: number, Q: number) => (Math.min(KC, S) * Math.ceil(Math.min(NC, Q) / NR) * NR + Math.min(KC, S) * MR + MR * NR) * 4;

/** The largest packing buffer of the products of the model's weight matrices (forward x·W, dx, dW). */
function gemmPackingBytes(name: string, o: ModelOptions, B: number): number {
  let most = 0;
  forEachDenseTensor(name, o, (_, spec) => {
    if (spec.shape.length !== 2) return;
    const [K, N] = spec.shape as [number, number];
    most = Math.max(most, packing(K, N), packing(N, K), packing(B, N));
  });
  return most;
}

/** The plans `alpt train` proposes when a run does not fit, smallest table last. */
export const ALTERNATIVES: readonly { label: string; flags: string; embedding: { method: "fp32" | "alpt"; bits?: number; optimizer: "adam" | "adagrad" } }[] = [
  { label: "fp32 + Adam", flags: "--method fp32 --embedding-optimizer adam", embedding: { method: "fp32", optimizer: "adam" } },
  { label: "fp32 + rowwise Adagrad", flags: "--method fp32 --embedding-optimizer adagrad", embedding: { method: "fp32", optimizer: "adagrad" } },
  { label: "alpt 8-bit + rowwise Adagrad", flags: "--method alpt --bits 8 --embedding-optimizer adagrad", embedding: { method: "alpt", bits: 8, optimizer: "adagrad" } },
  { label: "alpt 4-bit + rowwise Adagrad", flags: "--method alpt --bits 4 --embedding-optimizer adagrad", embedding: { method: "alpt", bits: 4, optimizer: "adagrad" } },
  { label: "alpt 2-bit + rowwise Adagrad", flags: "--method alpt --bits 2 --embedding-optimizer adagrad", embedding: { method: "alpt", bits: 2, optimizer: "adagrad" } },
];

/** The plan of `o` with its table trained as `embedding` says (other table options kept). */
export function planWith(name: string, o: ModelOptions, embedding: ModelOptions["embedding"], options: PlanOptions = {}): MemoryPlan {
  const { bits: _bits, ...rest } = o.embedding ?? {};
  return planMemory(name, { ...o, embedding: { ...rest, ...embedding } }, options);
}

/** Bytes in GB (10⁹) with 2 decimals from 0.1 GB, else in MB: "6.33 GB", "0.93 GB", "17.7 MB". */
export function formatBytes(bytes: number): string {
  return bytes >= 1e8 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** A heap ceiling for messages: "4 GiB" (wasm32) or "1024 MiB" (--max-memory-mb). */
export function formatCeiling(bytes: number): string {
  return bytes === 4 * 2 ** 30 ? "4 GiB (wasm32)" : `${+(bytes / 2 ** 20).toFixed(1)} MiB (--max-memory-mb)`;
}

/** The label of a plan's table method: "fp32 + Adam", "alpt 4-bit + rowwise Adagrad". */
export function planLabel(p: Pick<MemoryPlan, "method" | "bits" | "embeddingOptimizer">): string {
  const opt = p.embeddingOptimizer === "adam" ? "Adam" : p.embeddingOptimizer === "adagrad" ? "rowwise Adagrad" : "SGD";
  return `${p.method}${p.method === "fp32" ? "" : ` ${p.bits}-bit`} + ${opt}`;
}

/** A run that does not fit under the heap ceiling; the message gives the figure and what would fit. */
export class MemoryLimitError extends RangeError {
  constructor(message: string, readonly plan: MemoryPlan, readonly ceiling: number, readonly fits: readonly MemoryPlan[]) {
    super(message);
    this.name = "MemoryLimitError";
  }
}

/** One line of a plan: "fp32 + Adam needs 6.33 GB (table 6.29 GB, dense 2.7 MB, batch 38.0 MB)". */
export function describePlan(p: MemoryPlan): string {
  return `${planLabel(p)} needs ${formatBytes(p.totalBytes)} (table ${formatBytes(p.table.total)} = ${p.rows.toLocaleString("en")} rows × ${+p.table.bytesPerRow.toFixed(2)} B, dense ${formatBytes(p.dense.total)}, batch of ${p.batchSize} ${formatBytes(p.batch.total)})`;
}

/**
 * Throws a MemoryLimitError when the run of `name`/`o` needs more than `ceiling` bytes, naming
 * the figure and the table methods of ALTERNATIVES that fit (with their flags and figures), or
 * saying that none does (then the batch or the dense network is the problem, or rows must go).
 * Returns the plan when it fits.
 */
export function checkMemoryPlan(name: string, o: ModelOptions, ceiling: number, options: PlanOptions = {}): MemoryPlan {
  const plan = planMemory(name, o, options);
  if (plan.totalBytes <= ceiling) return plan;
  const fits = ALTERNATIVES.map((a) => ({ a, p: planWith(name, o, a.embedding, options) })).filter(({ p }) => p.totalBytes <= ceiling);
  const head = `${planLabel(plan)} needs ${formatBytes(plan.totalBytes)} > ${formatCeiling(ceiling)}`;
  const parts = `(table ${formatBytes(plan.table.total)}: ${plan.rows.toLocaleString("en")} rows × ${+plan.table.bytesPerRow.toFixed(2)} B/row; dense network ${formatBytes(plan.dense.total)}; batch of ${plan.batchSize} ${formatBytes(plan.batch.total)})`;
  const tail = fits.length
    ? `: ${fits.map(({ a, p }) => `alpt train ${a.flags} needs ${formatBytes(p.totalBytes)}`).join("; ")}`
    : `: no table method fits (alpt 2-bit + rowwise Adagrad needs ${formatBytes(planWith(name, o, ALTERNATIVES[ALTERNATIVES.length - 1]!.embedding, options).totalBytes)}); lower --batch-size or --hidden-units, or fewer rows (a higher min count in \`alpt prepare\`)`;
  throw new MemoryLimitError(`${head} ${parts}${tail}`, plan, ceiling, fits.map(({ p }) => p));
}
