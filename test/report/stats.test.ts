// Statistics against values from scipy 1.17 (stats.t, stats.beta, ttest_ind(equal_var=False)).
import { describe, expect, it } from "vitest";
import { incompleteBeta, mean, sampleStd, studentQuantile, studentTwoSidedP, welchTest } from "../../src/report/stats.js";

describe("report statistics", () => {
  it("mean and sample standard deviation (n − 1)", () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sampleStd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 14);
    expect(sampleStd([0.7, 0.7])).toBe(0);
    expect(mean([])).toBeNaN();
    expect(sampleStd([0.7])).toBeNaN();
  });

  it("Student t quantiles and tails, incomplete beta", () => {
    const q = { 1: 12.70620474, 2: 4.30265273, 5: 2.57058184, 30: 2.04227246, 3.5: 2.94008864 };
    for (const [df, t] of Object.entries(q)) expect(studentQuantile(0.05, Number(df)), `df ${df}`).toBeCloseTo(t, 7);
    expect(studentTwoSidedP(2.57058184, 5)).toBeCloseTo(0.05, 8);
    expect(studentTwoSidedP(0, 4)).toBeCloseTo(1, 12);
    expect(incompleteBeta(0.3, 2.5, 0.5)).toBeCloseTo(0.018927124071945658, 12);
  });

  it("Welch's test: difference, df, p and the 95% interval", () => {
    const t = welchTest([0.7309, 0.7351, 0.7288], [0.7105, 0.715, 0.706])!;
    expect(t.diff).toBeCloseTo(0.7316 - 0.7105, 12);
    expect(t.df).toBeCloseTo(3.6154578787804685, 10);
    expect(t.diff / t.se).toBeCloseTo(6.6131529355161724, 9);
    expect(t.p).toBeCloseTo(0.00384314856992344, 9);
    expect(t.lo).toBeCloseTo(0.011857193401689444, 9);
    expect(t.hi).toBeCloseTo(0.03034280659831035, 9);
    const u = welchTest([1, 2, 3, 4], [2, 4, 6, 8, 10])!;
    expect(u.p).toBeCloseTo(0.06913359319239237, 9);
    expect([u.lo, u.hi, u.df]).toEqual([expect.closeTo(-7.385368080514045, 8), expect.closeTo(0.3853680805140449, 8), expect.closeTo(5.520787746170677, 9)]);
  });

  it("Welch's test needs two values per side; no spread gives a zero-width interval", () => {
    expect(welchTest([0.7], [0.6, 0.61])).toBeUndefined();
    expect(welchTest([0.7, 0.7], [0.6, 0.6])).toMatchObject({ diff: expect.closeTo(0.1, 12), se: 0, p: 0, lo: expect.closeTo(0.1, 12), hi: expect.closeTo(0.1, 12) });
    expect(welchTest([0.7, 0.7], [0.7, 0.7])).toMatchObject({ diff: 0, p: 1 });
  });
});
