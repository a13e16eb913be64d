// Compile-time check (run by `npm run typecheck`): the hand-written kernel ABI in
// src/wasm/abi.ts has exactly the exports of the generated build/core.d.ts (besides the memory
// and the relaxedSimd flag, which src/wasm/load.ts reads).
import type { instantiate } from "../../build/core.js";
import type { CoreKernels } from "../../src/wasm/abi.js";

type Generated = Omit<Awaited<ReturnType<typeof instantiate>>, "memory" | "relaxedSimd">;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export const abiMatchesGeneratedBindings: Same<Generated, CoreKernels> = true;
export const everyKernelIsExported: Same<keyof Generated, keyof CoreKernels> = true;
