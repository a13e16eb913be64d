// The built command-line programs for end-to-end tests: dist/cli/ when it is newer than every
// file of src/ (CI builds first), else a private build under .cache/ (never rewriting dist/ while
// other tests read it), removed by `cleanup`.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");

/** The folder holding main.js, experiment.js, … of the built CLI, and how to clean it up. */
export function builtCli(): { dir: string; cleanup: () => void } {
  const newest = (d: string): number =>
    Math.max(0, ...readdirSync(d, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(d, e.name)) : statSync(join(d, e.name)).mtimeMs)));
  const srcTime = newest(join(ROOT, "src"));
  const dist = join(ROOT, "dist/cli/main.js");
  if (existsSync(dist) && existsSync(join(ROOT, "dist/core.wasm")) && statSync(dist).mtimeMs >= srcTime) return { dir: join(ROOT, "dist/cli"), cleanup: () => {} };
  mkdirSync(join(ROOT, ".cache"), { recursive: true });
  const out = mkdtempSync(join(ROOT, ".cache", "cli-dist-"));
  execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", out, "--declaration", "false", "--sourceMap", "false"], { cwd: ROOT, stdio: "inherit" });
  for (const f of ["core.wasm", "core-relaxed.wasm", "core-threads.wasm", "core-threads-relaxed.wasm"]) copyFileSync(join(ROOT, "build", f), join(out, f));
  return { dir: join(out, "cli"), cleanup: () => rmSync(out, { recursive: true, force: true }) };
}
