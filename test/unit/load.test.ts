// The loader: every source kind, the SIMD probe, the reference fallback, the packaged default.
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { createEngine, simdSupported } from "../../src/wasm/load.js";

const wasmUrl = new URL("../../build/core.wasm", import.meta.url);

async function smoke(source: Parameters<typeof createEngine>[0], options = {}) {
  const e = await createEngine(source, options);
  // a round trip through the kernels on the engine's own heap
  const ptr = e.heap.alloc(64);
  e.active.fillUniform(ptr, 16, 1, 2, 3);
  const u = e.heap.f32(ptr, 16);
  expect(u.every((x) => x >= 0 && x < 1)).toBe(true);
  return e;
}

describe("createEngine accepts every source kind", () => {
  it("a WebAssembly.Module", async () => {
    const bytes = await readFile(wasmUrl);
    const e = await smoke(await WebAssembly.compile(bytes));
    expect(e.info.name).toBe("wasm-simd");
  });
  it("bytes: Uint8Array and ArrayBuffer", async () => {
    const bytes = await readFile(wasmUrl);
    expect((await smoke(bytes)).info.name).toBe("wasm-simd");
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    expect((await smoke(ab)).info.name).toBe("wasm-simd");
  });
  it("a file: URL and its string form", async () => {
    expect((await smoke(wasmUrl)).wasm).toBeDefined();
    expect((await smoke(wasmUrl.href)).wasm).toBeDefined();
  });
  it("a Response, with or without the application/wasm type, or a promise of one", async () => {
    const bytes = await readFile(wasmUrl);
    const typed = new Response(bytes, { headers: { "content-type": "application/wasm" } });
    expect((await smoke(typed)).wasm).toBeDefined();
    expect((await smoke(new Response(bytes))).wasm).toBeDefined();
    expect((await smoke(Promise.resolve(new Response(bytes)))).wasm).toBeDefined();
  });
  it("reports a failed fetch with its status", async () => {
    await expect(createEngine(new Response("nope", { status: 404, statusText: "Not Found" }))).rejects.toThrow(
      "fetching core.wasm failed: HTTP 404 Not Found",
    );
  });
  it("falls back to the reference kernels on request, and says why", async () => {
    const e = await smoke(undefined, { backend: "ref" });
    expect(e.wasm).toBeUndefined();
    expect(e.info).toEqual({ name: "ref", reason: "requested with backend: 'ref'" });
  });
  it("detects wasm SIMD on this runtime", () => {
    expect(simdSupported()).toBe(true);
  });
  it("falls back to the reference kernels, and says so, where SIMD does not validate", async () => {
    const validate = WebAssembly.validate;
    WebAssembly.validate = () => false;
    try {
      expect(simdSupported()).toBe(false);
      const e = await smoke(await readFile(wasmUrl));
      expect(e.wasm).toBeUndefined();
      expect(e.info).toEqual({ name: "ref", reason: "this runtime does not support WebAssembly SIMD" });
    } finally {
      WebAssembly.validate = validate;
    }
  });
});

describe("the packaged entry", () => {
  const dist = new URL("../../dist/entry/default.js", import.meta.url);
  // init()'s default: the available cores, at most 8 (threads: "auto")
  const auto = Math.min(8, availableParallelism());
  it.skipIf(!existsSync(dist))("init() with no argument loads the packaged core from disk in Node, on every core (at most 8)", () => {
    const script = `import { init, backend } from ${JSON.stringify(dist.href)};
      await init(); console.log(JSON.stringify(backend()));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ name: "wasm-simd", simd: "exact", threads: auto });
  });
  it.skipIf(!existsSync(dist))("init({ threads: 1 }) loads dist/core.wasm (no shared memory, no workers)", () => {
    const script = `import { init, backend, getEngine } from ${JSON.stringify(dist.href)};
      await init(undefined, { threads: 1 }); console.log(JSON.stringify({ ...backend(), shared: getEngine().heap.memory.buffer instanceof SharedArrayBuffer }));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ name: "wasm-simd", simd: "exact", threads: 1, shared: false });
  });
  it.skipIf(!existsSync(dist))("useBackend(\"wasm-simd\") after \"ref\" restores what backend() said, the reason for one thread included", () => {
    const core = new URL("../../dist/core.wasm", import.meta.url);
    const script = `import { readFileSync } from "node:fs";
      import { init, backend, useBackend } from ${JSON.stringify(dist.href)};
      await init(readFileSync(new URL(${JSON.stringify(core.href)})), { threads: "auto" });
      const before = JSON.stringify(backend()); useBackend("ref"); const ref = backend().name; useBackend("wasm-simd");
      console.log(JSON.stringify({ before: JSON.parse(before), ref, after: backend() }));`;
    const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }));
    expect(out.ref).toBe("ref");
    expect(out.after).toEqual(out.before);
    if (auto > 1) expect(out.before.threadsReason).toMatch(/no shared memory/);
  });
  it.skipIf(!existsSync(dist))("init({ simd: \"relaxed\" }) loads dist/core-relaxed.wasm (Node 20: the entry sets V8's flag); no silent switch later", () => {
    const script = `import { init, backend } from ${JSON.stringify(dist.href)};
      await init(undefined, { simd: "relaxed" }); console.log(JSON.stringify(backend()));
      await init(); console.log(JSON.stringify(backend()));
      await init(undefined, { simd: "exact" }).catch((e) => console.log(e.message));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }).trim().split("\n");
    expect(JSON.parse(out[0])).toEqual({ name: "wasm-simd", simd: "relaxed", threads: auto });
    expect(out[1]).toBe(out[0]);
    expect(out[2]).toMatch(/already runs the relaxed core; init\(\{ simd: "exact" \}\) cannot switch it/);
  });
});
