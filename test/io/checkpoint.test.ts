// Checkpoints: every piece of state round-trips bit for bit, resuming equals never stopping
// (fp32, qat-lsq, lpt, alpt; dense Adam, AdamW, SGD with momentum; batch norm and dropout), and
// any truncation or flipped byte is rejected with an error that names the file.
import { beforeAll, describe, expect, it } from "vitest";
import type { EmbeddingOptions } from "../../src/embedding/options.js";
import { BatchNorm1d } from "../../src/layers/batchnorm.js";
import { decodeCheckpoint, encodeCheckpoint, loadCheckpoint, restoreCheckpoint, type CheckpointInfo } from "../../src/io/checkpoint.js";
import { snapshotState } from "../../src/io/state.js";
import type { CtrModel } from "../../src/models/base.js";
import { createModel, modelNames, type ModelOptions } from "../../src/models/registry.js";
import { Adam, AdamW, SGD, type Optimizer } from "../../src/optim/optimizer.js";
import { trainStep, type Batch } from "../../src/train/step.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine } from "../helpers/engine.js";
import { planted } from "../helpers/planted.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

const SIZES = [30, 20, 50, 10];
const data = planted(512, SIZES, 7);

type Emb = Omit<EmbeddingOptions, "rows" | "dim">;
const METHODS: [string, Emb][] = [
  ["fp32 adam", { method: "fp32", optimizer: "adam" }],
  ["qat-lsq b4 adagrad, Δ per field", { method: "qat-lsq", bits: 4, optimizer: "adagrad", granularity: "field", deltaOptimizer: { kind: "adagrad", lr: 1e-3 } }],
  ["lpt dr b2 sgd", { method: "lpt", bits: 2, rounding: "dr", optimizer: "sgd", lr: 0.05 }],
  ["lpt sr b3 adam", { method: "lpt", bits: 3, rounding: "sr" }],
  ["alpt b4 adam", { method: "alpt", bits: 4, deltaOptimizer: { lr: 1e-3 } }],
  ["alpt b8 adagrad, Δ per table", { method: "alpt", bits: 8, optimizer: "adagrad", granularity: "table" }],
];
const OPTIMIZERS: [string, (m: CtrModel) => Optimizer][] = [
  ["adam", (m) => new Adam(m.parameters(), { lr: 1e-2, weightDecay: 1e-4 })],
  ["adamw", (m) => new AdamW(m.parameters(), { lr: 1e-2, weightDecay: 1e-2 })],
  ["sgd+momentum", (m) => new SGD(m.parameters(), { lr: 1e-2, momentum: 0.9 })],
];

function options(embedding: Emb, seed = 3): ModelOptions {
  return {
    fieldSizes: SIZES, embeddingDim: 4, hiddenUnits: [16, 8], crossLayers: 2, batchNorm: true, dropout: 0.2, seed,
    embedding: { initStd: 0.05, lr: 1e-2, ...embedding },
  };
}

function batch(step: number, size = 32): Batch {
  const F = SIZES.length;
  const start = (step * size) % (data.n - size);
  const ids = e.heap.allocI32(size * F);
  ids.array.set(data.ids.subarray(start * F, (start + size) * F));
  return { ids, labels: data.labels.slice(start, start + size), size };
}

function steps(model: CtrModel, opt: Optimizer, from: number, count: number): number[] {
  const losses: number[] = [];
  for (let s = from; s < from + count; s++) {
    const b = batch(s);
    const r = trainStep(model, b, opt);
    losses.push(r.loss, r.loss2 ?? 0);
    b.ids.free();
  }
  return losses;
}

function expectSameState(a: ReturnType<typeof snapshotState>, b: ReturnType<typeof snapshotState>): void {
  expect([...b.tensors.keys()].sort()).toEqual([...a.tensors.keys()].sort());
  for (const [name, bytes] of a.tensors) {
    const other = b.tensors.get(name)!;
    expect(other.length, name).toBe(bytes.length);
    const k = bytes.findIndex((x, i) => x !== other[i]);
    expect(k, `${name}: first differing byte`).toBe(-1);
  }
  expect(b.scalars).toEqual(a.scalars);
}

describe("checkpoint round trip", () => {
  it.each(modelNames())("%s: every tensor and scalar of model and optimizer comes back", (name) => {
    for (const [, emb] of METHODS) {
      const mo = options(emb);
      const model = createModel(name, mo);
      const opt = new Adam(model.parameters(), { lr: 1e-2 });
      steps(model, opt, 0, 3);
      const before = snapshotState(model, opt);
      const info: CheckpointInfo = { model: name, modelOptions: mo, progress: { epoch: 2, step: 3 }, dataFormat: "criteo" };
      const bytes = encodeCheckpoint(model, info, opt);
      const { model: m2, optimizer: o2, info: i2 } = restoreCheckpoint(bytes, (m) => new Adam(m.parameters(), { lr: 1 }));
      expectSameState(before, snapshotState(m2, o2));
      expect(i2.progress).toEqual({ epoch: 2, step: 3 });
      expect(i2.dataFormat).toBe("criteo");
      expect(i2.method).toBe(model.embedding.options.method);
      expect(o2!.lr).toBe(1e-2);
      // the state holds what the brief asks for
      const names = [...before.tensors.keys()];
      if (model.embedding.packed) expect(names).toContain("embedding/codes");
      if (model.embedding.delta) expect(names).toContain("embedding/delta");
      if (emb.optimizer !== "sgd") expect(names.some((n) => /^embedding\/(m|acc)$/.test(n))).toBe(true);
      if (model.embedding.deltaLearner) expect(names.some((n) => n.startsWith("embedding/delta."))).toBe(true);
      expect(names.some((n) => n.startsWith("optimizer/"))).toBe(true);
      if ("deep" in model && model.deep) expect(names.some((n) => n.startsWith("buffer/") && n.endsWith("runningVar"))).toBe(true);
      expect(Object.keys(before.scalars)).toEqual(expect.arrayContaining(["embedding.step", "optimizer.lr"]));
      model.dispose();
      m2.dispose();
    }
  });

  it("a checkpoint without optimizer state restores the model only", () => {
    const mo = options({ method: "alpt", bits: 4 });
    const model = createModel("DCN", mo);
    steps(model, new Adam(model.parameters(), { lr: 1e-2 }), 0, 2);
    const { model: m2, info } = restoreCheckpoint(encodeCheckpoint(model, { model: "DCN", modelOptions: mo }));
    expect(info.hasOptimizer).toBe(false);
    expectSameState(snapshotState(model), snapshotState(m2));
    model.dispose();
    m2.dispose();
  });

  it("a checkpoint of another optimizer kind is refused with the missing tensor named", () => {
    const mo = options({ method: "fp32" });
    const model = createModel("DNN", mo);
    const opt = new Adam(model.parameters(), { lr: 1e-2 });
    const bytes = encodeCheckpoint(model, { model: "DNN", modelOptions: mo }, opt);
    expect(() => restoreCheckpoint(bytes, (m) => new SGD(m.parameters(), { lr: 1, momentum: 0.9 }))).toThrow(/tensor "optimizer\/.*momentum" is missing/);
    model.dispose();
  });
});

describe("resuming from a checkpoint equals never stopping", () => {
  const N = 4, M = 4;
  const cases: [string, string, Emb][] = [];
  for (const [label, emb] of METHODS) cases.push([label, "adam", emb]);
  for (const [opt] of OPTIMIZERS.slice(1)) {
    cases.push(["fp32 adam", opt, METHODS[0][1]]);
    cases.push(["alpt b4 adam", opt, METHODS[4][1]]);
  }
  it.each(cases)("%s, dense %s: N + M steps bit for bit", (_, optName, emb) => {
    const makeOpt = OPTIMIZERS.find(([n]) => n === optName)![1];
    for (const name of ["DCN", "DeepFM"]) {
      const mo = options(emb, 9);
      // uninterrupted
      const a = createModel(name, mo);
      const oa = makeOpt(a);
      const lossesA = steps(a, oa, 0, N + M);
      const finalA = snapshotState(a, oa);
      a.dispose();
      // interrupted after N steps: save, drop everything, restore into fresh objects, go on
      const b = createModel(name, mo);
      const ob = makeOpt(b);
      const lossesB = steps(b, ob, 0, N);
      const bytes = encodeCheckpoint(b, { model: name, modelOptions: mo }, ob);
      b.dispose();
      const { model: c, optimizer: oc } = restoreCheckpoint(bytes.slice(), makeOpt);
      lossesB.push(...steps(c, oc!, N, M));
      expect(lossesB).toEqual(lossesA);
      expectSameState(finalA, snapshotState(c, oc));
      c.dispose();
    }
  });
});

describe("checkpoints from before batch norm was the default", () => {
  it("restore with the structure they were saved with (modelOptions without batchNorm)", () => {
    for (const bn of [false, true]) {
      const { batchNorm: _, ...saved } = options(METHODS[0][1]);
      const model = createModel("DCN", { ...saved, batchNorm: bn });
      const bytes = encodeCheckpoint(model, { model: "DCN", modelOptions: saved });
      const { model: back } = restoreCheckpoint(bytes);
      const norms = (m: CtrModel) => m.buffers().filter(([n]) => n.endsWith("runningMean")).length;
      expect(norms(back)).toBe(bn ? 2 : 0);
      expect(snapshotState(back).tensors).toEqual(snapshotState(model).tensors);
      model.dispose();
      back.dispose();
    }
    // their batch norm ran momentum 0.1 with no warm-up: a resumed run goes on that way
    const model = createModel("DCN", options(METHODS[0][1]));
    const ck = decodeCheckpoint(encodeCheckpoint(model, { model: "DCN", modelOptions: options(METHODS[0][1]) }));
    for (const k of Object.keys(ck.scalars)) if (k.includes(".bn.")) delete ck.scalars[k];
    const { model: old } = restoreCheckpoint(ck);
    const bn = old.modules().find((m): m is BatchNorm1d => m instanceof BatchNorm1d)!;
    expect([bn.state.momentum, bn.state.updates >= 1e9]).toEqual([0.1, true]);
    expect(createModel("DCN", options(METHODS[0][1])).modules().find((m): m is BatchNorm1d => m instanceof BatchNorm1d)!.state.momentum).toBe(0.3);
    model.dispose();
    old.dispose();
    // without the key a model gets batch norm by default
    const fresh = createModel("DCN", { fieldSizes: SIZES, embeddingDim: 4, hiddenUnits: [8] });
    expect(fresh.buffers().map(([n]) => n)).toEqual(["deep.0.bn.runningMean", "deep.0.bn.runningVar"]);
    fresh.dispose();
  });
});

describe("checkpoints from before 1024-512-256 was the default MLP", () => {
  it("restore with the widths they were saved with (modelOptions without hiddenUnits)", () => {
    const { hiddenUnits: _, ...saved } = options(METHODS[0][1]);
    const model = createModel("DCN", { ...saved, hiddenUnits: [7, 5] });
    const { model: back } = restoreCheckpoint(encodeCheckpoint(model, { model: "DCN", modelOptions: saved }));
    expect(back.parameters().filter((p) => p.name.startsWith("deep.")).map((p) => p.shape)).toEqual(
      model.parameters().filter((p) => p.name.startsWith("deep.")).map((p) => p.shape));
    expect(snapshotState(back).tensors).toEqual(snapshotState(model).tensors);
    model.dispose();
    back.dispose();
    const fresh = createModel("DCN", { fieldSizes: SIZES, embeddingDim: 4 });
    expect(fresh.parameters().filter((p) => p.name.endsWith(".b") && p.name.startsWith("deep.")).map((p) => p.shape[0])).toEqual([1024, 512, 256]);
    fresh.dispose();
  });
});

describe("damaged checkpoints are rejected", () => {
  it("a device or a folder is refused by name before a byte is read (loadCheckpoint)", async () => {
    await expect(loadCheckpoint("/dev/zero")).rejects.toThrow(/^\/dev\/zero: a device, expected a regular file$/);
    await expect(loadCheckpoint("/tmp")).rejects.toThrow(/^\/tmp: a folder, expected a regular file$/);
  });

  // a FeatureMap of 3 fields with 5, 4 and 6 rows (2 reserved ids each)
  const smallMap = () => ({
    format: "alpt-feature-map", version: 1, fitRowCount: 10,
    fields: [["a", 3], ["b", 2], ["c", 4]].map(([name, n]) => ({ name, type: "categorical", vocab: Array.from({ length: n as number }, (_, i) => `${name}${i}`) })),
  });
  function small(): Uint8Array {
    const mo: ModelOptions = {
      fieldSizes: [5, 4, 6], embeddingDim: 3, hiddenUnits: [4], crossLayers: 1, batchNorm: true, seed: 1,
      embedding: { method: "alpt", bits: 4, initStd: 0.05 },
    };
    const model = createModel("DCN", mo);
    const opt = new Adam(model.parameters(), { lr: 1e-2 });
    const bytes = encodeCheckpoint(model, { model: "DCN", modelOptions: mo, featureMap: smallMap() }, opt);
    model.dispose();
    return bytes;
  }

  function expectRejected(bytes: Uint8Array, label: string): void {
    let err: unknown;
    try {
      const { model } = restoreCheckpoint(bytes, (m) => new Adam(m.parameters(), { lr: 1 }), "ck.safetensors");
      model.dispose();
    } catch (x) {
      err = x;
    }
    if (!(err instanceof Error)) expect.fail(`${label}: loaded without an error`);
    expect(err.message, label).toMatch(/^ck\.safetensors: /);
  }

  it("the intact file loads", () => {
    const { model } = restoreCheckpoint(small());
    model.dispose();
  });

  it("cut at every length: a clear error each time", () => {
    const bytes = small();
    for (let n = 0; n < bytes.length; n++) expectRejected(bytes.subarray(0, n), `cut at ${n} of ${bytes.length}`);
    const r = () => restoreCheckpoint(bytes.subarray(0, bytes.length - 1), undefined, "ck");
    expect(r).toThrow(/truncated|cover/);
  });

  it("one flipped bit or byte at every position (header and body): a clear error each time", () => {
    const bytes = small();
    for (const mask of [0x01, 0x80, 0xff]) {
      for (let i = 0; i < bytes.length; i++) {
        const bad = bytes.slice();
        bad[i] ^= mask;
        expectRejected(bad, `byte ${i} of ${bytes.length} xor ${mask}`);
      }
    }
  });

  it("extra bytes, another format and a missing file are named", async () => {
    const bytes = small();
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    expectRejected(longer, "4 bytes appended");
    expect(() => decodeCheckpoint(new TextEncoder().encode("label\tI1\n1\t2\n"), "data.tsv")).toThrow(/^data\.tsv: not a valid safetensors file/);
    const { loadCheckpoint } = await import("../../src/io/checkpoint.js");
    await expect(loadCheckpoint("/nonexistent/ck.safetensors")).rejects.toThrow(/\/nonexistent\/ck\.safetensors: cannot read the file: it does not exist/);
  });
});
