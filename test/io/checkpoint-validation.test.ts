// Issue 13, "consistent but wrong files": checkpoints and exports whose header was edited and
// checksum recomputed are refused with a FileFormatError that names the file and the key or tensor
// (io/validate.ts), before any model is built; `alpt export` of such a checkpoint exits 1 and
// writes nothing.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileFormatError } from "../../src/io/errors.js";
import { decodeCheckpoint, restoreCheckpoint } from "../../src/io/checkpoint.js";
import { loadPredictor, predictorFromModel } from "../../src/serve/predictor.js";
import { builtCli } from "../helpers/built-cli.js";
import { engine } from "../helpers/engine.js";
import { edited, editJson, setF32, smallCheckpoint, smallExport, type Header } from "./edit-file.js";

beforeAll(async () => {
  await engine();
});

type Edit = (h: Header, body: Uint8Array) => void;
const meta = (key: string, value: string): Edit => (h) => void (h.__metadata__[key] = value);
const options = (edit: (o: any) => void): Edit => (h) => editJson(h, "modelOptions", edit);
const fmap = (edit: (fm: any) => void): Edit => (h) => editJson(h, "featureMap", edit);
const moveToken: Edit = fmap((fm) => void fm.fields[1].vocab.push(fm.fields[0].vocab.pop()));
const renameField: Edit = fmap((fm) => void (fm.fields[2].name = "renamed"));
const delta = (x: number): Edit => (h, body) => setF32(h, body, "embedding/delta", 3, x);

/** Edits that change what the file means, each with the message that must name it. */
const CHECKPOINT_CASES: [string, Edit, RegExp][] = [
  ["transposed shape", (h) => void h["dense/deep.0.W"].shape.reverse(), /tensor "dense\/deep\.0\.W" has shape \[6,24\], the model \(DCN, 3 fields × dim 8 \+ 0 dense = input 24, crossLayers 2.*\) expects \[24,6\]/],
  ["flattened shape", (h) => void (h["dense/deep.0.W"].shape = [144]), /tensor "dense\/deep\.0\.W" has shape \[144\].*expects \[24,6\]/],
  ["cross weight as a column", (h) => void (h["dense/cross.0.w"].shape = [24, 1]), /tensor "dense\/cross\.0\.w" has shape \[24,1\], the model \(DCN, 3 fields × dim 8 \+ 0 dense = input 24, crossLayers 2.*\) expects \[24\]/],
  ["delta as I32", (h) => void (h["embedding/delta"].dtype = "I32"), /tensor "embedding\/delta" is I32, .* expects F32/],
  ["codes as I32", (h) => Object.assign(h["embedding/codes"], { dtype: "I32", shape: [15] }), /tensor "embedding\/codes" is I32, .* expects U8/],
  ['bits "99"', meta("bits", "99"), /metadata "bits" = "99", the model options .* say "4"/],
  ['bits "x"', meta("bits", "x"), /metadata "bits" = "x"/],
  ['bits "4.0"', meta("bits", "4.0"), /metadata "bits" = "4\.0"/],
  ['rows "x"', meta("rows", "x"), /metadata "rows" = "x", .* say "15"/],
  ["dim 1000", meta("dim", "1000"), /metadata "dim" = "1000", .* say "8"/],
  ["method lpt", meta("method", "lpt"), /metadata "method" = "lpt", .* say "alpt"/],
  ["model DNN", meta("model", "DNN"), /tensor "dense\/head\.W" has shape \[29,1\], the model \(DNN.*\) expects \[5,1\]/],
  ["unknown model", meta("model", "Bogus"), /metadata "model" = "Bogus" is not a known model/],
  ["crossLayers -1", options((o) => void (o.crossLayers = -1)), /metadata "modelOptions": model DCN: crossLayers = -1 must be an integer ≥ 0/],
  ["crossLayers 1", options((o) => void (o.crossLayers = 1)), /tensor "dense\/cross\.1\.w" is not part of the model \(DCN.*crossLayers 1/],
  ["crossLayers 3", options((o) => void (o.crossLayers = 3)), /tensor "dense\/cross\.2\.w" is missing: the model \(DCN.*crossLayers 3/],
  ["crossLayers 1e6", options((o) => void (o.crossLayers = 1e6)), /tensor "dense\/cross\.2\.w" is missing|needs .* MB of heap/],
  ["hiddenUnits [5, 6]", options((o) => void (o.hiddenUnits = [5, 6])), /tensor "dense\/deep\.0\.W" has shape \[24,6\], .* expects \[24,5\]/],
  ["embeddingDim 1000", options((o) => void (o.embeddingDim = 1000)), /metadata "dim" = "8", .* say "1000"/],
  ["fieldSizes moved, same total", options((o) => void (o.fieldSizes = [6, 3, 6])), /FeatureMap has field sizes \[5,4,6\], the model options fieldSizes \[6,3,6\]/],
  ["embedding.bits 8", options((o) => void (o.embedding.bits = 8)), /metadata "bits" = "4", .* say "8"/],
  ["embedding.method lpt", options((o) => void (o.embedding.method = "lpt")), /metadata "method" = "alpt", .* say "lpt"/],
  ["embedding.optimizer sgd", options((o) => void (o.embedding.optimizer = "sgd")), /tensor "embedding\/m" is not part of the model/],
  ["embedding.granularity table", options((o) => void (o.embedding.granularity = "table")), /tensor "embedding\/groupDelta" is missing/],
  ["batchNorm false", options((o) => void (o.batchNorm = false)), /tensor "dense\/deep\.0\.bn\.gamma" is not part of the model/],
  ["unknown option", options((o) => void (o.bogus = 1)), /unknown option "bogus"/],
  ["dropout 2", options((o) => void (o.dropout = 2)), /dropout = 2 must be in \[0, 1\)/],
  ["Δ = +Inf", delta(Infinity), /tensor "embedding\/delta": Δ of row 3 = Infinity is not a positive finite step size/],
  ["Δ = NaN", delta(NaN), /tensor "embedding\/delta": Δ of row 3 = NaN/],
  ["Δ = 0", delta(0), /tensor "embedding\/delta": Δ of row 3 = 0/],
  ["Δ = -1", delta(-1), /tensor "embedding\/delta": Δ of row 3 = -1/],
  ["dense weight NaN", (h, b) => setF32(h, b, "dense/head.W", 0, NaN), /tensor "dense\/head\.W": element 0 = NaN is not finite/],
  ["running variance -1", (h, b) => setF32(h, b, "buffer/deep.1.bn.runningVar", 2, -1), /tensor "buffer\/deep\.1\.bn\.runningVar": element 2 = -1/],
  ["a token moved between fields", moveToken, /the saved FeatureMap has hash [0-9a-f]{16}, the file records "[0-9a-f]{16}": the map was edited/],
  ["a field renamed", renameField, /the saved FeatureMap has hash/],
  ["a token moved, hash removed", (h, b) => (moveToken(h, b), delete h.__metadata__.featureMapHash), /FeatureMap has field sizes \[4,5,6\], the model options fieldSizes \[5,4,6\]/],
  ["FeatureMap not a map", meta("featureMap", `{"note":"a"}`), /the saved FeatureMap is invalid: FeatureMap\.fromJSON: format/],
  ["hasOptimizer 2", meta("hasOptimizer", "2"), /metadata "hasOptimizer" = "2"/],
  ["scalars step -1", (h) => editJson(h, "scalars", (s) => void (s["embedding.step"] = -1)), /metadata "scalars": "embedding\.step" = -1 must be an integer ≥ 0/],
  ["scalars momentum 0", (h) => editJson(h, "scalars", (s) => void (s["model.deep.0.bn.momentum"] = 0)), /"model\.deep\.0\.bn\.momentum" = 0 must be in \(0, 1\]/],
  ["optimizer state of a wrong length", (h) => {
    const name = Object.keys(h).find((k) => k.startsWith("optimizer/"));
    if (name) h[name].shape = [1, h[name].shape[0]];
  }, /optimizer\/.* is F32 \[1,\d+\], the optimizer state of "dense\/.*" is F32 \[\d+\]|not part of/],
  ["an extra tensor (renamed)", (h) => {
    h["dense/extra"] = h["dense/head.b"];
    delete h["dense/head.b"];
  }, /tensor "dense\/head\.b" is missing/],
];

function rejection(fn: () => unknown): FileFormatError {
  try {
    const r = fn() as { model?: { dispose(): void }; dispose?(): void };
    r?.model?.dispose();
    r?.dispose?.();
  } catch (e) {
    if (e instanceof FileFormatError) return e;
    throw new Error(`not a FileFormatError: ${(e as Error)?.stack ?? String(e)}`);
  }
  throw new Error("accepted");
}

describe("edited checkpoints (checksum recomputed) are refused before anything is built", () => {
  let good: Uint8Array;
  beforeAll(() => {
    good = smallCheckpoint();
  });

  it("the unedited checkpoint loads and predicts through its FeatureMap", () => {
    const { model, info } = restoreCheckpoint(good, undefined, "ck.safetensors");
    const p = predictorFromModel(model, info);
    expect(p.predict(["t0.0", "t1.1", "x"])).toBeGreaterThan(0);
    p.dispose();
    model.dispose();
  });

  it.each(CHECKPOINT_CASES)("%s", (_label, edit, message) => {
    const t0 = performance.now();
    const e = rejection(() => restoreCheckpoint(edited(good, edit), undefined, "ck.safetensors"));
    expect(e.message).toMatch(/^ck\.safetensors: /);
    expect(e.message).toMatch(message);
    // refused before anything is allocated: seconds at most, also on a loaded CI machine (a
    // model with crossLayers 1e6 would take minutes and gigabytes to build)
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it("decodeCheckpoint (the path of train --resume) refuses them too", () => {
    for (const [label, edit] of CHECKPOINT_CASES) {
      expect(() => decodeCheckpoint(edited(good, edit), "r.safetensors"), label).toThrow(FileFormatError);
    }
  });

  it("accepted on purpose: a reordered JSON key, a missing featureMapHash (files written before it), dataFormat", () => {
    const ok: [string, (h: Header, b: Uint8Array) => void][] = [
      ["modelOptions keys reordered", options((o) => Object.fromEntries(Object.entries(o).reverse()))],
      ["FeatureMap keys reordered", fmap((fm) => Object.fromEntries(Object.entries(fm).reverse()))],
      ["featureMapHash removed", (h) => void delete h.__metadata__.featureMapHash],
      ["progress edited", (h) => editJson(h, "progress", () => ({ epoch: 3 }))],
    ];
    for (const [label, edit] of ok) {
      const { model } = restoreCheckpoint(edited(good, edit), undefined, label);
      model.dispose();
    }
  });
});

const delta16 = (x: number): Edit => (h, body) => {
  const at = h["embedding/delta"].data_offsets[0] + 2 * 3;
  new DataView(body.buffer, body.byteOffset).setUint16(at, x, true);
};

const EXPORT_CASES: [string, Edit, RegExp][] = [
  ["fieldSizes moved, same total", options((o) => void (o.fieldSizes = [6, 3, 6])), /FeatureMap has field sizes \[5,4,6\], the model options fieldSizes \[6,3,6\]/],
  ["fieldSizes with more rows", options((o) => void (o.fieldSizes = [5, 4, 7])), /metadata "rows" = "15", .* say "16"/],
  ["embedding.bits 8", options((o) => void (o.embedding.bits = 8)), /metadata "bits" = "4", .* say "8"/],
  ["embedding.method fp32", options((o) => void (o.embedding.method = "fp32")), /metadata "method" = "alpt", .* say "fp32"/],
  ["method lpt", meta("method", "lpt"), /metadata "method" = "lpt", .* say "alpt"/],
  ["storage weights", meta("storage", "weights"), /metadata "storage" = "weights", .* say "codes"/],
  ["fields 4", meta("fields", "4"), /metadata "fields" = "4", .* say "3"/],
  ["deltaDtype F16 over F32 bytes", meta("deltaDtype", "F16"), /tensor "embedding\/delta" is F32, .* expects F16/],
  ["crossLayers -1", options((o) => void (o.crossLayers = -1)), /crossLayers = -1 must be an integer ≥ 0/],
  ["transposed shape", (h) => void h["dense/deep.0.W"].shape.reverse(), /tensor "dense\/deep\.0\.W" has shape \[6,24\]/],
  ["Δ = NaN", delta(NaN), /tensor "embedding\/delta": Δ of row 3 = NaN/],
  ["a field renamed", renameField, /the saved FeatureMap has hash/],
  ["a token moved between fields", moveToken, /the saved FeatureMap has hash/],
];

describe("edited exports are refused (the same validator)", () => {
  let good: Uint8Array;
  beforeAll(() => {
    good = smallExport();
  });

  it("the unedited export loads", () => {
    loadPredictor(good).dispose();
  });

  it.each(EXPORT_CASES)("%s", (_label, edit, message) => {
    const e = rejection(() => loadPredictor(edited(good, edit), { what: "ex.safetensors" }));
    expect(e.message).toMatch(/^ex\.safetensors: /);
    expect(e.message).toMatch(message);
  });

  it("an F16 Δ of +Inf or 0 is refused", () => {
    const g = smallExport("DCN", undefined, "F16");
    for (const bits of [0x7c00, 0x7e00, 0x0000, 0x8001]) {
      expect(rejection(() => loadPredictor(edited(g, delta16(bits)), { what: "h" })).message).toMatch(/tensor "embedding\/delta": Δ of row 3/);
    }
  });
});

describe("`alpt export` validates before writing", () => {
  const exec = promisify(execFile);
  let cli: ReturnType<typeof builtCli>;
  let dir: string;
  beforeAll(() => {
    cli = builtCli();
    dir = mkdtempSync(join(tmpdir(), "alpt-export-"));
  }, 180_000); // a private build of the CLI when dist/ is older than src/
  afterAll(() => {
    cli?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const bad: [string, Edit][] = [
    ["invalid FeatureMap", meta("featureMap", `{"format":"alpt-feature-map","version":1,"fitRowCount":1,"fields":[]}`)],
    ["FeatureMap with a token moved", moveToken],
    ["Δ = 0", delta(0)],
    ["Δ = NaN", delta(NaN)],
    ["Δ = -1", delta(-1)],
    ["crossLayers -1", options((o) => void (o.crossLayers = -1))],
  ];
  it.each(bad)("%s: exit 1, a message naming the file, nothing written", async (label, edit) => {
    const ck = join(dir, `${label.replace(/\W+/g, "-")}.safetensors`);
    const out = join(dir, `${label.replace(/\W+/g, "-")}.export.safetensors`);
    writeFileSync(ck, edited(smallCheckpoint(), edit));
    const r = await exec(process.execPath, [join(cli.dir, "main.js"), "export", ck, "--out", out]).then(() => ({ code: 0, stderr: "" }), (e) => ({ code: e.code as number, stderr: String(e.stderr) }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(ck);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it("inspect reports an edited file as invalid (exit 1) and an intact one as valid", async () => {
    const good = join(dir, "good.safetensors"), bad = join(dir, "bad.safetensors");
    writeFileSync(good, smallCheckpoint());
    writeFileSync(bad, edited(smallCheckpoint(), options((o) => void (o.crossLayers = -1))));
    const run = (f: string) => exec(process.execPath, [join(cli.dir, "main.js"), "inspect", f, "--json"]).then((r) => ({ code: 0, stdout: r.stdout }), (e) => ({ code: e.code as number, stdout: String(e.stdout) }));
    const [g, b] = await Promise.all([run(good), run(bad)]);
    expect(g.code).toBe(0);
    expect(JSON.parse(g.stdout.trim().split("\n")[0]!)).toMatchObject({ valid: true, problem: null });
    expect(b.code).toBe(1);
    expect(JSON.parse(b.stdout.trim().split("\n")[0]!).problem).toMatch(/bad\.safetensors: metadata "modelOptions": model DCN: crossLayers = -1/);
  });
});
