// The inputs of prepared data beyond its ids: dense numeric features and bag (multi-valued)
// fields, and the model options they imply (denseFeatures, bagPooling: the bag fields are the last
// of the FeatureMap's fields, models/base.ts) — of a prepared folder from its manifest and data
// config (folderInputs: known before any split is read, so the memory plan and the model agree),
// or of a split in memory (EncodedData: train/trainer.ts).
import type { BagPooling } from "../data/bag-fields.js";
import { checkBagData } from "../data/bag-batch.js";
import type { EncodedDataset } from "../data/dataset.js";
import { rowPlan } from "../data/encode-row.js";
import type { ModelOptions } from "../models/registry.js";
import type { EncodedData } from "../train/trainer.js";
import type { Prepared } from "./files.js";

/** A prepared folder's dense width, bag poolings and bag field names, from its manifest and data config (checked against each other). */
export function folderInputs(prepared: Pick<Prepared, "manifest" | "dataConfig">, what: string): { denseFeatures: number; bagPooling: BagPooling[]; bagNames: string[] } {
  const m = prepared.manifest, dc = prepared.dataConfig;
  if (!dc) return { denseFeatures: 0, bagPooling: [], bagNames: [] };
  const plan = rowPlan(dc.config);
  if (plan.bagFields !== (m.bagFields ?? 0)) throw new Error(`${what}: the manifest has bagFields = ${m.bagFields ?? 0}, its data config ${plan.bagFields} bag fields (${plan.bagNames.join(", ")}): the folder was modified`);
  return { denseFeatures: dc.fitted.dense.length, bagPooling: [...plan.pooling], bagNames: [...plan.bagNames] };
}

/** `o` with the folder's dense width and bag poolings (unchanged for a folder with neither). */
export function withFolderInputs(o: ModelOptions, prepared: Pick<Prepared, "manifest" | "dataConfig">, what: string): ModelOptions {
  const { denseFeatures, bagPooling } = folderInputs(prepared, what);
  return { ...o, ...(denseFeatures ? { denseFeatures } : {}), ...(bagPooling.length ? { bagPooling } : {}) };
}

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
