// The inputs of a prepared split beyond its ids: dense numeric features and bag (multi-valued)
// fields, when the prepared data carries them (EncodedData: train/trainer.ts), and the model
// options they imply (denseFeatures, bagPooling: the bag fields are the last of the FeatureMap's
// fields, models/base.ts).
import type { BagPooling } from "../data/bag-fields.js";
import { checkBagData } from "../data/bag-batch.js";
import type { EncodedDataset } from "../data/dataset.js";
import type { ModelOptions } from "../models/registry.js";
import type { EncodedData } from "../train/trainer.js";

/** The dense width and the bag poolings of a split (0 and [] when it has neither); checked. */
export function dataInputs(ds: EncodedDataset, what: string): { denseFeatures: number; bagPooling: BagPooling[] } {
  const d = ds as EncodedData;
  let denseFeatures = 0;
  if (d.dense) {
    denseFeatures = ds.n ? d.dense.length / ds.n : 0;
    if (!Number.isInteger(denseFeatures)) throw new Error(`${what}: ${d.dense.length} dense values for ${ds.n} rows is not a whole number per row`);
  }
  if (d.bags) checkBagData(d.bags, ds.n, `${what}: bags`);
  return { denseFeatures, bagPooling: d.bags ? [...d.bags.pooling] : [] };
}

/** `o` with the split's dense width and bag poolings (unchanged for a split with neither). */
export function withDataInputs(o: ModelOptions, ds: EncodedDataset, what: string): ModelOptions {
  const { denseFeatures, bagPooling } = dataInputs(ds, what);
  return { ...o, ...(denseFeatures ? { denseFeatures } : {}), ...(bagPooling.length ? { bagPooling } : {}) };
}
