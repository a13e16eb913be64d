// How the wasm kernels run, for every command that computes: --threads (the same bits at any
// count; more than one needs SharedArrayBuffer and worker threads) and --simd (exact: the same
// bits on every CPU; relaxed: fused multiply-add, faster, the last bits may differ between CPUs).
// `alpt train` takes them as settings (config.ts), the others as these flags.
import { backend, init } from "../entry/default.js";
import type { SimdMode } from "../wasm/load.js";
import { flag, type FlagSpec, type Output, type Parsed } from "./args.js";

export const THREADS_HELP = "threads of the wasm kernels (results are the same bits at any count)";
export const SIMD_HELP = "wasm core: exact (the same bits on every CPU) or relaxed (fused multiply-add: faster; the last bits may differ between CPUs)";

/** --threads and --simd. */
export const ENGINE_FLAGS: FlagSpec[] = [
  { name: "threads", type: "int", min: 1, max: 256, help: THREADS_HELP, default: "the available cores, at most 8" },
  { name: "simd", type: "choice", choices: ["exact", "relaxed"], help: SIMD_HELP, default: "exact" },
];

/** Starts the engine as asked; says on stderr when fewer threads run than were asked for. */
export async function startEngine(out: Output, o: { threads?: number; simd?: SimdMode; maxMemoryMB?: number }): Promise<void> {
  await init(undefined, { threads: o.threads ?? "auto", simd: o.simd ?? "exact", ...(o.maxMemoryMB ? { maxMemoryMB: o.maxMemoryMB } : {}) });
  const b = backend();
  if (b.threadsReason) out.note(`note: running on one thread: ${b.threadsReason}`);
}

/** startEngine with the command's --threads and --simd. */
export function startEngineFromFlags(p: Parsed, out: Output): Promise<void> {
  return startEngine(out, { threads: flag<number>(p, "threads"), simd: flag<SimdMode>(p, "simd") });
}
