// The PyTorch peer of the bench (bench/peer-torch.py driven by bench/peer-torch.bench.ts) on a
// tiny configuration: 3 fields, 8 rows, batch 4, one step. Checks the JSON lines the bench turns
// into cases (and that the script reads the data as written), not timings. Skipped with a message when no python has torch.
import { describe, expect, it } from "vitest";
import { findTorchPython, runTorchPeer, torchPeerEnv, type TorchPeerConfig, type TorchPeerData } from "../../bench/peer-torch.bench.js";

const found = findTorchPython();
const PYTHON = typeof found === "string" ? found : undefined;
if (typeof found !== "string") console.warn(`skipping the PyTorch peer bench test: ${found.skip}`);

const SIZES = [10, 8, 12];
const N = 8, DENSE = 3;
const data: TorchPeerData = {
  sizes: SIZES, n: N,
  // ids carry the field offsets (0, 10, 18), as criteo1m()'s
  ids: Int32Array.from({ length: N * SIZES.length }, (_, i) => [0, 10, 18][i % 3]! + ((i * 7) % SIZES[i % 3]!)),
  dense: Float32Array.from({ length: N * DENSE }, (_, i) => (i % 5) / 5),
  labels: Float32Array.from({ length: N }, (_, i) => i % 2),
  order: Uint32Array.from([3, 1, 4, 0, 5, 7, 2, 6]),
};
const config: TorchPeerConfig = {
  denseFeatures: DENSE, dim: 4, cross: 2, hidden: [8], batch: 4, threads: 1, lr: 1e-3, warmup: 1, trainSteps: 1, inferSteps: 1,
};

describe("PyTorch peer bench", () => {
  it("runs the child without the OpenBLAS overrides, at the requested threads", () => {
    const env = torchPeerEnv(2);
    expect(env.OPENBLAS_CORETYPE).toBeUndefined();
    expect(env.OPENBLAS_L2_SIZE).toBeUndefined();
    expect(env.OMP_NUM_THREADS).toBe("2");
  });

  it.skipIf(!PYTHON)("prints an env line, then train and infer rates with min ≤ median ≤ max", () => {
    const records = runTorchPeer(PYTHON!, data, config);
    expect(records.map((r) => r.kind)).toEqual(["env", "data", "train", "infer"]);
    const [env, read, train, infer] = records;
    // runTorchPeer already checked the sums; this pins the record the check relies on
    expect(read).toMatchObject({ n: N, labelsSum: 4, orderSum: 28 });
    expect(env).toMatchObject({ threads: 1, requestedThreads: 1 });
    for (const k of ["torch", "python", "cpu", "blas", "parallel"]) expect(typeof env![k], k).toBe("string");
    for (const r of [train!, infer!]) {
      expect(r).toMatchObject({ warmupSteps: 1, timedSteps: 1 });
      for (const k of ["value", "min", "max", "medianStepMs"]) expect(r[k], k).toBeGreaterThan(0);
      expect(r.min as number).toBeLessThanOrEqual(r.value as number);
      expect(r.value as number).toBeLessThanOrEqual(r.max as number);
    }
    expect(Number.isFinite(train!.lastLoss)).toBe(true);
  }, 120_000);

  it.skipIf(!PYTHON)("reports peak RSS in MiB after the training steps", () => {
    const records = runTorchPeer(PYTHON!, data, { ...config, warmup: 0, inferSteps: 0, peakRss: true });
    expect(records.map((r) => r.kind)).toEqual(["env", "data", "peak-rss"]);
    expect(records[2]).toMatchObject({ steps: 1 });
    expect(records[2]!.peakRssMiB).toBeGreaterThan(10);
  }, 120_000);

  it("rejects data whose arrays do not hold n rows", () => {
    expect(() => runTorchPeer("python3", { ...data, labels: new Float32Array(N - 1) }, config)).toThrow(/n rows/);
  });
});
