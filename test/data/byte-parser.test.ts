// The byte parser (byte-lines.ts, slots.ts, byte-rows.ts) against the row reader it replaces in
// prepareDataset: the same FeatureMap (JSON and hash), ids, labels, reader stats and errors, on
// the real Criteo and Avazu samples (skipped when ALPT_DATA is absent), on generated Criteo files
// and on hand-made odd inputs, each cut into chunks of several sizes (1 byte to all at once).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { avazuOptions } from "../../src/data/avazu.js";
import { readByteLineBatches } from "../../src/data/byte-lines.js";
import { criteoOptions } from "../../src/data/criteo.js";
import { generateCriteo, ZipfSampler } from "../../src/data/criteo-generator.js";
import type { DelimitedOptions } from "../../src/data/delimited.js";
import type { FeatureMapOptions } from "../../src/data/feature-map.js";
import { readLineBatches } from "../../src/data/lines.js";
import { prepareDataset, type Prepared } from "../../src/data/prepare.js";
import type { RowError } from "../../src/data/schema.js";
import { ByteSlots } from "../../src/data/slots.js";
import { readFileBytes } from "../../src/data/source.js";
import { mulberry32 } from "../helpers/mulberry32.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const dataDir = process.env.ALPT_DATA ?? resolve(root, "../shared/data");
const enc = new TextEncoder();

/** `bytes` cut into chunks of `size` (0: random sizes 1..64 from `seed`). */
function chunked(bytes: Uint8Array, size: number, seed = 1): Uint8Array[] {
  const out: Uint8Array[] = [];
  const rand = mulberry32(seed);
  for (let i = 0; i < bytes.length;) {
    const n = size > 0 ? size : 1 + Math.floor(rand() * 64);
    out.push(bytes.slice(i, i + n));
    i += n;
  }
  return out;
}

const bytesOf = (a: Int32Array | Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

interface Outcome {
  prepared?: Prepared;
  error?: string;
  reported: RowError[];
}

async function run(parser: "bytes" | "rows", open: () => Iterable<Uint8Array> | AsyncIterable<Uint8Array>, reader: DelimitedOptions, extra: { fitFraction?: number; featureMap?: Omit<FeatureMapOptions, "fields" | "fitRows"> } = {}): Promise<Outcome> {
  const reported: RowError[] = [];
  try {
    const prepared = await prepareDataset({ open, reader: { ...reader, onError: (e) => reported.push(e) }, parser, ...extra });
    return { prepared, reported };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}`, reported };
  }
}

/** Both parsers on the same input: everything they return or throw must be the same. */
async function expectSame(open: () => Iterable<Uint8Array> | AsyncIterable<Uint8Array>, reader: DelimitedOptions, extra: Parameters<typeof run>[3] = {}): Promise<Outcome> {
  const a = await run("bytes", open, reader, extra);
  const b = await run("rows", open, reader, extra);
  expect(a.error).toBe(b.error);
  // onError: the byte parser reports rows as it meets them in its one pass; the row path reports
  // them in its last pass, so when a run fails (no usable rows, invalid UTF-8) they differ
  if (!b.error) expect(a.reported).toEqual(b.reported);
  if (b.prepared) {
    const x = a.prepared!, y = b.prepared;
    // whole-buffer comparisons: toEqual on millions of elements takes minutes
    expect(JSON.stringify(x.featureMap.toJSON()) === JSON.stringify(y.featureMap.toJSON())).toBe(true);
    expect(x.featureMap.hash).toBe(y.featureMap.hash);
    expect([x.dataset.n, x.dataset.fields]).toEqual([y.dataset.n, y.dataset.fields]);
    expect(bytesOf(x.dataset.ids).equals(bytesOf(y.dataset.ids))).toBe(true);
    expect(bytesOf(x.dataset.labels).equals(bytesOf(y.dataset.labels))).toBe(true);
    expect(x.stats).toEqual(y.stats);
  }
  return a;
}

const real: [string, string, DelimitedOptions, number][] = [
  ["criteo", "criteo/criteo_w261_toy_train.txt.gz", criteoOptions(), 0.8],
  ["criteo", "criteo/criteo_kaggle_train_sample.txt", criteoOptions(), 1],
  ["criteo", "criteo/criteo_w261_medium_train_5k.txt", criteoOptions(), 0.8],
  ["criteo", "criteo/criteo_w261_toy_test_unlabeled.txt.gz", criteoOptions({ labeled: false }), 1],
  ["criteo", "criteo/criteo_kaggle_test_unlabeled_sample.txt", criteoOptions({ labeled: false }), 1],
  ["avazu", "avazu/avazu_train_first10k.csv", avazuOptions(), 0.8],
  ["avazu", "avazu/avazu_train_head499.csv", avazuOptions(), 1],
];

describe("byte parser = row reader on the real samples", () => {
  for (const [, rel, options, fitFraction] of real) {
    const path = join(dataDir, rel);
    const present = existsSync(path);
    if (!present) console.warn(`byte-parser real-data case skipped: ${path} not found (set ALPT_DATA to the shared data folder)`);
    it.skipIf(!present)(`${rel} (fit on ${fitFraction})`, async () => {
      const reader = { ...options, file: path };
      const a = await expectSame(() => readFileBytes(path), reader, { fitFraction });
      expect(a.prepared!.dataset.n).toBeGreaterThan(400);
      // the same again from memory in odd chunks (a chunk boundary anywhere in a line)
      if (!rel.endsWith(".gz") && rel.includes("head499")) {
        const bytes = readFileSync(path);
        await expectSame(() => chunked(bytes, 0, 7), reader, { fitFraction });
      }
    }, 60_000);
  }
  const toy = join(dataDir, "criteo/criteo_w261_toy_train.txt.gz");
  it.skipIf(!existsSync(toy))("the toy train sample with minCount 5 and a test file encoded with its map", async () => {
    const bytes = gunzipSync(readFileSync(toy)).subarray(0, 4_000_000);
    const a = await expectSame(() => chunked(bytes, 65_536), criteoOptions({ file: "toy" }), { featureMap: { minCount: 5 } });
    const test = join(dataDir, "criteo/criteo_kaggle_test_unlabeled_sample.txt");
    if (!existsSync(test)) return;
    const fittedMap = a.prepared!.featureMap;
    const reader = criteoOptions({ file: test, labeled: false });
    const x = await prepareDataset({ open: () => readFileBytes(test), reader, fittedMap, parser: "bytes" });
    const y = await prepareDataset({ open: () => readFileBytes(test), reader, fittedMap, parser: "rows" });
    expect(bytesOf(x.dataset.ids).equals(bytesOf(y.dataset.ids))).toBe(true);
    expect(x.stats).toEqual(y.stats);
  }, 60_000);
});

describe("byte parser = row reader on generated and odd inputs", () => {
  it("generated Criteo files, labeled and not, in chunks of 1 B … 1 MiB", async () => {
    const bytes = Buffer.concat([...generateCriteo({ rows: 3000, seed: 5, cardinalityScale: 0.001 })]);
    for (const size of [0, 1000, 1 << 20]) await expectSame(() => chunked(bytes, size, size), criteoOptions({ file: "gen" }), { fitFraction: 0.8 });
    const unlabeled = Buffer.concat([...generateCriteo({ rows: 500, seed: 6, labeled: false })]);
    await expectSame(() => [unlabeled], criteoOptions({ file: "gen-test", labeled: false }));
    // a labeled reader over an unlabeled file: every row skipped, the same NoRowsError
    const r = await expectSame(() => [unlabeled], criteoOptions({ file: "gen-test" }));
    expect(r.error).toMatch(/NoRowsError: gen-test: no usable rows: .*this file has no labels/);
  });

  const criteoLine = (label: string, ints: string[], cats: string[]) => [label, ...ints, ...cats].join("\t");
  const ints = ["1", "", "-2", "+7", "0", "100", "3", "", "12345678901234", "5", "", "2", "9"];
  const cats = Array.from({ length: 26 }, (_, i) => (i % 5 === 4 ? "" : `${(i * 2654435761 >>> 0).toString(16).padStart(8, "0")}`));
  const good = criteoLine("1", ints, cats);
  const odd = [
    "\ufeff" + good, // BOM
    good + "\r", // CRLF
    "",
    "\r",
    criteoLine("0", ints.map((v, i) => (i === 3 ? "1.5" : i === 4 ? "-0" : i === 5 ? "1e3" : i === 6 ? "1234567890123456789" : v)), cats), // numbers off the fast path
    criteoLine("1.0", ints, cats), // label off the fast path
    criteoLine("2", ints, cats), // bad label
    criteoLine("", ints, cats), // missing label
    criteoLine("0", ints.map((v, i) => (i === 2 ? "abc" : v)), cats), // not a number
    criteoLine("0", ints.map((v, i) => (i === 2 ? "-" : v)), cats), // a sign alone
    criteoLine("0", ints, cats.map((v, i) => (i === 1 ? "héllo wörld ✓ 𝄞" : i === 2 ? "a longer value than eight bytes" : v))), // non-ASCII, long
    criteoLine("0", ints, cats.slice(1)), // 39 columns
    criteoLine("0", ints, [...cats, "x"]), // 41 columns
    good.replace(/\t/, "\r"), // a CR inside
    criteoLine("1", ints, cats.map((v, i) => (i === 3 ? '"quoted"' : v))), // quotes are plain text in TSV
    good,
    good.replace(/\t[^\t]*$/, "\t"), // last cell empty
  ];
  it("a source that grew after its lines were counted: the slots span several blocks, the result is the same", async () => {
    const bytes = Buffer.concat([...generateCriteo({ rows: 70_000, seed: 2, cardinalityScale: 0.0002 })]);
    let opened = 0;
    const growing = () => (opened++ === 0 ? [bytes.subarray(0, 1000)] : chunked(bytes, 1 << 20));
    const x = await prepareDataset({ open: growing, reader: criteoOptions({ file: "g" }), parser: "bytes" });
    const y = await prepareDataset({ open: () => chunked(bytes, 1 << 20), reader: criteoOptions({ file: "g" }), parser: "rows" });
    expect(x.dataset.n).toBe(70_000);
    expect(x.featureMap.hash).toBe(y.featureMap.hash);
    expect(bytesOf(x.dataset.ids).equals(bytesOf(y.dataset.ids))).toBe(true);
    expect(bytesOf(x.dataset.labels).equals(bytesOf(y.dataset.labels))).toBe(true);
  }, 60_000);

  it("odd Criteo lines: BOM, CRLF, blank lines, numbers and labels off the fast path, errors, non-ASCII", async () => {
    const bytes = enc.encode(odd.join("\n") + "\n" + good); // no final newline
    for (const size of [0, 1, 7, 1 << 20]) {
      const a = await expectSame(() => chunked(bytes, size, size + 1), criteoOptions({ file: "odd.txt" }), { fitFraction: 0.5 });
      expect(a.prepared!.stats.skipped).toBe(7);
    }
    // strict: the first malformed row stops both at the same place
    const s = await expectSame(() => [bytes], criteoOptions({ file: "odd.txt", strict: true }));
    expect(s.error).toMatch(/^DataError: odd\.txt:7:1: label label = "2" is not 0 or 1/);
  });

  it("encoding options: minCount, maxSize, fillNa, bucketize and log1p transforms", async () => {
    const bytes = Buffer.concat([...generateCriteo({ rows: 2000, seed: 9, cardinalityScale: 0.0005 })]);
    const fieldOptions = {
      I1: { transform: "bucketize" as const, boundaries: [0, 1, 10, 100] }, I2: { transform: "log1p" as const }, I3: { transform: "none" as const, fillNa: 7 },
      C1: { fillNa: "none" }, C2: { maxSize: 5 }, C3: { minCount: 3 },
    };
    await expectSame(() => [bytes], criteoOptions({ file: "gen" }), { featureMap: { minCount: 2, fieldOptions }, fitFraction: 0.7 });
  });

  it("Avazu-shaped CSV: header, quoted cells, mapped hour, derived fields, bad hours", async () => {
    const header = "id,click,hour,C1,banner_pos,site_id,device_ip";
    const rows = [
      "1,0,14102100,1005,0,1fbe01fe,ddd2926e",
      "2,1,14102100,1005,1,\"1fbe01fe\",ddd2926e",
      "3,0,14102101,1002,0,\"a,b\",\"say \"\"hi\"\"\"",
      "4,1,14102223,1005,,e151e245,",
      "5,0,14132100,1005,0,1fbe01fe,ddd2926e", // month 13
      "6,0,,1005,0,1fbe01fe,ddd2926e", // empty hour
      "7,0,14102100,1005,0,\"open,x", // unterminated quote
      "8,1,14102100,1005,0,1fbe01fe", // short
      "9,1,14102100,1005,0,1fbe01fe,ddd2926e\r",
    ];
    const bytes = enc.encode([header, ...rows].join("\n") + "\n");
    for (const size of [0, 5, 1 << 20]) await expectSame(() => chunked(bytes, size, 3), avazuOptions({ file: "a.csv" }), { fitFraction: 0.6 });
    await expectSame(() => [enc.encode("")], avazuOptions({ file: "empty.csv" }));
    await expectSame(() => [enc.encode("id,click\n")], avazuOptions({ file: "hdr.csv" }));
  });

  it("invalid UTF-8 and long lines stop both at the same line", async () => {
    const lines = Array.from({ length: 20 }, () => odd[15]!).join("\n") + "\n";
    const bad = Buffer.concat([enc.encode(lines), Buffer.from([0x31, 0x09, 0xff, 0x0a]), enc.encode(lines)]);
    for (const size of [0, 100, 1 << 20]) {
      const a = await expectSame(() => chunked(bad, size, 11), criteoOptions({ file: "bad.txt" }));
      expect(a.error).toMatch(/bad\.txt:21: invalid UTF-8/);
    }
    const cut = Buffer.concat([enc.encode(lines), Buffer.from([0xe2, 0x9c])]); // ends inside a character
    expect((await expectSame(() => chunked(cut, 0, 2), criteoOptions({ file: "cut.txt" }))).error).toMatch(/cut\.txt:21: invalid UTF-8 \(the file ends inside a character\)/);
    const long = enc.encode(lines + "x".repeat(500) + "\n" + lines);
    expect((await expectSame(() => chunked(long, 64, 1), criteoOptions({ file: "long.txt", maxLineLength: 400 }))).error).toMatch(/long\.txt:21: line longer than maxLineLength = 400/);
    const longU = enc.encode(lines + "é".repeat(300) + "\n"); // 600 bytes but 300 characters: accepted
    await expectSame(() => chunked(longU, 0, 4), criteoOptions({ file: "longu.txt", maxLineLength: 400 }));
  });

  it("a multi-character delimiter and a header given as names take the string path with the same result", async () => {
    const text = "1::a::3\n0::b::\n1::a::x\n";
    const options: DelimitedOptions = { file: "m.txt", delimiter: "::", header: ["y", "c", "n"], columns: [{ name: "y", type: "label" }, { name: "c", type: "categorical" }, { name: "n", type: "numeric" }] };
    const a = await expectSame(() => [enc.encode(text)], options);
    expect(a.prepared!.stats).toMatchObject({ rows: 2, skipped: 1 });
  });
});

describe("byte lines = text lines", () => {
  it("cuts the same lines at the same numbers", async () => {
    const text = "\ufeffa\r\nb\n\n\r\nc\rd\né\n" + "x".repeat(3000) + "\nlast\r";
    const bytes = enc.encode(text);
    for (const size of [1, 2, 3, 5, 1 << 20]) {
      const want: string[] = [];
      for await (const b of readLineBatches(chunked(bytes, size))) want.push(...b.lines.map((l, i) => `${b.firstLine + i}:${l}`));
      const got: string[] = [];
      for await (const b of readByteLineBatches(chunked(bytes, size))) {
        for (let i = 0; i < b.count; i++) got.push(`${b.firstLine + i}:${new TextDecoder().decode(b.bytes.subarray(b.starts[i], b.ends[i]))}`);
      }
      expect(got).toEqual(want);
    }
  });
});

describe("slots and the generator", () => {
  it("ByteSlots gives one slot per distinct value, short and long, through rehashes", () => {
    const s = new ByteSlots();
    const values = Array.from({ length: 20_000 }, (_, i) => (i % 3 === 0 ? `${i}` : i % 3 === 1 ? `value-number-${i}` : (i * 2654435761 >>> 0).toString(16)));
    values.forEach((v, i) => expect(s.slotOf(v)).toBe(i));
    values.forEach((v, i) => expect(s.slotOf(v)).toBe(i));
    expect(s.slotOf("")).toBe(values.length);
    values.forEach((v, i) => expect(s.token(i)).toBe(v));
  });

  it("generateCriteo: seeded, Kaggle-like missing rates and CTR, Zipf ranks within bounds", () => {
    const a = Buffer.concat([...generateCriteo({ rows: 4000, seed: 3 })]);
    const b = Buffer.concat([...generateCriteo({ rows: 4000, seed: 3, chunkBytes: 1000 })]);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(Buffer.concat([...generateCriteo({ rows: 4000, seed: 4 })]))).toBe(false);
    const lines = a.toString("latin1").replace(/\n$/, "").split("\n").map((l) => l.split("\t"));
    expect(lines.length).toBe(4000);
    expect(lines.every((l) => l.length === 40 && /^[01]$/.test(l[0]!) && l.slice(14).every((c) => c === "" || /^[0-9a-f]{8}$/.test(c)))).toBe(true);
    const ctr = lines.filter((l) => l[0] === "1").length / 4000;
    expect(ctr).toBeGreaterThan(0.2);
    expect(ctr).toBeLessThan(0.35);
    const emptyInt = lines.reduce((n, l) => n + l.slice(1, 14).filter((c) => c === "").length, 0) / (13 * 4000);
    const emptyCat = lines.reduce((n, l) => n + l.slice(14).filter((c) => c === "").length, 0) / (26 * 4000);
    expect(Math.abs(emptyInt - 0.21)).toBeLessThan(0.02);
    expect(Math.abs(emptyCat - 0.11)).toBeLessThan(0.02);
    const z = new ZipfSampler(10_000_000, 1.05);
    let state = 1;
    const r = { next: () => ((state = (state * 48271) % 2147483647) / 2147483647) } as unknown as Parameters<ZipfSampler["sample"]>[0];
    const ranks = Array.from({ length: 20_000 }, () => z.sample(r));
    expect(Math.min(...ranks)).toBe(1);
    expect(Math.max(...ranks)).toBeLessThanOrEqual(10_000_000);
    expect(ranks.filter((k) => k === 1).length / ranks.length).toBeGreaterThan(0.03); // P(1) ≈ 1/H(10⁷, 1.05) ≈ 0.07
  });
});
