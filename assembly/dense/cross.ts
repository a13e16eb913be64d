// DCN cross layer v1 on rows of width D (Wang et al. 2017):
//   forward:  s[b] = xl[b]·w;  y = (x0·s + bias) + xl
//   backward: ds[b] = dy[b]·x0[b];  dx0 += dy·s;  dxl += (ds·w + dy);  dw += ds·xl;  db += dy
// Dot products run in four lanes over chunks of 4, then (l0 + l1) + (l2 + l3), then the tail;
// the column sums dw, db run over b in order. Zero pointers skip a gradient. Split among threads,
// crossBackward runs on row slices without dw, db (storing ds), then crossColumnGrads on column
// slices: every output is computed as one call computes it.

// @ts-ignore: decorator
@inline function dot(a: usize, c: usize, D: i32): f32 {
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= D; j += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(a + (<usize>j << 2)), v128.load(c + (<usize>j << 2))));
  let s: f32 = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; j < D; j++) s += load<f32>(a + (<usize>j << 2)) * load<f32>(c + (<usize>j << 2));
  return s;
}

/** @param s f32 [B] output (kept for backward); y f32 [B, D] output */
export function crossForward(x0: usize, xl: usize, w: usize, bias: usize, B: i32, D: i32, s: usize, y: usize): void {
  const rowBytes = <usize>D << 2;
  for (let b = 0; b < B; b++) {
    const off = <usize>b * rowBytes;
    const sb = dot(xl + off, w, D);
    store<f32>(s + (<usize>b << 2), sb);
    const vs = f32x4.splat(sb);
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const t = f32x4.add(f32x4.mul(v128.load(x0 + off + j), vs), v128.load(bias + j));
      v128.store(y + off + j, f32x4.add(t, v128.load(xl + off + j)));
    }
    for (; j < rowBytes; j += 4) {
      store<f32>(y + off + j, (load<f32>(x0 + off + j) * sb + load<f32>(bias + j)) + load<f32>(xl + off + j));
    }
  }
}

/**
 * Accumulates into dx0, dxl [B, D] and dw, db [D]; a 0 pointer skips that gradient.
 * @param dsOut f32 [B]: ds[b] stored for crossColumnGrads (0: not stored)
 */
export function crossBackward(
  x0: usize, xl: usize, w: usize, s: usize, dy: usize, B: i32, D: i32, dx0: usize, dxl: usize, dw: usize, db: usize,
  dsOut: usize,
): void {
  const rowBytes = <usize>D << 2;
  for (let b = 0; b < B; b++) {
    const off = <usize>b * rowBytes;
    const sb = load<f32>(s + (<usize>b << 2));
    const ds = dot(dy + off, x0 + off, D);
    if (dsOut) store<f32>(dsOut + (<usize>b << 2), ds);
    const vs = f32x4.splat(sb), vds = f32x4.splat(ds);
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const d = v128.load(dy + off + j);
      if (dx0) v128.store(dx0 + off + j, f32x4.add(v128.load(dx0 + off + j), f32x4.mul(d, vs)));
      if (dxl) v128.store(dxl + off + j, f32x4.add(v128.load(dxl + off + j), f32x4.add(f32x4.mul(vds, v128.load(w + j)), d)));
      if (dw) v128.store(dw + j, f32x4.add(v128.load(dw + j), f32x4.mul(vds, v128.load(xl + off + j))));
      if (db) v128.store(db + j, f32x4.add(v128.load(db + j), d));
    }
    for (; j < rowBytes; j += 4) {
      const d = load<f32>(dy + off + j);
      if (dx0) store<f32>(dx0 + off + j, load<f32>(dx0 + off + j) + d * sb);
      if (dxl) store<f32>(dxl + off + j, load<f32>(dxl + off + j) + (ds * load<f32>(w + j) + d));
      if (dw) store<f32>(dw + j, load<f32>(dw + j) + ds * load<f32>(xl + off + j));
      if (db) store<f32>(db + j, load<f32>(db + j) + d);
    }
  }
}

/**
 * crossBackward's column sums on columns j0 .. j1 (j0 a multiple of 4): dw[j] += ds[b]·xl[b, j],
 * db[j] += dy[b, j], b in order, with crossBackward's operations, so the same bits.
 * @param ds f32 [B] as crossBackward stored it
 */
export function crossColumnGrads(xl: usize, dy: usize, ds: usize, B: i32, D: i32, dw: usize, db: usize, j0: i32, j1: i32): void {
  const rowBytes = <usize>D << 2, end = <usize>j1 << 2;
  for (let b = 0; b < B; b++) {
    const off = <usize>b * rowBytes;
    const d = load<f32>(ds + (<usize>b << 2));
    const vds = f32x4.splat(d);
    let j = <usize>j0 << 2;
    for (; j + 16 <= end; j += 16) {
      if (dw) v128.store(dw + j, f32x4.add(v128.load(dw + j), f32x4.mul(vds, v128.load(xl + off + j))));
      if (db) v128.store(db + j, f32x4.add(v128.load(db + j), v128.load(dy + off + j)));
    }
    for (; j < end; j += 4) {
      if (dw) store<f32>(dw + j, load<f32>(dw + j) + d * load<f32>(xl + off + j));
      if (db) store<f32>(db + j, load<f32>(db + j) + load<f32>(dy + off + j));
    }
  }
}
