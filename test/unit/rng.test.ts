// The TS counter-based RNG: normal draws, fillNormal consistency and moments.
import { expect, it } from "vitest";
import { fillNormal, normal, uniform } from "../../src/util/rng.js";

it("fillNormal equals normal() element by element, from any start", () => {
  for (const start of [0, 1, 7, 1000]) {
    const out = new Float32Array(33);
    fillNormal(out, 0.5, 9, 4, start);
    out.forEach((v, i) => expect(v).toBe(Math.fround(0.5 * normal(9, 4, start + i))));
  }
});

it("normal draws have mean 0 and variance 1; uniform draws are in [0, 1)", () => {
  const n = 200_000;
  const out = new Float32Array(n);
  fillNormal(out, 1, 1, 2);
  let s = 0, s2 = 0;
  for (const v of out) {
    s += v;
    s2 += v * v;
  }
  expect(Math.abs(s / n)).toBeLessThan(4 / Math.sqrt(n));
  expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
  for (let i = 0; i < 1000; i++) {
    const u = uniform(i, i * 7, i * 13);
    expect(u >= 0 && u < 1).toBe(true);
  }
});
