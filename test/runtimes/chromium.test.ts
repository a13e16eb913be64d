// The built package trains and predicts in headless Chromium (Debian's /usr/bin/chromium
// driven by playwright-core), loaded by URL from a static server on 127.0.0.1: the page imports
// /dist/entry/default.js and init() fetches /dist/core.wasm (compileStreaming). Predictions are
// bit-identical to Node. A page's main thread runs one thread; a Web Worker on a cross-origin-
// isolated page runs two, with the bits of one thread in Node. Without chromium the tests are
// skipped on a developer's machine and fail under CI=true (.ci/run installs it).
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, resolve, sep } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, DIST, FIXTURES, IN_CI, defaultEntryUrl, entryFile, expectLikeNode, killChildren, nodeReference, parseJobLine, report, requireDist, run, type JobResult } from "./helpers.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !IN_CI) {
  console.warn(`skipping the Chromium test: ${CHROMIUM} not found (apt-get install chromium, or set CHROMIUM_PATH)`);
}

// The flags this machine's Chromium needs (no sandbox as root, no background connections).
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync",
];
const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".wasm": "application/wasm",
  ".map": "application/json", ".json": "application/json",
};

/**
 * Serves / (the test page), /dist/… (the built package) and /fixtures/… on 127.0.0.1, and the
 * same under /isolated/… with the cross-origin-isolation headers (SharedArrayBuffer, threads).
 */
function serve(log: string[]): Promise<Server> {
  const roots: Record<string, string> = { dist: DIST, fixtures: FIXTURES };
  const server = createServer((req, res) => {
    void (async () => {
      const full = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      // /isolated/… is the same tree with the headers of a cross-origin-isolated page
      const isolated = full.startsWith("/isolated/");
      const path = isolated ? full.slice("/isolated".length) : full;
      const [, top = "", ...rest] = path === "/" ? ["", "fixtures", "index.html"] : path.split("/");
      const root = roots[top];
      const file = root && resolve(root, rest.join("/"));
      try {
        if (!root || !file || !file.startsWith(root + sep)) throw new Error("outside");
        const body = await readFile(file);
        const type = MIME[extname(file)] ?? "application/octet-stream";
        log.push(`${req.method} ${full} 200 ${type}`);
        const isolation = isolated ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" } : {};
        res.writeHead(200, { "content-type": type, "cache-control": "no-store", ...isolation }).end(body);
      } catch {
        log.push(`${req.method} ${full} 404`);
        res.writeHead(404).end();
      }
    })();
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<never>((_, no) => setTimeout(() => no(new Error(`${what}: no answer after ${ms} ms`)), ms).unref())]);

describe.skipIf(!haveChromium && !IN_CI)("Chromium", () => {
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  const requests: string[] = [];
  const pageLog: string[] = [];

  beforeAll(requireDist);
  afterAll(async () => {
    await withTimeout(context?.close() ?? Promise.resolve(), 10_000, "closing chromium").catch(() => undefined);
    server?.closeAllConnections();
    server?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    killChildren();
  });

  it("Chromium: init → DCN with 4-bit ALPT → fit → AUC, predictions bit-identical to Node", async () => {
    if (!haveChromium) throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run must apt-get install chromium`);
    // the page imports /dist/entry/default.js: the file of the package's default condition
    expect(entryFile("default")).toBe(join(DIST, "entry/default.js"));
    const t0 = performance.now();
    const nodeRun = nodeReference();
    server = await serve(requests);
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = await mkdtemp(join(tmpdir(), "alpt-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 20_000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => pageLog.push(`console.${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => pageLog.push(`pageerror: ${e.message}`));
    await page.goto(`${origin}/`, { timeout: 10_000 });
    const out = await withTimeout(
      page.evaluate(() => (window as unknown as { alptJob: Promise<JobResult | { error: string }> }).alptJob),
      25_000, "the job in the page",
    );
    const version = context.browser()?.version() ?? "";
    if ("error" in out) throw new Error(`the page failed: ${out.error}\n${pageLog.join("\n")}\n${requests.join("\n")}`);
    const node = await nodeRun;
    report({ ...out, runtime: `chromium ${version} (headless)` }, node, { wallMs: Math.round(performance.now() - t0) });
    expect(requests, pageLog.join("\n")).toContain("GET /dist/core.wasm 200 application/wasm");
    expect(out.threads, "a page's main thread runs one thread").toBe(1);
    expectLikeNode(out, node);
  }, 60_000);

  it("Chromium, a Web Worker on a cross-origin-isolated page: 2 kernel threads, the bits of one thread in Node", async () => {
    if (!context || !server) throw new Error("the first Chromium test did not start the browser");
    const nodeRun = run(process.execPath, [CLI, defaultEntryUrl(), "exact", "1", "2048"], { timeoutMs: 60_000 }).then((o) => parseJobLine(o, "node, 1 thread, batch 2048"));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const page = await context.newPage();
    page.on("console", (m) => pageLog.push(`console.${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => pageLog.push(`pageerror: ${e.message}`));
    await page.goto(`${origin}/isolated/fixtures/isolated.html?threads=2`, { timeout: 10_000 });
    type Worker = JobResult & { pageIsolated: boolean; workerIsolated: boolean; threadsReason?: string };
    const out = await withTimeout(
      page.evaluate(() => (window as unknown as { alptJob: Promise<Worker | { error: string }> }).alptJob),
      40_000, "the job in the Web Worker",
    );
    if ("error" in out) throw new Error(`the worker failed: ${out.error}\n${pageLog.join("\n")}\n${requests.join("\n")}`);
    expect([out.pageIsolated, out.workerIsolated], "crossOriginIsolated (page, worker)").toEqual([true, true]);
    expect(out.threads, out.threadsReason ?? "").toBe(2);
    const node = await nodeRun;
    report({ ...out, runtime: `${out.runtime}, 2 threads` }, node);
    expect(requests).toContain("GET /isolated/dist/core-threads.wasm 200 application/wasm");
    expectLikeNode(out, node);
  }, 90_000);
});
