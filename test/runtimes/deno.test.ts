// The built package trains and predicts in Deno (the binary of the `deno` npm package), with
// read access to dist/ and the job's folder only (no other permission), bit-identical to Node.
import { createRequire } from "node:module";
import { afterAll, beforeAll, it } from "vitest";
import {
  CLI, DIST, FIXTURES, defaultEntryUrl, expectLikeNode, killChildren, nodeReference, parseJobLine, report, requireDist, run,
} from "./helpers.js";

/** The deno executable (the package's own resolver: its copy, else the platform package's). */
const deno = (createRequire(import.meta.url)("deno/install_api.cjs") as { runInstall(): string }).runInstall();

const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", NO_COLOR: "1" };
const read = `--allow-read=${DIST},${FIXTURES}`;
function runDeno(permissions: string[]) {
  return run(deno, ["run", "--no-config", "--no-prompt", ...permissions, CLI, defaultEntryUrl()], { timeoutMs: 30_000, env });
}

beforeAll(requireDist);
afterAll(killChildren);

it("Deno: init → DCN with 4-bit ALPT → fit → AUC, predictions bit-identical to Node", async () => {
  const [out, node] = await Promise.all([runDeno([read]), nodeReference()]);
  const result = parseJobLine(out, "deno");
  report(result, node, { wallMs: Math.round(out.ms) });
  expectLikeNode(result, node);
}, 40_000);

