// The embedding table: each method's update against the slow reference, Δ floor, memory,
// SR and DR behaviour inside the update, determinism, and option errors.
import { beforeAll, describe, expect, it } from "vitest";
import { EmbeddingTable } from "../../src/embedding/table.js";
import type { EmbeddingMethod, SparseOptimizerName } from "../../src/embedding/options.js";
import { unpackCodes } from "../../src/kernels/quant.js";
import { scope } from "../../src/tensor/tape.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine, rng } from "../helpers/engine.js";
import { refUpdate, type RefTable } from "./reference.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

const ROWS = 6, DIM = 5, BITS = 4;

function snapshotRef(t: EmbeddingTable, method: EmbeddingMethod, optimizer: SparseOptimizerName, rounding: "dr" | "sr"): RefTable {
  const codes = new Int32Array(ROWS * DIM);
  if (t.packed) {
    const out = e.heap.allocI32(ROWS * DIM);
    unpackCodes(t.packed.codes, ROWS, DIM, BITS, out);
    codes.set(out.array);
    out.free();
  }
  const b = t.buffers();
  const copy = (k: string, n: number) => (b.get(k) ? Float32Array.from((b.get(k)!.array as Float32Array).subarray(0, n)) : new Float32Array(n));
  return {
    method, optimizer, rows: ROWS, dim: DIM, bits: BITS, rounding, lr: t.options.lr, seed: t.options.seed,
    w: copy("weights", ROWS * DIM), codes, delta: copy("delta", ROWS), m: copy("m", ROWS * DIM), v: copy("v", ROWS * DIM),
    acc: copy("acc", ROWS), dm: copy("delta.m", ROWS), dv: copy("delta.v", ROWS), deltaLr: t.options.deltaOptimizer.lr,
    deltaFloor: t.deltaFloor ?? 0, step: t.step, deltaStep: 0,
  };
}

const cases: [EmbeddingMethod, SparseOptimizerName, "dr" | "sr"][] = [];
for (const opt of ["sgd", "adam", "adagrad"] as const) {
  cases.push(["fp32", opt, "sr"], ["qat-lsq", opt, "sr"], ["lpt", opt, "dr"], ["lpt", opt, "sr"], ["alpt", opt, "sr"]);
}

describe.each(cases)("%s with %s (%s): three updates equal the slow reference bit for bit", (method, optimizer, rounding) => {
  it("matches", () => {
    const t = new EmbeddingTable({
      rows: ROWS, dim: DIM, bits: BITS, method, optimizer, rounding, lr: 0.05, initStd: 0.2, seed: 3,
      deltaOptimizer: { lr: 1e-3 }, name: `t-${method}-${optimizer}`,
    });
    const ref = snapshotRef(t, method, optimizer, rounding);
    const r = rng(`${method}-${optimizer}-${rounding}`);
    for (let step = 0; step < 3; step++) {
      const ids = [5, 0, 2, 5, 3, 0, 5];
      const g = ids.map(() => Array.from({ length: DIM }, () => Math.fround((r() - 0.5) * 0.4)));
      const g2 = ids.map(() => Array.from({ length: DIM }, () => Math.fround((r() - 0.5) * 0.4)));
      scope(() => {
        const idsH = e.heap.scratchI32(ids.length);
        idsH.array.set(ids);
        const grad = e.heap.scratchF32(ids.length * DIM);
        grad.array.set(g.flat());
        const pending = t.applyGradient(idsH, ids.length, grad, 3);
        if (method === "alpt") {
          const x2 = t.alptPass2Input(pending!, [ids.length, DIM]);
          // the pass-2 input must be Δ·clip(round(w′/Δ)) at every batch position
          refUpdate(ref, ids, g, 3, (fq) => {
            ids.forEach((id, k) => expect(Array.from(x2.values.subarray(k * DIM, (k + 1) * DIM))).toEqual(fq.get(id)));
            return g2;
          });
          const grad2 = e.heap.scratchF32(ids.length * DIM);
          grad2.array.set(g2.flat());
          t.alptFinish(pending!, grad2);
        } else {
          expect(pending).toBeUndefined();
          refUpdate(ref, ids, g, 3);
        }
      });
      const now = snapshotRef(t, method, optimizer, rounding);
      for (const k of ["w", "codes", "delta", "m", "v", "acc", "dm", "dv"] as const) {
        expect(Array.from(now[k]), `${k} after step ${step + 1}`).toEqual(Array.from(ref[k]));
      }
    }
    t.dispose();
  });
});
