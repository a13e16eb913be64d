// `alpt train` opens a prepared folder without parsing its FeatureMap's vocabulary
// (data/feature-map-text.ts): the checkpoint carries the feature_map.json text as read — what the
// parsed map's JSON form was — the resume check compares fingerprints, a feature_map.json
// written otherwise (re-indented) is parsed and its canonical text kept, and a map whose tokens are
// garbled (its manifest hash updated to match) is trained on and then refused where the tokens
// are read (the folder's parsed map, predict, eval) with an error naming the token.
import { readFileSync, writeFileSync, cpSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCacheFile, writeCacheFile } from "../../src/data/cache-file.js";
import { FeatureMap } from "../../src/data/feature-map.js";
import { fingerprint } from "../../src/data/hash.js";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import { openPrepared } from "../../src/cli/files.js";
import { decodeSafetensors } from "../../src/io/safetensors.js";
import { cliSession, type CliSession } from "../helpers/cli-session.js";

let cli: CliSession;
const alpt = (...args: string[]) => cli.alpt(...args);
const small = ["--method", "alpt", "--bits", "4", "--batch-size", "256", "--hidden-units", "16", "--cross-layers", "1", "--embedding-dim", "4", "--threads", "1"];
const metadataOf = (file: string) => decodeSafetensors(new Uint8Array(readFileSync(join(cli.dir, file)))).metadata;

beforeAll(async () => {
  cli = cliSession("alpt-fm-light-");
  writeFileSync(join(cli.dir, "train.txt"), new SyntheticCtr({ seed: 7, vocabSize: 3000 }).criteoText(0, 2000));
  writeFileSync(join(cli.dir, "other.txt"), new SyntheticCtr({ seed: 8, vocabSize: 3000 }).criteoText(0, 2000));
  for (const [input, out] of [["train.txt", "prep"], ["other.txt", "other"]]) {
    const r = await alpt("prepare", input!, "--out", out!);
    expect(r.code, r.stderr).toBe(0);
  }
}, 180_000);

afterAll(() => cli?.cleanup());

describe("train without parsing the FeatureMap's vocabulary", () => {
  it("writes the folder's feature_map.json text as the checkpoint's FeatureMap: the parsed map's JSON form and hash", async () => {
    const r = await alpt("train", "--data", "prep", ...small, "--out", "a.safetensors");
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(cli.dir, "prep", "feature_map.json"), "utf8");
    const map = FeatureMap.fromJSON(text);
    for (const file of ["a.safetensors", "a.resume.safetensors"]) {
      const m = metadataOf(file);
      expect(m.featureMap).toBe(JSON.stringify(map.toJSON()));
      expect(m.featureMapHash).toBe(map.hash);
    }
    const manifest = JSON.parse(readFileSync(join(cli.dir, "prep", "dataset.json"), "utf8")) as { featureMapHash: string };
    expect(manifest.featureMapHash).toBe(map.hash);
  }, 120_000);

  it("resumes on the same folder and refuses another one (by fingerprint)", async () => {
    const ok = await alpt("train", "--resume", "a.resume.safetensors", "--data", "prep", "--epochs", "2", "--out", "b.safetensors");
    expect(ok.code, ok.stderr).toBe(0);
    expect(metadataOf("b.safetensors").featureMap).toBe(metadataOf("a.safetensors").featureMap);
    const bad = await alpt("train", "--resume", "a.resume.safetensors", "--data", "other", "--epochs", "2", "--out", "c.safetensors");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/other: its FeatureMap differs from the one a\.resume\.safetensors was trained with; resume on the same prepared folder/);
  }, 120_000);

  it("opens a folder whose feature_map.json is not prepare's bytes (re-indented) by parsing it, keeping the canonical text", async () => {
    cpSync(join(cli.dir, "prep"), join(cli.dir, "indented"), { recursive: true });
    const fpath = join(cli.dir, "indented", "feature_map.json");
    const text = readFileSync(fpath, "utf8");
    writeFileSync(fpath, JSON.stringify(JSON.parse(text), null, 2));
    const prepared = await openPrepared(join(cli.dir, "indented"));
    expect(prepared.featureMapText.text).toBe(text);
    expect(prepared.featureMapText.hash).toBe(prepared.manifest.featureMapHash);
    // a token changed without the manifest's hash: refused as before, naming both files
    const json = JSON.parse(text) as { fields: { vocab: unknown[] }[] };
    json.fields[20]!.vocab.reverse();
    writeFileSync(fpath, JSON.stringify(json));
    await expect(openPrepared(join(cli.dir, "indented"))).rejects.toThrow(/indented\/feature_map\.json: its hash [0-9a-f]{16} differs from .*indented\/dataset\.json's featureMapHash [0-9a-f]{16}: the folder was modified/);
  });

  it("trains on a map with garbled tokens (the hash updated to match); prepared.featureMap, predict and eval refuse it, naming the token", async () => {
    cpSync(join(cli.dir, "prep"), join(cli.dir, "garbled"), { recursive: true });
    const fpath = join(cli.dir, "garbled", "feature_map.json"), mpath = join(cli.dir, "garbled", "dataset.json");
    const json = JSON.parse(readFileSync(fpath, "utf8")) as { fields: { name: string; vocab: unknown[] }[] };
    const c = json.fields.findIndex((f) => f.name === "C3");
    json.fields[c]!.vocab[0] = 12345; // a number in a categorical field: fromJSON refuses it
    const text = JSON.stringify(json);
    writeFileSync(fpath, text);
    const manifest = JSON.parse(readFileSync(mpath, "utf8")) as Record<string, unknown>;
    writeFileSync(mpath, JSON.stringify({ ...manifest, featureMapHash: fingerprint(text) }, null, 2));
    // the caches are tagged with the map's hash: re-tagged with the garbled map's
    for (const [split, entry] of Object.entries(manifest.splits as Record<string, { shards: { file: string }[] }>)) {
      for (const { file } of entry.shards) {
        const path = join(cli.dir, "garbled", file);
        await writeCacheFile(path, await readCacheFile(path), fingerprint(text), split);
      }
    }
    const t = await alpt("train", "--data", "garbled", ...small, "--out", "g.safetensors", "--no-resume-file");
    expect(t.code, t.stderr).toBe(0);
    expect(metadataOf("g.safetensors").featureMap).toBe(text);
    const e = await alpt("eval", "g.safetensors", "--data", "garbled", "--split", "valid");
    expect(e.code).toBe(1);
    const p = await alpt("predict", "g.safetensors", "--input", "train.txt");
    expect(p.code).toBe(1);
    const prepared = await openPrepared(join(cli.dir, "garbled"));
    expect(prepared.featureMapText.fieldSizes).toEqual(FeatureMap.fromJSON(readFileSync(join(cli.dir, "prep", "feature_map.json"), "utf8")).fieldSizes);
    expect(() => prepared.featureMap).toThrow(new RegExp(`garbled/feature_map\\.json: .*fields\\[${c}\\]\\.vocab\\[0\\] = 12345 is not a string`));
    for (const r of [e, p]) expect(r.stderr).toMatch(new RegExp(`g\\.safetensors: the saved FeatureMap is invalid: .*fields\\[${c}\\]\\.vocab\\[0\\] = 12345 is not a string`));
  }, 120_000);
});
