// Elementwise kernels of the dense network, branch-free in v128 lanes (a data-dependent
// branch per element costs ~15 cycles on random signs):
//   reluForward:  y = pmax(0, x)                         (0 < x ? x : 0; NaN and −0 give 0)
//   reluBackward: dx = dx + (x > 0 ? dy : 0)             (bitselect on f32x4.gt)

/** y[i] = max(x[i], 0) for i < n (x and y may alias). */
export function reluForward(x: usize, y: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(y + at, f32x4.pmax(zero, v128.load(x + at)));
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), v > 0 ? v : 0);
  }
}

/** dx[i] += x[i] > 0 ? dy[i] : 0 for i < n. */
export function reluBackward(x: usize, dy: usize, dx: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const pass = v128.and(v128.load(dy + at), f32x4.gt(v128.load(x + at), zero));
    v128.store(dx + at, f32x4.add(v128.load(dx + at), pass));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(dx + at, load<f32>(dx + at) + (load<f32>(x + at) > 0 ? load<f32>(dy + at) : 0));
  }
}
