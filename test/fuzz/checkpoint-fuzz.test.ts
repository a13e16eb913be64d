// Seeded, time-bounded fuzzing of checkpoints and exports (issue 13): 500 checkpoints and 150
// exports with one edit each to the header (metadata, model options, FeatureMap, tensor entries)
// or to the tensor values, the checksum recomputed every time. For each file:
//   - refused: the error must be a FileFormatError whose message starts with the file name (no
//     TypeError / RangeError from deeper down, no stack trace);
//   - accepted: the model must predict exactly what the unedited file predicts, on encoded ids and
//     on raw rows through its FeatureMap; the only edits allowed to change predictions are the
//     ones no loader can tell from a trained value (a finite weight replaced by another finite
//     weight, two tensors of one dtype and shape trading places, a scalar changed within its
//     range), counted apart as "undetectable";
//   - each case must finish in well under a second (no hang).
// Accepted on purpose (they change nothing a loader can check or anything predictions depend on):
// reordered JSON keys, a removed featureMapHash (files written before it was recorded), progress,
// scalars that stay in range (step counts, the Δ floor, learning rates), dataFormat.
import { beforeAll, describe, expect, it } from "vitest";
import { FileFormatError } from "../../src/io/errors.js";
import { restoreCheckpoint } from "../../src/io/checkpoint.js";
import { loadPredictor, predictorFromModel, type Predictor } from "../../src/serve/predictor.js";
import { engine, rng } from "../helpers/engine.js";
import { edited, editJson, smallCheckpoint, smallExport, SIZES, type Header } from "../io/edit-file.js";

beforeAll(async () => {
  await engine();
});

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const WEIRD: unknown[] = [-1, 0, 1, 2, 3, 7, 1e6, 1.5, -0.5, "x", "", "4", null, true, false, [], {}, [1, 2], [0], 1e308, -1e6];

/** Edits of a file: each returns a label; `undetectable` marks edits that may legitimately change predictions. */
type Mutation = { label: string; edit: (h: Header, body: Uint8Array) => void; undetectable?: boolean };

function mutations(r: Rand, h0: Header): Mutation {
  const names = Object.keys(h0).filter((k) => k !== "__metadata__");
  const metaKeys = Object.keys(h0.__metadata__).filter((k) => k !== "checksum");
  const family = pick(r, ["metadata", "options", "embedding", "featureMap", "tensor", "values", "scalars", "reorder"] as const);
  switch (family) {
    case "metadata": {
      const k = pick(r, metaKeys.filter((k) => k !== "progress"));
      const v = pick(r, ["x", "", "-1", "0", "1", "2", "8", "16", "32", "99", "1000", "NaN", "null", "{}", "[]", "4.0", " 4", "fp32", "lpt", "alpt", "qat-lsq", "DNN", "DCNv2", "F16", "F32", "none", "codes", "weights", h0.__metadata__[pick(r, metaKeys)]!]);
      return { label: `metadata ${k} = ${JSON.stringify(v)}`, edit: (h) => void (h.__metadata__[k] = v) };
    }
    case "options": {
      const k = pick(r, ["fieldSizes", "embeddingDim", "crossLayers", "hiddenUnits", "batchNorm", "batchNormMomentum", "dropout", "denseFeatures", "seed", "init", "crossVersion", "bogus"]);
      const del = r() < 0.15;
      const v = k === "fieldSizes" ? pick(r, [[6, 3, 6], [5, 4], [5, 4, 6, 1], [5, 4, 6.5], [0, 9, 6], WEIRD[Math.floor(r() * WEIRD.length)]]) : pick(r, WEIRD);
      return { label: `modelOptions.${k} ${del ? "deleted" : `= ${JSON.stringify(v)}`}`, edit: (h) => editJson(h, "modelOptions", (o) => void (del ? delete o[k] : (o[k] = v))) };
    }
    case "embedding": {
      const k = pick(r, ["method", "bits", "optimizer", "granularity", "rounding", "deltaInit", "initStd", "lr", "beta1", "eps", "deltaOptimizer", "gradScale", "rows"]);
      const v = pick(r, [...WEIRD, "fp32", "lpt", "alpt", "qat-lsq", "sgd", "adam", "adagrad", "row", "field", "table", "dr", "sr", { kind: "sgd" }, { lr: -1 }, 8, 16]);
      return { label: `modelOptions.embedding.${k} = ${JSON.stringify(v)}`, edit: (h) => editJson(h, "modelOptions", (o) => void (o.embedding[k] = v)) };
    }
    case "featureMap": {
      const what = pick(r, ["move", "rename", "type", "transform", "duplicate", "drop", "fitRowCount", "swapFields", "hashRemoved+move", "hash", "vocabNumber", "minCount"]);
      return {
        label: `featureMap ${what}`,
        edit: (h) => {
          if (what === "hash") h.__metadata__.featureMapHash = "0123456789abcdef";
          else if (what === "hashRemoved+move") delete h.__metadata__.featureMapHash;
          if (what === "hash") return;
          editJson(h, "featureMap", (fm) => {
            const f = fm.fields;
            if (what === "move" || what === "hashRemoved+move") f[1].vocab.push(f[0].vocab.pop());
            else if (what === "rename") f[2].name = "C9";
            else if (what === "type") f[0].type = "numeric";
            else if (what === "transform") f[1].transform = "log1p";
            else if (what === "duplicate") f[0].vocab[1] = f[0].vocab[0];
            else if (what === "drop") f[2].vocab.pop();
            else if (what === "fitRowCount") fm.fitRowCount = -3;
            else if (what === "swapFields") [f[0].vocab, f[2].vocab] = [f[2].vocab, f[0].vocab];
            else if (what === "vocabNumber") f[1].vocab[0] = 7;
            else if (what === "minCount") f[0].minCount = 0;
          });
        },
      };
    }
    case "tensor": {
      const n = pick(r, names);
      const op = pick(r, ["dtype", "reverse", "flatten", "append1", "dim+1", "rename", "delete-entry", "swap"]);
      const other = pick(r, names);
      // two tensors of one dtype and shape trading places: their bytes could be trained values
      const sameKind = op === "swap" && h0[n].dtype === h0[other].dtype && h0[n].shape.join() === h0[other].shape.join();
      return {
        label: `tensor ${n} ${op}${op === "swap" ? ` with ${other}` : ""}`, undetectable: sameKind,
        edit: (h) => {
          const t = h[n];
          if (op === "dtype") t.dtype = pick(r, ["F32", "F16", "I32", "U8", "F64", "bool"].filter((d) => d !== t.dtype));
          else if (op === "reverse") t.shape.reverse();
          else if (op === "flatten") t.shape = [t.shape.reduce((a: number, b: number) => a * b, 1)];
          else if (op === "append1") t.shape.push(1);
          else if (op === "dim+1") t.shape[0] += 1;
          else if (op === "rename") {
            h[`${n}.x`] = t;
            delete h[n];
          } else if (op === "delete-entry") delete h[n];
          else if (op === "swap" && other !== n) [h[n], h[other]] = [h[other], h[n]];
        },
      };
    }
    case "values": {
      const floats = names.filter((k) => h0[k].dtype === "F32");
      const n = pick(r, floats);
      const len = (h0[n].data_offsets[1] - h0[n].data_offsets[0]) / 4;
      const i = Math.floor(r() * len);
      const v = pick(r, [NaN, Infinity, -Infinity, 0, -1, 1e-30, 3.5e38, 0.25]);
      // a finite value cannot be told from a trained one, except where the range is known (Δ > 0, variance ≥ 0)
      const undetectable = Number.isFinite(v) && !(/delta$|groupDelta$/.test(n) && v <= 0) && !(/runningVar$|\/v$|acc$/.test(n) && v < 0);
      return {
        label: `value ${n}[${i}] = ${v}`, undetectable,
        edit: (h, body) => new DataView(body.buffer, body.byteOffset).setFloat32(h[n].data_offsets[0] + 4 * i, v, true),
      };
    }
    case "scalars": {
      if (!h0.__metadata__.scalars) return { label: "scalars absent (export): featureMap moved", edit: (h) => editJson(h, "featureMap", (fm) => void fm.fields[1].vocab.push(fm.fields[0].vocab.pop())) };
      const keys = Object.keys(JSON.parse(h0.__metadata__.scalars));
      const k = pick(r, [...keys, "bogus.key"]);
      const v = pick(r, [-1, 0, 0.5, 2, 1e9, 1.5, "x", null, 7]);
      return { label: `scalars.${k} = ${JSON.stringify(v)}`, undetectable: typeof v === "number", edit: (h) => editJson(h, "scalars", (s) => void (s[k] = v)) };
    }
    case "reorder":
      return {
        label: "JSON keys reordered (modelOptions, featureMap, header entries)",
        edit: (h) => {
          editJson(h, "modelOptions", (o) => Object.fromEntries(Object.entries(o).reverse()));
          editJson(h, "featureMap", (fm) => Object.fromEntries(Object.entries(fm).reverse()));
          const entries = Object.entries(h).reverse();
          for (const k of Object.keys(h)) delete h[k];
          Object.assign(h, Object.fromEntries(entries));
        },
      };
  }
}

const IDS = new Int32Array([0, 5, 9, 2, 6, 14, 4, 8, 10, 1, 7, 12]);
const ROWS = [["t0.0", "t1.1", "t2.3"], ["t0.2", "x", ""], ["", "t1.0", "t2.0"], ["t0.1", "t1.1", "t2.1"]];

function outputs(p: Predictor): number[] {
  return [...p.predictIds(IDS), ...p.predictBatch(ROWS)];
}

interface Tally {
  cases: number;
  rejected: number;
  acceptedSame: number;
  acceptedUndetectable: number;
  wronglyAccepted: string[];
  bad: string[];
  slowest: number;
}

function fuzz(kind: "checkpoint" | "export", good: Uint8Array, n: number, seed: string): Tally {
  const open = (bytes: Uint8Array, what: string): { predictor: Predictor; dispose(): void } => {
    if (kind === "export") {
      const predictor = loadPredictor(bytes, { what });
      return { predictor, dispose: () => predictor.dispose() };
    }
    const { model, info } = restoreCheckpoint(bytes, undefined, what);
    const predictor = predictorFromModel(model, info, { what });
    return { predictor, dispose: () => (predictor.dispose(), model.dispose()) };
  };
  const base = open(good, "good");
  const expected = outputs(base.predictor);
  base.dispose();
  const r = rng(seed);
  const h0 = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + Number(new DataView(good.buffer, good.byteOffset, 8).getBigUint64(0, true))))) as Header;
  const t: Tally = { cases: 0, rejected: 0, acceptedSame: 0, acceptedUndetectable: 0, wronglyAccepted: [], bad: [], slowest: 0 };
  for (let c = 0; c < n; c++) {
    const m = mutations(r, h0);
    const what = `case${c}.safetensors`;
    const t0 = performance.now();
    let bytes: Uint8Array;
    try {
      bytes = edited(good, m.edit);
    } catch {
      continue; // an edit that does not apply to this file (e.g. a tensor that is not there)
    }
    t.cases++;
    try {
      const f = open(bytes, what);
      try {
        const got = outputs(f.predictor);
        const same = got.every((x, i) => Object.is(x, expected[i]));
        if (same) {
          t.acceptedSame++;
          if (process.env.FUZZ_VERBOSE) console.log(`accepted, same predictions: ${m.label}`);
        }
        else if (m.undetectable) t.acceptedUndetectable++;
        else t.wronglyAccepted.push(m.label);
      } finally {
        f.dispose();
      }
    } catch (e) {
      if (e instanceof FileFormatError && e.message.startsWith(`${what}: `) && !e.message.includes("\n    at ")) t.rejected++;
      else t.bad.push(`${m.label}: ${(e as Error)?.name}: ${(e as Error)?.message}`);
    }
    t.slowest = Math.max(t.slowest, performance.now() - t0);
  }
  return t;
}

describe("fuzzed files: no stack trace, no hang, nothing wrong accepted", () => {
  it("500 edited checkpoints", () => {
    const t = fuzz("checkpoint", smallCheckpoint(), 500, "checkpoint-fuzz-1");
    console.log(`checkpoints: ${JSON.stringify({ ...t, wronglyAccepted: t.wronglyAccepted.length, bad: t.bad.length, slowest: Math.round(t.slowest) })}`);
    expect(t.bad).toEqual([]);
    expect(t.wronglyAccepted).toEqual([]);
    expect(t.cases).toBeGreaterThan(450);
    expect(t.rejected).toBeGreaterThan(t.cases / 2);
    expect(t.slowest).toBeLessThan(1000);
  }, 30_000);

  it.each([["alpt F32 Δ", { method: "alpt", bits: 4 }, "F32"], ["lpt F16 Δ", { method: "lpt", bits: 2 }, "F16"], ["fp32 rows", { method: "fp32" }, "F32"]] as const)(
    "50 edited exports (%s)", (_label, embedding, deltaDtype) => {
      const t = fuzz("export", smallExport("DCN", { ...embedding }, deltaDtype), 50, `export-fuzz-${_label}`);
      console.log(`exports (${_label}): ${JSON.stringify({ ...t, wronglyAccepted: t.wronglyAccepted.length, bad: t.bad.length, slowest: Math.round(t.slowest) })}`);
      expect(t.bad).toEqual([]);
      expect(t.wronglyAccepted).toEqual([]);
      expect(t.slowest).toBeLessThan(1000);
    }, 30_000);

  it("the small model's FeatureMap matches its field sizes", () => {
    expect(SIZES.reduce((a, b) => a + b, 0)).toBe(15);
  });
});
