// Row-parallel dispatch: a kernel whose rows are independent (each output row depends on its own
// input rows only) runs over [0, rows) split into parts, PARTS_PER_THREAD per thread, that the
// threads claim as they go (wasm/pool.ts), each part a call of the same kernel on a slice of the
// rows. Every row is computed as one thread computes it, so the bits do not depend on the threads
// nor on who claimed which part. Small jobs (waking the workers costs ~10–50 µs) and the
// reference backend run on the calling thread.
import type { CoreKernels } from "../wasm/abi.js";
import { MAX_PARTS, type PoolKernel } from "../wasm/pool.js";
import { getEngine } from "../wasm/load.js";

/** Below this many floats touched (about 256 KiB), one thread. */
const PARALLEL_MIN_FLOATS = 1 << 16;

/**
 * Runs `kernel(...args(r0, r1))` over rows [0, rows) (floatsPerRow: what one row reads and writes,
 * for the threshold); `align` keeps each part's first row a multiple of it (SIMD-friendly slices).
 */
export function forRows(kernel: PoolKernel & keyof CoreKernels, rows: number, floatsPerRow: number, args: (r0: number, r1: number) => number[], align = 1): void {
  forCheckedRows(kernel, rows, floatsPerRow, args, () => -1, align);
}

/**
 * forRows for a kernel that returns the first bad row or -1 (the gathers check their ids as
 * they go): on one thread that result is returned; parts run without one, so before a split
 * `check` (the same check, on the calling thread) runs instead, and a bad row stops it.
 */
export function forCheckedRows(
  kernel: PoolKernel & keyof CoreKernels, rows: number, floatsPerRow: number, args: (r0: number, r1: number) => number[],
  check: () => number, align = 1,
): number {
  const e = getEngine();
  const pool = willSplit(rows * floatsPerRow) ? e.pool : undefined;
  const run = e.active[kernel] as (...a: number[]) => number | void;
  if (!pool) return run(...args(0, rows)) ?? -1;
  const bad = check();
  if (bad >= 0) return bad;
  pool.run(kernel, partsOf(rows, pool.threads, align).map(([r0, r1]) => args(r0, r1)));
  return -1;
}

/** Whether forRows splits a job of this many floats (a pool, the wasm backend, large enough). */
export function willSplit(floats: number): boolean {
  const e = getEngine();
  return !!e.pool && e.active === e.wasm && floats >= PARALLEL_MIN_FLOATS;
}

/**
 * Parts per thread of a split job. More parts than threads: a core that runs slower (measured
 * here: one vCPU of this VM at half the other's speed for seconds at a time) claims fewer, where
 * one part per thread would make the fast one wait.
 */
const PARTS_PER_THREAD = 4;

/**
 * Rows 0 .. rows as the non-empty parts of a job for `threads`, starting at multiples of `align`:
 * PARTS_PER_THREAD per thread, fewer where a part would have less than `minRows` rows, at least one
 * per thread.
 */
export function partsOf(rows: number, threads: number, align = 1, minRows = align): [number, number][] {
  const n = Math.min(MAX_PARTS, Math.max(threads, Math.min(threads * PARTS_PER_THREAD, Math.floor(rows / minRows))));
  return splitRows(rows, n, align).filter(([r0, r1]) => r1 > r0);
}

/** Rows 0 .. rows as `n` runs starting at multiples of `align` (the last ones may be empty). */
export function splitRows(rows: number, n: number, align = 1): [number, number][] {
  const per = Math.ceil(Math.ceil(rows / align) / n) * align;
  return Array.from({ length: n }, (_, w) => [Math.min(rows, w * per), Math.min(rows, (w + 1) * per)]);
}
