// Models by name: adding a model is one file plus one line here.
import type { CtrModel } from "./base.js";
import { DCN, type DCNOptions } from "./dcn.js";
import { DeepFM } from "./deepfm.js";
import { DNN } from "./dnn.js";
import { FM } from "./fm.js";
import { LR } from "./lr.js";
import { WideDeep } from "./wide-deep.js";
import { describeModel, modelBytes } from "./layout.js";
import { checkModelOptions } from "./options-check.js";
import { getEngine } from "../wasm/load.js";

/** Options accepted by every registered model (each reads the keys it knows). */
export type ModelOptions = DCNOptions;

const registry: Record<string, (o: ModelOptions) => CtrModel> = {
  LR: (o) => new LR(o),
  FM: (o) => new FM(o),
  DNN: (o) => new DNN(o),
  WideDeep: (o) => new WideDeep(o),
  DeepFM: (o) => new DeepFM(o),
  DCN: (o) => new DCN({ ...o, crossVersion: 1 }),
  DCNv2: (o) => new DCN({ ...o, crossVersion: 2 }),
};

/** Names of the registered models. */
export const modelNames = (): string[] => Object.keys(registry);

const MB = 1024 * 1024;

/**
 * The heap bytes a model's parameters, gradients, buffers and table need (models/layout.ts);
 * throws at once, with the figure, when they exceed the heap ceiling (maxMemoryMB).
 */
export function checkModelFits(name: string, options: ModelOptions, ceiling = getEngine().heap.maxBytes): number {
  const need = modelBytes(name, options, ceiling);
  if (need > ceiling) {
    throw new RangeError(`model ${name}: needs more than ${(need / MB).toFixed(1)} MB of heap for its parameters, gradients and table (${describeModel(name, options)}), above the ceiling of ${(ceiling / MB).toFixed(0)} MB (maxMemoryMB)`);
  }
  return need;
}

/**
 * Builds a registered model; unknown names list the known ones. The options are validated first
 * (models/options-check.ts) and the memory they need is compared with the heap ceiling, so
 * nothing is allocated for a model that cannot be built.
 */
export function createModel(name: string, options: ModelOptions): CtrModel {
  const make = registry[name];
  if (!make) throw new RangeError(`model: unknown model "${name}" (known: ${modelNames().join(", ")})`);
  checkModelOptions(name, options);
  checkModelFits(name, options);
  return make(options);
}
