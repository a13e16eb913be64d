// The inputs of prepared data beyond its ids: dense numeric features and bag (multi-valued)
// fields, and the model options they imply (denseFeatures, bagPooling: the bag fields are the last
// of the FeatureMap's fields, models/base.ts) — of a prepared folder from its manifest and data
// config (folderInputs: known before any split is read, so the memory plan and the model agree).
import type { BagPooling } from "../data/bag-fields.js";
import { rowPlan } from "../data/encode-row.js";
import type { ModelOptions } from "../models/registry.js";
import type { Prepared } from "./files.js";
import type { BagLengths } from "../data/prepare-config-shards.js";

/** The inputs of a prepared folder beyond its single-valued ids (folderInputs). */
export interface FolderInputs {
  denseFeatures: number;
  bagPooling: BagPooling[];
  bagNames: string[];
  /** Ids per bag of each bag field over the training rows, as prepare recorded them (undefined in older folders). */
  bagLengths?: BagLengths;
  /** Bag ids per row for the heap plan: Σ of the longest bags (a batch can hold no more), else one per bag field. */
  bagIdsPlanned: number;
  /** Bag ids per row on average (the data's host memory), else one per bag field. */
  bagIdsMean: number;
}

/** A prepared folder's dense width, bag poolings, names and lengths, from its manifest and data config (checked against each other). */
export function folderInputs(prepared: Pick<Prepared, "manifest" | "dataConfig">, what: string): FolderInputs {
  const m = prepared.manifest, dc = prepared.dataConfig;
  if (!dc) return { denseFeatures: 0, bagPooling: [], bagNames: [], bagIdsPlanned: 0, bagIdsMean: 0 };
  const plan = rowPlan(dc.config);
  if (plan.bagFields !== (m.bagFields ?? 0)) throw new Error(`${what}: the manifest has bagFields = ${m.bagFields ?? 0}, its data config ${plan.bagFields} bag fields (${plan.bagNames.join(", ")}): the folder was modified`);
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const L = m.bagLengths;
  return {
    denseFeatures: dc.fitted.dense.length, bagPooling: [...plan.pooling], bagNames: [...plan.bagNames], ...(L ? { bagLengths: L } : {}),
    bagIdsPlanned: L ? sum(L.max) : plan.bagFields, bagIdsMean: L ? sum(L.mean) : plan.bagFields,
  };
}

/** What the memory plan assumed of a folder's bags, in words. */
export function bagAssumption(inputs: FolderInputs): string {
  if (!inputs.bagNames.length) return "no bag fields";
  const L = inputs.bagLengths;
  if (!L) return `${inputs.bagNames.join(", ")}: one id per bag assumed (the folder does not record its bag lengths: prepare it again to count them)`;
  const each = inputs.bagNames.map((name, j) => `${name} mean ${L.mean[j]}, max ${L.max[j]}`).join("; ");
  return `ids per bag in the training rows: ${each}; the heap plan assumes the longest bags (${inputs.bagIdsPlanned} ids per row), the data the mean (${+inputs.bagIdsMean.toFixed(2)})`;
}

/** `o` with a folder's dense width and bag poolings (unchanged for a folder with neither). */
export function withFolderInputs(o: ModelOptions, inputs: Pick<FolderInputs, "denseFeatures" | "bagPooling">): ModelOptions {
  const { denseFeatures, bagPooling } = inputs;
  return { ...o, ...(denseFeatures ? { denseFeatures } : {}), ...(bagPooling.length ? { bagPooling } : {}) };
}
