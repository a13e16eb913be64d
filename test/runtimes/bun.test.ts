// The built package trains and predicts in Bun (JavaScriptCore; the binary of the `bun` npm
// package), bit-identical to Node.
import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, it } from "vitest";
import { CLI, defaultEntryUrl, expectLikeNode, killChildren, nodeReference, parseJobLine, report, requireDist, run } from "./helpers.js";

/**
 * The bun executable. The package's bin/bun.exe is a stub until its postinstall has run (it
 * is skipped by `npm install --ignore-scripts`), so look in the platform package first.
 */
function bunPath(): string {
  const req = createRequire(createRequire(import.meta.url).resolve("bun/package.json"));
  const arch = process.arch === "arm64" ? "aarch64" : process.arch;
  for (const suffix of ["", "-baseline", "-musl", "-musl-baseline"]) {
    try {
      const exe = join(dirname(req.resolve(`@oven/bun-${process.platform}-${arch}${suffix}/package.json`)), "bin/bun");
      if (existsSync(exe)) return exe;
    } catch {
      // not installed for this platform
    }
  }
  const exe = join(dirname(req.resolve("bun/package.json")), "bin/bun.exe");
  if (statSync(exe).size < 1e6) throw new Error(`no bun binary: ${exe} is the stub (run \`node install.js\` in node_modules/bun)`);
  return exe;
}

beforeAll(requireDist);
afterAll(killChildren);

it("Bun: init → DCN with 4-bit ALPT → fit → AUC, predictions bit-identical to Node", async () => {
  const env = { ...process.env, BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0", NO_COLOR: "1" };
  const [out, node] = await Promise.all([run(bunPath(), [CLI, defaultEntryUrl()], { timeoutMs: 30_000, env }), nodeReference()]);
  const result = parseJobLine(out, "bun");
  report(result, node, { wallMs: Math.round(out.ms) });
  expectLikeNode(result, node);
}, 40_000);
