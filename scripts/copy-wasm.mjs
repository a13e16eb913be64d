// Puts the release cores next to the compiled entries (dist/), as the package ships them: core.wasm
// (exact), core-relaxed.wasm (FMA), and their shared-memory builds for threads.
import { copyFileSync, mkdirSync } from "node:fs";
mkdirSync(new URL("../dist/", import.meta.url), { recursive: true });
for (const f of ["core.wasm", "core-relaxed.wasm", "core-threads.wasm", "core-threads-relaxed.wasm"]) copyFileSync(new URL(`../build/${f}`, import.meta.url), new URL(`../dist/${f}`, import.meta.url));
