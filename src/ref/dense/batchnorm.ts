// Reference twin of assembly/dense/batchnorm.ts (column sums over b in order, f32 each step).
import type { RefMemory } from "../memory.js";

const f = Math.fround;

export function bnStats(m: RefMemory, x: number, B: number, N: number, mean: number, variance: number): void {
  const { f32 } = m;
  const invB = f(1 / B);
  const mu = new Float32Array(N), va = new Float32Array(N);
  for (let b = 0; b < B; b++) for (let n = 0; n < N; n++) mu[n] = f(mu[n] + f32[(x >> 2) + b * N + n]);
  for (let n = 0; n < N; n++) mu[n] = f(mu[n] * invB);
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < N; n++) {
      const c = f(f32[(x >> 2) + b * N + n] - mu[n]);
      va[n] = f(va[n] + f(c * c));
    }
  }
  for (let n = 0; n < N; n++) {
    f32[(mean >> 2) + n] = mu[n];
    f32[(variance >> 2) + n] = f(va[n] * invB);
  }
}

export function bnForward(
  m: RefMemory, x: number, B: number, N: number, mean: number, invStd: number, gamma: number, beta: number, xhat: number, y: number,
): void {
  const { f32 } = m;
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < N; n++) {
      const i = b * N + n;
      const h = f(f(f32[(x >> 2) + i] - f32[(mean >> 2) + n]) * f32[(invStd >> 2) + n]);
      f32[(xhat >> 2) + i] = h;
      f32[(y >> 2) + i] = f(f(f32[(gamma >> 2) + n] * h) + f32[(beta >> 2) + n]);
    }
  }
}

export function bnColumnSums(m: RefMemory, dy: number, xhat: number, B: number, N: number, sdy: number, sdyx: number): void {
  const { f32 } = m;
  const a = new Float32Array(N), c = new Float32Array(N);
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < N; n++) {
      const d = f32[(dy >> 2) + b * N + n];
      a[n] = f(a[n] + d);
      c[n] = f(c[n] + f(d * f32[(xhat >> 2) + b * N + n]));
    }
  }
  f32.set(a, sdy >> 2);
  f32.set(c, sdyx >> 2);
}

export function bnInputGrad(
  m: RefMemory, dy: number, xhat: number, B: number, N: number, coef: number, sdy: number, sdyx: number, dx: number, batchB: number,
): void {
  const { f32 } = m;
  const invB = batchB ? f(1 / batchB) : 0;
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < N; n++) {
      const i = (dx >> 2) + b * N + n, d = f32[(dy >> 2) + b * N + n], k = f32[(coef >> 2) + n];
      if (batchB) {
        const t = f(f(d - f(f32[(sdy >> 2) + n] * invB)) - f(f32[(xhat >> 2) + b * N + n] * f(f32[(sdyx >> 2) + n] * invB)));
        f32[i] = f(f32[i] + f(k * t));
      } else {
        f32[i] = f(f32[i] + f(k * d));
      }
    }
  }
}
