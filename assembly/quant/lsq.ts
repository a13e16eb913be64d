// The LSQ quantizer of ALPT's second pass, forward and backward side by side:
//
//   forward   ŵ = Δ · clip(floor(w/Δ + 1/2))
//   backward  ∂ŵ/∂Δ = Q_N             if w/Δ ≤ Q_N
//                     Q_P             if w/Δ ≥ Q_P      (bounds inclusive, as Hetu's kernel)
//                     round(w/Δ) - w/Δ otherwise
//             gΔ[k] = scale · Σ_j g[k, j] · ∂ŵ[k, j]/∂Δ
//
// The sum runs in four f32 lanes over chunks of 4 (lane i takes j ≡ i mod 4), then
// ((l0 + l1) + (l2 + l3)), then the scalar tail in order; the TS twin follows that order.

// @ts-ignore: decorator
@inline function dqdDelta(v: f32, qmin: f32, qmax: f32): f32 {
  return v <= qmin ? qmin : v >= qmax ? qmax : Mathf.floor(v + 0.5) - v;
}

/**
 * Fake-quantizes rows with DR: out = Δ·clip(floor(w/Δ + 1/2)).
 * @param w     f32 [n, dim]
 * @param delta f32 [rows] (indexed by r = ids[k]) or [n] when ids = 0
 * @param out   f32 [n, dim]
 */
export function fakeQuantRows(
  w: usize, delta: usize, ids: usize, n: i32, dim: i32, bits: i32, out: usize,
): void {
  const qmin = <f32>(-(1 << (bits - 1))), qmax = <f32>((1 << (bits - 1)) - 1);
  const lo = f32x4.splat(qmin), hi = f32x4.splat(qmax), half = f32x4.splat(0.5);
  for (let k = 0; k < n; k++) {
    const r = ids ? load<i32>(ids + (<usize>k << 2)) : k;
    const dr = load<f32>(delta + (<usize>r << 2));
    const d = f32x4.splat(dr);
    const row = <usize>k * (<usize>dim << 2);
    let j = 0;
    for (; j + 4 <= dim; j += 4) {
      const at = row + (<usize>j << 2);
      const q = f32x4.max(f32x4.min(f32x4.floor(f32x4.add(f32x4.div(v128.load(w + at), d), half)), hi), lo);
      v128.store(out + at, f32x4.mul(q, d));
    }
    for (; j < dim; j++) {
      const at = row + (<usize>j << 2);
      const q = Mathf.max(Mathf.min(Mathf.floor(load<f32>(w + at) / dr + 0.5), qmax), qmin);
      store<f32>(out + at, q * dr);
    }
  }
}

/**
 * LSQ step-size gradient per row, summed over the row.
 * @param w     f32 [n, dim]  the updated fp32 rows w'
 * @param g     f32 [n, dim]  ∂L/∂ŵ, already summed over duplicate ids
 * @param delta f32 [rows] (indexed by r = ids[k]) or [n] when ids = 0
 * @param out   f32 [n]       gΔ per row, multiplied by `scale`
 */
export function lsqGradRows(
  w: usize, g: usize, delta: usize, ids: usize, n: i32, dim: i32, bits: i32, scale: f32,
  out: usize,
): void {
  const qmin = <f32>(-(1 << (bits - 1))), qmax = <f32>((1 << (bits - 1)) - 1);
  const lo = f32x4.splat(qmin), hi = f32x4.splat(qmax), half = f32x4.splat(0.5);
  for (let k = 0; k < n; k++) {
    const r = ids ? load<i32>(ids + (<usize>k << 2)) : k;
    const dr = load<f32>(delta + (<usize>r << 2));
    const d = f32x4.splat(dr);
    const row = <usize>k * (<usize>dim << 2);
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= dim; j += 4) {
      const at = row + (<usize>j << 2);
      const v = f32x4.div(v128.load(w + at), d);
      let s = f32x4.sub(f32x4.floor(f32x4.add(v, half)), v);
      s = v128.bitselect(lo, s, f32x4.le(v, lo));
      s = v128.bitselect(hi, s, f32x4.ge(v, hi));
      acc = f32x4.add(acc, f32x4.mul(v128.load(g + at), s));
    }
    let sum: f32 =
      (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) +
      (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    for (; j < dim; j++) {
      const at = row + (<usize>j << 2);
      sum += load<f32>(g + at) * dqdDelta(load<f32>(w + at) / dr, qmin, qmax);
    }
    store<f32>(out + (<usize>k << 2), sum * scale);
  }
}
