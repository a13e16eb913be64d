// One logical embedding table (all fields, per-field row offsets) trained with one of the
// methods of options.ts. The batch flow, driven by train/step.ts:
//
//   lookup(ids)            → rows [n, dim] of the batch (a leaf tensor that takes a gradient)
//   applyGradient(ids, g)  → coalesce duplicates, sum their gradients, update the unique rows:
//       fp32     sparse optimizer on the fp32 rows
//       qat-lsq  STE mask on the gradient, LSQ gradient for Δ, optimizer on the fp32 rows
//       lpt      dequantize the rows → optimizer on fp32 temporaries w′ → requantize (dr | sr)
//       alpt     as lpt up to w′, which is returned for the second pass:
//   alptPass2Input(p)      → Δ·clip(round(w′/Δ)) expanded to the batch positions
//   alptFinish(p, g₂)      → LSQ gradient of Δ from pass 2, Δ update + floor, SR write-back of w′
// With multi-valued fields, lookupBags / applyBagGradient do the same for pooled rows (one bag
// per field of every sample, a single-valued field being a bag of one id): the bag kernels pool
// and scatter (÷ len for mean) straight to the coalesced rows, and every method's update runs
// unchanged on them; alpt's pass 2 pools the fake-quantized unique rows through the inverse index.
//
// Only the rows of the batch ever exist in fp32 for lpt/alpt: the table stays packed.
import { coalesceIds, gatherRowsF32, segmentSumRows, type Coalesced } from "../kernels/embed.js";
import { bagDequant, bagRowsF32, bagSegmentSumRows, checkBags, type HeapBags } from "../kernels/bag.js";
import { adagradRows, adamRows, sgdRows, type RowTarget } from "../kernels/optim.js";
import {
  allocPackedTable, fakeQuantRows, gatherDequant, lsqGradRows, quantizeRows, rowStride, codeMax, codeMin,
  type PackedTable, type StepSizes,
} from "../kernels/quant.js";
import { hashString } from "../layers/init.js";
import { Tensor } from "../tensor/tensor.js";
import { fillNormal } from "../util/rng.js";
import type { HeapF32, HeapI32 } from "../wasm/heap.js";
import { getEngine } from "../wasm/load.js";
import { DeltaLearner, deltaGradScale } from "./delta.js";
import { fieldOfRow, MIN_DELTA, resolveOptions, type EmbeddingOptions, type ResolvedEmbeddingOptions } from "./options.js";

/** Bytes of training state, by kind. */
export interface EmbeddingMemory {
  rows: number;
  dim: number;
  /** fp32 rows (fp32, qat-lsq master copy). */
  weightBytes: number;
  /** Packed codes (lpt, alpt). */
  codesBytes: number;
  /** Step sizes Δ (per row, plus per group when shared). */
  deltaBytes: number;
  /** Sparse optimizer state of the rows. */
  optimizerBytes: number;
  /** Optimizer state of Δ. */
  deltaOptimizerBytes: number;
  totalBytes: number;
  bytesPerRow: number;
}

/** State carried from applyGradient to the second pass of alpt. */
export interface AlptPending {
  coalesced: Coalesced;
  /** f32 [U, dim] updated rows w′. */
  updated: HeapF32;
  samples: number;
  /** The bags of a bag lookup (pass 2 pools, and its gradient scatters, through them). */
  bags?: HeapBags;
}

const INIT_CHUNK = 1 << 16;

export class EmbeddingTable {
  readonly options: ResolvedEmbeddingOptions;
  /** fp32 rows [rows, dim] (fp32, qat-lsq). */
  readonly weights: HeapF32 | undefined;
  /** Packed codes and per-row Δ (lpt, alpt). */
  readonly packed: PackedTable | undefined;
  /** Per-row Δ [rows] (qat-lsq, lpt, alpt). */
  readonly delta: HeapF32 | undefined;
  readonly deltaLearner: DeltaLearner | undefined;
  private readonly m: HeapF32 | undefined;
  private readonly v: HeapF32 | undefined;
  private readonly acc: HeapF32 | undefined;
  /** Row updates applied (Adam's t, and the stream of stochastic rounding). */
  step = 0;
  /** The floor of a learned Δ at the start: options.deltaFloor, else deltaFloorRatio × the mean Δ₀. */
  private initialFloor = MIN_DELTA;

  constructor(options: EmbeddingOptions) {
    const o = (this.options = resolveOptions(options));
    const { heap } = getEngine();
    const { rows, dim, method, name } = o;
    if (method === "fp32" || method === "qat-lsq") this.weights = heap.allocF32(rows * dim, `${name}.weights`);
    if (method === "lpt" || method === "alpt") {
      this.packed = allocPackedTable(rows, dim, o.bits);
      this.delta = this.packed.delta;
    } else if (method === "qat-lsq") {
      this.delta = heap.allocF32(rows, `${name}.delta`);
    }
    if (o.optimizer === "adam") {
      this.m = heap.allocF32(rows * dim, `${name}.m`);
      this.v = heap.allocF32(rows * dim, `${name}.v`);
    } else if (o.optimizer === "adagrad") {
      this.acc = heap.allocF32(rows, `${name}.acc`);
    }
    this.initialize();
    if (this.delta && (method === "qat-lsq" || method === "alpt")) this.deltaLearner = new DeltaLearner(o, this.delta, this.initialFloor);
  }

  /** The floor of the learned Δ (undefined when Δ is not learned). */
  get deltaFloor(): number | undefined {
    return this.deltaLearner?.floor;
  }

  get rows(): number {
    return this.options.rows;
  }

  get dim(): number {
    return this.options.dim;
  }

  /** w₀ ~ N(0, σ²) from (seed, hash(name), index); Δ₀ per options.deltaInit; codes by SR. */
  private initialize(): void {
    const o = this.options;
    const stream = hashString(o.name);
    /** Rows [r0, r0 + n) of w₀ into out. */
    const fill = (out: Float32Array, r0: number, n: number) => fillNormal(out.subarray(0, n * o.dim), o.initStd, o.seed, stream, r0 * o.dim);
    if (this.weights) fill(this.weights.array, 0, o.rows);
    if (!this.delta) return;
    const qn = 2 ** (o.bits - 1);
    const lsq = (meanAbs: number) => Math.max(o.deltaFloor ?? MIN_DELTA, (2 * meanAbs) / Math.sqrt(qn));
    const d = this.delta.array;
    if (typeof o.deltaInit === "number") d.fill(o.deltaInit);
    else {
      // mean |w₀| per group ("lsq-group") or over the table ("lsq")
      const groupOf = (r: number): number =>
        o.deltaInit === "lsq" || o.granularity === "table" ? 0 : o.granularity === "row" ? r : fieldOfRow(o.fieldOffsets, r);
      const sums = new Map<number, [number, number]>();
      const row = new Float32Array(INIT_CHUNK * o.dim);
      for (let r0 = 0; r0 < o.rows; r0 += INIT_CHUNK) {
        const n = Math.min(INIT_CHUNK, o.rows - r0);
        if (this.weights) row.set(this.weights.array.subarray(r0 * o.dim, (r0 + n) * o.dim));
        else fill(row, r0, n);
        for (let k = 0; k < n; k++) {
          let s = 0;
          for (let j = 0; j < o.dim; j++) s += Math.abs(row[k * o.dim + j]);
          const g = groupOf(r0 + k);
          const e = sums.get(g) ?? [0, 0];
          e[0] += s;
          e[1] += o.dim;
          sums.set(g, e);
        }
      }
      for (let r = 0; r < o.rows; r++) {
        const [s, c] = sums.get(groupOf(r))!;
        d[r] = lsq(s / c);
      }
    }
    if (o.deltaFloor !== undefined) this.initialFloor = o.deltaFloor;
    else if (o.method === "alpt" || o.method === "qat-lsq") {
      let sum = 0;
      for (let r = 0; r < o.rows; r++) sum += d[r];
      this.initialFloor = Math.max(MIN_DELTA, Math.fround(o.deltaFloorRatio * (sum / o.rows)));
    }
    if (this.packed) {
      // quantize w₀ chunk by chunk with SR (step 0), never holding the fp32 table
      const { heap } = getEngine();
      const mark = heap.mark();
      const chunk = heap.scratchF32(Math.min(INIT_CHUNK, o.rows) * o.dim, "init chunk");
      const ids = heap.scratchI32(Math.min(INIT_CHUNK, o.rows), "init ids");
      for (let r0 = 0; r0 < o.rows; r0 += INIT_CHUNK) {
        const n = Math.min(INIT_CHUNK, o.rows - r0);
        fill(chunk.array, r0, n);
        const id = ids.array;
        for (let k = 0; k < n; k++) id[k] = r0 + k;
        quantizeRows(chunk, this.packed, { ids, n, rounding: "sr", seed: o.seed, step: 0xffffffff });
      }
      heap.release(mark);
    }
  }

  /** The batch rows [n, dim] as a leaf tensor (a gradient is taken when `train`). */
  lookup(ids: HeapI32, n: number, shape: readonly number[], train: boolean): Tensor {
    const o = this.options;
    const out = Tensor.scratch(shape, train, `${o.name}.lookup`);
    if (out.size !== n * o.dim) throw new RangeError(`Embedding ${o.name}: shape [${shape.join(", ")}] for ${n} ids of dim ${o.dim}`);
    if (this.packed) gatherDequant(this.packed, ids, out.data, n);
    else {
      gatherRowsF32(this.weights!, o.rows, o.dim, ids, out.data, n);
      if (o.method === "qat-lsq") fakeQuantRows(out.data, this.steps(), ids, out.data, n);
    }
    return out;
  }

  /**
   * The pooled rows [bags, dim] of `bags` as a leaf tensor of `shape` (e.g. [B, F + Fb, dim]).
   * qat-lsq fake-quantizes each looked-up row before pooling (its rows are gathered first: the one
   * method with a [nnz, dim] buffer); the other methods pool in the kernel.
   */
  lookupBags(bags: HeapBags, shape: readonly number[], train: boolean): Tensor {
    const o = this.options;
    const out = Tensor.scratch(shape, train, `${o.name}.lookupBags`);
    if (out.size !== bags.bags * o.dim) throw new RangeError(`Embedding ${o.name}: shape [${shape.join(", ")}] for ${bags.bags} bags of dim ${o.dim}`);
    if (this.packed) bagDequant(this.packed, bags, out.data);
    else if (o.method === "qat-lsq") {
      const nnz = checkBags("lookupBags", bags);
      const { heap } = getEngine();
      const mark = heap.mark();
      const rows = heap.scratchF32(Math.max(1, nnz) * o.dim, "qat bag rows");
      gatherRowsF32(this.weights!, o.rows, o.dim, bags.ids!, rows, nnz);
      fakeQuantRows(rows, this.steps(), bags.ids!, rows, nnz);
      bagRowsF32(rows, nnz, o.dim, { ...bags, ids: undefined }, out.data);
      heap.release(mark);
    } else bagRowsF32(this.weights!, o.rows, o.dim, bags, out.data);
    return out;
  }

  /** Δ with the table's shape, for the kernels that only read Δ. */
  private steps(): StepSizes {
    const o = this.options;
    return { delta: this.delta!, rows: o.rows, dim: o.dim, bits: o.bits };
  }

  /**
   * Applies the gradient g [n, dim] of the looked-up rows. For alpt, returns what the second
   * pass needs (the write-back happens in alptFinish). Allocates scratch in the caller's scope.
   * @param samples the batch size in samples (for the Δ gradient scale)
   */
  applyGradient(ids: HeapI32, n: number, grad: HeapF32, samples: number): AlptPending | undefined {
    const o = this.options;
    const c = coalesceIds(ids, o.rows, n);
    const gU = getEngine().heap.scratchF32(c.count * o.dim, "embedding grad");
    segmentSumRows(grad, c, o.dim, gU);
    return this.updateRows(c, gU, samples);
  }

  /** applyGradient for a bag lookup: grad [bags, dim] of the pooled rows (÷ len for mean bags). */
  applyBagGradient(bags: HeapBags, grad: HeapF32, samples: number): AlptPending | undefined {
    const o = this.options;
    const c = coalesceIds(bags.ids!, o.rows, checkBags("applyBagGradient", bags));
    const gU = getEngine().heap.scratchF32(c.count * o.dim, "embedding grad");
    bagSegmentSumRows(grad, bags, c, o.dim, gU);
    const pending = this.updateRows(c, gU, samples);
    return pending && { ...pending, bags };
  }

  /** The method's update of the coalesced rows c.unique from their summed gradient gU [U, dim]. */
  private updateRows(c: Coalesced, gU: HeapF32, samples: number): AlptPending | undefined {
    const o = this.options;
    const { heap } = getEngine();
    const U = c.count;
    this.step++;
    if (o.method === "fp32") {
      this.optimize({ w: this.weights!, indexed: true }, c.unique, U, gU);
      return undefined;
    }
    if (o.method === "qat-lsq") {
      const wU = heap.scratchF32(U * o.dim, "qat rows");
      gatherRowsF32(this.weights!, o.rows, o.dim, c.unique, wU, U);
      const gDelta = heap.scratchF32(U, "qat delta grad");
      lsqGradRows(wU, gU, this.steps(), c.unique, deltaGradScale(o, samples), gDelta, U);
      this.steMask(wU, c.unique, U, gU);
      this.optimize({ w: this.weights!, indexed: true }, c.unique, U, gU);
      this.deltaLearner!.update(c.unique, U, gDelta);
      return undefined;
    }
    const wU = heap.scratchF32(U * o.dim, "updated rows");
    gatherDequant(this.packed!, c.unique, wU, U);
    this.optimize({ w: wU, indexed: false }, c.unique, U, gU);
    if (o.method === "lpt") {
      quantizeRows(wU, this.packed!, { ids: c.unique, n: U, rounding: o.rounding, seed: o.seed, step: this.step });
      return undefined;
    }
    return { coalesced: c, updated: wU, samples };
  }

  /** alpt pass 2 input: Δ·clip(round(w′/Δ)) of the unique rows, expanded to the batch [n, dim]. */
  alptPass2Input(p: AlptPending, shape: readonly number[]): Tensor {
    const o = this.options;
    const { coalesced: c } = p;
    const fq = getEngine().heap.scratchF32(c.count * o.dim, "alpt fake-quantized rows");
    fakeQuantRows(p.updated, this.packed!, c.unique, fq, c.count);
    const out = Tensor.scratch(shape, true, `${o.name}.pass2`);
    if (p.bags) bagRowsF32(fq, c.count, o.dim, { ...p.bags, ids: c.inverse }, out.data);
    else gatherRowsF32(fq, c.count, o.dim, c.inverse, out.data, c.n);
    return out;
  }

  /** alpt: Δ update from the pass-2 gradient g₂ [n, dim] (or [bags, dim]), then the SR write-back of w′. */
  alptFinish(p: AlptPending, grad2: HeapF32): void {
    const o = this.options;
    const { heap } = getEngine();
    const { coalesced: c } = p;
    const g2 = heap.scratchF32(c.count * o.dim, "alpt pass-2 grad");
    if (p.bags) bagSegmentSumRows(grad2, p.bags, c, o.dim, g2);
    else segmentSumRows(grad2, c, o.dim, g2);
    const gDelta = heap.scratchF32(c.count, "alpt delta grad");
    lsqGradRows(p.updated, g2, this.packed!, c.unique, deltaGradScale(o, p.samples), gDelta, c.count);
    this.deltaLearner!.update(c.unique, c.count, gDelta);
    quantizeRows(p.updated, this.packed!, { ids: c.unique, n: c.count, rounding: "sr", seed: o.seed, step: this.step });
  }

  /** STE of qat-lsq: no gradient where w/Δ lies outside (Q_N, Q_P). */
  private steMask(wU: HeapF32, unique: HeapI32, U: number, gU: HeapF32): void {
    const o = this.options;
    const lo = codeMin(o.bits), hi = codeMax(o.bits);
    const w = wU.array, g = gU.array, d = this.delta!.array, ids = unique.array;
    for (let k = 0; k < U; k++) {
      const dk = d[ids[k]];
      for (let j = 0; j < o.dim; j++) {
        const v = Math.fround(w[k * o.dim + j] / dk);
        if (!(v > lo && v < hi)) g[k * o.dim + j] = 0;
      }
    }
  }

  private optimize(target: RowTarget, unique: HeapI32, U: number, gU: HeapF32): void {
    const o = this.options;
    const common = { ids: unique, n: U, rows: o.rows, dim: o.dim, g: gU };
    if (o.optimizer === "adam") {
      adamRows(target, common, this.m!, this.v!, { lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay, step: this.step });
    } else if (o.optimizer === "adagrad") {
      adagradRows(target, common, this.acc!, o.lr, o.eps, o.weightDecay);
    } else {
      sgdRows(target, common, o.lr, o.weightDecay);
    }
  }

  /** Named persistent buffers (for checkpoints). */
  buffers(): Map<string, HeapF32 | PackedTable["codes"]> {
    const out = new Map<string, HeapF32 | PackedTable["codes"]>();
    if (this.weights) out.set("weights", this.weights);
    if (this.packed) out.set("codes", this.packed.codes);
    if (this.delta) out.set("delta", this.delta);
    if (this.m) out.set("m", this.m);
    if (this.v) out.set("v", this.v);
    if (this.acc) out.set("acc", this.acc);
    for (const [k, b] of this.deltaLearner?.stateBuffers() ?? []) out.set(k, b);
    return out;
  }

  /** Bytes of training state, by kind (what `alpt inspect` prints). */
  memory(): EmbeddingMemory {
    const o = this.options;
    const bytes = (b: { length: number } | undefined, size = 4) => (b ? b.length * size : 0);
    const weightBytes = bytes(this.weights);
    const codesBytes = this.packed ? o.rows * rowStride(o.dim, o.bits) : 0;
    const learnerState = [...(this.deltaLearner?.stateBuffers() ?? new Map<string, HeapF32>())];
    const deltaBytes = bytes(this.delta) + learnerState.filter(([k]) => k === "groupDelta").reduce((a, [, b]) => a + b.length * 4, 0);
    const deltaOptimizerBytes = learnerState.filter(([k]) => k !== "groupDelta").reduce((a, [, b]) => a + b.length * 4, 0);
    const optimizerBytes = bytes(this.m) + bytes(this.v) + bytes(this.acc);
    const totalBytes = weightBytes + codesBytes + deltaBytes + optimizerBytes + deltaOptimizerBytes;
    return { rows: o.rows, dim: o.dim, weightBytes, codesBytes, deltaBytes, optimizerBytes, deltaOptimizerBytes, totalBytes, bytesPerRow: totalBytes / o.rows };
  }

  /** Frees every buffer. */
  dispose(): void {
    for (const b of new Set(this.buffers().values())) b.free();
  }
}
