// Validation of model options before anything is built: every key known, every value of the
// right type and range (names as in models/base.ts, dnn.ts, dcn.ts and embedding/options.ts).
// createModel calls it, and so does the loader of checkpoints and exports (io/validate.ts), so a
// file that says `crossLayers: -1` fails with the key and the value instead of building a smaller
// model. Errors are RangeError / TypeError naming the model, the key and the value.
import { resolveOptions, type EmbeddingOptions } from "../embedding/options.js";
import { DENSE_INITS } from "../layers/init.js";
import type { ModelOptions } from "./registry.js";

const MODEL_KEYS = new Set([
  "fieldSizes", "denseFeatures", "bagPooling", "embeddingDim", "embedding", "seed", "init",
  "crossLayers", "hiddenUnits", "batchNorm", "batchNormMomentum", "dropout", "crossVersion",
]);
const EMBEDDING_KEYS = new Set([
  "method", "bits", "rounding", "granularity", "initStd", "deltaInit", "deltaFloor", "deltaFloorRatio",
  "gradScale", "deltaOptimizer", "optimizer", "lr", "beta1", "beta2", "eps", "weightDecay", "seed", "name",
]);
const EMBEDDING_NUMBERS = ["bits", "initStd", "deltaFloor", "deltaFloorRatio", "lr", "beta1", "beta2", "eps", "weightDecay", "seed"];
const DELTA_OPTIMIZER_KEYS = new Set(["kind", "lr", "beta1", "beta2", "eps"]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (typeof v === "number" ? String(v) : JSON.stringify(v) ?? String(v));
const isCount = (v: unknown, min: number): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= min;

/** Checks every key of `o` for model `name`; throws naming the key and the value. */
export function checkModelOptions(name: string, o: unknown): asserts o is ModelOptions {
  const where = `model ${name}`;
  if (!isObject(o)) throw new TypeError(`${where}: options must be an object, got ${show(o)}`);
  for (const k of Object.keys(o)) if (!MODEL_KEYS.has(k)) throw new TypeError(`${where}: unknown option "${k}" (known: ${[...MODEL_KEYS].join(", ")})`);
  const fs = o.fieldSizes;
  if (!Array.isArray(fs) || fs.length === 0 || !fs.every((n) => isCount(n, 1))) {
    throw new RangeError(`${where}: fieldSizes = ${show(fs)} must be a non-empty array of positive integers`);
  }
  const rows = (fs as number[]).reduce((a, b) => a + b, 0);
  if (!Number.isSafeInteger(rows)) throw new RangeError(`${where}: fieldSizes add up to ${rows} rows, too many`);
  const count = (k: string, min: number) => {
    if (o[k] !== undefined && !isCount(o[k], min)) throw new RangeError(`${where}: ${k} = ${show(o[k])} must be an integer ≥ ${min}`);
  };
  count("denseFeatures", 0);
  const bp = o.bagPooling;
  if (bp !== undefined && (!Array.isArray(bp) || bp.length >= fs.length || !bp.every((p) => p === "mean" || p === "sum"))) {
    throw new RangeError(`${where}: bagPooling = ${show(bp)} must be an array of "mean" or "sum", one per bag field (the last entries of fieldSizes), fewer than fieldSizes.length = ${fs.length}`);
  }
  count("embeddingDim", 1);
  count("crossLayers", 0);
  if (o.seed !== undefined && !(typeof o.seed === "number" && Number.isSafeInteger(o.seed))) throw new RangeError(`${where}: seed = ${show(o.seed)} must be an integer`);
  if (o.init !== undefined && !DENSE_INITS.includes(o.init as never)) throw new RangeError(`${where}: init = ${show(o.init)} (expected ${DENSE_INITS.join(", ")})`);
  const hu = o.hiddenUnits;
  if (hu !== undefined && (!Array.isArray(hu) || !hu.every((h) => isCount(h, 1)))) {
    throw new RangeError(`${where}: hiddenUnits = ${show(hu)} must be an array of positive integers`);
  }
  if (o.batchNorm !== undefined && typeof o.batchNorm !== "boolean") throw new TypeError(`${where}: batchNorm = ${show(o.batchNorm)} must be true or false`);
  const mom = o.batchNormMomentum;
  if (mom !== undefined && !(typeof mom === "number" && mom > 0 && mom <= 1)) throw new RangeError(`${where}: batchNormMomentum = ${show(mom)} must be in (0, 1]`);
  const p = o.dropout;
  if (p !== undefined && !(typeof p === "number" && p >= 0 && p < 1)) throw new RangeError(`${where}: dropout = ${show(p)} must be in [0, 1)`);
  // the model name decides the cross version (DCN 1, DCNv2 2): a contradicting key is an error
  const version = name === "DCN" ? 1 : name === "DCNv2" ? 2 : undefined;
  if (o.crossVersion !== undefined && (version === undefined ? o.crossVersion !== 1 && o.crossVersion !== 2 : o.crossVersion !== version)) {
    throw new RangeError(`${where}: crossVersion = ${show(o.crossVersion)} (expected ${version ?? "1 or 2"}${version ? ` for ${name}` : ""})`);
  }
  checkEmbeddingOptions(where, o.embedding, fs as number[], (typeof o.embeddingDim === "number" ? o.embeddingDim : 16) + 1);
}

/** The embedding block: known keys, numbers that are numbers, then the table's own validation. */
function checkEmbeddingOptions(where: string, e: unknown, fieldSizes: number[], dim: number): void {
  if (e === undefined) return;
  if (!isObject(e)) throw new TypeError(`${where}: embedding = ${show(e)} must be an object`);
  for (const k of Object.keys(e)) if (!EMBEDDING_KEYS.has(k)) throw new TypeError(`${where}: unknown option "embedding.${k}" (known: ${[...EMBEDDING_KEYS].join(", ")})`);
  for (const k of EMBEDDING_NUMBERS) {
    if (e[k] !== undefined && !(typeof e[k] === "number" && Number.isFinite(e[k]))) throw new TypeError(`${where}: embedding.${k} = ${show(e[k])} must be a finite number`);
  }
  for (const k of ["method", "rounding", "granularity", "optimizer", "name"]) {
    if (e[k] !== undefined && typeof e[k] !== "string") throw new TypeError(`${where}: embedding.${k} = ${show(e[k])} must be a string`);
  }
  if (e.deltaInit !== undefined && typeof e.deltaInit !== "string" && !(typeof e.deltaInit === "number" && Number.isFinite(e.deltaInit))) {
    throw new TypeError(`${where}: embedding.deltaInit = ${show(e.deltaInit)} must be "lsq", "lsq-group" or a finite number`);
  }
  if (e.gradScale !== undefined && typeof e.gradScale !== "string" && !(typeof e.gradScale === "number" && Number.isFinite(e.gradScale))) {
    throw new TypeError(`${where}: embedding.gradScale = ${show(e.gradScale)} must be a string or a finite number`);
  }
  const d = e.deltaOptimizer;
  if (d !== undefined) {
    if (!isObject(d)) throw new TypeError(`${where}: embedding.deltaOptimizer = ${show(d)} must be an object`);
    for (const k of Object.keys(d)) if (!DELTA_OPTIMIZER_KEYS.has(k)) throw new TypeError(`${where}: unknown option "embedding.deltaOptimizer.${k}"`);
    for (const k of ["lr", "beta1", "beta2", "eps"]) {
      if (d[k] !== undefined && !(typeof d[k] === "number" && Number.isFinite(d[k]))) throw new TypeError(`${where}: embedding.deltaOptimizer.${k} = ${show(d[k])} must be a finite number`);
    }
  }
  const offsets: number[] = [];
  let rows = 0;
  for (const n of fieldSizes) {
    offsets.push(rows);
    rows += n;
  }
  try {
    // ranges (bits 1..8 or 16, rates > 0, betas in [0, 1), …): the table's own rules
    resolveOptions({ ...(e as Omit<EmbeddingOptions, "rows" | "dim">), rows, dim, fieldOffsets: offsets });
  } catch (err) {
    throw new RangeError(`${where}: ${(err as Error).message.replace(/^Embedding [^:]*: /, "embedding.")}`);
  }
}
