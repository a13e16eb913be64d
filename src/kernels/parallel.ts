// Row-parallel dispatch: a kernel whose rows are independent (each output row depends on its own
// input rows only) runs over [0, rows) split among the engine's threads, each part a call of the
// same kernel on a slice of the rows. Every row is computed as one thread computes it, so the
// bits do not depend on the threads. Small jobs (waking the workers costs ~10–50 µs) and the
// reference backend run on the calling thread.
import type { CoreKernels } from "../wasm/abi.js";
import type { PoolKernel } from "../wasm/pool.js";
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
  const parts = splitRows(rows, pool.threads, align).filter(([r0, r1]) => r1 > r0);
  pool.run(kernel, parts.map(([r0, r1]) => args(r0, r1)));
  return -1;
}

/** Whether forRows splits a job of this many floats (a pool, the wasm backend, large enough). */
export function willSplit(floats: number): boolean {
  const e = getEngine();
  return !!e.pool && e.active === e.wasm && floats >= PARALLEL_MIN_FLOATS;
}

/** Rows 0 .. rows as `threads` runs starting at multiples of `align` (the last ones may be empty). */
export function splitRows(rows: number, threads: number, align = 1): [number, number][] {
  const per = Math.ceil(Math.ceil(rows / align) / threads) * align;
  return Array.from({ length: threads }, (_, w) => [Math.min(rows, w * per), Math.min(rows, (w + 1) * per)]);
}
