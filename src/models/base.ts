// The base of CTR models: one embedding table for all fields (per-field row offsets), an
// optional vector of dense features, and a dense network that maps them to one logit.
//
//   ids [B, F] ──embedding──▶ e [B, F, D] ─┐
//   dense [B, nd] ─────────────────────────┴▶ forwardEmbedded ──▶ logit [B, 1]
import { EmbeddingTable } from "../embedding/table.js";
import type { EmbeddingOptions } from "../embedding/options.js";
import { DENSE_INITS, type DenseInit } from "../layers/init.js";
import { Module } from "../layers/module.js";
import type { Tensor } from "../tensor/tensor.js";

/** Options every model shares (names as practitioners know them). */
export interface CtrModelOptions {
  /** Vocabulary size of each field; the table has their sum as rows. */
  fieldSizes: readonly number[];
  /** Number of dense (numeric) input features appended to the embeddings (default 0). */
  denseFeatures?: number;
  embeddingDim?: number;
  /** How the embedding table is trained (method, bits, optimizer, Δ options, …). */
  embedding?: Omit<EmbeddingOptions, "rows" | "dim" | "fieldOffsets">;
  seed?: number;
  /**
   * How the dense layers start (Linear, MLP, cross layers): "torch" (default, PyTorch's
   * nn.Linear: W and b ~ U(±1/√fanIn)), "glorot" or "xavier-normal" (layers/init.ts).
   */
  init?: DenseInit;
}

/** A CTR model: embedding table + dense network. */
export abstract class CtrModel extends Module {
  readonly embedding: EmbeddingTable;
  readonly fields: number;
  readonly denseFeatures: number;
  readonly embeddingDim: number;
  readonly fieldOffsets: readonly number[];
  /** Initialisation convention of the dense layers. */
  readonly init: DenseInit;

  /**
   * @param firstOrder the table gets one more column holding each feature's linear weight
   *   (see first-order.ts)
   */
  constructor(readonly baseOptions: CtrModelOptions, readonly firstOrder = false) {
    super();
    const { fieldSizes, denseFeatures = 0, embeddingDim = 16, embedding = {}, seed = 0 } = baseOptions;
    if (fieldSizes.length === 0 || fieldSizes.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new RangeError(`model: fieldSizes = [${fieldSizes.join(", ")}] must be positive integers`);
    }
    if (!Number.isInteger(embeddingDim) || embeddingDim < (firstOrder ? 0 : 1)) {
      throw new RangeError(`model: embeddingDim = ${embeddingDim} must be a positive integer`);
    }
    if (!Number.isInteger(denseFeatures) || denseFeatures < 0) {
      throw new RangeError(`model: denseFeatures = ${denseFeatures} must be a non-negative integer`);
    }
    if (baseOptions.init !== undefined && !DENSE_INITS.includes(baseOptions.init)) {
      throw new RangeError(`model: init = "${String(baseOptions.init)}" (expected ${DENSE_INITS.join(", ")})`);
    }
    this.init = baseOptions.init ?? "torch";
    const offsets: number[] = [];
    let rows = 0;
    for (const n of fieldSizes) {
      offsets.push(rows);
      rows += n;
    }
    this.fields = fieldSizes.length;
    this.denseFeatures = denseFeatures;
    this.embeddingDim = embeddingDim;
    this.fieldOffsets = offsets;
    const dim = embeddingDim + (firstOrder ? 1 : 0);
    this.embedding = new EmbeddingTable({ seed, name: "embedding", ...embedding, rows, dim, fieldOffsets: offsets });
  }

  /** Logits [B, 1] from the looked-up rows e [B, F, table dim] and dense features [B, nd]. */
  abstract forwardEmbedded(e: Tensor, dense?: Tensor): Tensor;

  override dispose(): void {
    super.dispose();
    this.embedding.dispose();
  }
}
