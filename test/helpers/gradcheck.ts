// Finite-difference gradient check (STYLE.md 3.7): seeded inputs away from kinks, a random
// cotangent c, L(x) = Σ c·f(x) accumulated in doubles, central differences per coordinate
// against the analytic vector-Jacobian product. Returns the worst |a − n| / (atol + rtol·|n|).
import { backward, noGrad, scope } from "../../src/tensor/tape.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { rng } from "./engine.js";

export interface GradcheckOptions {
  seed?: number;
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Points to keep inputs away from (e.g. 0 for relu). */
  kinks?: number[];
  /** Input value range (default [−1, 1]). */
  range?: [number, number];
  /** Custom initial values per input. */
  init?: (i: number, shape: readonly number[], r: () => number) => number[] | undefined;
}

export function gradcheck(
  f: (...xs: Tensor[]) => Tensor,
  shapes: number[][],
  { seed = 0, eps = 1e-2, atol = 1e-3, rtol = 1e-2, kinks = [], range = [-1, 1], init }: GradcheckOptions = {},
): number {
  const r = rng(`gradcheck-${seed}`);
  return scope(() => {
    const xs = shapes.map((s, i) => {
      const size = s.reduce((a, b) => a * b, 1);
      const custom = init?.(i, s, r);
      const values = custom ?? Array.from({ length: size }, () => {
        let v: number;
        do v = range[0] + r() * (range[1] - range[0]);
        while (kinks.some((k) => Math.abs(v - k) < 2 * eps));
        return v;
      });
      return Tensor.from(values, s, true, `x${i}`);
    });
    const y = f(...xs);
    const c = Array.from({ length: y.size }, () => r() * 2 - 1);
    backward(y, c);
    const analytic = xs.map((x) => (x.grad ? Float64Array.from(x.grad.array) : new Float64Array(x.size)));
    const loss = (): number =>
      noGrad(() =>
        scope(() => {
          const z = f(...xs).values;
          let s = 0;
          for (let i = 0; i < z.length; i++) s += c[i] * z[i];
          return s;
        }),
      );
    let worst = 0;
    xs.forEach((x, k) => {
      for (let i = 0; i < x.size; i++) {
        const v = x.data.array;
        const x0 = v[i];
        v[i] = x0 + eps;
        const hi = v[i]; // the f32 actually stored
        const lp = loss();
        v[i] = x0 - eps;
        const lo = v[i];
        const lm = loss();
        v[i] = x0;
        const numeric = (lp - lm) / (hi - lo);
        worst = Math.max(worst, Math.abs(analytic[k][i] - numeric) / (atol + rtol * Math.abs(numeric)));
      }
    });
    return worst;
  });
}
