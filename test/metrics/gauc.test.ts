import { describe, expect, it } from "vitest";
import { auc } from "../../src/metrics/auc.js";
import { gauc, gaucDetails } from "../../src/metrics/gauc.js";
import { rng } from "../helpers/engine.js";

describe("gauc", () => {
  // A: AUC 1 over 2 rows; B: AUC 0.5 over 3 rows; C: positives only (skipped); D: tie, AUC 0.5, 2 rows.
  const groups = ["A", "B", "A", "C", "B", "B", "C", "D", "D"];
  const labels = [1, 0, 0, 1, 1, 0, 1, 0, 1];
  const scores = [0.9, 0.8, 0.1, 0.5, 0.3, 0.1, 0.2, 0.4, 0.4];

  it("weights each group's AUC by its size and skips single-class groups", () => {
    expect(gauc(labels, scores, groups)).toBeCloseTo((1 * 2 + 0.5 * 3 + 0.5 * 2) / 7, 15);
    expect(gaucDetails(labels, scores, groups)).toEqual({ gauc: 4.5 / 7, groups: 4, usedGroups: 3, usedRows: 7 });
  });

  it("optionally skips groups with constant scores (torchrec)", () => {
    expect(gaucDetails(labels, scores, groups, { skipConstantScores: true })).toEqual({ gauc: 3.5 / 5, groups: 4, usedGroups: 2, usedRows: 5 });
  });

  it("equals the AUC with one group, and accepts numeric keys", () => {
    const r = rng("gauc");
    const y = Array.from({ length: 300 }, () => (r() < 0.4 ? 1 : 0));
    const s = Array.from({ length: 300 }, () => r());
    expect(gauc(y, s, new Array(300).fill(7))).toBeCloseTo(auc(y, s), 15);
    const g = new Int32Array(300).map((_, i) => i % 5);
    let num = 0;
    for (let k = 0; k < 5; k++) {
      const idx = [...Array(300).keys()].filter((i) => i % 5 === k);
      num += auc(idx.map((i) => y[i]!), idx.map((i) => s[i]!)) * idx.length;
    }
    expect(gauc(y, s, g)).toBeCloseTo(num / 300, 12);
  });

  it("is NaN when no group has both classes, and checks lengths", () => {
    expect(gauc([1, 0], [0.3, 0.2], ["u", "v"])).toBeNaN();
    expect(() => gauc([1, 0], [0.3], ["u", "v"])).toThrow("same length");
    expect(() => gauc([1, 3], [0.3, 0.1], ["u", "u"])).toThrow("label 3 is not 0 or 1");
  });
});
