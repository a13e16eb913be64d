// Sparse (row-wise) optimizers on the unique rows of a batch. ids must be unique (coalesced
// by the caller, gradients of duplicates summed), so every row is updated once: exact and
// deterministic. Row k of the weights is w[ids[k]] when wIndexed ≠ 0 (an fp32 table) or
// w[k] (fp32 temporaries of dequantized rows); optimizer state is always indexed by ids[k].
// Every formula below is evaluated in f32 in the order written (the TS twin follows it):
//
//   g' = g + λ·w
//   SGD:      w ← w − lr·g'
//   lazy Adam (state m, v [rows, dim]; c1 = 1 − β₁ᵗ, c2 = 1 − β₂ᵗ from the caller):
//             m ← β₁·m + (1 − β₁)·g';  v ← β₂·v + ((1 − β₂)·g')·g'
//             w ← w − (lr·(m / c1)) / (√(v / c2) + ε)
//   rowwise Adagrad (one accumulator a per row, FBGEMM's EXACT_ROWWISE_ADAGRAD):
//             a ← a + (Σ_j g'_j²) / dim;  w ← w − (lr / (√a + ε))·g'
//             Σ runs in four lanes over chunks of 4, then (l0 + l1) + (l2 + l3), then the tail.

// @ts-ignore: decorator
@inline function rowOf(w: usize, wIndexed: i32, ids: usize, k: i32, rowBytes: usize): usize {
  return w + <usize>(wIndexed ? load<i32>(ids + (<usize>k << 2)) : k) * rowBytes;
}

/** SGD with L2 on n unique rows. @param g f32 [n, dim] */
export function sgdRows(
  w: usize, wIndexed: i32, g: usize, ids: usize, n: i32, dim: i32, lr: f32, weightDecay: f32,
): void {
  const rowBytes = <usize>dim << 2;
  const vlr = f32x4.splat(lr), vwd = f32x4.splat(weightDecay);
  for (let k = 0; k < n; k++) {
    const wr = rowOf(w, wIndexed, ids, k, rowBytes);
    const gr = g + <usize>k * rowBytes;
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const wj = v128.load(wr + j);
      const gj = f32x4.add(v128.load(gr + j), f32x4.mul(vwd, wj));
      v128.store(wr + j, f32x4.sub(wj, f32x4.mul(vlr, gj)));
    }
    for (; j < rowBytes; j += 4) {
      const wj = load<f32>(wr + j);
      store<f32>(wr + j, wj - lr * (load<f32>(gr + j) + weightDecay * wj));
    }
  }
}

/**
 * Lazy Adam on n unique rows. @param m, v f32 [rows, dim] state; g f32 [n, dim]
 * @param oneMinusBeta1, oneMinusBeta2 1 − β computed in f64 by the caller, as PyTorch does (1 − f32(0.999) is 1.3e-5 off)
 */
export function adamRows(
  w: usize, wIndexed: i32, g: usize, m: usize, v: usize, ids: usize, n: i32, dim: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, weightDecay: f32, c1: f32, c2: f32, oneMinusBeta1: f32, oneMinusBeta2: f32,
): void {
  const rowBytes = <usize>dim << 2;
  const b1 = f32x4.splat(beta1), ob1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2), ob2 = f32x4.splat(oneMinusBeta2);
  const vlr = f32x4.splat(lr), veps = f32x4.splat(eps), vwd = f32x4.splat(weightDecay);
  const vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2);
  for (let k = 0; k < n; k++) {
    const wr = rowOf(w, wIndexed, ids, k, rowBytes);
    const state = <usize>load<i32>(ids + (<usize>k << 2)) * rowBytes;
    const mr = m + state, vr = v + state;
    const gr = g + <usize>k * rowBytes;
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const wj = v128.load(wr + j);
      const gj = f32x4.add(v128.load(gr + j), f32x4.mul(vwd, wj));
      const mj = f32x4.add(f32x4.mul(b1, v128.load(mr + j)), f32x4.mul(ob1, gj));
      const vj = f32x4.add(f32x4.mul(b2, v128.load(vr + j)), f32x4.mul(f32x4.mul(ob2, gj), gj));
      v128.store(mr + j, mj);
      v128.store(vr + j, vj);
      const step = f32x4.div(f32x4.mul(vlr, f32x4.div(mj, vc1)), f32x4.add(f32x4.sqrt(f32x4.div(vj, vc2)), veps));
      v128.store(wr + j, f32x4.sub(wj, step));
    }
    for (; j < rowBytes; j += 4) {
      const wj = load<f32>(wr + j);
      const gj = load<f32>(gr + j) + weightDecay * wj;
      const mj = beta1 * load<f32>(mr + j) + oneMinusBeta1 * gj;
      const vj = beta2 * load<f32>(vr + j) + oneMinusBeta2 * gj * gj;
      store<f32>(mr + j, mj);
      store<f32>(vr + j, vj);
      store<f32>(wr + j, wj - (lr * (mj / c1)) / (Mathf.sqrt(vj / c2) + eps));
    }
  }
}

/** Rowwise Adagrad on n unique rows. @param acc f32 [rows] accumulators; g f32 [n, dim] */
export function adagradRows(
  w: usize, wIndexed: i32, g: usize, acc: usize, ids: usize, n: i32, dim: i32,
  lr: f32, eps: f32, weightDecay: f32,
): void {
  const rowBytes = <usize>dim << 2;
  const vwd = f32x4.splat(weightDecay);
  for (let k = 0; k < n; k++) {
    const wr = rowOf(w, wIndexed, ids, k, rowBytes);
    const ar = acc + (<usize>load<i32>(ids + (<usize>k << 2)) << 2);
    const gr = g + <usize>k * rowBytes;
    let sq = f32x4.splat(0);
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const gj = f32x4.add(v128.load(gr + j), f32x4.mul(vwd, v128.load(wr + j)));
      sq = f32x4.add(sq, f32x4.mul(gj, gj));
    }
    let sum: f32 =
      (f32x4.extract_lane(sq, 0) + f32x4.extract_lane(sq, 1)) +
      (f32x4.extract_lane(sq, 2) + f32x4.extract_lane(sq, 3));
    for (; j < rowBytes; j += 4) {
      const gj = load<f32>(gr + j) + weightDecay * load<f32>(wr + j);
      sum += gj * gj;
    }
    const a = load<f32>(ar) + sum / <f32>dim;
    store<f32>(ar, a);
    const mult = lr / (Mathf.sqrt(a) + eps);
    const vm = f32x4.splat(mult);
    j = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const wj = v128.load(wr + j);
      const gj = f32x4.add(v128.load(gr + j), f32x4.mul(vwd, wj));
      v128.store(wr + j, f32x4.sub(wj, f32x4.mul(vm, gj)));
    }
    for (; j < rowBytes; j += 4) {
      const wj = load<f32>(wr + j);
      store<f32>(wr + j, wj - mult * (load<f32>(gr + j) + weightDecay * wj));
    }
  }
}
