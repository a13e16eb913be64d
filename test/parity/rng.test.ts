// The counter-based RNG: wasm, reference kernel and src/util/rng.ts give the same bits.
import { beforeAll, expect, it } from "vitest";
import { fillUniform, uniform } from "../../src/index.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine, expectBitEqual, onBoth, snapshot } from "../helpers/engine.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

it.each([
  [0, 0, 0, 1],
  [1, 2, 3, 7],
  [0xffffffff, 0x80000000, 0xfffffff0, 33],
  [12345, 9, 1 << 30, 1000],
])("fillUniform(seed=%i, stream=%i, start=%i) over %i draws", (seed, stream, start, n) => {
  const out = e.heap.allocF32(n);
  const res = onBoth(() => {
    fillUniform(out, seed, stream, start);
    return snapshot(out.array);
  });
  expectBitEqual(res.wasm, res.ref);
  const ts = Float32Array.from({ length: n }, (_, i) => uniform(seed, stream, (start + i) >>> 0));
  expectBitEqual(res.wasm, ts, "util/rng");
  for (const u of res.wasm) {
    expect(u).toBeGreaterThanOrEqual(0);
    expect(u).toBeLessThan(1);
  }
  out.free();
});

it("is uniform: mean, variance and bucket counts of 10^6 draws", () => {
  const n = 1_000_000;
  const out = e.heap.allocF32(n);
  fillUniform(out, 42, 5);
  let s = 0, s2 = 0;
  const buckets = new Array(16).fill(0);
  for (const u of out.array) {
    s += u;
    s2 += u * u;
    buckets[Math.floor(u * 16)]++;
  }
  expect(Math.abs(s / n - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
  expect(Math.abs(s2 / n - (s / n) ** 2 - 1 / 12)).toBeLessThan(1e-3);
  const expected = n / 16;
  const chi2 = buckets.reduce((a, c) => a + (c - expected) ** 2 / expected, 0);
  expect(chi2).toBeLessThan(40); // 15 degrees of freedom: p ≈ 5e-4
  out.free();
});

it("streams differ: adjacent seeds and streams are uncorrelated", () => {
  const n = 100_000;
  const pairs: [number, number, number, number][] = [[1, 0, 2, 0], [1, 0, 1, 1], [0, 0, 0, 1]];
  for (const [s1, t1, s2, t2] of pairs) {
    let c = 0;
    for (let i = 0; i < n; i++) c += (uniform(s1, t1, i) - 0.5) * (uniform(s2, t2, i) - 0.5);
    expect(Math.abs(c / n)).toBeLessThan(4 * (1 / 12) / Math.sqrt(n));
  }
});
