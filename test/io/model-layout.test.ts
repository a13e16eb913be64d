// The layout computed from options (models/layout.ts) equals what io/state.ts collects from the
// built model, for every model × method × optimizer × granularity; createModel validates options
// and refuses a model above the heap ceiling before allocating it.
import { beforeAll, describe, expect, it } from "vitest";
import { collectState } from "../../src/io/state.js";
import { layoutModels, modelLayout } from "../../src/models/layout.js";
import { createModel, modelNames, type ModelOptions } from "../../src/models/registry.js";
import { engine } from "../helpers/engine.js";

beforeAll(async () => {
  await engine();
});

const EMBEDDINGS: ModelOptions["embedding"][] = [
  { method: "fp32", optimizer: "adam" },
  { method: "fp32", optimizer: "sgd" },
  { method: "qat-lsq", bits: 4, optimizer: "adagrad", granularity: "field", deltaOptimizer: { kind: "adagrad" } },
  { method: "lpt", bits: 3, optimizer: "adam" },
  { method: "alpt", bits: 2, optimizer: "sgd", granularity: "table", deltaOptimizer: { kind: "sgd" } },
  { method: "alpt", bits: 8, optimizer: "adagrad" },
];
const shapes = (m: Map<string, { dtype: string; shape: number[] }>) => Object.fromEntries([...m].map(([k, v]) => [k, `${v.dtype}[${v.shape.join(",")}]`]));

describe("model layout from options", () => {
  it("knows every registered model", () => {
    expect(layoutModels().sort()).toEqual(modelNames().sort());
  });

  it.each(modelNames())("%s: equals the built model's tensors", (name) => {
    for (const embedding of EMBEDDINGS) {
      for (const extra of [{}, { hiddenUnits: [], batchNorm: false, crossLayers: 0, denseFeatures: 2 }, { hiddenUnits: [5, 3], crossLayers: 1, embeddingDim: 1 }] as Partial<ModelOptions>[]) {
        const o: ModelOptions = { fieldSizes: [3, 4, 2], embeddingDim: 3, hiddenUnits: [6], crossLayers: 2, ...extra, embedding };
        const m = createModel(name, o);
        try {
          expect(shapes(modelLayout(name, o)), JSON.stringify(o)).toEqual(shapes(collectState(m).tensors));
          expect(shapes(modelLayout(name, o, true))).toEqual(shapes(collectState(m, undefined, { weightsOnly: true }).tensors));
        } finally {
          m.dispose();
        }
      }
    }
  });
});

describe("createModel validates before it allocates", () => {
  const base: ModelOptions = { fieldSizes: [3, 4], embeddingDim: 2, hiddenUnits: [4] };
  it.each([
    [{ crossLayers: -1 }, /crossLayers = -1 must be an integer ≥ 0/],
    [{ crossLayers: 1.5 }, /crossLayers = 1.5/],
    [{ hiddenUnits: [4, 0] }, /hiddenUnits = \[4,0\]/],
    [{ embeddingDim: "4" }, /embeddingDim = "4"/],
    [{ fieldSizes: [] }, /fieldSizes = \[\]/],
    [{ dropout: 1 }, /dropout = 1 must be in \[0, 1\)/],
    [{ bogus: 1 }, /unknown option "bogus"/],
    [{ embedding: { bits: 99, method: "alpt" } }, /embedding\.bits = 99/],
    [{ embedding: { beta1: "0.5" } }, /embedding\.beta1 = "0\.5" must be a finite number/],
    [{ embedding: { rows: 5 } }, /unknown option "embedding\.rows"/],
  ] as [Record<string, unknown>, RegExp][])("%j is refused", (extra, message) => {
    expect(() => createModel("DCN", { ...base, ...extra } as ModelOptions)).toThrow(message);
  });

  it("crossLayers 1e6 fails at once with the memory it needs", () => {
    const t0 = performance.now();
    expect(() => createModel("DCN", { fieldSizes: new Array(26).fill(10), embeddingDim: 16, denseFeatures: 13, crossLayers: 1e6 })).toThrow(/needs more than \d+\.\d MB of heap .*crossLayers 1000000.*above the ceiling of \d+ MB/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("a huge embedding dim fails at once", () => {
    expect(() => createModel("DNN", { fieldSizes: [1_000_000], embeddingDim: 100_000 })).toThrow(/needs .* MB of heap/);
  });
});
