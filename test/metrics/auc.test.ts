import { describe, expect, it } from "vitest";
import { auc } from "../../src/metrics/auc.js";
import { rng } from "../helpers/engine.js";

/** Σ over (pos, neg) pairs of [s_pos > s_neg] + ½[s_pos = s_neg], / (P·N). */
function bruteForce(y: ArrayLike<number>, s: ArrayLike<number>): number {
  let num = 0, pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      num += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  return num / pairs;
}

describe("auc", () => {
  it("matches hand-computed values (sklearn's docs example and ties)", () => {
    expect(auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(auc([0, 0, 1, 1], [0.1, 0.5, 0.5, 0.9])).toBe(0.875);
    expect(auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    expect(auc([1, 1, 0, 0], [1, 2, 3, 4])).toBe(0);
    expect(auc([0, 0, 1, 1], [1, 2, 3, 4])).toBe(1);
    expect(auc(new Float32Array([1, 0, 1, 0, 1]), new Float32Array([0.9, 0.9, 0.2, -Infinity, Infinity]))).toBeCloseTo(4.5 / 6, 15);
  });

  it("equals the pairwise count on random data with many ties", () => {
    const r = rng("auc");
    for (const n of [2, 10, 101, 600]) {
      const y = Float32Array.from({ length: n }, () => (r() < 0.3 ? 1 : 0));
      y[0] = 1;
      y[1] = 0;
      const s = Float64Array.from({ length: n }, () => Math.round(r() * 20) / 20);
      expect(auc(y, s), `n = ${n}`).toBeCloseTo(bruteForce(y, s), 12);
      const logits = s.map((v) => Math.log(v + 1e-3) * 3 - 1); // monotone: same AUC
      expect(auc(y, logits)).toBeCloseTo(auc(y, s), 12);
    }
  });

  it("returns NaN when a class is absent and rejects bad input", () => {
    expect(auc([1, 1], [0.2, 0.3])).toBeNaN();
    expect(auc([0], [0.2])).toBeNaN();
    expect(auc([], [])).toBeNaN();
    expect(() => auc([0, 2], [0.1, 0.2])).toThrow("labels[1] = 2 is not 0 or 1");
    expect(() => auc([0, 1], [0.1, NaN])).toThrow("scores[1] is NaN");
    expect(() => auc([0, 1], [0.1])).toThrow("2 labels but 1 scores");
  });
});
