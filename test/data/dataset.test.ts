import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { batches, permutation, shuffledOrder } from "../../src/data/batcher.js";
import { criteoOptions } from "../../src/data/criteo.js";
import {
  createDataset, encodeRows, randomSplit, selectRows, sliceDataset, splitByOrder, splitDataset,
} from "../../src/data/dataset.js";
import { openDelimited } from "../../src/data/delimited.js";
import { FeatureMap } from "../../src/data/feature-map.js";
import { prepareDataset } from "../../src/data/prepare.js";
import { readFileBytes } from "../../src/data/source.js";
import { smallSynthetic, tempDir } from "./fixtures.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

const isPermutation = (p: ArrayLike<number>, n: number) => {
  const seen = new Uint8Array(n);
  for (let i = 0; i < p.length; i++) seen[p[i]!]!++;
  return p.length === n && seen.every((c) => c === 1);
};

describe("splits", () => {
  it("by order: [0, floor(0.8n)), [floor(0.8n), floor(0.9n)), [floor(0.9n), n)", () => {
    expect(splitByOrder(137_139, [0.8, 0.1, 0.1])).toEqual([[0, 109_711], [109_711, 123_425], [123_425, 137_139]]);
    expect(splitByOrder(137_139, [0.8, 0.1, 0.1]).map(([a, b]) => b - a)).toEqual([109_711, 13_714, 13_714]);
    expect(splitByOrder(10, [0.8, 0.1, 0.1])).toEqual([[0, 8], [8, 9], [9, 10]]);
    expect(splitByOrder(100, [0.7, 0.2, 0.1])).toEqual([[0, 70], [70, 90], [90, 100]]);
    expect(splitByOrder(0, [0.5, 0.5])).toEqual([[0, 0], [0, 0]]);
    expect(() => splitByOrder(10, [0.8, 0.1])).toThrow("fractions sum to 0.9");
    expect(() => splitByOrder(10, [1.2, -0.2])).toThrow("fractions[0] = 1.2");
    expect(() => splitByOrder(1.5, [1])).toThrow("n = 1.5");
  });

  it("random: seeded, disjoint, covering, sorted, with the sizes of the order split", () => {
    const parts = randomSplit(1000, [0.8, 0.1, 0.1], 42);
    expect(parts.map((p) => p.length)).toEqual([800, 100, 100]);
    const all = new Uint32Array(1000);
    let k = 0;
    for (const p of parts) {
      for (let i = 1; i < p.length; i++) expect(p[i]!).toBeGreaterThan(p[i - 1]!);
      all.set(p, k);
      k += p.length;
    }
    expect(isPermutation(all, 1000)).toBe(true);
    expect(randomSplit(1000, [0.8, 0.1, 0.1], 42)).toEqual(parts);
    expect(randomSplit(1000, [0.8, 0.1, 0.1], 43)[1]).not.toEqual(parts[1]);
  });

  it("splits datasets into views (order) or copies (random)", () => {
    const ds = smallSynthetic().generate(0, 50);
    const [a, b] = splitDataset(ds, [0.6, 0.4]);
    expect([a!.n, b!.n]).toEqual([30, 20]);
    expect(b!.ids.buffer).toBe(ds.ids.buffer);
    expect(b!.ids.subarray(0, 39)).toEqual(ds.ids.subarray(30 * 39, 31 * 39));
    const [r] = splitDataset(ds, [0.6, 0.4], 1);
    expect(r!.n).toBe(30);
    expect(r!.ids.buffer).not.toBe(ds.ids.buffer);
    expect(() => sliceDataset(ds, 10, 51)).toThrow("[10, 51)");
    expect(() => selectRows(ds, [0, 50])).toThrow("rows[1] = 50");
    expect(() => createDataset(new Int32Array(5), new Float32Array(2), 3)).toThrow("expected n·F = 2·3 = 6");
  });
});

describe("shuffles and batches", () => {
  it("shuffledOrder is a seeded permutation, different per epoch and seed", () => {
    for (const n of [0, 1, 2, 17, 1000]) expect(isPermutation(shuffledOrder(n, 5, 1), n)).toBe(true);
    const a = shuffledOrder(1000, 5, 1);
    expect(shuffledOrder(1000, 5, 1)).toEqual(a);
    expect(shuffledOrder(1000, 5, 2)).not.toEqual(a);
    expect(shuffledOrder(1000, 6, 1)).not.toEqual(a);
    expect(a).toEqual(permutation(1000, 5, 1));
  });

  it("puts each element in each position about equally often", () => {
    const counts = new Array(5).fill(0);
    for (let seed = 0; seed < 2000; seed++) counts[shuffledOrder(5, seed, 0)[0]!]++;
    for (const c of counts) expect(Math.abs(c - 400)).toBeLessThan(80);
  });

  it("yields batches of the given order, the last one smaller", () => {
    const ds = smallSynthetic().generate(0, 23);
    const F = ds.fields;
    const inOrder = [...batches(ds, { batchSize: 10 })];
    expect(inOrder.map((b) => b.size)).toEqual([10, 10, 3]);
    expect(inOrder[2]!.ids.length).toBe(3 * F);
    expect(inOrder[1]!.ids.buffer).toBe(ds.ids.buffer);
    expect([...batches(ds, { batchSize: 10, dropLast: true })].length).toBe(2);
    const order = shuffledOrder(23, 1, 1);
    const seen: number[][] = [];
    for (const b of batches(ds, { batchSize: 10, order })) {
      for (let k = 0; k < b.size; k++) {
        const r = order[b.index * 10 + k]!;
        expect(b.labels[k]).toBe(ds.labels[r]);
        seen.push(Array.from(b.ids.subarray(k * F, k * F + F)));
        expect(seen.at(-1)).toEqual(Array.from(ds.ids.subarray(r * F, r * F + F)));
      }
    }
    expect(seen.length).toBe(23);
    const reused = [...batches(ds, { batchSize: 10, order })];
    expect(reused[0]!.ids.buffer).toBe(reused[1]!.ids.buffer);
    const copied = [...batches(ds, { batchSize: 10, order, copy: true })];
    expect(copied[0]!.ids.buffer).not.toBe(copied[1]!.ids.buffer);
    expect(() => [...batches(ds, { batchSize: 0 })]).toThrow("batchSize = 0");
  });
});

describe("encoding and the two-pass pipeline", () => {
  const syn = smallSynthetic(3);
  const path = join(tmp.dir, "train.txt");
  writeFileSync(path, syn.criteoText(0, 400));

  it("encodes streamed rows with a FeatureMap fitted on the training part only", async () => {
    const { featureMap, dataset, stats } = await prepareDataset({
      open: () => readFileBytes(path), reader: criteoOptions({ file: path }), featureMap: { minCount: 2 }, fitFraction: 0.8,
    });
    expect(stats).toMatchObject({ rows: 400, skipped: 0 });
    expect(featureMap.fitRowCount).toBe(320);
    expect(dataset.n).toBe(400);
    expect(dataset.fields).toBe(39);
    expect(dataset.labels).toEqual(syn.generate(0, 400).labels);
    const r = await openDelimited(readFileBytes(path), criteoOptions());
    const manual = await FeatureMap.fit(r, { fields: r.fields, minCount: 2, fitRows: 320 });
    expect(manual.hash).toBe(featureMap.hash);
    const again = await encodeRows(await openDelimited(readFileBytes(path), criteoOptions()), manual, { expectedRows: 3 });
    expect(again.ids).toEqual(dataset.ids);
    let outside = 0;
    for (let f = 0; f < 39; f++) {
      for (let i = 0; i < 400; i++) {
        const local = dataset.ids[i * 39 + f]! - featureMap.fieldOffsets[f]!;
        if (!(local >= 0 && local < featureMap.fieldSizes[f]!)) outside++;
      }
    }
    expect(outside).toBe(0);
    const limited = await encodeRows(await openDelimited(readFileBytes(path), criteoOptions()), manual, { limit: 7 });
    expect(limited.n).toBe(7);
  });
});
