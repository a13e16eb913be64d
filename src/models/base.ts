// The base of CTR models: one embedding table for all fields (per-field row offsets), an
// optional vector of dense features, and a dense network that maps them to one logit.
//
//   ids [B, F] ──embedding──────────┐
//   bags (Fb multi-valued fields) ──┴▶ e [B, F + Fb, D] ─┐
//   dense [B, nd] ───────────────────────────────────────┴▶ forwardEmbedded ──▶ logit [B, 1]
//
// A bag field is pooled (mean or sum, data/bag-fields.ts) into one row and is then a field like
// any other: models see F + Fb = embeddedFields fields.
import { EmbeddingTable } from "../embedding/table.js";
import type { EmbeddingOptions } from "../embedding/options.js";
import type { BagPooling } from "../data/bag-fields.js";
import { DENSE_INITS, type DenseInit } from "../layers/init.js";
import { Linear } from "../layers/linear.js";
import { Module } from "../layers/module.js";
import type { Tensor } from "../tensor/tensor.js";

/** Options every model shares (names as practitioners know them). */
export interface CtrModelOptions {
  /** Vocabulary size of each field; the table has their sum as rows. */
  fieldSizes: readonly number[];
  /** Number of dense (numeric) input features appended to the embeddings (default 0). */
  denseFeatures?: number;
  /**
   * Multi-valued (bag) fields: the last bagPooling.length entries of fieldSizes are bag fields,
   * each pooled by its entry ("mean" or "sum"); the others are single-valued (default none).
   */
  bagPooling?: readonly BagPooling[];
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
  /** Single-valued fields F: the id columns of a batch. */
  readonly fields: number;
  /** Bag fields Fb (the last Fb of fieldSizes) and their pooling. */
  readonly bagFields: number;
  readonly bagPooling: readonly BagPooling[];
  /** Fields the network sees: F + Fb (e [B, F + Fb, D]). */
  readonly embeddedFields: number;
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
    const { fieldSizes, denseFeatures = 0, embeddingDim = 16, embedding = {}, seed = 0, bagPooling = [] } = baseOptions;
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
    if (!Array.isArray(bagPooling) || bagPooling.length >= fieldSizes.length || bagPooling.some((p) => p !== "mean" && p !== "sum")) {
      throw new RangeError(`model: bagPooling = ${JSON.stringify(bagPooling)} must be "mean" or "sum" for each of fewer than fieldSizes.length = ${fieldSizes.length} fields`);
    }
    this.init = baseOptions.init ?? "torch";
    const offsets: number[] = [];
    let rows = 0;
    for (const n of fieldSizes) {
      offsets.push(rows);
      rows += n;
    }
    this.fields = fieldSizes.length - bagPooling.length;
    this.bagFields = bagPooling.length;
    this.bagPooling = [...bagPooling];
    this.embeddedFields = fieldSizes.length;
    this.denseFeatures = denseFeatures;
    this.embeddingDim = embeddingDim;
    this.fieldOffsets = offsets;
    const dim = embeddingDim + (firstOrder ? 1 : 0);
    this.embedding = new EmbeddingTable({ seed, name: "embedding", ...embedding, rows, dim, fieldOffsets: offsets });
  }

  /** Logits [B, 1] from the looked-up (and pooled) rows e [B, F + Fb, table dim] and dense features [B, nd]. */
  abstract forwardEmbedded(e: Tensor, dense?: Tensor): Tensor;

  /** The linear term of the dense inputs of a model without a deep part (LR, FM): Linear(nd, 1), no bias. */
  protected denseTerm(name: string): Linear | undefined {
    const nd = this.denseFeatures;
    return nd ? this.child("dense", new Linear(nd, 1, { name, bias: false, seed: this.baseOptions.seed ?? 0, init: this.init })) : undefined;
  }

  override dispose(): void {
    super.dispose();
    this.embedding.dispose();
  }
}
