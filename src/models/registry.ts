// Models by name: adding a model is one file plus one line here.
import type { CtrModel } from "./base.js";
import { DCN, type DCNOptions } from "./dcn.js";
import { DeepFM } from "./deepfm.js";
import { DNN } from "./dnn.js";
import { FM } from "./fm.js";
import { LR } from "./lr.js";
import { WideDeep } from "./wide-deep.js";

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

/** Builds a registered model; unknown names list the known ones. */
export function createModel(name: string, options: ModelOptions): CtrModel {
  const make = registry[name];
  if (!make) throw new RangeError(`model: unknown model "${name}" (known: ${modelNames().join(", ")})`);
  return make(options);
}
