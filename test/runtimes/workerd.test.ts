// The built package trains and predicts inside a Cloudflare Worker (workerd, the binary of the
// `workerd` npm package), bit-identical to Node. Workers refuse to compile wasm from bytes, so
// the Worker gets core.wasm as a wasm module, imported by the package's "workerd" entry. The
// test writes a capnp config into a temp dir that lists every dist/**/*.js as an ES module
// (named by its path under the worker root) and dist/core.wasm as a wasm module, starts
// workerd on a port it picks itself on 127.0.0.1 (reported on a control fd), fetches once and
// kills it. The job runs with a 64 MiB heap ceiling, inside the 128 MB of a Worker.
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  DIST, FIXTURES, entryFile, expectLikeNode, killChildren, listFiles, nodeReference, report, requireDist, start, type JobResult,
} from "./helpers.js";

const workerd = createRequire(import.meta.url)("workerd") as { default: string; version: string; compatibilityDate: string };
const COMPATIBILITY_DATE = "2025-09-01";
const MAX_MEMORY_MB = 64;
const WORKER_LIMIT_BYTES = 128 * 1024 * 1024;

const capnpString = (s: string): string => JSON.stringify(s);

/** Copies the worker, the job and the built package into `dir` and writes config.capnp there. */
async function writeWorker(dir: string): Promise<string[]> {
  const dist = await listFiles(DIST, [".js", ".wasm"]);
  const files = [
    ["worker.js", join(FIXTURES, "worker.js")],
    ["job.js", join(FIXTURES, "job.js")],
    ...dist.map((f) => [`dist/${f}`, join(DIST, f)]),
  ];
  for (const [name, from] of files) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await copyFile(from, join(dir, name));
  }
  // The first module is the Worker's main module.
  const modules = files.map(([name]) =>
    `    (name = ${capnpString(name)}, ${name.endsWith(".wasm") ? "wasm" : "esModule"} = embed ${capnpString(name)})`,
  );
  await writeFile(join(dir, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .alptWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const alptWorker :Workerd.Worker = (
  compatibilityDate = ${capnpString(COMPATIBILITY_DATE)},
  modules = [
${modules.join(",\n")}
  ],
);
`);
  return files.map(([name]) => name);
}

/** The port workerd reports on its control fd once the socket listens. */
function listenPort(child: ChildProcess, stderr: () => string, timeoutMs: number): Promise<number> {
  return new Promise((ok, no) => {
    let buf = "";
    const timer = setTimeout(() => no(new Error(`workerd did not listen within ${timeoutMs} ms:\n${stderr()}`)), timeoutMs);
    (child.stdio[3] as Readable).setEncoding("utf8").on("data", (s: string) => {
      buf += s;
      for (const line of buf.split("\n")) {
        try {
          const m = JSON.parse(line) as { event?: string; socket?: string; port?: number };
          if (m.event === "listen" && m.socket === "http" && m.port) {
            clearTimeout(timer);
            ok(m.port);
          }
        } catch {
          // a partial line
        }
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      no(new Error(`workerd exited (${code ?? signal}) before listening:\n${stderr()}`));
    });
  });
}

/** Peak resident set of a process in bytes (Linux), if readable. */
function peakRss(pid: number | undefined): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

let dir: string | undefined;

beforeAll(requireDist);
afterAll(async () => {
  killChildren();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("workerd: init (wasm module) → DCN with 4-bit ALPT → fit → AUC within a 64 MiB heap, bit-identical to Node", async () => {
  const t0 = performance.now();
  const nodeRun = nodeReference();
  dir = await mkdtemp(join(tmpdir(), "alpt-workerd-"));
  const modules = await writeWorker(dir);
  // the Worker imports ./dist/entry/workerd.js: the file of the package's "workerd" condition
  expect(entryFile("workerd")).toBe(join(DIST, "entry/workerd.js"));
  expect(modules).toContain("dist/entry/workerd.js");
  let stderr = "";
  const child = start(workerd.default, ["serve", "config.capnp", "--control-fd=3"], {
    cwd: dir, stdio: ["ignore", "pipe", "pipe", "pipe"],
  });
  child.stdout!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  try {
    const port = await listenPort(child, () => stderr, 15_000);
    const res = await fetch(`http://127.0.0.1:${port}/?maxMemoryMB=${MAX_MEMORY_MB}`, { signal: AbortSignal.timeout(25_000) });
    const out = (await res.json()) as (JobResult & { compileFromBytes: string }) | { error: string };
    const rss = peakRss(child.pid);
    if ("error" in out) throw new Error(`the Worker failed (HTTP ${res.status}): ${out.error}\n${stderr}`);
    const node = await nodeRun;
    report(out, node, {
      workerd: workerd.version, modules: modules.length, maxMemoryMB: MAX_MEMORY_MB, heapMaxBytes: out.heapMaxBytes,
      workerdPeakRssBytes: rss, compileFromBytes: out.compileFromBytes, wallMs: Math.round(performance.now() - t0),
    });
    // the reason for the wasm module import: this runtime will not compile wasm from bytes
    expect(out.compileFromBytes).toMatch(/^refused: .*disallowed by embedder/);
    expect(out.heapMaxBytes).toBe(MAX_MEMORY_MB * 1024 * 1024);
    expect(out.peakHeapBytes).toBeLessThanOrEqual(out.heapCapacityBytes);
    expect(out.heapCapacityBytes).toBeLessThanOrEqual(out.heapMaxBytes);
    expect(out.heapCapacityBytes).toBeLessThan(WORKER_LIMIT_BYTES / 2);
    expectLikeNode(out, node);
  } finally {
    child.kill("SIGKILL");
  }
}, 60_000);
