// The bag kernels split among threads: every method (fp32, qat-lsq, lpt, alpt) trained for three
// steps on bag batches large enough to be split (1,024 samples × (2 single + 2 bag fields), mean
// and sum, empty bags, duplicates) gives the bits of the reference twins, which run on one thread:
// lookups, alpt's pass-2 input and every state buffer.
import { beforeAll, describe, it } from "vitest";
import type { EmbeddingMethod } from "../../src/embedding/options.js";
import { EmbeddingTable } from "../../src/embedding/table.js";
import type { HeapBags } from "../../src/kernels/bag.js";
import { scope } from "../../src/tensor/tape.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine, rng } from "../helpers/engine.js";
import { expectThreadedLikeReference } from "../helpers/threaded-parity.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

const ROWS = 3000, DIM = 16, SAMPLES = 1024, FIELDS = 4, STEPS = 3;

function makeBags(r: () => number): HeapBags {
  const bags = SAMPLES * FIELDS;
  const lens = Array.from({ length: bags }, (_, b) => (b % FIELDS < 2 ? 1 : Math.floor(r() * 7)));
  const offsets = e.heap.scratchI32(bags + 1);
  offsets.array[0] = 0; // scratch is not zeroed
  lens.forEach((l, b) => (offsets.array[b + 1] = offsets.array[b]! + l));
  const nnz = offsets.array[bags]!;
  const ids = e.heap.scratchI32(nnz);
  for (let k = 0; k < nnz; k++) ids.array[k] = Math.floor(ROWS * r() ** 3);
  const mean = e.heap.scratchI32(FIELDS);
  mean.array.set([0, 0, 1, 0]);
  return { ids, offsets, bags, fields: FIELDS, mean };
}

function train(method: EmbeddingMethod, bits: number): Map<string, Uint8Array> {
  const t = new EmbeddingTable({ rows: ROWS, dim: DIM, bits, method, optimizer: "adam", rounding: "sr", lr: 0.02, initStd: 0.05, seed: 11, deltaOptimizer: { lr: 1e-3 }, name: `bag-threads-${method}` });
  const out = new Map<string, Uint8Array>();
  const copy = (a: ArrayBufferView) => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
  const r = rng(`bag-threads-${method}-${bits}`);
  for (let step = 0; step < STEPS; step++) {
    scope(() => {
      const bags = makeBags(r);
      const shape = [SAMPLES, FIELDS, DIM];
      out.set(`lookup ${step}`, copy(t.lookupBags(bags, shape, true).values));
      const grad = e.heap.scratchF32(bags.bags * DIM);
      for (let i = 0; i < grad.length; i++) grad.array[i] = Math.fround((r() - 0.5) * 0.02);
      const pending = t.applyBagGradient(bags, grad, SAMPLES);
      if (pending) {
        out.set(`pass2 ${step}`, copy(t.alptPass2Input(pending, shape).values));
        t.alptFinish(pending, grad);
      }
    });
  }
  for (const [k, b] of t.buffers()) out.set(k, copy(b.array));
  t.dispose();
  return out;
}

describe.each([["fp32", 8], ["qat-lsq", 4], ["lpt", 2], ["alpt", 4], ["alpt", 8]] as [EmbeddingMethod, number][])("%s (bits %i) with bags", (method, bits) => {
  it("the threaded wasm kernels give the reference's bits", () => {
    expectThreadedLikeReference(e, () => train(method, bits), ["bagSegmentSumRows", method === "lpt" || method === "alpt" ? "bagDequant" : "bagRowsF32"]);
  });
});
