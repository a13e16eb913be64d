// Wrappers of the linear-layer kernels (assembly/dense/gemm.ts): validate shapes, allocate
// the packing scratch for the call, dispatch. M, K, N are always the dims of the forward
// product x[M,K]·W[K,N]; the layout says which of its three products is computed:
//   "xW":   y[M,N]  (+)= x[M,K]·W[K,N]     forward
//   "dyWt": dx[M,K] (+)= dy[M,N]·Wᵀ        input gradient
//   "xtdy": dW[K,N] (+)= xᵀ·dy[M,N]        weight gradient
// Each output is summed over the reduction index in increasing order, one f32 rounding per
// multiply and per add, so both backends give the same bits.
import { forRows, partsOf } from "./parallel.js";
import { getEngine } from "../wasm/load.js";
import type { HeapF32 } from "../wasm/heap.js";
import { checkLength } from "./check.js";

/** Which product of a linear layer gemm computes. */
export type GemmLayout = "xW" | "dyWt" | "xtdy";

type Operand = [name: string, rows: "M" | "K", cols: "K" | "N"];

const LAYOUTS: Record<GemmLayout, { code: number; a: Operand; b: Operand; c: Operand }> = {
  xW: { code: 0, a: ["x", "M", "K"], b: ["W", "K", "N"], c: ["y", "M", "N"] },
  dyWt: { code: 1, a: ["dy", "M", "N"], b: ["W", "K", "N"], c: ["dx", "M", "K"] },
  xtdy: { code: 2, a: ["x", "M", "K"], b: ["dy", "M", "N"], c: ["dW", "K", "N"] },
};

function checkDim(kernel: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1 || v > 0x7fffffff) {
    throw new RangeError(`${kernel}: ${name} = ${v} is not a positive integer`);
  }
}

function checkOperand(
  kernel: string, arg: string, buf: HeapF32, [name, r, c]: Operand, dims: Record<"M" | "K" | "N", number>,
): number {
  const need = dims[r] * dims[c];
  checkLength(kernel, `${arg} (${name})`, buf, need, `[${r}=${dims[r]}, ${c}=${dims[c]}]`);
  return need;
}

/** Throws if the first `na` elements of a and the first `nb` of b share memory. */
function checkDisjoint(kernel: string, names: [string, string], a: HeapF32, na: number, b: HeapF32, nb: number): void {
  if (a.ptr < b.ptr + nb * 4 && b.ptr < a.ptr + na * 4) {
    throw new RangeError(`${kernel}: ${names[0]} and ${names[1]} overlap in memory; the output must not alias an input`);
  }
}

/**
 * One product of a linear layer x[M,K]·W[K,N], written into c (or added to it).
 * @param layout     "xW": a = x [M,K], b = W [K,N], c = y [M,N]
 *                   "dyWt": a = dy [M,N], b = W [K,N], c = dx [M,K]
 *                   "xtdy": a = x [M,K], b = dy [M,N], c = dW [K,N]
 * @param accumulate c += product (gradient accumulation) instead of c = product
 * All f32 row-major; views may be longer than needed; c must not overlap a or b.
 */
export function gemm(
  layout: GemmLayout, a: HeapF32, b: HeapF32, c: HeapF32, M: number, K: number, N: number, accumulate = false,
): void {
  const kernel = "gemm";
  const spec = Object.hasOwn(LAYOUTS, layout) ? LAYOUTS[layout] : undefined;
  if (!spec) throw new RangeError(`${kernel}: layout = ${JSON.stringify(layout)} (expected "xW", "dyWt" or "xtdy")`);
  checkDim(kernel, "M", M);
  checkDim(kernel, "K", K);
  checkDim(kernel, "N", N);
  const dims = { M, K, N };
  const na = checkOperand(kernel, "a", a, spec.a, dims);
  const nb = checkOperand(kernel, "b", b, spec.b, dims);
  const nc = checkOperand(kernel, "c", c, spec.c, dims);
  checkDisjoint(kernel, [`c (${spec.c[0]})`, `a (${spec.a[0]})`], c, nc, a, na);
  checkDisjoint(kernel, [`c (${spec.c[0]})`, `b (${spec.b[0]})`], c, nc, b, nb);
  const e = getEngine();
  const core = e.active;
  const bytes = core.gemmScratchBytes(spec.code, M, K, N);
  const mark = e.heap.mark();
  try {
    const rows = layout === "xtdy" ? K : M;
    const pool = e.pool && core === e.wasm && 2 * M * K * N >= PARALLEL_MIN_FLOP ? e.pool : undefined;
    // a packing buffer per thread (16-aligned), whichever parts it claims
    const stride = Math.ceil(bytes / 16) * 16;
    const scratch = bytes > 0 ? e.heap.scratch(stride * (pool?.threads ?? 1), `gemm ${layout} packing [${M}, ${K}, ${N}]`) : 0;
    const args = [spec.code, a.ptr, b.ptr, c.ptr, M, K, N, accumulate ? 1 : 0, scratch];
    // parts of whole 4-row tiles; argument 8 is the scratch
    if (pool) pool.run("gemmRows", partsOf(rows, pool.threads, 4, GEMM_MIN_PART_ROWS).map(([r0, r1]) => [...args, r0, r1]), { arg: 8, base: scratch, bytes: stride });
    else core.gemm(spec.code, a.ptr, b.ptr, c.ptr, M, K, N, accumulate ? 1 : 0, scratch);
  } finally {
    e.heap.release(mark);
  }
}

/**
 * Fewest output rows of a GEMM part: every part packs the whole other operand again. With 8 parts
 * of every GEMM (xᵀ·dy's 429 rows in parts of 56) a 2-thread alpt step took 218 against 165 ms
 * (scripts/kernel-profile.mjs, back to back); steps alternating in one process gave 128-row parts
 * 4 % slower than one part per thread and 256-row parts as fast (xᵀ·dy stays one part per thread).
 */
const GEMM_MIN_PART_ROWS = 256;

/** A product smaller than this runs on one thread (waking the workers costs ~10–50 µs). */
const PARALLEL_MIN_FLOP = 1 << 22;



/**
 * y[m, :] += bias for every row m.
 * @param y f32 [M, N]; bias f32 [N]
 */
export function addBiasRows(y: HeapF32, bias: HeapF32, M: number, N: number): void {
  const kernel = "addBiasRows";
  checkDim(kernel, "M", M);
  checkDim(kernel, "N", N);
  checkLength(kernel, "y", y, M * N, `[M=${M}, N=${N}]`);
  checkLength(kernel, "bias", bias, N, `[N=${N}]`);
  checkDisjoint(kernel, ["y", "bias"], y, M * N, bias, N);
  forRows("addBiasRows", M, 2 * N, (r0, r1) => [y.ptr + r0 * N * 4, bias.ptr, r1 - r0, N]);
}

/**
 * out[n] = Σ_m dy[m, n] (added to out with accumulate), summed in increasing m.
 * @param dy f32 [M, N]; out f32 [N]
 */
export function sumRows(dy: HeapF32, M: number, N: number, out: HeapF32, accumulate = false): void {
  const kernel = "sumRows";
  checkDim(kernel, "M", M);
  checkDim(kernel, "N", N);
  checkLength(kernel, "dy", dy, M * N, `[M=${M}, N=${N}]`);
  checkLength(kernel, "out", out, N, `[N=${N}]`);
  checkDisjoint(kernel, ["out", "dy"], out, N, dy, M * N);
  forRows("sumRows", N, M, (j0, j1) => [dy.ptr, M, N, out.ptr, accumulate ? 1 : 0, j0, j1], 16); // split by columns
}
