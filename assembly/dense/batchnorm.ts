// Batch-norm kernels over x [B, N], vectorized across the N columns (four per v128); every
// column sum runs over b = 0 .. B−1 in order, so the TS twin reproduces it exactly.
//   bnStats:      mean = Σ_b x / B;  var = Σ_b (x − mean)² / B
//   bnForward:    x̂ = (x − mean) · invStd;  y = γ · x̂ + β
//   bnColumnSums: sdy = Σ_b dy;  sdyx = Σ_b dy · x̂
//   bnInputGrad:  dx += coef · (dy − sdy / B − x̂ · sdyx / B)   (batch statistics)
//                 dx += coef · dy                               (running statistics: pass B = 0)
//                 coef = γ · invStd per column

/** @param mean, variance f32 [N] outputs */
export function bnStats(x: usize, B: i32, N: i32, mean: usize, variance: usize): void {
  const invB: f32 = 1 / <f32>B;
  const rowBytes = <usize>N << 2;
  memory.fill(mean, 0, rowBytes);
  memory.fill(variance, 0, rowBytes);
  for (let b = 0; b < B; b++) {
    const xr = x + <usize>b * rowBytes;
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) v128.store(mean + j, f32x4.add(v128.load(mean + j), v128.load(xr + j)));
    for (; j < rowBytes; j += 4) store<f32>(mean + j, load<f32>(mean + j) + load<f32>(xr + j));
  }
  const vinv = f32x4.splat(invB);
  let j: usize = 0;
  for (; j + 16 <= rowBytes; j += 16) v128.store(mean + j, f32x4.mul(v128.load(mean + j), vinv));
  for (; j < rowBytes; j += 4) store<f32>(mean + j, load<f32>(mean + j) * invB);
  for (let b = 0; b < B; b++) {
    const xr = x + <usize>b * rowBytes;
    j = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const c = f32x4.sub(v128.load(xr + j), v128.load(mean + j));
      v128.store(variance + j, f32x4.add(v128.load(variance + j), f32x4.mul(c, c)));
    }
    for (; j < rowBytes; j += 4) {
      const c = load<f32>(xr + j) - load<f32>(mean + j);
      store<f32>(variance + j, load<f32>(variance + j) + c * c);
    }
  }
  j = 0;
  for (; j + 16 <= rowBytes; j += 16) v128.store(variance + j, f32x4.mul(v128.load(variance + j), vinv));
  for (; j < rowBytes; j += 4) store<f32>(variance + j, load<f32>(variance + j) * invB);
}

/** @param xhat, y f32 [B, N] outputs; mean, invStd, gamma, beta f32 [N] */
export function bnForward(
  x: usize, B: i32, N: i32, mean: usize, invStd: usize, gamma: usize, beta: usize, xhat: usize, y: usize,
): void {
  const rowBytes = <usize>N << 2;
  for (let b = 0; b < B; b++) {
    const off = <usize>b * rowBytes;
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const h = f32x4.mul(f32x4.sub(v128.load(x + off + j), v128.load(mean + j)), v128.load(invStd + j));
      v128.store(xhat + off + j, h);
      v128.store(y + off + j, f32x4.add(f32x4.mul(v128.load(gamma + j), h), v128.load(beta + j)));
    }
    for (; j < rowBytes; j += 4) {
      const h = (load<f32>(x + off + j) - load<f32>(mean + j)) * load<f32>(invStd + j);
      store<f32>(xhat + off + j, h);
      store<f32>(y + off + j, load<f32>(gamma + j) * h + load<f32>(beta + j));
    }
  }
}

/** sdy, sdyx f32 [N] are overwritten with the column sums of dy and dy · x̂. */
export function bnColumnSums(dy: usize, xhat: usize, B: i32, N: i32, sdy: usize, sdyx: usize): void {
  const rowBytes = <usize>N << 2;
  memory.fill(sdy, 0, rowBytes);
  memory.fill(sdyx, 0, rowBytes);
  for (let b = 0; b < B; b++) {
    const off = <usize>b * rowBytes;
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const d = v128.load(dy + off + j);
      v128.store(sdy + j, f32x4.add(v128.load(sdy + j), d));
      v128.store(sdyx + j, f32x4.add(v128.load(sdyx + j), f32x4.mul(d, v128.load(xhat + off + j))));
    }
    for (; j < rowBytes; j += 4) {
      const d = load<f32>(dy + off + j);
      store<f32>(sdy + j, load<f32>(sdy + j) + d);
      store<f32>(sdyx + j, load<f32>(sdyx + j) + d * load<f32>(xhat + off + j));
    }
  }
}

/** dx f32 [B, N] accumulates; batchB = B for batch statistics, 0 for running statistics. */
export function bnInputGrad(
  dy: usize, xhat: usize, B: i32, N: i32, coef: usize, sdy: usize, sdyx: usize, dx: usize, batchB: i32,
): void {
  const rowBytes = <usize>N << 2;
  const invB: f32 = batchB ? 1 / <f32>batchB : 0;
  const vinv = f32x4.splat(invB);
  for (let b = 0; b < B; b++) {
    const off = <usize>b * rowBytes;
    let j: usize = 0;
    if (batchB) {
      for (; j + 16 <= rowBytes; j += 16) {
        const t = f32x4.sub(
          f32x4.sub(v128.load(dy + off + j), f32x4.mul(v128.load(sdy + j), vinv)),
          f32x4.mul(v128.load(xhat + off + j), f32x4.mul(v128.load(sdyx + j), vinv)),
        );
        v128.store(dx + off + j, f32x4.add(v128.load(dx + off + j), f32x4.mul(v128.load(coef + j), t)));
      }
      for (; j < rowBytes; j += 4) {
        const t = (load<f32>(dy + off + j) - load<f32>(sdy + j) * invB) - load<f32>(xhat + off + j) * (load<f32>(sdyx + j) * invB);
        store<f32>(dx + off + j, load<f32>(dx + off + j) + load<f32>(coef + j) * t);
      }
    } else {
      for (; j + 16 <= rowBytes; j += 16) {
        v128.store(dx + off + j, f32x4.add(v128.load(dx + off + j), f32x4.mul(v128.load(coef + j), v128.load(dy + off + j))));
      }
      for (; j < rowBytes; j += 4) {
        store<f32>(dx + off + j, load<f32>(dx + off + j) + load<f32>(coef + j) * load<f32>(dy + off + j));
      }
    }
  }
}
