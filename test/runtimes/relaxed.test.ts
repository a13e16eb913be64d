// The built package with init({ simd: "relaxed" }) (core-relaxed.wasm, fused multiply-add in the
// GEMM): the runtime job trains and predicts in Node 20 (the entry sets V8's relaxed-SIMD flag)
// and in Deno (relaxed SIMD on by default). Relaxed results may differ from the exact core's in
// the last bits, so against the exact Node run the test asks for the same AUC and logloss within
// 0.005; between two relaxed runs on one machine, and between Node and Deno (both V8, the same
// CPU), it asks for the same bits.
import { createRequire } from "node:module";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CLI, DIST, FIXTURES, defaultEntryUrl, killChildren, nodeReference, parseJobLine, requireDist, run } from "./helpers.js";

const deno = (createRequire(import.meta.url)("deno/install_api.cjs") as { runInstall(): string }).runInstall();
const denoEnv = { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", NO_COLOR: "1" };

beforeAll(requireDist);
afterAll(killChildren);

const relaxedNode = () => run(process.execPath, [CLI, defaultEntryUrl(), "relaxed"], { timeoutMs: 30_000 }).then((o) => parseJobLine(o, "node, relaxed"));

it("relaxed core: deterministic, the same bits in Node and Deno, the exact core's AUC and logloss", async () => {
  const [a, b, exact, d] = await Promise.all([
    relaxedNode(),
    relaxedNode(),
    nodeReference(),
    run(deno, ["run", "--no-config", "--no-prompt", `--allow-read=${DIST},${FIXTURES}`, CLI, defaultEntryUrl(), "relaxed"], { timeoutMs: 30_000, env: denoEnv })
      .then((o) => parseJobLine(o, "deno, relaxed")),
  ]);
  console.log(JSON.stringify({ relaxed: { auc: a.auc, logloss: a.logloss, checksum: a.checksum, fitMs: Math.round(a.ms.fit) }, exact: { auc: exact.auc, logloss: exact.logloss, checksum: exact.checksum, fitMs: Math.round(exact.ms.fit) } }));
  expect([a.backend, a.simd, exact.simd, d.simd]).toEqual(["wasm-simd", "relaxed", "exact", "relaxed"]);
  expect(b.stages).toEqual(a.stages);
  expect(d.stages).toEqual(a.stages);
  expect(Math.abs(a.auc - exact.auc)).toBeLessThan(0.005);
  expect(Math.abs(a.logloss - exact.logloss)).toBeLessThan(0.005);
  expect(a.auc).toBeGreaterThan(0.6);
}, 60_000);
