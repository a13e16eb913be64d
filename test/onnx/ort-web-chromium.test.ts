// ONNX exports served by ONNX Runtime Web (its wasm build, one thread) in headless Chromium
// (Debian's /usr/bin/chromium driven by playwright-core, as test/runtimes/chromium.test.ts): a
// page on 127.0.0.1 imports onnxruntime-web from node_modules, fetches each exported model and its
// rows and runs them; the probabilities are within 1e-5 of alpt's predictor in Node. Models
// cover the three unpack paths (4-bit LUT, 3-bit bits + MatMul, fp32 rows), dense features, F16 Δ
// and int64 / int32 ids. Without chromium the test is skipped on a developer's machine and fails
// under CI=true (.ci/run installs it).
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import type { EmbeddingOptions } from "../../src/embedding/options.js";
import { encodeExport } from "../../src/io/export.js";
import { createModel, type ModelOptions } from "../../src/models/registry.js";
import { onnxFromExport } from "../../src/onnx/export.js";
import { loadPredictor } from "../../src/serve/predictor.js";
import { Trainer } from "../../src/train/trainer.js";
import { engine, rng } from "../helpers/engine.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const IN_CI = process.env.CI === "true";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !IN_CI) console.warn(`skipping the ONNX Runtime Web test: ${CHROMIUM} not found (apt-get install chromium, or set CHROMIUM_PATH)`);
const ORT_DIST = resolve(dirname(fileURLToPath(import.meta.url)), "../../node_modules/onnxruntime-web/dist");
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const MIME: Record<string, string> = { ".html": "text/html; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".wasm": "application/wasm" };
const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import * as ort from "/ort/ort.wasm.min.mjs";
ort.env.wasm.wasmPaths = "/ort/";
ort.env.wasm.numThreads = 1;
window.ortRun = async (name, idsDtype, n, fields, nd) => {
  const [model, rows] = await Promise.all([fetch("/model/" + name + ".onnx"), fetch("/model/" + name + ".json")].map((p) => p.then((r) => r.ok ? r : Promise.reject(new Error(r.url + " " + r.status)))));
  const { ids, dense } = await rows.json();
  const session = await ort.InferenceSession.create(new Uint8Array(await model.arrayBuffer()), { executionProviders: ["wasm"] });
  const feeds = { ids: idsDtype === "int64" ? new ort.Tensor("int64", BigInt64Array.from(ids, (v) => BigInt(v)), [n, fields]) : new ort.Tensor("int32", Int32Array.from(ids), [n, fields]) };
  if (nd) feeds.dense = new ort.Tensor("float32", Float32Array.from(dense), [n, nd]);
  const out = await session.run(feeds);
  await session.release();
  return Array.from(out.probability.data);
};
window.ortReady = true;
</script>`;

type Emb = Omit<EmbeddingOptions, "rows" | "dim">;
const gen = new SyntheticCtr({ seed: 5, vocabSize: 500, numericFields: 2, categoricalFields: 5, interactionPairs: 3 });
const ND = 2;
const CASES: { name: string; model: string; embedding: Emb; dense: boolean; idsDtype: "int64" | "int32"; deltaDtype: "F32" | "F16" }[] = [
  { name: "dcn-alpt-b4", model: "DCN", embedding: { method: "alpt", bits: 4 }, dense: true, idsDtype: "int64", deltaDtype: "F32" },
  { name: "deepfm-lpt-b3-f16", model: "DeepFM", embedding: { method: "lpt", bits: 3 }, dense: true, idsDtype: "int32", deltaDtype: "F16" },
  { name: "dcnv2-fp32", model: "DCNv2", embedding: { method: "fp32" }, dense: false, idsDtype: "int32", deltaDtype: "F32" },
  { name: "fm-alpt-b8", model: "FM", embedding: { method: "alpt", bits: 8 }, dense: false, idsDtype: "int64", deltaDtype: "F32" },
];

interface Prepared {
  onnx: Uint8Array;
  rows: string;
  expected: Float32Array;
  n: number;
}

describe.skipIf(!haveChromium && !IN_CI)("ONNX Runtime Web in headless Chromium", () => {
  const files = new Map<string, Prepared>();
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  const pageLog: string[] = [];

  beforeAll(async () => {
    await engine();
    const train = gen.generate(0, 1200), rows = gen.generate(1200, 200);
    const r = rng(9);
    const denseTrain = Float32Array.from({ length: train.n * ND }, () => 2 * r() - 1);
    const denseRows = Float32Array.from({ length: rows.n * ND }, () => 2 * r() - 1);
    for (const c of CASES) {
      const modelOptions: ModelOptions = {
        fieldSizes: gen.fieldSizes, embeddingDim: 6, hiddenUnits: [16, 8], crossLayers: 2, seed: 2, denseFeatures: c.dense ? ND : 0,
        embedding: { lr: 3e-2, initStd: 0.05, ...c.embedding },
      };
      const model = createModel(c.model, modelOptions);
      try {
        new Trainer(model, { epochs: 1, batchSize: 128, seed: 1, progress: false }).fit({ ...train, dense: c.dense ? denseTrain : undefined });
        const artifact = encodeExport(model, { model: c.model, modelOptions }, { deltaDtype: c.deltaDtype });
        const p = loadPredictor(artifact);
        const expected = p.predictIds(rows.ids, c.dense ? denseRows : undefined);
        p.dispose();
        files.set(c.name, {
          onnx: onnxFromExport(artifact, { idsDtype: c.idsDtype }), n: rows.n, expected,
          rows: JSON.stringify({ ids: Array.from(rows.ids), dense: c.dense ? Array.from(denseRows) : null }),
        });
      } finally {
        model.dispose();
      }
    }
  }, 60_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    server?.closeAllConnections();
    server?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it("predicts what alpt predicts (max abs diff ≤ 1e-5) for every case", async () => {
    if (!haveChromium) throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run must apt-get install chromium`);
    server = await new Promise<Server>((ok) => {
      const s = createServer((req, res) => {
        void (async () => {
          const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
          try {
            if (path === "/") return void res.writeHead(200, { "content-type": MIME[".html"]! }).end(PAGE);
            const model = /^\/model\/([\w-]+)\.(onnx|json)$/.exec(path);
            if (model) {
              const f = files.get(model[1]!);
              if (!f) throw new Error("no such model");
              return void res.writeHead(200, { "content-type": model[2] === "onnx" ? "application/octet-stream" : "application/json" }).end(model[2] === "onnx" ? f.onnx : f.rows);
            }
            if (!path.startsWith("/ort/")) throw new Error("outside");
            const file = resolve(ORT_DIST, path.slice(5));
            if (!file.startsWith(ORT_DIST + sep)) throw new Error("outside");
            res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" }).end(await readFile(file));
          } catch {
            res.writeHead(404).end();
          }
        })();
      });
      s.listen(0, "127.0.0.1", () => ok(s));
    });
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = await mkdtemp(join(tmpdir(), "alpt-ort-web-"));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 20_000 });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => pageLog.push(`console.${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => pageLog.push(`pageerror: ${e.message}`));
    await page.goto(`${origin}/`, { timeout: 10_000 });
    await page.waitForFunction(() => (window as unknown as { ortReady?: boolean }).ortReady === true, undefined, { timeout: 15_000 }).catch((e: Error) => {
      throw new Error(`onnxruntime-web did not load: ${e.message}\n${pageLog.join("\n")}`);
    });
    for (const c of CASES) {
      const f = files.get(c.name)!;
      const got = await page.evaluate(
        ([name, idsDtype, n, fields, nd]) => (window as unknown as { ortRun: (...a: unknown[]) => Promise<number[]> }).ortRun(name, idsDtype, n, fields, nd),
        [c.name, c.idsDtype, f.n, gen.numFields, c.dense ? ND : 0] as const,
      ).catch((e: Error) => {
        throw new Error(`${c.name}: ${e.message}\n${pageLog.join("\n")}`);
      });
      expect(got).toHaveLength(f.n);
      let diff = 0;
      for (let i = 0; i < f.n; i++) diff = Math.max(diff, Math.abs(got[i]! - f.expected[i]!));
      expect(diff, c.name).toBeLessThanOrEqual(1e-5);
    }
  }, 90_000);
});
