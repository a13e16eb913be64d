// A prepared folder is checked against what it claims (issue 13): labels other than 0/1 (with the
// checksum recomputed), n = 0, a corrupted field name in the cache header, ids outside their field,
// dataset.json's rows / fields / totalRows, paths that leave the folder (and errors that would
// show a foreign file), non-regular files (a cache linked to /dev/zero) and sizes that disagree
// with the file, each refused before anything is trained. The folder is made by `alpt prepare`'s
// run() on generated Criteo rows.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, cpSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseArgs, type Output } from "../../src/cli/args.js";
import { openPrepared } from "../../src/cli/files.js";
import * as prepare from "../../src/cli/prepare.js";
import { decodeCache, encodeCache } from "../../src/data/cache.js";
import { readCacheFile } from "../../src/data/cache-file.js";
import { createDataset } from "../../src/data/dataset.js";
import { smallSynthetic, tempDir } from "./fixtures.js";

const tmp = tempDir();
const SRC = join(tmp.dir, "prep");
const quiet: Output = { json: false, text: () => undefined, record: () => undefined, note: () => undefined };
let n = 0;

/** A fresh copy of the prepared folder, edited by `edit`. */
function folder(edit: (dir: string) => void = () => undefined): string {
  const dir = join(tmp.dir, `copy${n++}`);
  cpSync(SRC, dir, { recursive: true });
  edit(dir);
  return dir;
}

const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, "dataset.json"), "utf8")) as Record<string, any>;
const writeManifest = (dir: string, m: unknown) => writeFileSync(join(dir, "dataset.json"), JSON.stringify(m, null, 2));

/** Rewrites a cache with `change` applied to a copy of its rows, the checksum recomputed. */
function editCache(dir: string, name: string, change: (ids: Int32Array, labels: Float32Array) => { ids?: Int32Array; labels?: Float32Array; names?: string[] } | void) {
  const path = join(dir, `${name}.cache`);
  const c = decodeCache(new Uint8Array(readFileSync(path)), { copy: true });
  const ids = c.ids.slice(), labels = c.labels.slice();
  const r = change(ids, labels) ?? {};
  const lab = r.labels ?? labels, id = r.ids ?? ids;
  writeFileSync(path, encodeCache(createDataset(id, lab, c.fields, r.names ?? c.fieldNames), c.header.featureMapHash));
}

/** Opens the folder and reads its train split; returns the error message (or "" when accepted). */
async function verdict(dir: string): Promise<string> {
  try {
    const p = await openPrepared(dir);
    await p.split("train");
    if (p.manifest.splits.valid) await p.split("valid");
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

beforeAll(async () => {
  writeFileSync(join(tmp.dir, "train.txt"), smallSynthetic(5).criteoText(0, 500));
  const code = await prepare.run(parseArgs(prepare.spec, [join(tmp.dir, "train.txt"), "--out", SRC]), quiet);
  expect(code).toBe(0);
  writeFileSync(join(tmp.dir, "secret.txt"), "TOP-SECRET-CONTENT\n");
});
afterAll(tmp.cleanup);

describe("prepared folders: consistent but wrong files are refused", () => {
  it("the unedited folder is accepted", async () => {
    expect(await verdict(folder())).toBe("");
  });

  it("labels other than 0/1 in train.cache, even with the checksum recomputed", async () => {
    for (const y of [2, -1, 0.5, NaN]) {
      const dir = folder((d) => editCache(d, "train", (_, labels) => void (labels[7] = y)));
      expect(await verdict(dir), String(y)).toMatch(/train\.cache: row 8 has label .*, expected 0 or 1/);
    }
  });

  it("a split with n = 0 rows", async () => {
    const dir = folder((d) => {
      editCache(d, "train", () => ({ ids: new Int32Array(0), labels: new Float32Array(0) }));
      const m = manifestOf(d);
      m.splits.train.rows = 0;
      writeManifest(d, m);
    });
    expect(await verdict(dir)).toMatch(/splits\.train\.rows = 0 must be an integer ≥ 1/);
    const dir2 = folder((d) => editCache(d, "train", () => ({ ids: new Int32Array(0), labels: new Float32Array(0) })));
    expect(await verdict(dir2)).toMatch(/train\.cache: 0 rows, at least 1 needed/);
  });

  it("a changed field name in the cache header (outside the checksum)", async () => {
    const dir = folder((d) => editCache(d, "train", () => ({ names: manifestOf(d).fields === 39 ? ["I1", "I2", "I3x", ...Array.from({ length: 36 }, (_, i) => (i < 10 ? `I${i + 4}` : `C${i - 9}`))] : undefined })));
    expect(await verdict(dir)).toMatch(/train\.cache: field 3 is named "I3x" in the header, "I3" in the FeatureMap: the header is corrupted/);
    // the same flip done on the bytes (one letter), which no checksum covers
    const dir2 = folder((d) => {
      const p = join(d, "train.cache");
      const b = readFileSync(p);
      const at = b.indexOf('"C7"');
      b[at + 1] = "D".charCodeAt(0);
      writeFileSync(p, b);
    });
    expect(await verdict(dir2)).toMatch(/field 20 is named "D7"/);
  });

  it("a split pointing at another split's cache, and damaged padding", async () => {
    const dir = folder((d) => {
      const m = manifestOf(d);
      m.splits.valid = { ...m.splits.test };
      writeManifest(d, m);
    });
    expect(await verdict(dir)).toMatch(/test\.cache: holds the "test" split, not "valid"/);
    const pad = folder((d) => {
      const p = join(d, "train.cache");
      const b = readFileSync(p);
      const H = b.readUInt32LE(8);
      if ((12 + H) % 16 === 0) return;
      b[12 + H] = 1;
      writeFileSync(p, b);
    });
    const msg = await verdict(pad);
    if (msg !== "") expect(msg).toMatch(/train\.cache: corrupted \(byte \d+ of the padding is not zero\)/);
  });

  it("ids outside their field's range", async () => {
    const dir = folder((d) => editCache(d, "train", (ids) => void (ids[3] = 10_000_000)));
    expect(await verdict(dir)).toMatch(/train\.cache: row 1, field 4 has id 10000000, outside the field's ids \[\d+, \d+\)/);
    const neg = folder((d) => editCache(d, "train", (ids) => void (ids[40] = -1)));
    expect(await verdict(neg)).toMatch(/row 2, field 2 has id -1/);
  });

  it("dataset.json: wrong rows, fields, totalRows", async () => {
    const cases: [(m: Record<string, any>) => void, RegExp][] = [
      [(m) => (m.splits.train.rows += 1), /splits\.train\.rows = \d+, but its shards \(train\.cache\) hold \d+ rows: the folder was modified/],
      [(m) => ((m.splits.train.rows += 1), (m.splits.train.shards[0].rows += 1)), /splits\.train\.shards\[0\]\.rows = \d+, but train\.cache holds \d+ rows: the folder was modified/],
      [(m) => (m.splits.train.shards = []), /splits\.train\.shards must be a non-empty array of \{ file, rows \}/],
      [(m) => (m.splits.train.shards.push({ ...m.splits.train.shards[0] }), (m.splits.train.rows *= 2)), /splits\.train\.shards\[1\]\.file = "train\.cache" is listed twice/],
      [(m) => (m.splits.train.file = "train.cache"), /splits\.train\.file is not a key of a split \(rows, shards\)/],
      [(m) => (m.splits.train.shards[0].extra = 1), /splits\.train\.shards\[0\]\.extra is not a key of a shard \(file, rows\)/],
      [(m) => (m.fields = 38), /fields = 38, the FeatureMap has 39 fields/],
      [(m) => (m.totalRows += 5), /totalRows = \d+, the FeatureMap has \d+ embedding rows/],
      [(m) => (m.fields = "39"), /dataset\.json:\d+:\d+: fields = "39" must be an integer ≥ 1/],
      [(m) => (m.splits.valid.rows = 1.5), /splits\.valid\.rows = 1\.5 must be an integer/],
      [(m) => (m.splits.extra = { file: "train.cache", rows: 1 }), /splits\.extra: unknown split/],
      [(m) => delete m.splits.train, /splits has no "train" entry/],
      [(m) => (m.dataFormat = "parquet"), /dataFormat = "parquet", expected criteo or avazu/],
      [(m) => (m.version = 3), /version 3 is not supported \(this build reads 1 and 2\)/],
      [(m) => (m.version = 1), /splits\.train\.file = undefined must be the name of a file inside/],
    ];
    for (const [edit, re] of cases) {
      const dir = folder((d) => {
        const m = manifestOf(d);
        edit(m);
        writeManifest(d, m);
      });
      expect(await verdict(dir), String(re)).toMatch(re);
    }
  });

  it("paths in dataset.json stay inside the folder, and errors never show a foreign file", async () => {
    const secret = join(tmp.dir, "secret.txt");
    const targets = ["../../../../etc/hostname", "/etc/hostname", secret, "../secret.txt", "sub/train.cache", "..", ".", ""];
    for (const t of targets) {
      for (const key of ["featureMap", "train"]) {
        const dir = folder((d) => {
          const m = manifestOf(d);
          if (key === "featureMap") m.featureMap = t;
          else m.splits.train.shards[0].file = t;
          writeManifest(d, m);
        });
        const msg = await verdict(dir);
        expect(msg, `${key} = ${t}`).toMatch(/must be the name of a file inside .* \(no folders, no "\.\."\)/);
      }
    }
    // a member that is itself a link to a foreign text file: read, refused, never quoted
    const linked = folder((d) => {
      rmSync(join(d, "feature_map.json"));
      symlinkSync(secret, join(d, "feature_map.json"));
    });
    const msg = await verdict(linked);
    expect(msg).toMatch(/feature_map\.json/);
    expect(msg).not.toContain("TOP-SECRET");
    const manifestLinked = folder((d) => {
      rmSync(join(d, "dataset.json"));
      symlinkSync(secret, join(d, "dataset.json"));
    });
    const msg2 = await verdict(manifestLinked);
    expect(msg2).toMatch(/dataset\.json:1:1: not valid JSON/);
    expect(msg2).not.toContain("TOP-SECRET");
  });

  it.skipIf(!existsSync("/dev/zero"))("non-regular files are refused at once (a cache linked to /dev/zero)", async () => {
    const t0 = performance.now();
    const zero = folder((d) => {
      rmSync(join(d, "train.cache"));
      symlinkSync("/dev/zero", join(d, "train.cache"));
    });
    expect(await verdict(zero)).toMatch(/train\.cache: a device, expected a dataset cache file/);
    const fm = folder((d) => {
      rmSync(join(d, "feature_map.json"));
      symlinkSync("/dev/zero", join(d, "feature_map.json"));
    });
    expect(await verdict(fm)).toMatch(/feature_map\.json: a device, expected a regular file/);
    const ds = folder((d) => {
      rmSync(join(d, "dataset.json"));
      symlinkSync("/dev/zero", join(d, "dataset.json"));
    });
    expect(await verdict(ds)).toMatch(/dataset\.json: a device, expected a regular file/);
    const dirAsCache = folder((d) => {
      rmSync(join(d, "train.cache"));
      mkdirSync(join(d, "train.cache"));
    });
    expect(await verdict(dirAsCache)).toMatch(/train\.cache: a folder/);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it("the size in the header is compared with the file's size before the rows are read", async () => {
    const dir = folder();
    const p = join(dir, "train.cache");
    const b = new Uint8Array(readFileSync(p));
    const H = new DataView(b.buffer).getUint32(8, true);
    const header = new TextDecoder().decode(b.subarray(12, 12 + H));
    // n doubled in the header (same header length): the file is too short for it
    const m = /"n":(\d+)/.exec(header)!;
    const doubled = header.replace(m[0], `"n":${String(Number(m[1]) * 2).padStart(m[1]!.length, "0")}`.slice(0, m[0].length));
    const edited = b.slice();
    edited.set(new TextEncoder().encode(doubled.length === header.length ? doubled : header), 12);
    writeFileSync(p, edited);
    await expect(readCacheFile(p)).rejects.toThrow(/train\.cache: (truncated|corrupted) \(\d+ bytes, expected \d+ for n = \d+/);
    // a huge header length is refused from the preamble
    const huge = b.slice();
    new DataView(huge.buffer).setUint32(8, 0xffffffff, true);
    writeFileSync(p, huge);
    await expect(readCacheFile(p)).rejects.toThrow(/truncated or corrupted \(header of 4294967295 bytes/);
  });
});

describe("sharded folders and version-1 manifests", () => {
  it("--shard-rows: split() joins the shards, shards() loads each, a damaged shard is named", async () => {
    const dir = join(tmp.dir, "sharded");
    const code = await prepare.run(parseArgs(prepare.spec, [join(tmp.dir, "train.txt"), "--out", dir, "--shard-rows", "150"]), quiet);
    expect(code).toBe(0);
    const m = manifestOf(dir);
    expect(m.version).toBe(2);
    expect(m.splits.train).toEqual({ rows: 400, shards: [["train-00000.cache", 150], ["train-00001.cache", 150], ["train-00002.cache", 100]].map(([file, rows]) => ({ file, rows })) });
    expect(m.splits.valid).toEqual({ rows: 50, shards: [{ file: "valid.cache", rows: 50 }] });
    const p = await openPrepared(dir);
    const whole = await openPrepared(SRC);
    const a = await p.split("train"), b = await whole.split("train");
    expect(a.ids).toEqual(b.ids);
    expect(a.labels).toEqual(b.labels);
    const sh = await p.shards("train");
    expect(sh.rows).toBe(400);
    expect(sh.fields).toBe(39);
    expect(sh.shards.map((s) => [s.rows, s.name])).toEqual([[150, join(dir, "train-00000.cache")], [150, join(dir, "train-00001.cache")], [100, join(dir, "train-00002.cache")]]);
    const second = await sh.shards[1]!.load();
    expect(second.ids).toEqual(b.ids.subarray(150 * 39, 300 * 39));
    // a shard swapped for another of the same split: the rows disagree with the manifest
    cpSync(join(dir, "train-00002.cache"), join(dir, "train-00001.cache"));
    await expect((await openPrepared(dir)).shards("train").then((s) => s.shards[1]!.load())).rejects.toThrow(/splits\.train\.shards\[1\]\.rows = 150, but train-00001\.cache holds 100 rows/);
    await expect((await openPrepared(dir)).split("train")).rejects.toThrow(/train-00001\.cache holds 100 rows/);
    // a prepare of the same input into the same folder without shards removes the old ones
    expect(await prepare.run(parseArgs(prepare.spec, [join(tmp.dir, "train.txt"), "--out", dir]), quiet)).toBe(0);
    expect(existsSync(join(dir, "train-00000.cache"))).toBe(false);
    expect((await (await openPrepared(dir)).split("train")).ids).toEqual(b.ids);
  });

  it("a version-1 folder ({ file, rows } per split) reads as before", async () => {
    const dir = folder((d) => {
      const m = manifestOf(d);
      m.version = 1;
      for (const k of Object.keys(m.splits)) m.splits[k] = { file: m.splits[k].shards[0].file, rows: m.splits[k].rows };
      writeManifest(d, m);
    });
    const p = await openPrepared(dir);
    expect(p.manifest.splits.train).toEqual({ rows: 400, shards: [{ file: "train.cache", rows: 400 }] });
    expect((await p.split("train")).ids).toEqual((await (await openPrepared(SRC)).split("train")).ids);
    const bad = folder((d) => {
      const m = manifestOf(d);
      m.version = 1;
      m.splits = { train: { file: "train.cache", rows: 399 } };
      writeManifest(d, m);
    });
    expect(await verdict(bad)).toMatch(/splits\.train\.rows = 399, but train\.cache holds 400 rows: the folder was modified/);
  });
});
