// The built package trains and predicts in Bun (JavaScriptCore; the binary of the `bun` npm
// package), bit-identical to Node.
import { afterAll, beforeAll, it } from "vitest";
import { BUN_ENV, CLI, bunExe, defaultEntryUrl, expectLikeNode, killChildren, nodeReference, parseJobLine, report, requireDist, run } from "./helpers.js";

beforeAll(requireDist);
afterAll(killChildren);

it("Bun: init → DCN with 4-bit ALPT → fit → AUC, predictions bit-identical to Node", async () => {
  const [out, node] = await Promise.all([run(bunExe(), [CLI, defaultEntryUrl()], { timeoutMs: 30_000, env: BUN_ENV }), nodeReference()]);
  const result = parseJobLine(out, "bun");
  report(result, node, { wallMs: Math.round(out.ms) });
  expectLikeNode(result, node);
}, 40_000);
