// Batches of a dataset with bag fields and dense features: each batch's bags hold its rows' ids
// with offsets from 0, in order or shuffled; its dense rows are the rows' values.
import { expect, it } from "vitest";
import { batches, permutation } from "../../src/data/batcher.js";
import { batchBags, checkBagData } from "../../src/data/bag-batch.js";
import type { BagData } from "../../src/data/bag-fields.js";

// 5 rows × 2 bag fields; row r's bags: [r], [] for even r, [r, r+10, r+10] for odd r
const offsets: number[] = [0], ids: number[] = [];
for (let r = 0; r < 5; r++) {
  ids.push(r);
  offsets.push(ids.length);
  if (r % 2) ids.push(r, r + 10, r + 10);
  offsets.push(ids.length);
}
const bags: BagData = { fields: 2, pooling: ["mean", "sum"], offsets: Int32Array.from(offsets), ids: Int32Array.from(ids), names: ["a", "b"] };
const ds = { n: 5, fields: 1, ids: Int32Array.from([0, 1, 2, 3, 4]), labels: new Float32Array(5), dense: Float32Array.from({ length: 10 }, (_, i) => i), bags };

/** The ids of each bag of a batch. */
const bagsOf = (b: BagData, n: number): number[][] => Array.from({ length: n * b.fields }, (_, i) => Array.from(b.ids.subarray(b.offsets[i], b.offsets[i + 1])));
const expected = (r: number) => [[r], r % 2 ? [r, r + 10, r + 10] : []];

it.each([["in order", undefined], ["shuffled", permutation(5, 3, 1)]] as const)("%s: bags and dense rows follow the batch's rows", (_, order) => {
  const rows = order ? Array.from(order) : [0, 1, 2, 3, 4];
  let at = 0;
  for (const b of batches(ds, { batchSize: 2, order })) {
    const mine = rows.slice(at, at + b.size);
    at += b.size;
    checkBagData(b.bags!, b.size);
    expect(b.bags!.offsets[0]).toBe(0);
    expect(bagsOf(b.bags!, b.size)).toEqual(mine.flatMap(expected));
    expect(Array.from(b.dense!)).toEqual(mine.flatMap((r) => [2 * r, 2 * r + 1]));
    expect(b.bags!.pooling).toEqual(["mean", "sum"]);
  }
  expect(at).toBe(5);
});

it("batchBags of contiguous rows views the ids", () => {
  const b = batchBags(bags, undefined, 3, 2);
  expect(bagsOf(b, 2)).toEqual([3, 4].flatMap(expected));
  expect(b.ids.buffer).toBe(bags.ids.buffer);
});

it("checkBagData names the row and the field of a bad offset", () => {
  const bad = { ...bags, offsets: bags.offsets.slice() };
  bad.offsets[4] = 99;
  expect(() => checkBagData(bad, 5, "data.bags")).toThrow(/data\.bags: offsets\[5\] = \d+ is below offsets\[4\] = 99 \(row 2, bag field a\)/);
  expect(() => checkBagData({ ...bags, pooling: ["mean"] }, 5)).toThrow(/pooling = \["mean"\] must hold "mean" or "sum" for each of the 2 bag fields/);
});
