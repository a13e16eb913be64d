// The kernel ABI: the exports of assembly/index.ts as TS sees them. Both backends implement
// it: the wasm module's exports and the plain-TS twins of src/ref (createRefKernels).
// test/types/abi.test-d.ts checks it against the bindings asc generates.

/** Every kernel of the core module; pointers and counts are plain numbers. */
export interface CoreKernels {
  fillUniform(out: number, n: number, seed: number, stream: number, start: number): void;
  packCodes(src: number, n: number, dim: number, bits: number, dst: number): void;
  unpackCodes(src: number, n: number, dim: number, bits: number, dst: number): void;
  quantizeRows(
    src: number, delta: number, ids: number, n: number, dim: number, bits: number,
    dst: number, stochastic: number, seed: number, step: number,
  ): void;
  gatherDequant(
    codes: number, delta: number, ids: number, n: number, rows: number, dim: number,
    bits: number, out: number,
  ): number;
  fakeQuantRows(
    w: number, delta: number, ids: number, n: number, dim: number, bits: number, out: number,
  ): void;
  lsqGradRows(
    w: number, g: number, delta: number, ids: number, n: number, dim: number, bits: number,
    scale: number, out: number,
  ): void;
  coalesceIds(
    ids: number, n: number, table: number, capLog2: number, unique: number, inverse: number,
  ): number;
  segmentSumRows(src: number, inverse: number, n: number, dim: number, dst: number, u0: number, u1: number): void;
  firstBadRow(ids: number, n: number, rows: number, delta: number): number;
  firstNotPositive(x: number, n: number): number;
  gatherRowsF32(src: number, ids: number, n: number, rows: number, dim: number, out: number): number;
  bagRowsF32(
    src: number, ids: number, offsets: number, bags: number, rows: number, dim: number, fields: number, mean: number, out: number,
  ): number;
  bagDequant(
    codes: number, delta: number, ids: number, offsets: number, bags: number, rows: number, dim: number, bits: number,
    fields: number, mean: number, out: number,
  ): number;
  bagSegmentSumRows(
    g: number, offsets: number, bags: number, fields: number, mean: number, inverse: number, dim: number, dst: number,
    u0: number, u1: number,
  ): void;
  sgdRows(w: number, wIndexed: number, g: number, ids: number, n: number, dim: number, lr: number, weightDecay: number): void;
  adamRows(
    w: number, wIndexed: number, g: number, m: number, v: number, ids: number, n: number, dim: number,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, c1: number, c2: number,
    oneMinusBeta1: number, oneMinusBeta2: number,
  ): void;
  adagradRows(
    w: number, wIndexed: number, g: number, acc: number, ids: number, n: number, dim: number,
    lr: number, eps: number, weightDecay: number,
  ): void;
  reluForward(x: number, y: number, n: number): void;
  reluBackward(x: number, dy: number, dx: number, n: number): void;
  bnStats(x: number, B: number, N: number, mean: number, variance: number): void;
  bnForward(
    x: number, B: number, N: number, mean: number, invStd: number, gamma: number, beta: number, xhat: number, y: number,
  ): void;
  bnColumnSums(dy: number, xhat: number, B: number, N: number, sdy: number, sdyx: number): void;
  bnInputGrad(
    dy: number, xhat: number, B: number, N: number, coef: number, sdy: number, sdyx: number, dx: number, batchB: number,
  ): void;
  crossForward(x0: number, xl: number, w: number, bias: number, B: number, D: number, s: number, y: number): void;
  crossBackward(
    x0: number, xl: number, w: number, s: number, dy: number, B: number, D: number,
    dx0: number, dxl: number, dw: number, db: number, dsOut: number,
  ): void;
  crossColumnGrads(xl: number, dy: number, ds: number, B: number, D: number, dw: number, db: number, j0: number, j1: number): void;
  gemm(
    layout: number, a: number, b: number, c: number, M: number, K: number, N: number,
    accumulate: number, scratch: number,
  ): void;
  gemmRows(
    layout: number, a: number, b: number, c: number, M: number, K: number, N: number,
    accumulate: number, scratch: number, r0: number, r1: number,
  ): void;
  gemmScratchBytes(layout: number, M: number, K: number, N: number): number;
  addBiasRows(y: number, bias: number, M: number, N: number): void;
  sumRows(dy: number, M: number, N: number, out: number, accumulate: number, j0: number, j1: number): void;
  moveColumns(
    src: number, srcCols: number, srcOff: number, dst: number, dstCols: number, dstOff: number,
    B: number, width: number, accumulate: number,
  ): void;
  zeroFill(p: number, bytes: number): void;
}
