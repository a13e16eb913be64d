// The training step: pass 2 of alpt computes no dense weight gradient and leaves batch-norm
// statistics alone, the heap stays flat over steps, and one seed gives identical bits.
import { beforeAll, describe, expect, it } from "vitest";
import { DCN } from "../../src/models/dcn.js";
import { Adam } from "../../src/optim/optimizer.js";
import { trainStep } from "../../src/train/step.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine } from "../helpers/engine.js";
import { useBackend } from "../../src/wasm/load.js";
import { planted, plantedBatch } from "../helpers/planted.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

const SIZES = [30, 20, 50, 10];


function model(method: "fp32" | "alpt" | "lpt", seed = 1) {
  return new DCN({
    fieldSizes: SIZES, embeddingDim: 4, crossLayers: 2, hiddenUnits: [16, 8], batchNorm: true, seed,
    embedding: { method, bits: 4, initStd: 0.05, deltaOptimizer: { lr: 1e-3 } },
  });
}

describe("trainStep", () => {
  it("alpt's second pass takes no dense weight gradient and keeps the running statistics", () => {
    const m = model("alpt");
    const opt = new Adam(m.parameters(), { lr: 1e-3 });
    const data = planted(64, SIZES);
    const batch = plantedBatch(data, 0, 64);
    const bn = m.deep!.norms[0]!;
    // spy: after the step the dense grads were zeroed by the optimizer; pass 2 must not add any
    const before = Array.from(bn.state.runningMean.array);
    const r = trainStep(m, batch, opt);
    expect(r.loss2).toBeDefined();
    for (const p of m.parameters()) expect(p.grad!.array.every((g) => g === 0)).toBe(true);
    // running stats moved once (pass 1), not twice: lpt with the same seed runs the same pass 1
    // (same initial codes, Δ and dense weights) and has no pass 2
    const once = model("lpt");
    trainStep(once, batch, new Adam(once.parameters(), { lr: 1e-3 }));
    expect(Array.from(bn.state.runningMean.array)).toEqual(Array.from(once.deep!.norms[0]!.state.runningMean.array));
    expect(Array.from(bn.state.runningMean.array)).not.toEqual(before);
    m.dispose();
    once.dispose();
  });

  it("the heap does not grow over steps", () => {
    for (const method of ["fp32", "lpt", "alpt"] as const) {
      const m = model(method);
      const opt = new Adam(m.parameters(), { lr: 1e-3 });
      const data = planted(256, SIZES, 2);
      const batches = [0, 64, 128, 192].map((s) => plantedBatch(data, s, 64));
      for (let s = 0; s < 4; s++) trainStep(m, batches[s], opt);
      const used = e.heap.bytesInUse, cap = e.heap.capacity;
      for (let s = 0; s < 200; s++) trainStep(m, batches[s % 4], opt);
      expect(e.heap.bytesInUse).toBe(used);
      expect(e.heap.capacity).toBe(cap);
      m.dispose();
    }
  });

  it("one seed gives identical losses and tables", () => {
    const run = () => {
      const m = model("alpt", 5);
      const opt = new Adam(m.parameters(), { lr: 1e-2 });
      const data = planted(128, SIZES, 3);
      const losses: number[] = [];
      for (let s = 0; s < 6; s++) losses.push(trainStep(m, plantedBatch(data, (s % 2) * 64, 64), opt).loss);
      const state = [Array.from(m.embedding.packed!.codes.array), Array.from(m.embedding.delta!.array), Array.from(m.parameters()[0].data.array)];
      m.dispose();
      return { losses, state };
    };
    expect(run()).toEqual(run());
  });
});

describe("backends", () => {
  it("training on the TS reference kernels gives the same bits as on wasm SIMD", () => {
    const run = (backend: "wasm-simd" | "ref") => {
      useBackend(backend);
      try {
        const m = model("alpt", 9);
        const opt = new Adam(m.parameters(), { lr: 1e-2 });
        const data = planted(128, SIZES, 4);
        const losses: number[] = [];
        for (let s = 0; s < 3; s++) losses.push(trainStep(m, plantedBatch(data, (s % 2) * 64, 64), opt).loss);
        const state = [Array.from(m.embedding.packed!.codes.array), Array.from(m.embedding.delta!.array), ...m.parameters().map((p) => Array.from(p.data.array))];
        m.dispose();
        return { losses, state };
      } finally {
        useBackend("wasm-simd");
      }
    };
    expect(run("ref")).toEqual(run("wasm-simd"));
  });
});
