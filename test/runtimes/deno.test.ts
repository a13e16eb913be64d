// The built package trains and predicts in Deno (the binary of the `deno` npm package), with
// read access to dist/ and the job's folder only (no other permission), bit-identical to Node.
import { afterAll, beforeAll, it } from "vitest";
import {
  CLI, DENO_ENV, DENO_READ, defaultEntryUrl, denoExe, expectLikeNode, killChildren, nodeReference, parseJobLine, report, requireDist, run,
} from "./helpers.js";

beforeAll(requireDist);
afterAll(killChildren);

it("Deno: init → DCN with 4-bit ALPT → fit → AUC, predictions bit-identical to Node", async () => {
  const [out, node] = await Promise.all([
    run(denoExe(), ["run", "--no-config", "--no-prompt", DENO_READ, CLI, defaultEntryUrl()], { timeoutMs: 30_000, env: DENO_ENV }),
    nodeReference(),
  ]);
  const result = parseJobLine(out, "deno");
  report(result, node, { wallMs: Math.round(out.ms) });
  expectLikeNode(result, node);
}, 40_000);
