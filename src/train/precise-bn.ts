// Precise batch-norm statistics (Wu & Johnson, "Rethinking 'Batch' in BatchNorm", 2021; fvcore's
// PreciseBN): the running mean and variance of every BatchNorm1d are replaced by the plain average
// of the batch statistics of `batches` training batches under the current weights. An
// exponential average with momentum 0.1 lags behind weights that still move fast — a CTR model
// that peaks after one short epoch is evaluated with statistics of older weights. Forward passes
// only: no gradients, no parameter or optimizer change.
import { BatchNorm1d } from "../layers/batchnorm.js";
import type { CtrModel } from "../models/base.js";
import { noGrad, scope } from "../tensor/tape.js";
import { denseInput, embedBatch, type Batch } from "./step.js";

/** Recomputes the running statistics of every BatchNorm1d of `model` from `batches`. */
export function refreshBatchNormStats(model: CtrModel, batches: Iterable<Batch>): number {
  const norms = model.modules().filter((m): m is BatchNorm1d => m instanceof BatchNorm1d);
  if (norms.length === 0) return 0;
  const saved = norms.map((bn) => ({ momentum: bn.state.momentum, updates: bn.state.updates }));
  let k = 0;
  model.train(true);
  try {
    for (const batch of batches) {
      // the k-th batch gets weight 1/k: the running values become the mean over batches
      k++;
      for (const bn of norms) bn.state.momentum = 1 / k;
      noGrad(() =>
        scope(() => {
          model.forwardEmbedded(embedBatch(model, batch, false).e, denseInput(model, batch));
        }),
      );
    }
  } finally {
    norms.forEach((bn, i) => Object.assign(bn.state, saved[i]!));
  }
  return k;
}
