// The embedding kernels split among threads (gather, segment sums, the sparse optimizers, LSQ,
// quantize with SR): every method × optimizer, trained for three steps on batches large enough to
// be split, gives the bits of the reference twins, which run on one thread. Lookups and every
// state buffer are compared; a bad id in a split gather is refused as on one thread.
import { beforeAll, describe, expect, it } from "vitest";
import type { EmbeddingMethod, SparseOptimizerName } from "../../src/embedding/options.js";
import { EmbeddingTable } from "../../src/embedding/table.js";
import { gatherRowsF32 } from "../../src/kernels/embed.js";
import { allocPackedTable, gatherDequant } from "../../src/kernels/quant.js";
import { scope } from "../../src/tensor/tape.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine, rng } from "../helpers/engine.js";
import { expectThreadedLikeReference } from "../helpers/threaded-parity.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

// 6,144 ids of dim 16 over 3,000 rows: ~98k floats per gather and ~2,600 unique rows, above
// the size at which src/kernels/parallel.ts splits a kernel
const ROWS = 3000, DIM = 16, N = 6144, STEPS = 3;

const cases: [EmbeddingMethod, SparseOptimizerName, "dr" | "sr", number][] = [];
for (const opt of ["sgd", "adam", "adagrad"] as const) {
  cases.push(["fp32", opt, "sr", 8], ["qat-lsq", opt, "sr", 4], ["lpt", opt, "dr", 8], ["lpt", opt, "sr", 2], ["alpt", opt, "sr", 4]);
}

/** Three training steps; returns the lookups of each step and the final state buffers. */
function train(method: EmbeddingMethod, optimizer: SparseOptimizerName, rounding: "dr" | "sr", bits: number): Map<string, Uint8Array> {
  const t = new EmbeddingTable({
    rows: ROWS, dim: DIM, bits, method, optimizer, rounding, lr: 0.02, initStd: 0.05, seed: 11,
    deltaOptimizer: { lr: 1e-3 }, name: `threads-${method}`,
  });
  const out = new Map<string, Uint8Array>();
  const copy = (a: ArrayBufferView) => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
  const r = rng(`threads-${method}-${optimizer}-${bits}`);
  for (let step = 0; step < STEPS; step++) {
    scope(() => {
      const ids = e.heap.scratchI32(N);
      // skewed towards small ids: many duplicates, as in a CTR batch
      for (let k = 0; k < N; k++) ids.array[k] = Math.floor(ROWS * r() ** 3);
      const x = t.lookup(ids, N, [N, DIM], true);
      out.set(`lookup ${step}`, copy(x.values));
      const grad = e.heap.scratchF32(N * DIM);
      for (let i = 0; i < grad.length; i++) grad.array[i] = Math.fround((r() - 0.5) * 0.02);
      const pending = t.applyGradient(ids, N, grad, N);
      if (pending) {
        out.set(`pass2 ${step}`, copy(t.alptPass2Input(pending, [N, DIM]).values));
        t.alptFinish(pending, grad);
      }
    });
  }
  for (const [k, b] of t.buffers()) out.set(k, copy(b.array));
  t.dispose();
  return out;
}

describe.each(cases)("%s with %s (%s, bits %i)", (method, optimizer, rounding, bits) => {
  it("the threaded wasm kernels give the reference's bits", () => {
    // the kernels of this method must have run split (the threads' sums and updates are compared)
    const expected = ["segmentSumRows", `${optimizer}Rows`, method === "fp32" || method === "qat-lsq" ? "gatherRowsF32" : "gatherDequant"];
    if (method === "qat-lsq" || method === "alpt") expected.push("lsqGradRows", "fakeQuantRows");
    if (method === "lpt" || method === "alpt") expected.push("quantizeRows");
    expectThreadedLikeReference(e, () => train(method, optimizer, rounding, bits), expected);
  });
});

describe("a bad id in a gather large enough to split", () => {
  it("is refused with its position before any part runs (the parts return nothing), as on one thread", () => {
    const n = 8192, dim = 16, rows = 100;
    scope(() => {
      const ids = e.heap.scratchI32(n);
      for (let k = 0; k < n; k++) ids.array[k] = k % rows;
      ids.array[6000] = rows;
      const out = e.heap.scratchF32(n * dim);
      const w = e.heap.scratchF32(rows * dim);
      expect(() => gatherRowsF32(w, rows, dim, ids, out)).toThrow(/gatherRowsF32: ids\[6000\] = 100 is out of range \[0, 100\)/);
      const t = allocPackedTable(rows, dim, 4, 0.01);
      expect(() => gatherDequant(t, ids, out)).toThrow(/gatherDequant: ids\[6000\] = 100 is out of range \[0, 100\)/);
      ids.array[6000] = 7;
      t.delta.array[7] = 0;
      expect(() => gatherDequant(t, ids, out)).toThrow(/gatherDequant: delta\[7\] = 0 \(ids\[7\]\) is not a positive step size/);
      t.codes.free();
      t.delta.free();
    });
  });
});
