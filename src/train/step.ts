// One training step for every embedding method (DESIGN.md §5), as one routine:
//   pass 1: lookup → forward → BCE → backward; dense optimizer step; embedding update
//   alpt:   pass 2 with Δ·clip(round(w′/Δ)) — dense parameters frozen (no weight-gradient
//           GEMMs), batch-norm running statistics untouched — backward to the embedding
//           output only; then the Δ update and the SR write-back (EmbeddingTable.alptFinish)
// With bag fields the lookup is one bag lookup (single-valued ids as bags of one, then the pooled
// fields: models/bag-layout.ts) and the update applyBagGradient; the rest is the same.
// Everything the step allocates is scratch, released when it returns.
import { bceWithLogits } from "../ops/bce.js";
import { sigmoidOf } from "../ops/sigmoid.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { CtrModel } from "../models/base.js";
import { backward, noGrad, scope, scopeKeeping } from "../tensor/tape.js";
import { Tensor } from "../tensor/tensor.js";
import type { HeapI32 } from "../wasm/heap.js";
import type { BagData } from "../data/bag-fields.js";
import { batchLayout } from "../models/bag-layout.js";

/** A batch whose ids already live in the heap. */
export interface Batch {
  /** i32 [size, fields] global row ids. */
  ids: HeapI32;
  /** Labels of the `size` samples. */
  labels: Float32Array;
  /** f32 [size, denseFeatures] values, when the model has dense features. */
  dense?: Float32Array;
  /** The bag fields of the `size` samples (offsets from 0), when the model has bag fields. */
  bags?: BagData;
  size: number;
}

/** The looked-up (and pooled) rows e [B, F + Fb, D] of a batch, and the bags when there are any. */
export function embedBatch(model: CtrModel, batch: Batch, train: boolean): { e: Tensor; layout: ReturnType<typeof batchLayout> } {
  const B = batch.size, D = model.embedding.dim;
  const layout = batchLayout(model, batch.ids, B, batch.bags);
  const shape = [B, model.embeddedFields, D];
  const e = layout ? model.embedding.lookupBags(layout, shape, train) : model.embedding.lookup(batch.ids, B * model.fields, shape, train);
  return { e, layout };
}

/** Losses of one step. */
export interface StepResult {
  loss: number;
  /** The loss of alpt's second pass (after the dense update). */
  loss2?: number;
}

/** The dense features of a batch as a tensor (undefined when the model takes none). */
export function denseInput(model: CtrModel, batch: Batch): Tensor | undefined {
  if (!model.denseFeatures) return undefined;
  if (!batch.dense) throw new RangeError(`trainStep: the model takes ${model.denseFeatures} dense features, the batch has none`);
  return Tensor.from(batch.dense.subarray(0, batch.size * model.denseFeatures), [batch.size, model.denseFeatures]);
}

/** Trains `model` on one batch and returns the loss. */
export function trainStep(model: CtrModel, batch: Batch, optimizer: Optimizer): StepResult {
  const B = batch.size, F = model.fields, n = B * F;
  const labels = batch.labels.subarray(0, B);
  const table = model.embedding;
  model.train(true);
  return scope(() => {
    const dense = denseInput(model, batch);
    const result: StepResult = { loss: NaN };
    // the bags (in this outer frame: alpt's pass 2 reads them)
    const layout = batchLayout(model, batch.ids, B, batch.bags);
    const shape = [B, model.embeddedFields, model.embedding.dim];
    // pass 1 in its own frame: only what alpt's pass 2 needs outlives it (not the activations)
    const pending = scopeKeeping(() => {
      const e = layout ? table.lookupBags(layout, shape, true) : table.lookup(batch.ids, n, shape, true);
      const loss = bceWithLogits(model.forwardEmbedded(e, dense), labels);
      result.loss = loss.values[0];
      backward(loss);
      optimizer.step();
      optimizer.zeroGrad();
      return layout ? table.applyBagGradient(layout, e.grad!, B) : table.applyGradient(batch.ids, n, e.grad!, B);
    }, (p) => (p ? [p.coalesced.unique, p.coalesced.inverse, p.updated] : []));
    if (pending) {
      const e2 = table.alptPass2Input(pending, shape);
      model.gradientOnlyPass(() => {
        const loss2 = bceWithLogits(model.forwardEmbedded(e2, dense), labels);
        result.loss2 = loss2.values[0];
        backward(loss2);
      });
      table.alptFinish(pending, e2.grad!);
    }
    return result;
  });
}

/** Click probabilities of a batch (evaluation mode, no gradients). */
export function predict(model: CtrModel, batch: Batch, out = new Float32Array(batch.size)): Float32Array {
  const B = batch.size;
  model.train(false);
  try {
    noGrad(() =>
      scope(() => {
        const logits = model.forwardEmbedded(embedBatch(model, batch, false).e, denseInput(model, batch));
        const z = logits.values;
        for (let i = 0; i < B; i++) out[i] = sigmoidOf(z[i]);
      }),
    );
  } finally {
    model.train(true);
  }
  return out;
}
