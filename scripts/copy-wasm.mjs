// Puts the release core.wasm and core-relaxed.wasm (FMA) next to the compiled entries (dist/), as
// the package ships them.
import { copyFileSync, mkdirSync } from "node:fs";
mkdirSync(new URL("../dist/", import.meta.url), { recursive: true });
for (const f of ["core.wasm", "core-relaxed.wasm"]) copyFileSync(new URL(`../build/${f}`, import.meta.url), new URL(`../dist/${f}`, import.meta.url));
