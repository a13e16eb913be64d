// Reference twin of assembly/dense/gemm.ts. Every output is acc = (c or 0), then
// acc = f(acc + f(a·b)) over the reduction index in increasing order: the kernel's order,
// whatever its blocking. Loops are ordered for contiguous access; each output still sees
// its products in that order.
import type { RefMemory } from "../memory.js";

const f = Math.fround;

/** The reference kernel packs nothing: no scratch. */
export function gemmScratchBytes(_m: RefMemory, _layout: number, _M: number, _K: number, _N: number): number {
  return 0;
}

export function gemm(
  m: RefMemory, layout: number, a: number, b: number, c: number, M: number, K: number, N: number,
  accumulate: number, _scratch: number,
): void {
  const { f32 } = m;
  const A = a >> 2, B = b >> 2, C = c >> 2;
  if (layout === 0) {
    // y[i, j] over k: row i of y accumulates x[i, k] · W[k, :] for k = 0, 1, ...
    for (let i = 0; i < M; i++) {
      const y = C + i * N;
      if (!accumulate) f32.fill(0, y, y + N);
      for (let k = 0; k < K; k++) {
        const x = f32[A + i * K + k], w = B + k * N;
        for (let j = 0; j < N; j++) f32[y + j] = f(f32[y + j] + f(x * f32[w + j]));
      }
    }
  } else if (layout === 1) {
    // dx[i, k] = dy[i, :] · W[k, :] over n
    for (let i = 0; i < M; i++) {
      const dy = A + i * N;
      for (let k = 0; k < K; k++) {
        const w = B + k * N;
        let acc = accumulate ? f32[C + i * K + k] : 0;
        for (let n = 0; n < N; n++) acc = f(acc + f(f32[dy + n] * f32[w + n]));
        f32[C + i * K + k] = acc;
      }
    }
  } else if (layout === 2) {
    gemmRows(m, layout, a, b, c, M, K, N, accumulate, _scratch, 0, K);
  } else {
    throw new RangeError(`gemm: layout = ${layout} (expected 0, 1 or 2)`);
  }
}

/** Rows r0 .. r1 of gemm's output (of y or dx: 0 .. M; of dW: 0 .. K), the same bits as gemm's. */
export function gemmRows(
  m: RefMemory, layout: number, a: number, b: number, c: number, M: number, K: number, N: number,
  accumulate: number, scratch: number, r0: number, r1: number,
): void {
  if (r1 <= r0) return;
  if (layout === 0) return gemm(m, 0, a + r0 * K * 4, b, c + r0 * N * 4, r1 - r0, K, N, accumulate, scratch);
  if (layout === 1) return gemm(m, 1, a + r0 * N * 4, b, c + r0 * K * 4, r1 - r0, K, N, accumulate, scratch);
  if (layout !== 2) throw new RangeError(`gemmRows: layout = ${layout} (expected 0, 1 or 2)`);
  // dW[k, :] for k in r0 .. r1 accumulates x[i, k] · dy[i, :] for i = 0, 1, ...
  const { f32 } = m;
  const A = a >> 2, B = b >> 2, C = c >> 2;
  if (!accumulate) f32.fill(0, C + r0 * N, C + r1 * N);
  for (let i = 0; i < M; i++) {
    const dy = B + i * N;
    for (let k = r0; k < r1; k++) {
      const x = f32[A + i * K + k], dw = C + k * N;
      for (let n = 0; n < N; n++) f32[dw + n] = f(f32[dw + n] + f(x * f32[dy + n]));
    }
  }
}

export function addBiasRows(m: RefMemory, y: number, bias: number, M: number, N: number): void {
  const { f32 } = m;
  for (let i = 0; i < M; i++) {
    const row = (y >> 2) + i * N;
    for (let j = 0; j < N; j++) f32[row + j] = f(f32[row + j] + f32[(bias >> 2) + j]);
  }
}

export function sumRows(m: RefMemory, dy: number, M: number, N: number, out: number, accumulate: number, j0: number, j1: number): void {
  const { f32 } = m;
  const o = out >> 2;
  if (!accumulate) f32.fill(0, o + j0, o + j1);
  for (let i = 0; i < M; i++) {
    const row = (dy >> 2) + i * N;
    for (let j = j0; j < j1; j++) f32[o + j] = f(f32[o + j] + f32[row + j]);
  }
}
