// Blocked f32 GEMM for the three products of a linear layer, as one C[R,Q] (+)= A'[R,S]·B'[S,Q]:
//   layout 0 "xW":   y[M,N]  = x[M,K]·W[K,N]   A' = x,   B' = W,    R,S,Q = M,K,N
//   layout 1 "dyWt": dx[M,K] = dy[M,N]·Wᵀ      A' = dy,  B' = Wᵀ,   R,S,Q = M,N,K
//   layout 2 "xtdy": dW[K,N] = xᵀ·dy[M,N]      A' = xᵀ,  B' = dy,   R,S,Q = K,M,N
// Steps, per block of NC columns and KC reduction steps:
//   1. pack B' into panels of 8 columns, [kc][8] f32 (two v128.load per step, or 4×4
//      f32x4.shuffle transposes of W rows for Wᵀ), zero-padded past Q;
//   2. per 4 output rows, pack A' into [kc][4] (4×4 f32x4.shuffle transposes of row-major
//      rows, one v128.load per step for xᵀ), zero-padded past R;
//   3. the micro-kernel keeps a 4×8 tile of C in 8 v128 accumulators; per step it loads two
//      v128 of B', and per row v128.load32_splat of A', then f32x4.mul + f32x4.add (the exact
//      module) or f32x4.relaxed_madd (the relaxed module, built with relaxed SIMD: a fused
//      multiply-add where the CPU has one, so one rounding per step instead of two).
//      The tile starts from C (accumulate, or any K block after the first) or from zero.
//      Edge tiles run the same kernel on a 4×8 scratch tile copied from and back to C.
// A single output column (N = 1: the logit layer's three products) and x·W on fewer rows than
// a tile skip packing, whose 8-wide panels would be mostly padding (columnXW, unpacked).
// Every output is acc = (C or 0), then acc = acc + a·b for s = 0 .. S−1 in order, one f32
// rounding per mul and per add: the bits do not depend on the blocking (TS twin: ref/dense).
// The relaxed module keeps the order; its bits may differ between CPUs (FMA or not), never
// between runs on one machine.

const MR = 4; // rows of a tile
const NR = 8; // columns of a tile (two v128)
const KC = 256; // reduction steps per packed block: a B' panel is 8 KiB, L1-resident
const NC = 512; // columns per packed block: the B' block (512 KiB at most) stays in L2

const XW = 0;
const DYWT = 1;
const XTDY = 2;

// @ts-ignore: decorator
@inline function ceilTo(x: i32, m: i32): i32 {
  return ((x + m - 1) / m) * m;
}

/** Bytes of the scratch buffer gemm needs for this layout and these dims. */
export function gemmScratchBytes(layout: i32, M: i32, K: i32, N: i32): i32 {
  const S = layout == XTDY ? M : layout == DYWT ? N : K;
  const Q = layout == DYWT ? K : N;
  const kc = min(KC, S);
  return (kc * ceilTo(min(NC, Q), NR) + kc * MR + MR * NR) << 2;
}

/**
 * One of the three products of a linear layer, written or added into c.
 * M, K, N are always the dims of the forward product x[M,K]·W[K,N].
 *
 * @param layout     0 "xW": a = x f32 [M,K], b = W f32 [K,N], c = y f32 [M,N]
 *                   1 "dyWt": a = dy f32 [M,N], b = W f32 [K,N], c = dx f32 [M,K]
 *                   2 "xtdy": a = x f32 [M,K], b = dy f32 [M,N], c = dW f32 [K,N]
 * @param accumulate 1: c += product; 0: c = product
 * @param scratch    gemmScratchBytes(layout, M, K, N) bytes, 16-aligned, not aliasing a, b, c
 */
export function gemm(
  layout: i32, a: usize, b: usize, c: usize, M: i32, K: i32, N: i32, accumulate: i32, scratch: usize,
): void {
  gemmRows(layout, a, b, c, M, K, N, accumulate, scratch, 0, layout == XTDY ? K : M);
}

/**
 * Rows r0 .. r1 of gemm's output (rows of y or dx: 0 .. M; rows of dW: 0 .. K) with the same
 * bits as gemm gives them: every output sums its products in the same order whatever the
 * rows around it, so threads that split the rows give the bits of one thread.
 * @param scratch gemmScratchBytes(layout, M, K, N) bytes of its own (one per thread)
 */
export function gemmRows(
  layout: i32, a: usize, b: usize, c: usize, M: i32, K: i32, N: i32, accumulate: i32, scratch: usize,
  r0: i32, r1: i32,
): void {
  const R = r1 - r0, r = <usize>r0;
  if (R <= 0) return;
  // a single output column (the logit layer) or fewer rows than a tile: no packing, whose
  // 8-wide panels and 4×8 tiles would be 7/8 padding
  if (layout == XW && N == 1 && R >= MR) columnXW(a + ((r * <usize>K) << 2), b, c + (r << 2), R, K, accumulate);
  else if (layout == XW && (R < MR || N == 1)) unpacked(a + ((r * <usize>K) << 2), K, b, N, c + ((r * <usize>N) << 2), R, K, N, accumulate);
  else if (layout == DYWT && N == 1) unpacked(a + (r << 2), 1, b, K, c + ((r * <usize>K) << 2), R, 1, K, accumulate);
  else if (layout == XTDY && N == 1) unpacked(b, M, a + (r << 2), K, c + (r << 2), 1, M, R, accumulate);
  else if (layout == XW) blocked(a + ((r * <usize>K) << 2), K, false, b, N, false, c + ((r * <usize>N) << 2), N, R, K, N, accumulate, scratch);
  else if (layout == DYWT) blocked(a + ((r * <usize>N) << 2), N, false, b, N, true, c + ((r * <usize>K) << 2), K, R, N, K, accumulate, scratch);
  else if (layout == XTDY) blocked(a + (r << 2), K, true, b, N, false, c + ((r * <usize>N) << 2), N, R, M, N, accumulate, scratch);
  else unreachable();
}

/** C[R,Q] (+)= A'·B'. A'(r,s) = a[r·lda + s] (or a[s·lda + r] if aT); B' likewise with bT. */
function blocked(
  a: usize, lda: i32, aT: bool, b: usize, ldb: i32, bT: bool, c: usize, ldc: i32,
  R: i32, S: i32, Q: i32, accumulate: i32, scratch: usize,
): void {
  if (S == 0) {
    if (!accumulate) for (let r = 0; r < R; r++) memory.fill(c + ((<usize>r * <usize>ldc) << 2), 0, <usize>Q << 2);
    return;
  }
  const kcMax = min(KC, S);
  const bp = scratch;
  const ap = bp + ((<usize>kcMax * <usize>ceilTo(min(NC, Q), NR)) << 2);
  const tile = ap + ((<usize>kcMax * MR) << 2);
  const ldcBytes = <usize>ldc << 2;
  for (let jc = 0; jc < Q; jc += NC) {
    const nc = min(NC, Q - jc);
    for (let pc = 0; pc < S; pc += KC) {
      const kc = min(KC, S - pc);
      const init = accumulate != 0 || pc > 0;
      if (bT) packBT(b, ldb, pc, kc, jc, nc, bp);
      else packB(b, ldb, pc, kc, jc, nc, bp);
      for (let ir = 0; ir < R; ir += MR) {
        const mr = min(MR, R - ir);
        if (aT) packAT(a, lda, ir, mr, pc, kc, ap);
        else packA(a, lda, ir, mr, pc, kc, ap);
        const crow = c + <usize>ir * ldcBytes + (<usize>jc << 2);
        for (let jr = 0; jr < nc; jr += NR) {
          const ct = crow + (<usize>jr << 2);
          const panel = bp + ((<usize>jr * <usize>kc) << 2);
          const w = min(NR, nc - jr);
          if (mr == MR && w == NR) kernel(ap, panel, kc, ct, ldcBytes, init);
          else edgeTile(ap, panel, kc, ct, ldcBytes, init, mr, w, tile);
        }
      }
    }
  }
}

/**
 * C[R,Q] (+)= A[R,S]·B[S,Q] without packing, for few rows of C (serving one row at a time, or
 * the single row of a one-column dW), where packing cost as much as the product. Each output is
 * acc = (C or 0), then acc = madd(A[r,s], B[s,q], acc) for s = 0 .. S−1, the micro-kernel's order
 * and operation, so the bits are gemm's. B is read once, row by row (row stride ldb floats); the
 * R rows of C (contiguous, Q floats each) stay in L1.
 */
function unpacked(a: usize, lda: i32, b: usize, ldb: i32, c: usize, R: i32, S: i32, Q: i32, accumulate: i32): void {
  const rowBytes = <usize>Q << 2;
  if (!accumulate) memory.fill(c, 0, <usize>R * rowBytes);
  const body = rowBytes & ~(<usize>15);
  for (let s = 0; s < S; s++) {
    const w = b + ((<usize>s * <usize>ldb) << 2);
    for (let i = 0; i < R; i++) {
      const x = v128.load32_splat(a + ((<usize>i * <usize>lda + <usize>s) << 2));
      const y = c + <usize>i * rowBytes;
      let j: usize = 0;
      for (; j < body; j += 16) v128.store(y + j, madd(x, v128.load(w + j), v128.load(y + j)));
      // the last columns one lane at a time, with the same vector operation
      for (; j < rowBytes; j += 4) v128.store32_lane(y + j, madd(x, v128.load32_zero(w + j), v128.load32_zero(y + j)), 0);
    }
  }
}

/**
 * y[R] (+)= x[R,K]·w[K] (x·W with one output column), four rows in the lanes of one
 * accumulator: each step of 4 transposes a 4×4 block of x, then 4 madds with w[s] splat, so
 * every output sums in gemm's order with gemm's operation. Rows past the last 4 go unpacked.
 */
function columnXW(a: usize, w: usize, c: usize, R: i32, K: i32, accumulate: i32): void {
  const rowBytes = <usize>K << 2;
  const body = rowBytes & ~(<usize>15);
  let i = 0;
  for (; i + MR <= R; i += MR) {
    const r0 = a + <usize>i * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
    const out = c + (<usize>i << 2);
    let acc = accumulate ? v128.load(out) : f32x4.splat(0);
    let o: usize = 0;
    for (; o < body; o += 16) {
      const q0 = v128.load(r0 + o), q1 = v128.load(r1 + o), q2 = v128.load(r2 + o), q3 = v128.load(r3 + o);
      const t0 = lo(q0, q1), t1 = hi(q0, q1), t2 = lo(q2, q3), t3 = hi(q2, q3);
      acc = madd(f32x4.shuffle(t0, t2, 0, 1, 4, 5), v128.load32_splat(w + o), acc);
      acc = madd(f32x4.shuffle(t0, t2, 2, 3, 6, 7), v128.load32_splat(w + o, 4), acc);
      acc = madd(f32x4.shuffle(t1, t3, 0, 1, 4, 5), v128.load32_splat(w + o, 8), acc);
      acc = madd(f32x4.shuffle(t1, t3, 2, 3, 6, 7), v128.load32_splat(w + o, 12), acc);
    }
    for (; o < rowBytes; o += 4) {
      let x = v128.load32_zero(r0 + o);
      x = v128.load32_lane(r1 + o, x, 1);
      x = v128.load32_lane(r2 + o, x, 2);
      x = v128.load32_lane(r3 + o, x, 3);
      acc = madd(x, v128.load32_splat(w + o), acc);
    }
    v128.store(out, acc);
  }
  if (i < R) unpacked(a + <usize>i * rowBytes, K, w, 1, c + (<usize>i << 2), R - i, K, 1, accumulate);
}

/** acc + x·b: exact (mul, then add) or fused, as the module was built. */
// @ts-ignore: decorator
@inline function madd(x: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, b, acc);
  return f32x4.add(acc, f32x4.mul(x, b));
}

/**
 * The 4×8 tile at c (row stride ldc bytes) from C or zero, plus kc steps of A'·B'. Kept a
 * separate function: V8 tiers wasm up per call (no on-stack replacement), so it runs
 * optimized within the first large GEMM. Unrolling the step twice measured slower (~25 GFLOP/s).
 */
function kernel(ap: usize, bp: usize, kc: i32, c: usize, ldc: usize, init: bool): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00;
  let c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  if (init) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
  }
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let x = v128.load32_splat(ap);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(ap, 4);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(ap, 8);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(ap, 12);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    ap += MR << 2;
    bp += NR << 2;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

/** A tile of mr ≤ 4 rows and w ≤ 8 columns through the 4×8 scratch tile (rows of 32 bytes). */
function edgeTile(
  ap: usize, bp: usize, kc: i32, c: usize, ldc: usize, init: bool, mr: i32, w: i32, tile: usize,
): void {
  const bytes = <usize>w << 2;
  if (init) for (let i = 0; i < mr; i++) memory.copy(tile + (<usize>i << 5), c + <usize>i * ldc, bytes);
  kernel(ap, bp, kc, tile, NR << 2, init);
  for (let i = 0; i < mr; i++) memory.copy(c + <usize>i * ldc, tile + (<usize>i << 5), bytes);
}

// @ts-ignore: decorator
@inline function lo(r0: v128, r1: v128): v128 {
  return f32x4.shuffle(r0, r1, 0, 4, 1, 5);
}

// @ts-ignore: decorator
@inline function hi(r0: v128, r1: v128): v128 {
  return f32x4.shuffle(r0, r1, 2, 6, 3, 7);
}

/** Stores the 4×4 transpose of rows r0..r3 as 4 vectors `step` bytes apart. */
// @ts-ignore: decorator
@inline function storeTransposed(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, step: usize): void {
  const t0 = lo(r0, r1), t1 = hi(r0, r1), t2 = lo(r2, r3), t3 = hi(r2, r3);
  v128.store(dst, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + step, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * step, f32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * step, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/** B'(s,q) = b[s·ldb + q]: panels [kc][8] of columns jc .. jc+nc, zero past nc. */
function packB(b: usize, ldb: i32, pc: i32, kc: i32, jc: i32, nc: i32, bp: usize): void {
  const step = <usize>ldb << 2;
  for (let jr = 0; jr < nc; jr += NR) {
    const w = min(NR, nc - jr);
    let src = b + ((<usize>pc * <usize>ldb + <usize>(jc + jr)) << 2);
    let dst = bp + ((<usize>jr * <usize>kc) << 2);
    if (w == NR) {
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += step;
        dst += NR << 2;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let j = 0; j < NR; j++) store<f32>(dst + (<usize>j << 2), j < w ? load<f32>(src + (<usize>j << 2)) : 0);
        src += step;
        dst += NR << 2;
      }
    }
  }
}

/** B'(s,q) = b[q·ldb + s] (Wᵀ): panels [kc][8] of columns jc .. jc+nc, zero past nc. */
function packBT(b: usize, ldb: i32, pc: i32, kc: i32, jc: i32, nc: i32, bp: usize): void {
  const rowBytes = <usize>ldb << 2;
  for (let jr = 0; jr < nc; jr += NR) {
    const w = min(NR, nc - jr);
    const r0 = b + <usize>(jc + jr) * rowBytes + (<usize>pc << 2);
    const dst = bp + ((<usize>jr * <usize>kc) << 2);
    let k = 0;
    if (w == NR) {
      const r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
      const r4 = r3 + rowBytes, r5 = r4 + rowBytes, r6 = r5 + rowBytes, r7 = r6 + rowBytes;
      for (; k + 4 <= kc; k += 4) {
        const o = <usize>k << 2;
        const d = dst + (<usize>k << 5);
        storeTransposed(v128.load(r0 + o), v128.load(r1 + o), v128.load(r2 + o), v128.load(r3 + o), d, NR << 2);
        storeTransposed(v128.load(r4 + o), v128.load(r5 + o), v128.load(r6 + o), v128.load(r7 + o), d + 16, NR << 2);
      }
    }
    for (; k < kc; k++) {
      const d = dst + (<usize>k << 5);
      for (let j = 0; j < NR; j++) {
        store<f32>(d + (<usize>j << 2), j < w ? load<f32>(r0 + <usize>j * rowBytes + (<usize>k << 2)) : 0);
      }
    }
  }
}

/** A'(r,s) = a[r·lda + s]: rows ir .. ir+mr into [kc][4], zero past mr. */
function packA(a: usize, lda: i32, ir: i32, mr: i32, pc: i32, kc: i32, ap: usize): void {
  const rowBytes = <usize>lda << 2;
  const r0 = a + <usize>ir * rowBytes + (<usize>pc << 2);
  let k = 0;
  if (mr == MR) {
    const r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
    for (; k + 4 <= kc; k += 4) {
      const o = <usize>k << 2;
      storeTransposed(v128.load(r0 + o), v128.load(r1 + o), v128.load(r2 + o), v128.load(r3 + o), ap + (<usize>k << 4), MR << 2);
    }
  }
  for (; k < kc; k++) {
    const d = ap + (<usize>k << 4);
    for (let i = 0; i < MR; i++) {
      store<f32>(d + (<usize>i << 2), i < mr ? load<f32>(r0 + <usize>i * rowBytes + (<usize>k << 2)) : 0);
    }
  }
}

/** A'(r,s) = a[s·lda + r] (xᵀ): rows ir .. ir+mr into [kc][4], zero past mr. */
function packAT(a: usize, lda: i32, ir: i32, mr: i32, pc: i32, kc: i32, ap: usize): void {
  const step = <usize>lda << 2;
  let src = a + ((<usize>pc * <usize>lda + <usize>ir) << 2);
  let dst = ap;
  if (mr == MR) {
    for (let k = 0; k < kc; k++) {
      v128.store(dst, v128.load(src));
      src += step;
      dst += MR << 2;
    }
  } else {
    for (let k = 0; k < kc; k++) {
      for (let i = 0; i < MR; i++) store<f32>(dst + (<usize>i << 2), i < mr ? load<f32>(src + (<usize>i << 2)) : 0);
      src += step;
      dst += MR << 2;
    }
  }
}

/**
 * y[m, :] += bias for every row.
 * @param y    f32 [M, N]
 * @param bias f32 [N]
 */
export function addBiasRows(y: usize, bias: usize, M: i32, N: i32): void {
  const rowBytes = <usize>N << 2;
  for (let m = 0; m < M; m++) {
    const row = y + <usize>m * rowBytes;
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) v128.store(row + j, f32x4.add(v128.load(row + j), v128.load(bias + j)));
    for (; j < rowBytes; j += 4) store<f32>(row + j, load<f32>(row + j) + load<f32>(bias + j));
  }
}

/**
 * out[n] = (accumulate ? out[n] : 0) + Σ_m dy[m, n] for columns j0 ≤ n < j1, summed in
 * increasing m; 16 columns stay in four v128 accumulators while the loop walks down the rows.
 * Every column is its own sum, so threads may split the columns.
 * @param dy  f32 [M, N]
 * @param out f32 [N]
 */
export function sumRows(dy: usize, M: i32, N: i32, out: usize, accumulate: i32, j0: i32, j1: i32): void {
  const rowBytes = <usize>N << 2, end = <usize>j1 << 2;
  let j = <usize>j0 << 2;
  for (; j + 64 <= end; j += 64) {
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
    if (accumulate) {
      s0 = v128.load(out + j); s1 = v128.load(out + j, 16);
      s2 = v128.load(out + j, 32); s3 = v128.load(out + j, 48);
    }
    let p = dy + j;
    for (let m = 0; m < M; m++) {
      s0 = f32x4.add(s0, v128.load(p)); s1 = f32x4.add(s1, v128.load(p, 16));
      s2 = f32x4.add(s2, v128.load(p, 32)); s3 = f32x4.add(s3, v128.load(p, 48));
      p += rowBytes;
    }
    v128.store(out + j, s0); v128.store(out + j, s1, 16);
    v128.store(out + j, s2, 32); v128.store(out + j, s3, 48);
  }
  for (; j + 16 <= end; j += 16) {
    let s = accumulate ? v128.load(out + j) : f32x4.splat(0);
    let p = dy + j;
    for (let m = 0; m < M; m++) {
      s = f32x4.add(s, v128.load(p));
      p += rowBytes;
    }
    v128.store(out + j, s);
  }
  for (; j < end; j += 4) {
    let s: f32 = accumulate ? load<f32>(out + j) : 0;
    let p = dy + j;
    for (let m = 0; m < M; m++) {
      s += load<f32>(p);
      p += rowBytes;
    }
    store<f32>(out + j, s);
  }
}
