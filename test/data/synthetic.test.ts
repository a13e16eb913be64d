import { describe, expect, it } from "vitest";
import { criteoOptions } from "../../src/data/criteo.js";
import { encodeRows } from "../../src/data/dataset.js";
import { openDelimited } from "../../src/data/delimited.js";
import { FeatureMap } from "../../src/data/feature-map.js";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import { auc } from "../../src/metrics/auc.js";

const syn = new SyntheticCtr({ seed: 11, vocabSize: 20_000 });

/** Plain sparse logistic regression (one weight per id + bias), SGD, for a learnability check. */
function trainLR(ids: Int32Array, labels: Float32Array, F: number, rows: number, epochs: number, lr: number) {
  const w = new Float64Array(rows);
  let b = 0;
  const n = labels.length;
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < n; i++) {
      let z = b;
      for (let f = 0; f < F; f++) z += w[ids[i * F + f]!]!;
      const g = 1 / (1 + Math.exp(-z)) - labels[i]!;
      b -= lr * g;
      for (let f = 0; f < F; f++) w[ids[i * F + f]!]! -= lr * g;
    }
  }
  return (ids2: Int32Array, m: number) => Float64Array.from({ length: m }, (_, i) => {
    let z = b;
    for (let f = 0; f < F; f++) z += w[ids2[i * F + f]!]!;
    return z;
  });
}

describe("SyntheticCtr", () => {
  it("is a pure function of (seed, row): instances and ranges agree", () => {
    const a = syn.generate(0, 300);
    const b = new SyntheticCtr({ seed: 11, vocabSize: 20_000 }).generate(100, 50);
    expect(b.ids).toEqual(a.ids.subarray(100 * 39, 150 * 39));
    expect(b.labels).toEqual(a.labels.subarray(100, 150));
    expect(new SyntheticCtr({ seed: 12, vocabSize: 20_000 }).generate(0, 300).ids).not.toEqual(a.ids);
  });

  it("has Criteo's shape: 13 + 26 fields, skewed vocabularies, ids within their field", () => {
    expect(syn.fieldNames.slice(0, 2)).toEqual(["I1", "I2"]);
    expect(syn.fieldNames[13]).toBe("C1");
    const cat = syn.fieldSizes.slice(13).map((s) => s - 2);
    expect(cat.reduce((a, b) => a + b, 0)).toBeGreaterThan(19_900);
    expect(Math.max(...cat) / Math.min(...cat)).toBeGreaterThan(100);
    expect(syn.totalRows).toBe(syn.fieldSizes.reduce((a, b) => a + b, 0));
    const d = syn.generate(0, 2000);
    let missing = 0, bad = 0;
    for (let i = 0; i < d.n; i++) {
      for (let f = 0; f < 39; f++) {
        const local = d.ids[i * 39 + f]! - syn.fieldOffsets[f]!;
        if (!(local >= 0 && local < syn.fieldSizes[f]! && local !== 1)) bad++;
        if (local === 0) missing++;
      }
    }
    expect(bad).toBe(0);
    expect(missing / (2000 * 39)).toBeCloseTo((13 * 0.2 + 26 * 0.1) / 39, 1);
  });

  it("plants a learnable signal: ~25 % positives, the true logit ranks well, interactions matter", () => {
    const n = 20_000;
    const d = syn.generate(0, n);
    const rate = d.labels.reduce((a, b) => a + b, 0) / n;
    expect(Math.abs(rate - 0.25)).toBeLessThan(0.02);
    const full = auc(d.labels, syn.logits(0, n, "full"));
    const first = auc(d.labels, syn.logits(0, n, "firstOrder"));
    expect(full).toBeGreaterThan(0.75);
    expect(full - first).toBeGreaterThan(0.04);
    // A logistic model learns the first-order part from data, and no more.
    const train = syn.generate(0, 30_000), test = syn.generate(30_000, 5_000);
    const lr = trainLR(train.ids, train.labels, 39, syn.totalRows, 2, 0.05);
    const lrAuc = auc(test.labels, lr(test.ids, test.n));
    expect(lrAuc).toBeGreaterThan(0.62);
    expect(lrAuc).toBeLessThan(auc(test.labels, syn.logits(30_000, 5_000, "full")));
  });

  it("writes Criteo TSV that the reader and a FeatureMap turn into the same ids up to relabeling", async () => {
    const n = 500;
    const text = syn.criteoText(0, n);
    const r = await openDelimited([new TextEncoder().encode(text)], criteoOptions());
    const rows = [];
    for await (const row of r) rows.push(row);
    const fm = await FeatureMap.fit(rows, { fields: r.fields });
    const ds = await encodeRows(rows, fm);
    const g = syn.generate(0, n);
    expect(ds.labels).toEqual(g.labels);
    let bad = 0;
    for (let f = 0; f < 39; f++) {
      const fwd = new Map<number, number>(), back = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const a = g.ids[i * 39 + f]! - syn.fieldOffsets[f]!, b = ds.ids[i * 39 + f]! - fm.fieldOffsets[f]!;
        if ((a === 0) !== (b === 0) || (fwd.get(a) ?? b) !== b || (back.get(b) ?? a) !== a) bad++;
        fwd.set(a, b);
        back.set(b, a);
      }
    }
    expect(bad, "synthetic local ids ↔ FeatureMap ids must be a bijection per field").toBe(0);
  });

  it("rejects bad options by name", () => {
    expect(() => new SyntheticCtr({ zipf: -1 })).toThrow("zipf = -1");
    expect(() => new SyntheticCtr({ vocabSize: 10 })).toThrow("vocabSize = 10");
    expect(() => new SyntheticCtr({ interactionPairs: 1000 })).toThrow("interactionPairs = 1000");
    expect(() => new SyntheticCtr({ vocab: 5 } as object)).toThrow('unknown option "vocab"');
  });
});
