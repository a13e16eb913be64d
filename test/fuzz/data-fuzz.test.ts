// Seeded, time-bounded fuzzing of the data inputs (issue 13). Two families:
//
//   rows     2,000 mutated Criteo rows (cells cut, added, swapped; labels and numbers replaced
//            by out-of-range, overflowing or malformed values; stray CR, NUL, quotes, invalid
//            UTF-8), 100 per file, through the reader and prepareDataset. An independent oracle
//            says whether each row is valid; every row the reader keeps must be valid, every
//            row it skips invalid and reported at its own line; invalid UTF-8 stops the file
//            with its line.
//   folders  200 prepared folders with one random edit (dataset.json keys and values, cache
//            labels / ids with the checksum recomputed, byte flips, truncations, appended
//            bytes, the FeatureMap's bytes). The oracle says whether the edit keeps the folder
//            valid (e.g. a changed `source`); everything else must be refused.
//
// Assertions per family: 0 unclean errors (an error must be an Error naming the file, on one
// line, not an internal TypeError / RangeError / stack overflow), 0 hangs (each case under a
// time bound), 0 wrongly accepted inputs. The counts are printed for the closing note.
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseArgs, type Output } from "../../src/cli/args.js";
import { openPrepared } from "../../src/cli/files.js";
import * as prepare from "../../src/cli/prepare.js";
import { decodeCache, encodeCache } from "../../src/data/cache.js";
import { criteoOptions } from "../../src/data/criteo.js";
import { createDataset } from "../../src/data/dataset.js";
import { openDelimited } from "../../src/data/delimited.js";
import { FeatureMap } from "../../src/data/feature-map.js";
import { readFileBytes } from "../../src/data/source.js";
import { fuzzRng as rng } from "../helpers/mulberry32.js";
import { smallSynthetic, tempDir } from "../data/fixtures.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

/** Internal failures that must never reach a user. */
const UNCLEAN = /Cannot read prop|is not a function|is not iterable|Maximum call stack|Invalid typed array length|Invalid array length|undefined|\[object Object\]|Unexpected token/;
function clean(e: unknown, file: string): boolean {
  if (!(e instanceof Error)) return false;
  return e.message.includes(file) && !e.message.includes("\n") && !UNCLEAN.test(e.message);
}

// ---------- rows ----------

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** The oracle: is this line (without its newline) a valid labeled Criteo row? */
function validRow(line: string): boolean {
  if (line === "") return true; // blank: ignored, not a row
  const c = line.split("\t");
  if (c.length !== 40) return false;
  const y = c[0]!.trim();
  if (!(NUMBER.test(y) && (Number(y) === 0 || Number(y) === 1))) return false;
  for (let i = 1; i <= 13; i++) {
    const v = c[i]!;
    if (v === "") continue;
    if (!NUMBER.test(v.trim()) || !Number.isFinite(Number(v.trim()))) return false;
  }
  return true;
}

const BAD_NUMBERS = ["1e309", "9".repeat(400), "-1e400", "NaN", "Infinity", "0x1F", "1,5", "--1", "1e", ".", "+", "١٢", "1_000", " ", "5 5"];
const OK_NUMBERS = ["0", "-3", "+7", "1.5", ".5", "5.", "1e5", "-0", " 12 ", "123456789012345678901234"];
const BAD_LABELS = ["2", "-1", "", "0.5", "yes", "1e309", "0x1", "١"];
const OK_LABELS = ["0", "1", "1.0", "+1", "0e0", "-0"];
const JUNK = ["\r", "\0", '"', "'", "\u2028", "é", "😀", "\\", ",", "  "];

function mutate(line: string, r: ReturnType<typeof rng>): { text: string; badUtf8: boolean } {
  const c = line.split("\t");
  switch (r.int(12)) {
    case 0: c.splice(1 + r.int(39), 1); break;
    case 1: c.splice(1 + r.int(39), 0, r.pick(["", "x", "1"])); break;
    case 2: c[0] = r.pick([...BAD_LABELS, ...OK_LABELS]); break;
    case 3: c[1 + r.int(13)] = r.pick([...BAD_NUMBERS, ...OK_NUMBERS]); break;
    case 4: c[14 + r.int(26)] = r.pick(["", "x".repeat(1 + r.int(300)), ...JUNK]); break;
    case 5: {
      const i = r.int(40);
      c[i] = c[i]! + r.pick(JUNK);
      break;
    }
    case 6: return { text: line.slice(0, r.int(line.length)), badUtf8: false };
    case 7: return { text: "", badUtf8: false };
    case 8: return { text: line.replaceAll("\t", r.pick([",", " ", "\t\t"])), badUtf8: false };
    case 9: return { text: line + "\t", badUtf8: false };
    case 10: c[1 + r.int(13)] = String(r.next() < 0.5 ? -r.int(1e6) : r.int(1e15)) + (r.next() < 0.3 ? ".25" : ""); break;
    default: return { text: line, badUtf8: true };
  }
  return { text: c.join("\t"), badUtf8: false };
}

describe("fuzz: mutated data rows", () => {
  it("2,000 mutated rows: kept rows are valid, skipped rows invalid and reported at their line", async () => {
    const r = rng(13);
    const base = smallSynthetic(11).criteoText(0, 400).split("\n").filter((l) => l);
    const counts = { cases: 0, cleanRejections: 0, correctAcceptances: 0, unclean: 0, wronglyAccepted: 0, wronglyRejected: 0, filesStoppedByUtf8: 0, slowest: 0 };
    for (let f = 0; f < 20; f++) {
      const lines: string[] = [];
      const mutated: boolean[] = [];
      let utf8At = -1;
      for (let i = 0; i < 100; i++) {
        // invalid UTF-8 stops a whole file: only every fifth file gets it
        let m = mutate(base[(f * 100 + i) % base.length]!, r);
        while (m.badUtf8 && (f % 5 !== 4 || utf8At >= 0)) m = mutate(base[(f * 100 + i) % base.length]!, r);
        lines.push(m.text);
        mutated.push(true);
        if (m.badUtf8 && utf8At < 0) utf8At = i + 1;
        // a valid row between the mutated ones keeps the file from being all bad
        lines.push(base[r.int(base.length)]!);
        mutated.push(false);
      }
      const enc = new TextEncoder();
      const parts = lines.map((l, i) => {
        const b = enc.encode(l + "\n");
        if (i % 2 === 0 && utf8At === i / 2 + 1) {
          const out = new Uint8Array(b.length + 1);
          out.set(b.subarray(0, 5));
          out[5] = 0xff;
          out.set(b.subarray(5), 6);
          return out;
        }
        return b;
      });
      const path = join(tmp.dir, `rows${f}.txt`);
      writeFileSync(path, Buffer.concat(parts));
      const t0 = performance.now();
      const firstBadLine = utf8At < 0 ? -1 : 2 * (utf8At - 1) + 1;
      try {
        const reader = await openDelimited(readFileBytes(path, { chunkSize: 1 + r.int(4096) }), criteoOptions({ file: path, keepErrors: 1000 }));
        const kept = new Set<number>();
        for await (const row of reader) kept.add(row.line);
        const skipped = new Map(reader.stats.errors.map((e) => [e.line, e]));
        expect(firstBadLine, `${path} has invalid UTF-8 at line ${firstBadLine} but was read`).toBe(-1);
        lines.forEach((l, i) => {
          if (!mutated[i]) return;
          counts.cases++;
          const ok = validRow(l);
          const line = i + 1;
          if (l === "") counts.correctAcceptances++; // a blank line is ignored either way
          else if (ok && kept.has(line)) counts.correctAcceptances++;
          else if (!ok && skipped.has(line)) counts.cleanRejections++;
          else if (!ok && kept.has(line)) counts.wronglyAccepted++;
          else counts.wronglyRejected++;
        });
      } catch (e) {
        // only invalid UTF-8 stops a non-strict read: it must name the first bad line
        const all = lines.filter((_, i) => mutated[i]).length;
        counts.cases += all;
        if (clean(e, path) && firstBadLine > 0 && (e as Error).message.startsWith(`${path}:${firstBadLine}: invalid UTF-8`)) {
          counts.cleanRejections += all;
          counts.filesStoppedByUtf8++;
        }
        else {
          counts.unclean += all;
          console.error(e);
        }
      }
      counts.slowest = Math.max(counts.slowest, performance.now() - t0);
    }
    console.log(`fuzz rows: ${JSON.stringify(counts)}`);
    expect(counts.cases).toBe(2000);
    expect(counts.filesStoppedByUtf8).toBe(4);
    expect(counts.unclean).toBe(0);
    expect(counts.wronglyAccepted).toBe(0);
    expect(counts.wronglyRejected).toBe(0);
    expect(counts.slowest).toBeLessThan(5000);
  }, 60_000);

  it("strict mode stops at the first invalid row with its file:line:column", async () => {
    const r = rng(5);
    const base = smallSynthetic(12).criteoText(0, 50).split("\n").filter((l) => l);
    let checked = 0;
    for (let k = 0; k < 100; k++) {
      const lines = base.slice(0, 20);
      const at = r.int(20);
      let m = mutate(lines[at]!, r);
      while (m.badUtf8 || m.text === "" || validRow(m.text)) m = mutate(lines[at]!, r);
      lines[at] = m.text;
      const path = join(tmp.dir, `strict${k}.txt`);
      writeFileSync(path, lines.join("\n") + "\n");
      const reader = await openDelimited(readFileBytes(path), criteoOptions({ file: path, strict: true }));
      const err = await (async () => {
        for await (const _ of reader) void _;
      })().then(() => undefined, (e: Error) => e);
      expect(err, `line ${at + 1}: ${JSON.stringify(m.text.slice(0, 80))}`).toBeDefined();
      expect(clean(err, path)).toBe(true);
      expect(err!.message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:${at + 1}:\\d+: `));
      checked++;
    }
    expect(checked).toBe(100);
  }, 30_000);
});

// ---------- folders ----------

const quiet: Output = { json: false, text: () => undefined, record: () => undefined, note: () => undefined };

describe("fuzz: edited prepared folders", () => {
  const SRC = join(tmp.dir, "prep");
  beforeAll(async () => {
    writeFileSync(join(tmp.dir, "train.txt"), smallSynthetic(3).criteoText(0, 300));
    expect(await prepare.run(parseArgs(prepare.spec, [join(tmp.dir, "train.txt"), "--out", SRC]), quiet)).toBe(0);
  });

  /** One edit: applies it to `dir` and says whether the folder stays valid. */
  type Edit = (dir: string, r: ReturnType<typeof rng>) => { valid: boolean; what: string };

  const manifestEdit: Edit = (dir, r) => {
    const p = join(dir, "dataset.json");
    const m = JSON.parse(readFileSync(p, "utf8"));
    const keys = ["format", "version", "dataFormat", "featureMap", "featureMapHash", "fields", "totalRows", "skippedRows", "source",
      "splits.train.file", "splits.train.rows", "splits.valid.file", "splits.valid.rows", "splits.test.file", "splits.test.rows", "splits"];
    const key = r.pick(keys);
    const path = key.split(".");
    let obj = m;
    for (const k of path.slice(0, -1)) obj = obj[k];
    const last = path[path.length - 1]!;
    const old = obj[last];
    const pool: unknown[] = [undefined, null, -1, 0, 1, 1.5, "x", "", [], {}, true, 1e308, "../dataset.json", "/etc/hostname", "train.cache", "valid.cache", "test.cache",
      typeof old === "number" ? old + 1 : "y", typeof old === "number" ? old - 1 : "z", typeof old === "number" ? String(old) : 7, "criteo", "__proto__"];
    const v = r.pick(pool);
    if (v === undefined) delete obj[last];
    else obj[last] = v;
    writeFileSync(p, JSON.stringify(m));
    const same = JSON.stringify(v) === JSON.stringify(old) && v !== undefined;
    // bookkeeping keys: any value (source) or any count (skippedRows) keeps the folder valid
    const harmless = key === "source" || (key === "skippedRows" && (v === undefined || (typeof v === "number" && Number.isInteger(v) && v >= 0)))
      || (key === "splits.test.rows" && v === undefined && false);
    return { valid: same || harmless, what: `dataset.json ${key} = ${JSON.stringify(v)}` };
  };

  const cacheEdit: Edit = (dir, r) => {
    const split = r.pick(["train", "valid", "test"]);
    const p = join(dir, `${split}.cache`);
    const bytes = new Uint8Array(readFileSync(p));
    const kind = r.int(6);
    if (kind <= 1) {
      // labels or ids changed, checksum recomputed: valid only when labels stay 0/1 and ids in their field
      const c = decodeCache(bytes, { copy: true });
      const fm = FeatureMap.fromJSON(JSON.parse(readFileSync(join(dir, "feature_map.json"), "utf8")));
      const ids = c.ids.slice(), labels = c.labels.slice();
      let valid: boolean;
      let what: string;
      if (kind === 0) {
        const y = r.pick([0, 1, 2, -1, 0.5, NaN, Infinity]);
        const row = r.int(c.n);
        labels[row] = y;
        valid = y === 0 || y === 1;
        what = `${split}.cache label ${row} = ${y} (checksum recomputed)`;
      } else {
        const k = r.int(ids.length), f = k % c.fields;
        const id = r.pick([-1, 0, fm.totalRows, fm.totalRows + 1000, 2 ** 31 - 1, fm.fieldOffsets[f]!, fm.fieldOffsets[f]! + fm.fieldSizes[f]! - 1, fm.fieldOffsets[f]! + fm.fieldSizes[f]!]);
        ids[k] = id;
        valid = id >= fm.fieldOffsets[f]! && id < fm.fieldOffsets[f]! + fm.fieldSizes[f]!;
        what = `${split}.cache id ${k} = ${id} (checksum recomputed)`;
      }
      writeFileSync(p, encodeCache(createDataset(ids, labels, c.fields, c.fieldNames), c.header.featureMapHash, c.header.split));
      return { valid, what };
    }
    if (kind === 2) {
      const at = r.int(bytes.length);
      bytes[at]! ^= 1 << r.int(8);
      writeFileSync(p, bytes);
      return { valid: false, what: `${split}.cache byte ${at} flipped` };
    }
    if (kind === 3) {
      const len = r.int(bytes.length);
      writeFileSync(p, bytes.subarray(0, len));
      return { valid: false, what: `${split}.cache cut to ${len} bytes` };
    }
    if (kind === 4) {
      writeFileSync(p, Buffer.concat([bytes, new Uint8Array(1 + r.int(64))]));
      return { valid: false, what: `${split}.cache with bytes appended` };
    }
    const other = r.pick(["train", "valid", "test"].filter((s) => s !== split));
    cpSync(join(dir, `${other}.cache`), p);
    return { valid: false, what: `${split}.cache replaced by ${other}.cache` };
  };

  const featureMapEdit: Edit = (dir, r) => {
    const p = join(dir, "feature_map.json");
    const bytes = new Uint8Array(readFileSync(p));
    const at = r.int(bytes.length);
    bytes[at]! ^= 1 << r.int(7);
    writeFileSync(p, bytes);
    return { valid: false, what: `feature_map.json byte ${at} flipped` };
  };

  it("200 folders with one edit each: valid edits accepted, the rest refused cleanly", async () => {
    const r = rng(200);
    const counts = { cases: 0, cleanRejections: 0, correctAcceptances: 0, unclean: 0, wronglyAccepted: 0, wronglyRejected: 0, slowest: 0 };
    const problems: string[] = [];
    for (let k = 0; k < 200; k++) {
      const dir = join(tmp.dir, `f${k}`);
      cpSync(SRC, dir, { recursive: true });
      const edit = r.pick([manifestEdit, manifestEdit, cacheEdit, cacheEdit, cacheEdit, featureMapEdit]);
      const { valid, what } = edit(dir, r);
      const t0 = performance.now();
      let error: unknown;
      try {
        const p = await openPrepared(dir);
        for (const s of Object.keys(p.manifest.splits)) await p.split(s);
        // a split the manifest no longer lists is not read: the folder is what the manifest says
      } catch (e) {
        error = e;
      }
      counts.slowest = Math.max(counts.slowest, performance.now() - t0);
      counts.cases++;
      if (error === undefined) {
        if (valid) counts.correctAcceptances++;
        else {
          counts.wronglyAccepted++;
          problems.push(`accepted: ${what}`);
        }
      } else if (!clean(error, dir)) {
        counts.unclean++;
        problems.push(`unclean: ${what}: ${(error as Error).message}`);
      } else if (valid) {
        counts.wronglyRejected++;
        problems.push(`rejected: ${what}: ${(error as Error).message}`);
      } else counts.cleanRejections++;
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`fuzz folders: ${JSON.stringify(counts)}`);
    expect(problems).toEqual([]);
    expect(counts.slowest).toBeLessThan(5000);
  }, 60_000);
});
