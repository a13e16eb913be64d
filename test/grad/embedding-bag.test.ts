// Finite-difference gradient check of the embedding bag (ops/embedding-bag.ts over the bag kernels)
// for sum, mean and mixed pooling, with empty bags and duplicate ids within and across bags; and
// the table's own backward (EmbeddingTable.applyBagGradient, fp32 rows with SGD at lr 1) moves
// each row by exactly minus that gradient.
import { beforeAll, expect, it } from "vitest";
import { EmbeddingTable } from "../../src/embedding/table.js";
import type { HeapBags } from "../../src/kernels/bag.js";
import { embeddingBag } from "../../src/ops/embedding-bag.js";
import { backward, scope } from "../../src/tensor/tape.js";
import { Tensor } from "../../src/tensor/tensor.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine } from "../helpers/engine.js";
import { gradcheck } from "../helpers/gradcheck.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

const ROWS = 6, DIM = 3;
// 4 samples × 2 fields; bag lengths with an empty bag, bags of one, duplicates within (5, 5) and across bags
const IDS = [0, 5, 5, 2, 1, 3, 5, 0, 4, 4, 2, 1];
const LENS = [1, 3, 0, 2, 4, 1, 0, 1];

function bagsOf(mean: number[] | undefined): { bags: HeapBags; free: () => void } {
  const ids = e.heap.allocI32(IDS.length), offsets = e.heap.allocI32(LENS.length + 1);
  ids.array.set(IDS);
  offsets.array[0] = 0;
  LENS.forEach((l, i) => (offsets.array[i + 1] = offsets.array[i]! + l));
  const m = mean ? e.heap.allocI32(2) : undefined;
  if (m) m.array.set(mean!);
  return { bags: { ids, offsets, bags: LENS.length, fields: 2, mean: m }, free: () => (ids.free(), offsets.free(), m?.free()) };
}

it.each([["sum", undefined], ["mean", [1, 1]], ["mixed", [0, 1]]] as const)("%s pooling: analytic gradient = finite differences", (_, mean) => {
  const { bags, free } = bagsOf(mean ? [...mean] : undefined);
  try {
    expect(gradcheck((w) => embeddingBag(w, bags), [[ROWS, DIM]], { seed: 9 })).toBeLessThanOrEqual(1);
  } finally {
    free();
  }
});

it.each([["sum", undefined], ["mean", [1, 1]]] as const)("%s: the table's coalesced update is -lr × the op's gradient", (_, mean) => {
  const { bags, free } = bagsOf(mean ? [...mean] : undefined);
  const table = new EmbeddingTable({ rows: ROWS, dim: DIM, method: "fp32", optimizer: "sgd", lr: 1, weightDecay: 0, initStd: 0.5, seed: 4, name: "bag-grad" });
  try {
    scope(() => {
      const w0 = Float32Array.from(table.weights!.array);
      const weight = Tensor.from(w0, [ROWS, DIM], true, "w");
      const y = embeddingBag(weight, bags);
      const lookedUp = table.lookupBags(bags, [LENS.length, DIM], true);
      expect(Array.from(lookedUp.values)).toEqual(Array.from(y.values));
      const seed = Array.from({ length: y.size }, (_, i) => Math.fround(Math.sin(i + 1)));
      backward(y, seed);
      const g = e.heap.scratchF32(y.size);
      g.array.set(seed);
      table.applyBagGradient(bags, g, 4);
      const w1 = table.weights!.array, dw = weight.grad!.array;
      for (let i = 0; i < w0.length; i++) expect(w1[i]).toBe(Math.fround(w0[i]! - dw[i]!));
    });
  } finally {
    table.dispose();
    free();
  }
});
