// Atomic writes: a failed write (forced failure mid-file, target is a folder, missing folder,
// read-only folder) leaves the previous file byte for byte and no temp file behind.
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../src/io/atomic.js";
import { loadCheckpoint, saveCheckpoint } from "../../src/io/checkpoint.js";
import { snapshotState } from "../../src/io/state.js";
import { createModel, type ModelOptions } from "../../src/models/registry.js";
import { Adam } from "../../src/optim/optimizer.js";
import { engine } from "../helpers/engine.js";

let dir: string;
beforeAll(async () => {
  await engine();
  dir = await mkdtemp(join(tmpdir(), "alpt-atomic-"));
});
afterAll(async () => {
  await chmod(dir, 0o755).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

const OLD = new TextEncoder().encode("previous checkpoint");

describe("writeFileAtomic", () => {
  it("writes one buffer or chunks in order", async () => {
    const p = join(dir, "a.bin");
    await writeFileAtomic(p, OLD);
    expect(await readFile(p, "utf8")).toBe("previous checkpoint");
    await writeFileAtomic(p, [new Uint8Array([1, 2]), new Uint8Array([3])]);
    expect([...(await readFile(p))]).toEqual([1, 2, 3]);
  });

  it("a failure in the middle of the write leaves the previous file and no temp file", async () => {
    const p = join(dir, "b.bin");
    await writeFile(p, OLD);
    async function* failing() {
      yield new Uint8Array(100_000).fill(7);
      throw new Error("disk full (simulated)");
    }
    // the producer's error is passed on as it is (it is not a write failure)
    await expect(writeFileAtomic(p, failing())).rejects.toThrow(/^disk full \(simulated\)$/);
    expect(await readFile(p, "utf8")).toBe("previous checkpoint");
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("a target that is a folder, or in a missing folder, is an error naming it", async () => {
    const sub = join(dir, "is-a-folder");
    await mkdir(join(sub, "child"), { recursive: true });
    await expect(writeFileAtomic(sub, OLD)).rejects.toThrow(/cannot write .*is-a-folder: /);
    expect((await readdir(sub))).toEqual(["child"]);
    await expect(writeFileAtomic(join(dir, "missing", "c.bin"), OLD)).rejects.toThrow(/cannot write .*missing\/c\.bin: .*ENOENT/);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it.skipIf(process.getuid?.() === 0)("a read-only folder leaves the previous file (not as root)", async () => {
    const ro = join(dir, "ro");
    await mkdir(ro);
    await writeFile(join(ro, "d.bin"), OLD);
    await chmod(ro, 0o555);
    await expect(writeFileAtomic(join(ro, "d.bin"), new Uint8Array(10))).rejects.toThrow(/cannot write/);
    expect(await readFile(join(ro, "d.bin"), "utf8")).toBe("previous checkpoint");
    await chmod(ro, 0o755);
  });
});

describe("saveCheckpoint / loadCheckpoint", () => {
  const mo: ModelOptions = { fieldSizes: [4, 6], embeddingDim: 3, hiddenUnits: [5], seed: 1, embedding: { method: "alpt", bits: 2 } };

  it("a saved checkpoint loads back bit for bit; a failed save names its path", async () => {
    const p = join(dir, "model.safetensors");
    const model = createModel("DNN", mo);
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    await saveCheckpoint(p, model, { model: "DNN", modelOptions: mo }, opt);
    const first = await readFile(p);
    const { model: m2, optimizer } = await loadCheckpoint(p, (m) => new Adam(m.parameters(), { lr: 1 }));
    const a = snapshotState(model, opt), b = snapshotState(m2, optimizer);
    for (const [k, v] of a.tensors) expect(Buffer.from(b.tensors.get(k)!).equals(Buffer.from(v)), k).toBe(true);
    m2.dispose();
    // a save that fails (its folder is missing) names the path and leaves other files alone
    await expect(saveCheckpoint(join(dir, "missing", "x.safetensors"), model, { model: "DNN", modelOptions: mo })).rejects.toThrow(/cannot write/);
    expect((await readFile(p)).equals(first)).toBe(true);
    model.dispose();
  });
});
