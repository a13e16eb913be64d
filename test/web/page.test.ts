// The browser page (web/, served by scripts/serve-web.mjs as `npm run web` does) in headless
// Chromium (Debian's /usr/bin/chromium driven by playwright-core, launched as in
// test/runtimes/chromium.test.ts): the page loads cross-origin isolated, its Web Worker trains
// DCN with 4-bit ALPT on the synthetic data with two kernel threads, Pause (pressed from the
// keyboard) stops the step counter and Resume continues, the charts receive their points, the
// final AUC is above a floor, and the downloaded export predicts in Node with the page's AUC;
// Stop ends a run early; a dropped Criteo TSV file trains too, and the page predicts its
// held-out lines (unlabelled) with the export it gave, as Node does. Screenshots (and the
// downloads, and loaded.txt: what the page fetched) go to .cache/web-shots/. Without chromium the test is skipped on a developer's
// machine and fails under CI=true.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIST, IN_CI, ROOT, requireDist } from "../runtimes/helpers.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !IN_CI) {
  console.warn(`skipping the web page test: ${CHROMIUM} not found (apt-get install chromium, or set CHROMIUM_PATH)`);
}
// the flags of test/runtimes/chromium.test.ts (no sandbox as root, no background connections)
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync",
];
const SHOTS = join(ROOT, ".cache/web-shots");

/** What web/app.js keeps in window.alptPage. */
interface PageState {
  ready: boolean;
  running: boolean;
  paused: boolean;
  done?: { steps: number; auc: number; logloss: number; stopped: boolean; samplesPerSec: number; seconds: number };
  steps: { step: number; loss: number }[];
  evals: { step: number; auc: number; logloss: number }[];
  readyMs?: number;
  firstStepMs?: number;
  startClickMs?: number;
  error?: string;
  backend?: { backend: string; threads: number; isolated: boolean; threadsReason?: string };
}

/** Starts scripts/serve-web.mjs on a free port; resolves with its origin. */
function startServer(): Promise<{ origin: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(ROOT, "scripts/serve-web.mjs"), "--port", "0", "--quiet"], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((ok, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`serve-web.mjs printed no address in 10 s: ${out}`)), 10_000);
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /alpt web page: (http:\/\/[^/\s]+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        ok({ origin: m[1]!, child });
      }
    });
    child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
    child.on("exit", (code) => fail(new Error(`serve-web.mjs exited with ${code}: ${out}`)));
  });
}

type Alpt = typeof import("../../src/entry/default.js");
let alptInNode: Promise<Alpt> | undefined;
/** The built package in Node, initialised once (one thread). */
function nodeAlpt(): Promise<Alpt> {
  return (alptInNode ??= (async () => {
    const alpt = (await import(join(DIST, "entry/default.js"))) as Alpt;
    await alpt.init(undefined, { threads: 1 });
    return alpt;
  })());
}

const state = (page: Page) => page.evaluate(() => (window as unknown as { alptPage: PageState }).alptPage);

describe.skipIf(!haveChromium && !IN_CI)("the web page", () => {
  let server: { origin: string; child: ChildProcess } | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  const pageLog: string[] = [];

  beforeAll(requireDist);
  afterAll(async () => {
    await context?.close().catch(() => undefined);
    server?.child.kill();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it("serves the page cross-origin isolated, with wasm as application/wasm and nothing outside web/ and dist/", async () => {
    if (!haveChromium) throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run must apt-get install chromium`);
    server = await startServer();
    const { origin } = server;
    const page = await fetch(`${origin}/web/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(page.headers.get("cross-origin-embedder-policy")).toBe("require-corp");
    expect((await fetch(`${origin}/dist/core-threads.wasm`)).headers.get("content-type")).toBe("application/wasm");
    expect((await fetch(`${origin}/web/app.js`)).headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await fetch(`${origin}/`, { redirect: "manual" })).headers.get("location")).toBe("/web/");
    // fetch normalizes "..", so these are sent as written by a raw request
    const { request } = await import("node:http");
    const raw = (path: string) => new Promise<number>((ok, fail) => {
      request(`${origin}${path}`, { method: "GET" }, (res) => {
        res.resume();
        ok(res.statusCode ?? 0);
      }).on("error", fail).end();
    });
    for (const path of ["/web/../package.json", "/dist/..%2fpackage.json", "/web/%2e%2e/package.json", "/web/..%5cpackage.json", "/package.json", "/src/index.ts", "/web/%00"]) {
      expect(await raw(path), path).toBe(404);
    }
  });

  it("trains DCN with 4-bit ALPT in a Web Worker: pause stops the step counter, charts fill, AUC > 0.6, the export predicts in Node", async () => {
    if (!server) throw new Error("the server did not start");
    await mkdir(SHOTS, { recursive: true });
    profile = await mkdtemp(join(tmpdir(), "alpt-web-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 20_000, viewport: { width: 1280, height: 1000 }, acceptDownloads: true,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => pageLog.push(`console.${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => pageLog.push(`pageerror: ${e.message}`));
    const why = () => pageLog.join("\n");
    const loaded = new Set<string>(); // what the page and its workers fetch (for its size)
    page.on("response", (r) => loaded.add(new URL(r.url()).pathname));

    // ?autostart: a run with the form's defaults (synthetic data, DCN, 4-bit ALPT) as soon as the engine is ready;
    // 3 epochs (237 steps): time enough to press Pause while it trains, even on a fast machine
    await page.goto(`${server.origin}/web/?autostart&epochs=3`, { timeout: 10_000 });
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    // every control has a label
    const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll("input, select")).filter((e) => !(e as HTMLInputElement).labels?.length).map((e) => e.id));
    expect(unlabelled).toEqual([]);
    await page.waitForFunction(() => Number(document.getElementById("step")!.textContent) >= 8, undefined, { timeout: 30_000 });
    const s0 = await state(page);
    expect(s0.error, why()).toBeUndefined();
    expect(s0.backend, why()).toMatchObject({ backend: "wasm-simd", threads: 2, isolated: true });
    const firstStepMs = s0.firstStepMs!;

    // Pause from the keyboard; once the worker says it paused, the counter stays where it is
    await page.focus("#pause");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.getElementById("state")!.textContent!.startsWith("paused"), undefined, { timeout: 10_000 });
    const counter = () => page.evaluate(() => Number(document.getElementById("step")!.textContent));
    const pausedAt = await counter();
    expect(pausedAt, "training ended before Pause took effect").toBeLessThan(237);
    await page.waitForTimeout(1500);
    expect(await counter(), "the step counter moved while paused").toBe(pausedAt);
    expect((await state(page)).steps.length).toBe(pausedAt);
    await page.screenshot({ path: join(SHOTS, "1-paused.png"), fullPage: true });
    await page.click("#resume");
    await page.waitForFunction(() => Number(document.getElementById("step")!.textContent) > 0 && !document.getElementById("state")!.textContent!.startsWith("paused"), undefined, { timeout: 10_000 });

    await page.waitForFunction(() => (window as unknown as { alptPage: PageState }).alptPage.done || (window as unknown as { alptPage: PageState }).alptPage.error, undefined, { timeout: 120_000, polling: 250 });
    const s = await state(page);
    expect(s.error, why()).toBeUndefined();
    const done = s.done!;
    expect(done.stopped).toBe(false);
    expect(done.steps).toBe(237); // 20,000 rows / 256 per batch = 79 steps × 3 epochs
    expect(done.steps).toBeGreaterThan(pausedAt);
    expect(done.auc).toBeGreaterThan(0.6);
    // the charts received their points (drawn once per animation frame: wait for the last)
    await page.waitForFunction((n) => Number(document.getElementById("lossChart")!.dataset.points) >= n, done.steps, { timeout: 5_000 });
    const points = await page.evaluate(() => Object.fromEntries(["lossChart", "aucChart", "loglossChart", "speedChart", "memoryChart", "deltaChart"].map((id) => {
      const svg = document.getElementById(id)!;
      return [id, { points: Number(svg.dataset.points), circles: svg.querySelectorAll("circle").length, paths: svg.querySelectorAll("path").length, rects: svg.querySelectorAll("rect").length }];
    })));
    expect(points.lossChart!.points).toBe(2 * done.steps); // the loss and its rolling mean
    expect(points.aucChart!.circles).toBe(s.evals.length);
    expect(points.loglossChart!.circles).toBe(s.evals.length);
    expect(s.evals.length).toBe(1 + 11 + 3); // before training, every 20 steps inside an epoch (not at its end), each epoch end
    expect(points.speedChart!.points).toBe(done.steps);
    expect(points.memoryChart!.rects).toBeGreaterThanOrEqual(5); // codes, Δ, optimizer + fp32, Adam + legend
    expect(points.deltaChart!.points).toBeGreaterThan(3);
    await page.screenshot({ path: join(SHOTS, "2-done.png"), fullPage: true });
    await page.locator("#charts").screenshot({ path: join(SHOTS, "3-charts.png") });

    // downloads: the export, the checkpoint and the ONNX file
    const files: Record<string, Uint8Array> = {};
    for (const kind of ["export", "checkpoint", "onnx"]) {
      const [download] = await Promise.all([page.waitForEvent("download", { timeout: 20_000 }), page.click(`#dl-${kind}`)]);
      const path = join(SHOTS, download.suggestedFilename());
      await download.saveAs(path);
      files[kind] = new Uint8Array(await readFile(path));
    }
    expect(Object.values(files).map((b) => b.length > 1000)).toEqual([true, true, true]);

    // the export predicts the validation rows in Node with the page's final AUC
    const alpt = await nodeAlpt();
    const gen = new alpt.SyntheticCtr({ seed: 7, vocabSize: 5000, numericFields: 13, categoricalFields: 26 });
    const valid = gen.generate(20000, 5000);
    const predictor = alpt.loadPredictor(files.export!);
    const p = predictor.predictIds(valid.ids.subarray(0, valid.n * valid.fields));
    expect(alpt.auc(valid.labels, p)).toBeCloseTo(done.auc, 6);
    predictor.dispose();
    expect(alpt.decodeCheckpoint(files.checkpoint!).info.model).toBe("DCN");

    // the page's weight: every file it fetched (its workers' included), gzipped (-9, as a static host would)
    const sizes = { files: 0, js: 0, wasm: 0, htmlCss: 0 };
    await writeFile(join(SHOTS, "loaded.txt"), `${[...loaded].filter((p) => /^\/(web|dist)\//.test(p)).sort().join("\n")}\n`);
    for (const path of loaded) {
      if (!/^\/(web|dist)\//.test(path)) continue;
      const gz = gzipSync(await readFile(join(ROOT, path.endsWith("/") ? `${path}index.html` : path)), { level: 9 }).length;
      sizes.files++;
      if (path.endsWith(".js")) sizes.js += gz;
      else if (path.endsWith(".wasm")) sizes.wasm += gz;
      else sizes.htmlCss += gz;
    }
    console.log(JSON.stringify({
      web: {
        gzipBytes: sizes, readyFromNavigationMs: Math.round(s0.readyMs ?? 0), startup: (s0 as unknown as { startup: unknown }).startup,
        firstStepFromNavigationMs: Math.round(firstStepMs), firstStepFromStartMs: Math.round(firstStepMs - (s0.startClickMs ?? 0)),
        steps: done.steps, auc: done.auc, samplesPerSec: Math.round(done.samplesPerSec), seconds: done.seconds, pausedAt, pauseLag: (await page.evaluate(() => (window as unknown as { alptPage: { pauseLag: unknown } }).alptPage.pauseLag)),
        bytes: Object.fromEntries(Object.entries(files).map(([k, b]) => [k, b.length])), shots: SHOTS,
      },
    }));
  }, 180_000);

  it("trains DCN with 4-bit ALPT on a dropped Criteo TSV file (parsed in the worker); its export predicts the raw held-out lines in Node", async () => {
    if (!context || !server) throw new Error("the first test did not start the browser");
    const alpt = await nodeAlpt();
    const rows = 12_500;
    const text = new alpt.SyntheticCtr({ seed: 11, vocabSize: 5000 }).criteoText(0, rows);
    const page = await context.newPage();
    page.on("pageerror", (e) => pageLog.push(`pageerror: ${e.message}`));
    await page.goto(`${server.origin}/web/`, { timeout: 10_000 });
    await page.waitForFunction(() => (window as unknown as { alptPage: PageState }).alptPage.ready, undefined, { timeout: 30_000 });
    // Stop ends a synthetic run early; it still reports its metrics and the model can be downloaded
    await page.click("#start");
    await page.waitForFunction(() => Number(document.getElementById("step")!.textContent) >= 3, undefined, { timeout: 30_000 });
    await page.click("#stop");
    await page.waitForFunction(() => (window as unknown as { alptPage: PageState }).alptPage.done || (window as unknown as { alptPage: PageState }).alptPage.error, undefined, { timeout: 30_000 });
    const stopped = await state(page);
    expect(stopped.error, pageLog.join("\n")).toBeUndefined();
    expect(stopped.done).toMatchObject({ stopped: true });
    expect(stopped.done!.steps).toBeLessThan(158);
    expect(await page.isEnabled("#dl-export")).toBe(true);
    expect(await page.textContent("#state")).toMatch(/^stopped after \d+ steps/);

    // a drop on the drop zone, as a person's would be: a DataTransfer with the file
    const drop = await page.evaluateHandle((t) => {
      const dt = new DataTransfer();
      dt.items.add(new File([t], "criteo-synthetic.tsv", { type: "text/tab-separated-values" }));
      return dt;
    }, text);
    await page.dispatchEvent("#dropzone", "drop", { dataTransfer: drop });
    expect(await page.isChecked("#source-file")).toBe(true);
    await page.click("#start");
    await page.waitForFunction(() => (window as unknown as { alptPage: PageState }).alptPage.done || (window as unknown as { alptPage: PageState }).alptPage.error, undefined, { timeout: 120_000, polling: 250 });
    const s = await state(page);
    expect(s.error, pageLog.join("\n")).toBeUndefined();
    const data = (s as unknown as { data: { trainRows: number; validRows: number; format: string; fields: number } }).data;
    expect(data).toMatchObject({ trainRows: 10_000, validRows: 2_500, format: "criteo", fields: 39 });
    expect(s.done!.steps).toBe(2 * Math.ceil(10_000 / 256));
    expect(s.done!.auc).toBeGreaterThan(0.6);
    await page.click("#fields summary"); // the fields, opened
    await page.screenshot({ path: join(SHOTS, "4-dropped-file.png"), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent("download", { timeout: 20_000 }), page.click("#dl-export")]);
    const path = join(SHOTS, `dropped-${download.suggestedFilename()}`);
    await download.saveAs(path);
    // the export carries the FeatureMap: it predicts the held-out raw lines (the last 2,500)
    const predictor = alpt.loadPredictor(new Uint8Array(await readFile(path)));
    const lines = text.trimEnd().split("\n").slice(10_000);
    const labels = Float32Array.from(lines, (l) => Number(l.slice(0, l.indexOf("\t"))));
    const raw = lines.map((l) => l.split("\t").slice(1).map((c, i) => (c === "" ? null : i < 13 ? Number(c) : c)));
    const p = predictor.predictBatch(raw);
    expect(alpt.auc(labels, p)).toBeCloseTo(s.done!.auc, 6);
    predictor.dispose();

    // the page predicts the held-out lines without their labels, with the export it gave
    await page.setInputFiles("#modelFile", path);
    const unlabeled = lines.map((l) => l.slice(l.indexOf("\t") + 1)).join("\n");
    await page.setInputFiles("#predictFile", { name: "held-out.tsv", mimeType: "text/tab-separated-values", buffer: Buffer.from(`${unlabeled}\n`) });
    const [csvDownload] = await Promise.all([page.waitForEvent("download", { timeout: 30_000 }), page.click("#predictButton")]);
    expect(csvDownload.suggestedFilename()).toBe("held-out.predictions.csv");
    const csvPath = join(SHOTS, csvDownload.suggestedFilename());
    await csvDownload.saveAs(csvPath);
    const csv = (await readFile(csvPath, "utf8")).trimEnd().split("\n");
    expect(csv[0]).toBe("line,probability");
    const fromPage = Float32Array.from(csv.slice(1), (l) => Number(l.split(",")[1]));
    expect(fromPage.length).toBe(p.length);
    let worst = 0;
    for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(fromPage[i]! - p[i]!));
    expect(worst, "page vs Node predictions (9 significant digits in the CSV)").toBeLessThan(1e-7);
    await page.waitForFunction(() => document.getElementById("predicted")!.textContent!.includes("rows predicted"));
    await page.locator("#predict").screenshot({ path: join(SHOTS, "5-predict.png") });
    console.log(JSON.stringify({ droppedFile: { warmReadyFromNavigationMs: Math.round(s.readyMs ?? 0), startup: (s as unknown as { startup: unknown }).startup, bytes: Buffer.byteLength(text), rows, auc: s.done!.auc, seconds: s.done!.seconds } }));
    await page.close();
  }, 180_000);
});
