// The learned step sizes Δ of qat-lsq and alpt: groups, gradient scale, optimizer and floor.
// With granularity "row" every row is its own group and the per-row Δ array is the master.
// With "field" or "table", one Δ per group is learned and copied into the per-row array the
// kernels read (so a shared Δ rescales every row of its group, as LSQ's shared scale does).
import { adagradRows, adamRows, sgdRows } from "../kernels/optim.js";
import type { HeapF32, HeapI32 } from "../wasm/heap.js";
import { getEngine } from "../wasm/load.js";
import { fieldOfRow, type ResolvedEmbeddingOptions } from "./options.js";

/** The Δ gradient scale s for a batch of `samples` samples (ALPT.md §3.3). */
export function deltaGradScale(o: ResolvedEmbeddingOptions, samples: number): number {
  const qp = 2 ** (o.bits - 1) - 1 || 1;
  if (typeof o.gradScale === "number") return o.gradScale;
  if (o.gradScale === "none") return 1;
  if (o.gradScale === "hetu") return 1 / Math.sqrt(samples * o.dim * qp);
  return 1 / Math.sqrt(2 ** (o.bits - 1) * o.rows * o.dim); // "mpe"
}

/** Learns Δ: optimizer state per group, group → rows mapping, floor. */
export class DeltaLearner {
  readonly groups: number;
  /** f32 [groups] group values (granularity ≠ row), else undefined (the row array is the master). */
  readonly groupDelta: HeapF32 | undefined;
  private readonly m: HeapF32 | undefined;
  private readonly v: HeapF32 | undefined;
  private readonly acc: HeapF32 | undefined;
  /** Steps taken (Adam bias correction). */
  step = 0;

  constructor(
    private readonly o: ResolvedEmbeddingOptions,
    /** f32 [rows] the per-row Δ the kernels read. */
    private readonly rowDelta: HeapF32,
    /** Δ never goes below this (a checkpoint restores it: it derives from the initial Δ). */
    public floor: number,
  ) {
    const { heap } = getEngine();
    this.groups = o.granularity === "row" ? o.rows : o.granularity === "field" ? o.fieldOffsets.length : 1;
    if (o.granularity !== "row") {
      this.groupDelta = heap.allocF32(this.groups, `${o.name}.groupDelta`);
      for (let g = 0; g < this.groups; g++) this.groupDelta.array[g] = rowDelta.array[this.firstRow(g)];
    }
    const kind = o.deltaOptimizer.kind;
    if (kind === "adam") {
      this.m = heap.allocF32(this.groups, `${o.name}.delta.m`);
      this.v = heap.allocF32(this.groups, `${o.name}.delta.v`);
    } else if (kind === "adagrad") {
      this.acc = heap.allocF32(this.groups, `${o.name}.delta.acc`);
    }
  }

  /** Group of a row. */
  groupOf(row: number): number {
    if (this.o.granularity === "row") return row;
    if (this.o.granularity === "table") return 0;
    return fieldOfRow(this.o.fieldOffsets, row);
  }

  private firstRow(g: number): number {
    return this.o.granularity === "field" ? this.o.fieldOffsets[g] : 0;
  }

  private endRow(g: number): number {
    const f = this.o.fieldOffsets;
    return this.o.granularity === "field" && g + 1 < f.length ? f[g + 1] : this.o.rows;
  }

  /** Optimizer state buffers (for checkpoints and memory accounting). */
  stateBuffers(): Map<string, HeapF32> {
    const out = new Map<string, HeapF32>();
    if (this.groupDelta) out.set("groupDelta", this.groupDelta);
    if (this.m) out.set("delta.m", this.m);
    if (this.v) out.set("delta.v", this.v);
    if (this.acc) out.set("delta.acc", this.acc);
    return out;
  }

  /**
   * One Δ update from per-row gradients gΔ [n] of the unique rows `ids` (already scaled):
   * sums them per group in first-occurrence order, steps the optimizer, clamps at the floor,
   * and refreshes the per-row Δ of the touched groups.
   */
  update(ids: HeapI32, n: number, grad: HeapF32): void {
    const { heap } = getEngine();
    const o = this.o;
    this.step++;
    let gids = ids, count = n, gg = grad;
    if (o.granularity !== "row") {
      const slot = new Map<number, number>();
      gids = heap.scratchI32(n, "delta group ids");
      gg = heap.scratchF32(n, "delta group grads");
      for (let k = 0; k < n; k++) {
        const g = this.groupOf(ids.array[k]);
        let s = slot.get(g);
        if (s === undefined) {
          s = slot.size;
          slot.set(g, s);
          gids.array[s] = g;
          gg.array[s] = 0;
        }
        gg.array[s] += grad.array[k];
      }
      count = slot.size;
    }
    const target = { w: this.groupDelta ?? this.rowDelta, indexed: true };
    const common = { ids: gids, n: count, rows: this.groups, dim: 1, g: gg };
    const d = o.deltaOptimizer;
    if (d.kind === "adam") adamRows(target, common, this.m!, this.v!, { lr: d.lr, beta1: d.beta1, beta2: d.beta2, eps: d.eps, weightDecay: 0, step: this.step });
    else if (d.kind === "adagrad") adagradRows(target, common, this.acc!, d.lr, d.eps);
    else sgdRows(target, common, d.lr);
    const values = target.w.array, idx = gids.array, floor = Math.fround(this.floor);
    for (let k = 0; k < count; k++) if (!(values[idx[k]] >= floor)) values[idx[k]] = floor;
    if (this.groupDelta) {
      const rows = this.rowDelta.array;
      for (let k = 0; k < count; k++) rows.fill(values[idx[k]], this.firstRow(idx[k]), this.endRow(idx[k]));
    }
  }
}
