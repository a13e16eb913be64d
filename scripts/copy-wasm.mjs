// Puts the release core.wasm next to the compiled entries (dist/core.wasm), as the package ships it.
import { copyFileSync, mkdirSync } from "node:fs";
mkdirSync(new URL("../dist/", import.meta.url), { recursive: true });
copyFileSync(new URL("../build/core.wasm", import.meta.url), new URL("../dist/core.wasm", import.meta.url));
