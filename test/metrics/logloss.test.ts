import { describe, expect, it } from "vitest";
import { logloss, LOGLOSS_EPS } from "../../src/metrics/logloss.js";

describe("logloss", () => {
  it("is the mean binary cross-entropy", () => {
    expect(logloss([1, 0], [0.9, 0.2])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 15);
    expect(logloss([1, 1, 0, 0], [0.5, 0.5, 0.5, 0.5])).toBeCloseTo(Math.LN2, 15);
    expect(logloss(new Float32Array([0.3]), new Float32Array([0.3]))).toBeCloseTo(-(0.3 * Math.log(0.3) + 0.7 * Math.log(0.7)), 7);
  });

  it("clips predictions to [1e-7, 1 − 1e-7]", () => {
    expect(LOGLOSS_EPS).toBe(1e-7);
    expect(logloss([1], [0])).toBeCloseTo(-Math.log(1e-7), 12);
    expect(logloss([0], [1])).toBeCloseTo(-Math.log(1e-7), 6);
    expect(logloss([1], [1])).toBeCloseTo(1e-7, 12);
    expect(logloss([1], [-3])).toBe(logloss([1], [0]));
    expect(logloss([1], [0], 1e-3)).toBeCloseTo(-Math.log(1e-3), 12);
  });

  it("returns NaN for empty input and rejects bad input", () => {
    expect(logloss([], [])).toBeNaN();
    expect(() => logloss([1, 2], [0.5, 0.5])).toThrow("labels[1] = 2 is not in [0, 1]");
    expect(() => logloss([1], [NaN])).toThrow("preds[0] is NaN");
    expect(() => logloss([1], [0.5, 0.5])).toThrow("1 labels but 2 predictions");
    expect(() => logloss([1], [0.5], 0)).toThrow("eps = 0");
  });
});
