// f32 ↔ f16: exact widening, round to nearest even when narrowing, checked against the
// definition (the nearest representable value, ties to the even code) rather than a twin.
import { describe, expect, it } from "vitest";
import { f16ToF32, f32ToF16 } from "../../src/io/half.js";

describe("f16", () => {
  it("every f16 code widens and narrows back to itself (NaN stays NaN)", () => {
    const bad: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const x = f16ToF32(h);
      const ok = Number.isNaN(x)
        ? (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0 && Number.isNaN(f16ToF32(f32ToF16(x)))
        : f32ToF16(x) === h;
      if (!ok) bad.push(h);
    }
    expect(bad).toEqual([]);
  });

  it("known values", () => {
    expect(f32ToF16(1)).toBe(0x3c00);
    expect(f32ToF16(-2)).toBe(0xc000);
    expect(f32ToF16(65504)).toBe(0x7bff);
    expect(f32ToF16(65520)).toBe(0x7c00); // halfway to 2^16 rounds to even = Inf
    expect(f32ToF16(65519.99)).toBe(0x7bff);
    expect(f32ToF16(2 ** -24)).toBe(0x0001);
    expect(f32ToF16(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal → even 0
    expect(f32ToF16(1.5 * 2 ** -25)).toBe(0x0001);
    expect(f32ToF16(-0)).toBe(0x8000);
    expect(f32ToF16(Infinity)).toBe(0x7c00);
    expect(f16ToF32(0x3555)).toBe(0.333251953125);
  });

  it("rounds to the nearest f16, ties to even, over positives, subnormals and midpoints", () => {
    // all positive finite f16 values in order, to find the neighbours of x
    const values: number[] = [];
    for (let h = 0; h < 0x7c00; h++) values.push(f16ToF32(h));
    const check = (x: number) => {
      const got = f32ToF16(x);
      const y = Math.fround(x);
      // binary search: lo = largest f16 ≤ y
      let a = 0, b = values.length - 1;
      while (a < b) {
        const m = (a + b + 1) >> 1;
        if (values[m] <= y) a = m;
        else b = m - 1;
      }
      let want: number;
      if (a === values.length - 1) want = y - values[a] >= 16 ? 0x7c00 : a; // 65520 = max + half ulp
      else {
        const dl = y - values[a], du = values[a + 1] - y;
        want = dl < du ? a : du < dl ? a + 1 : a % 2 === 0 ? a : a + 1;
      }
      if (got !== want) bad.push(`x = ${y}: got ${got}, want ${want}`);
    };
    const bad: string[] = [];
    let s = 12345;
    const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 20000; i++) check(Math.fround(2 ** (rand() * 44 - 28) * (1 + rand())));
    for (let h = 0; h < 0x7bff; h += 7) check((values[h] + values[h + 1]) / 2); // exact midpoints
    for (let h = 0; h < 0x7bff; h += 13) check(Math.fround(values[h] + (values[h + 1] - values[h]) * 0.4999));
    expect(bad).toEqual([]);
  });
});
