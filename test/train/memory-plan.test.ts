// The memory plan (src/train/memory-plan.ts) against the heap: the table and dense parts equal what
// createModel and the dense optimizer allocate, to the byte; the whole plan is never below the heap
// peak of a built model and two training steps and at most 20 % above it (batches of mostly
// distinct ids; the plan assumes every id of a batch distinct, so repeated ids make it more
// conservative; with bag fields, planned at their longest bags). A run too large for wasm32 (33.7 M rows × 16, fp32 + Adam) is refused with the
// figure and the methods that fit, computed from the options without allocating anything.
import { beforeAll, describe, expect, it } from "vitest";
import { createModel, type ModelOptions } from "../../src/models/registry.js";
import { ALTERNATIVES, MemoryLimitError, checkMemoryPlan, planMemory, planWith } from "../../src/train/memory-plan.js";
import { createOptimizer } from "../../src/train/trainer.js";
import { trainStep } from "../../src/train/step.js";
import { engine, getEngine, rng } from "../helpers/engine.js";

beforeAll(async () => {
  await engine();
});

const GiB = 2 ** 30;
/** The Kaggle Criteo vocabulary: 33,762,577 rows over the 39 fields `alpt prepare` embeds (docs/SCALE.md). */
const CRITEO_ROWS = 33_762_577;
const criteo = (embedding: ModelOptions["embedding"]): ModelOptions => ({
  fieldSizes: [CRITEO_ROWS - 38 * 50_000, ...new Array(38).fill(50_000)], embeddingDim: 16, embedding,
});

const METHODS: ModelOptions["embedding"][] = [
  { method: "fp32", optimizer: "adam" },
  { method: "fp32", optimizer: "sgd" },
  { method: "qat-lsq", bits: 8, optimizer: "adagrad" },
  { method: "lpt", bits: 4, optimizer: "adam" },
  { method: "alpt", bits: 4, optimizer: "adagrad" },
  { method: "alpt", bits: 2, optimizer: "adagrad", granularity: "field", deltaOptimizer: { kind: "adagrad" } },
];

describe("the plan against the heap", () => {
  const cases: [string, Partial<ModelOptions>, number, "adam" | "sgd"][] = [
    ["DCN", { hiddenUnits: [128, 64], crossLayers: 2 }, 512, "adam"],
    ["DCNv2", { hiddenUnits: [64], crossLayers: 2, dropout: 0.1 }, 256, "adam"],
    ["DNN", { hiddenUnits: [96, 48], batchNorm: false }, 512, "sgd"],
    ["DeepFM", { hiddenUnits: [64, 32] }, 300, "adam"],
    ["WideDeep", { hiddenUnits: [64] }, 128, "adam"],
    ["FM", {}, 512, "adam"],
    ["LR", {}, 512, "adam"],
  ];
  it.each(cases)("%s: table and dense exact, peak of two steps within [1, 1.2] of the plan", (name, extra, B, dense) => {
    const { heap } = getEngine();
    const threads = getEngine().info.threads ?? 1;
    for (const embedding of METHODS) {
      const o: ModelOptions = { fieldSizes: [40_000, 20_000, 9_000, 500, 30, 7], embeddingDim: 8, denseFeatures: 4, ...extra, embedding };
      const plan = planMemory(name, o, { batchSize: B, denseOptimizer: { kind: dense }, threads });
      const what = `${name} ${JSON.stringify(embedding)}`;
      const base = heap.bytesInUse;
      heap.peakBytesInUse = base;
      const m = createModel(name, o);
      const opt = createOptimizer(m, { kind: dense, lr: 1e-3 });
      try {
        expect(heap.bytesInUse - base, `${what}: table + dense`).toBe(plan.table.total + plan.dense.total);
        // memory() counts the bytes asked for, the heap rounds each buffer up to 16
        const asked = m.embedding.memory().totalBytes;
        expect(plan.table.total - asked, what).toBeGreaterThanOrEqual(0);
        expect(plan.table.total - asked, what).toBeLessThan(16 * m.embedding.buffers().size);
        const F = o.fieldSizes.length, nd = m.denseFeatures;
        const ids = heap.allocI32(B * F, "batch ids");
        try {
          const r = rng(`${name} ${B}`);
          const labels = new Float32Array(B);
          const denseX = nd ? new Float32Array(B * nd) : undefined;
          for (let step = 0; step < 2; step++) {
            let offset = 0;
            for (let f = 0; f < F; f++) {
              for (let b = 0; b < B; b++) ids.array[b * F + f] = offset + Math.floor(r() * o.fieldSizes[f]!);
              offset += o.fieldSizes[f]!;
            }
            for (let b = 0; b < B; b++) labels[b] = r() < 0.3 ? 1 : 0;
            denseX?.forEach((_, i) => (denseX[i] = r()));
            trainStep(m, { ids, labels, dense: denseX, size: B }, opt);
          }
        } finally {
          ids.free();
        }
        const peak = heap.peakBytesInUse - base;
        const ratio = plan.totalBytes / peak;
        expect(ratio, `${what}: plan ${plan.totalBytes} B, heap peak ${peak} B`).toBeGreaterThanOrEqual(1);
        expect(ratio, `${what}: plan ${plan.totalBytes} B, heap peak ${peak} B`).toBeLessThanOrEqual(1.2);
      } finally {
        m.dispose();
        for (const b of opt.state().buffers.values()) b.free();
      }
    }
  });
});

describe("the plan with bag fields", () => {
  it.each(METHODS.map((e) => [JSON.stringify(e), e] as const))("DCN with 2 bag fields of their longest bags (60 and 30 ids), %s: peak within [1, 1.2] of the plan", (_, embedding) => {
    const { heap } = getEngine();
    const threads = getEngine().info.threads ?? 1;
    const B = 1024, lengths = [60, 30];
    const o: ModelOptions = { fieldSizes: [400, 90, 50, 30, 20_000, 3_000], bagPooling: ["mean", "sum"], embeddingDim: 8, denseFeatures: 3, hiddenUnits: [64, 32], crossLayers: 2, embedding };
    const plan = planMemory("DCN", o, { batchSize: B, threads, bagIds: 60 + 30 });
    // one id per bag (what a folder without bag lengths assumes) plans less
    expect(planMemory("DCN", o, { batchSize: B, threads }).batch.total).toBeLessThan(plan.batch.total);
    const base = heap.bytesInUse;
    heap.peakBytesInUse = base;
    const m = createModel("DCN", o);
    const opt = createOptimizer(m, { kind: "adam", lr: 1e-3 });
    try {
      const F = 4, ids = heap.allocI32(B * F, "batch ids");
      try {
        const r = rng(`bags ${JSON.stringify(embedding)}`);
        const labels = new Float32Array(B), dense = new Float32Array(B * 3);
        for (let step = 0; step < 2; step++) {
          let offset = 0;
          for (let f = 0; f < F; f++) {
            for (let b = 0; b < B; b++) ids.array[b * F + f] = offset + Math.floor(r() * o.fieldSizes[f]!);
            offset += o.fieldSizes[f]!;
          }
          const offsets = new Int32Array(2 * B + 1), bagIds: number[] = [];
          for (let b = 0; b < B; b++) {
            for (let j = 0; j < 2; j++) {
              const lo = offset + (j ? o.fieldSizes[4]! : 0);
              for (let k = 0; k < lengths[j]!; k++) bagIds.push(lo + Math.floor(r() * o.fieldSizes[4 + j]!));
              offsets[2 * b + j + 1] = bagIds.length;
            }
            labels[b] = r() < 0.3 ? 1 : 0;
          }
          dense.forEach((_, i) => (dense[i] = r()));
          trainStep(m, { ids, labels, dense, bags: { fields: 2, pooling: ["mean", "sum"], offsets, ids: Int32Array.from(bagIds) }, size: B }, opt);
        }
      } finally {
        ids.free();
      }
      const peak = heap.peakBytesInUse - base;
      const ratio = plan.totalBytes / peak;
      // planned with one id per bag (a folder without bag lengths), the same run needs more than planned
      expect(planMemory("DCN", o, { batchSize: B, threads }).totalBytes / peak).toBeLessThan(0.8);
      expect(ratio, `plan ${plan.totalBytes} B, heap peak ${peak} B`).toBeGreaterThanOrEqual(1);
      expect(ratio, `plan ${plan.totalBytes} B, heap peak ${peak} B`).toBeLessThanOrEqual(1.2);
    } finally {
      m.dispose();
      for (const b of opt.state().buffers.values()) b.free();
    }
  });
});

describe("the figures and the limit", () => {
  it("bytes per row of the table: fp32 + Adam 192, + Adagrad 68, alpt 4-bit + Adagrad 24 (Δ with its Adam), 20 with Adagrad for Δ", () => {
    const rows = (e: ModelOptions["embedding"]) => planMemory("DCN", { fieldSizes: [1000, 24], embeddingDim: 16, embedding: e }).table.bytesPerRow;
    expect(rows({ method: "fp32", optimizer: "adam" })).toBe(192);
    expect(rows({ method: "fp32", optimizer: "adagrad" })).toBe(68);
    expect(rows({ method: "fp32", optimizer: "sgd" })).toBe(64);
    expect(rows({ method: "alpt", bits: 8, optimizer: "adagrad" })).toBe(32);
    expect(rows({ method: "alpt", bits: 4, optimizer: "adagrad" })).toBe(24);
    expect(rows({ method: "alpt", bits: 2, optimizer: "adagrad" })).toBe(20);
    expect(rows({ method: "alpt", bits: 4, optimizer: "adagrad", deltaOptimizer: { kind: "adagrad" } })).toBe(20);
    expect(rows({ method: "lpt", bits: 4, optimizer: "adagrad" })).toBe(16);
  });

  it("33.7 M rows × 16, fp32 + Adam: refused above 4 GiB with the figure and the methods that fit, nothing allocated", () => {
    const { heap } = getEngine();
    const before = heap.bytesInUse;
    const o = criteo({ method: "fp32", optimizer: "adam" });
    let error: unknown;
    try {
      checkMemoryPlan("DCN", o, 4 * GiB);
    } catch (e) {
      error = e;
    }
    expect(heap.bytesInUse).toBe(before);
    expect(error).toBeInstanceOf(MemoryLimitError);
    const e = error as MemoryLimitError;
    expect(e.message).toMatch(/^fp32 \+ Adam needs 6\.61 GB > 4 GiB \(wasm32\) \(table 6\.48 GB: 33,762,577 rows × 192 B\/row; dense network \d+\.\d MB; batch of 2048 0\.10 GB\): /);
    // fp32 + Adagrad (68 B/row, 2.3 GB of table) fits, as do the ALPT tables
    expect(e.message).toMatch(/alpt train --method fp32 --embedding-optimizer adagrad needs 2\.42 GB/);
    expect(e.message).toMatch(/alpt train --method alpt --bits 4 --embedding-optimizer adagrad needs 0\.94 GB/);
    expect(e.message).toMatch(/alpt train --method alpt --bits 2 --embedding-optimizer adagrad needs 0\.81 GB/);
    expect(e.message).not.toMatch(/--embedding-optimizer adam needs/);
    expect(e.fits.map((p) => `${p.method} ${p.bits}`)).toEqual(["fp32 32", "alpt 8", "alpt 4", "alpt 2"]);
    expect(e.plan.totalBytes).toBeGreaterThan(4 * GiB);
    // the model itself is refused the same way by createModel (it needs more than the ceiling)
    expect(() => createModel("DCN", o)).toThrow(/needs more than \d+\.\d MB of heap/);
    expect(heap.bytesInUse).toBe(before);
  });

  it("a lower --max-memory-mb: only the tables that fit under it are proposed; none: says what else to change", () => {
    const o = criteo({ method: "alpt", bits: 8, optimizer: "adam" });
    expect(() => checkMemoryPlan("DCN", o, 1024 * 2 ** 20)).toThrow(
      /^alpt 8-bit \+ Adam needs 5\.\d\d GB > 1024 MiB \(--max-memory-mb\) .*: alpt train --method alpt --bits 4 --embedding-optimizer adagrad needs 0\.94 GB; alpt train --method alpt --bits 2 --embedding-optimizer adagrad needs 0\.81 GB$/,
    );
    expect(() => checkMemoryPlan("DCN", o, 512 * 2 ** 20)).toThrow(/: no table method fits \(alpt 2-bit \+ rowwise Adagrad needs 0\.81 GB\); lower --batch-size or --hidden-units, or fewer rows/);
    const fits = checkMemoryPlan("DCN", criteo({ method: "alpt", bits: 4, optimizer: "adagrad" }), 4 * GiB);
    expect(fits.totalBytes).toBeLessThan(1e9);
  });

  it("planWith keeps the table's other options and swaps method, bits and optimizer", () => {
    const o: ModelOptions = { fieldSizes: [100], embedding: { method: "fp32", bits: 8, granularity: "table", deltaOptimizer: { kind: "sgd" } } };
    const p = planWith("DNN", o, ALTERNATIVES[3]!.embedding);
    expect([p.method, p.bits, p.embeddingOptimizer]).toEqual(["alpt", 4, "adagrad"]);
    expect(p.table.deltaOptimizer).toBe(0);
  });
});
