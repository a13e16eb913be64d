// Precise batch-norm statistics: the running mean and variance become the plain average of the
// batch statistics of the given batches (momentum 1/k for the k-th), nothing else changes, and
// every layer's momentum is restored.
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_BN_MOMENTUM } from "../../src/layers/batchnorm.js";
import { DCN } from "../../src/models/dcn.js";
import { refreshBatchNormStats } from "../../src/train/precise-bn.js";
import { engine } from "../helpers/engine.js";
import { planted, plantedBatch } from "../helpers/planted.js";

beforeAll(engine);

const SIZES = [30, 20, 50, 10];

const stats = (m: DCN) => m.deep!.norms.filter((bn) => bn !== undefined).map((bn) => [Array.from(bn.state.runningMean.array), Array.from(bn.state.runningVar.array)]);

describe("refreshBatchNormStats", () => {
  it("averages the batch statistics of the batches and changes nothing else", () => {
    const m = new DCN({ fieldSizes: SIZES, embeddingDim: 4, crossLayers: 1, hiddenUnits: [16, 8], batchNorm: true, seed: 3, embedding: { method: "alpt", bits: 4, initStd: 0.05 } });
    const data = planted(96, SIZES);
    const a = plantedBatch(data, 0, 48), b = plantedBatch(data, 48, 48);
    const params = m.parameters().map((p) => Array.from(p.data.array));
    expect(refreshBatchNormStats(m, [a])).toBe(1);
    const sa = stats(m);
    refreshBatchNormStats(m, [b]);
    const sb = stats(m);
    expect(refreshBatchNormStats(m, [a, b])).toBe(2);
    const sab = stats(m);
    sab.forEach((layer, l) => layer.forEach((vec, k) => vec.forEach((v, n) => expect(v).toBeCloseTo((sa[l]![k]![n]! + sb[l]![k]![n]!) / 2, 6))));
    // the first layer normalizes a linear map of the embeddings: its batch mean is not trivial
    expect(sa[0]![0]!.some((v) => Math.abs(v) > 1e-4)).toBe(true);
    expect(m.deep!.norms.every((bn) => bn!.state.momentum === DEFAULT_BN_MOMENTUM)).toBe(true);
    expect(m.parameters().map((p) => Array.from(p.data.array))).toEqual(params);
    m.dispose();
  });
});
