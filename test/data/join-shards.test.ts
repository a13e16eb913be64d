// joinShards: shards of one split joined in order give the rows of the whole split, dense
// inputs and bag fields included (bag offsets rebased onto the joined ids).
import { describe, expect, it } from "vitest";
import type { DatasetWithInputs } from "../../src/data/cache.js";
import { createDataset } from "../../src/data/dataset.js";
import { joinShards } from "../../src/data/join-shards.js";

/** Rows [a, b) of a 2-field dataset with 1 dense input and one bag field whose bag r holds r % 3 ids. */
function part(a: number, b: number): DatasetWithInputs {
  const n = b - a;
  const ds: DatasetWithInputs = createDataset(Int32Array.from({ length: 2 * n }, (_, i) => 2 * a + i), Float32Array.from({ length: n }, (_, i) => (a + i) % 2), 2);
  ds.dense = Float32Array.from({ length: n }, (_, i) => (a + i) / 10);
  const lens = Array.from({ length: n }, (_, i) => (a + i) % 3);
  const offsets = new Int32Array(n + 1);
  lens.forEach((l, i) => (offsets[i + 1] = offsets[i]! + l));
  ds.bags = { fields: 1, pooling: ["mean"], offsets, ids: Int32Array.from({ length: offsets[n]! }, (_, k) => 100 + a + k), names: ["tags"] };
  return ds;
}

describe("joinShards", () => {
  it("joins ids, labels, dense inputs and bags in order", () => {
    const whole = joinShards([part(0, 4), part(4, 5), part(5, 9)], ["a", "b"]);
    expect(whole.n).toBe(9);
    expect(Array.from(whole.ids)).toEqual(Array.from({ length: 18 }, (_, i) => i));
    expect(Array.from(whole.labels)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0]);
    expect(Array.from(whole.dense!)).toEqual(Array.from(Float32Array.from({ length: 9 }, (_, i) => i / 10)));
    const bags = whole.bags!;
    const lengths = Array.from({ length: 9 }, (_, r) => bags.offsets[r + 1]! - bags.offsets[r]!);
    expect(lengths).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(bags.offsets[9]).toBe(bags.ids.length);
    // row 5 (the first of part(5, 9)) has 2 ids, 100 + 5 and 100 + 5 + 1
    expect(Array.from(bags.ids.subarray(bags.offsets[5]!, bags.offsets[6]!))).toEqual([105, 106]);
    expect(bags.pooling).toEqual(["mean"]);
  });

  it("refuses shards with different inputs", () => {
    const plain = createDataset(new Int32Array(2), new Float32Array(1), 2);
    expect(() => joinShards([part(0, 2), plain], ["a", "b"])).toThrow(/differ in their fields or inputs/);
  });
});
