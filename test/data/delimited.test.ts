import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { avazuOptions, parseAvazuHour } from "../../src/data/avazu.js";
import { CRITEO_FIELDS, criteoOptions } from "../../src/data/criteo.js";
import { parseNumber } from "../../src/data/cells.js";
import { openDelimited, type DelimitedOptions } from "../../src/data/delimited.js";
import type { ByteSource } from "../../src/data/lines.js";
import { DataError, type RawRow, type RowError } from "../../src/data/schema.js";
import { readFileBytes } from "../../src/data/source.js";
import { AVAZU_HEADER, avazuRow, chunks, smallSynthetic, tempDir } from "./fixtures.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
const enc = (s: string) => new TextEncoder().encode(s);

async function readAll(source: ByteSource, options: DelimitedOptions) {
  const r = await openDelimited(source, options);
  const rows: RawRow[] = [];
  for await (const row of r) rows.push(row);
  return { r, rows };
}

describe("Criteo TSV", () => {
  const syn = smallSynthetic();
  const text = syn.criteoText(0, 300);
  const plain = join(tmp.dir, "criteo.txt"), gz = join(tmp.dir, "criteo.txt.gz"), gzNoExt = join(tmp.dir, "criteo.bin");
  writeFileSync(plain, text);
  writeFileSync(gz, gzipSync(text));
  writeFileSync(gzNoExt, gzipSync(text));

  it("parses label, I1..I13 as numbers, C1..C26 as strings, empty cells as null", async () => {
    const { r, rows } = await readAll(readFileBytes(plain), criteoOptions({ file: plain }));
    expect(r.fields.map((f) => f.name)).toEqual(CRITEO_FIELDS);
    expect(r.fields[0]).toEqual({ name: "I1", type: "numeric", transform: "criteo" });
    expect(rows.length).toBe(300);
    expect(r.stats).toMatchObject({ rows: 300, skipped: 0, blank: 0 });
    const labels = syn.generate(0, 300).labels;
    rows.forEach((row, i) => {
      expect(row.line).toBe(i + 1);
      expect(row.label).toBe(labels[i]);
      row.values.forEach((v, f) => {
        const rank = syn.rank(i, f);
        expect(v).toBe(rank < 0 ? null : f < 13 ? rank : syn.token(f, rank));
      });
    });
    expect(rows.some((row) => row.values.includes(null))).toBe(true);
  });

  it("reads gzip by name or by magic bytes, identically, in any chunk size", async () => {
    const a = (await readAll(readFileBytes(plain), criteoOptions())).rows;
    const b = (await readAll(readFileBytes(gz, { chunkSize: 999 }), criteoOptions())).rows;
    const c = (await readAll(readFileBytes(gzNoExt), criteoOptions())).rows;
    const d = (await readAll(chunks(enc(text), { every: 77 }), criteoOptions())).rows;
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(d).toEqual(a);
    const fake = join(tmp.dir, "fake.txt.gz");
    writeFileSync(fake, "not gzip\n");
    await expect(readAll(readFileBytes(fake), criteoOptions())).rejects.toThrow(`${fake}: the name ends in .gz but the file is not gzip data`);
    const cut = join(tmp.dir, "cut.gz");
    const z = gzipSync(text);
    writeFileSync(cut, z.subarray(0, z.length >> 1));
    await expect(readAll(readFileBytes(cut), criteoOptions({ file: cut }))).rejects.toThrow(/cut\.gz: .*gunzip failed/);
  });

  it("reads unlabeled files (39 columns) with label NaN", async () => {
    const unl = text.split("\n").filter(Boolean).slice(0, 5).map((l) => l.slice(l.indexOf("\t") + 1)).join("\n");
    const { r, rows } = await readAll([enc(unl)], criteoOptions({ labeled: false }));
    expect(r.hasLabel).toBe(false);
    expect(rows.length).toBe(5);
    expect(rows.every((row) => Number.isNaN(row.label) && row.values.length === 39)).toBe(true);
  });
});

describe("malformed rows", () => {
  const good = ["1", ...Array.from({ length: 13 }, (_, i) => String(i - 2)), ...Array.from({ length: 26 }, (_, i) => `c${i}`)];
  const line = (edit: (cells: string[]) => void) => {
    const c = [...good];
    edit(c);
    return c.join("\t");
  };
  const text = [
    line(() => undefined),
    line((c) => c.pop()), // 39 columns
    line((c) => (c[0] = "2")), // label not 0/1
    line((c) => (c[5] = "1x")), // I5 not a number
    "",
    line((c) => (c[0] = "")), // label missing
    line((c) => (c[3] = "-4.5e1")), // a number after all
    line((c) => c.push("extra")),
  ].join("\r\n");

  it("are reported with file:line:column and a reason, counted and skipped", async () => {
    const seen: RowError[] = [];
    const { r, rows } = await readAll([enc(text)], criteoOptions({ file: "bad.tsv", onError: (e) => seen.push(e) }));
    expect(rows.map((x) => x.line)).toEqual([1, 7]);
    expect(rows[1]!.values[2]).toBe(-45);
    expect(r.stats).toMatchObject({ rows: 2, skipped: 5, blank: 1 });
    expect(seen).toEqual(r.stats.errors);
    expect(seen).toEqual([
      { file: "bad.tsv", line: 2, column: 40, reason: "expected 40 columns, got 39" },
      { file: "bad.tsv", line: 3, column: 1, reason: 'label label = "2" is not 0 or 1' },
      { file: "bad.tsv", line: 4, column: 6, reason: 'I5 = "1x" is not a number' },
      { file: "bad.tsv", line: 6, column: 1, reason: "label label is missing" },
      { file: "bad.tsv", line: 8, column: 41, reason: "expected 40 columns, got 41" },
    ]);
  });

  it("throw a DataError naming file:line:column under strict", async () => {
    const err = await readAll([enc(text)], criteoOptions({ file: "bad.tsv", strict: true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe("bad.tsv:2:40: expected 40 columns, got 39");
    const err2 = await readAll([enc(good.join("\t") + "\n" + line((c) => (c[5] = "abc")))], criteoOptions({ file: "x.tsv", strict: true })).catch((e: unknown) => e);
    expect((err2 as DataError).message).toBe('x.tsv:2:6: I5 = "abc" is not a number');
    expect(err2).toMatchObject({ file: "x.tsv", line: 2, column: 6 });
  });

  it("keeps only the first keepErrors errors but counts all", async () => {
    const bad = Array.from({ length: 30 }, () => "1\t2").join("\n");
    const { r } = await readAll([enc(bad)], criteoOptions({ keepErrors: 3 }));
    expect(r.stats.skipped).toBe(30);
    expect(r.stats.errors.length).toBe(3);
  });
});

describe("Avazu CSV", () => {
  const text = [
    AVAZU_HEADER,
    avazuRow("1000009418151094273", "0", "14102100", 1), // Tuesday
    avazuRow("10000169349117863715", "1", "14102523", 2), // Saturday
    avazuRow("1.0000371904215119e+19", "0", "14102607", 3), // Sunday
    avazuRow("3", "1", "14133100", 4), // no 31 Nov... month 13 → malformed
  ].join("\n") + "\n";
  const path = join(tmp.dir, "avazu.csv.gz");
  writeFileSync(path, gzipSync(text));

  it("drops id, takes click as label, expands hour into hour, weekday, is_weekend", async () => {
    const { r, rows } = await readAll(readFileBytes(path), avazuOptions({ file: path }));
    const names = AVAZU_HEADER.split(",").slice(2);
    expect(r.fields.map((f) => f.name)).toEqual([...names, "weekday", "is_weekend"]);
    expect(r.fields.every((f) => f.type === "categorical")).toBe(true);
    expect(rows.map((x) => x.label)).toEqual([0, 1, 0]);
    const pick = (row: RawRow) => [row.values[0], row.values[22], row.values[23]];
    expect(rows.map(pick)).toEqual([["0", "2", "0"], ["23", "6", "1"], ["7", "0", "1"]]);
    expect(rows[0]!.values[1]).toBe(avazuRow("", "", "", 1).split(",")[3]);
    expect(r.stats.errors).toEqual([{ file: path, line: 5, column: 3, reason: 'hour = "14133100" is malformed' }]);
  });

  it("parses YYMMDDHH like Python's %w (0 = Sunday) and rejects impossible dates", () => {
    expect(parseAvazuHour("14102100")).toEqual({ year: 2014, month: 10, day: 21, hour: 0, weekday: 2 });
    expect(parseAvazuHour("14103023")?.weekday).toBe(4);
    expect(parseAvazuHour("14022900")).toBeUndefined();
    expect(parseAvazuHour("14102124")).toBeUndefined();
    expect(parseAvazuHour("1410210")).toBeUndefined();
  });
});

describe("generic delimited reader", () => {
  it("matches columns by header name, in file order, with otherColumns", async () => {
    const csv = "b,y,a,z\n1,0,x,q\n2,1,,w\n";
    const { r, rows } = await readAll([enc(csv)], {
      columns: [{ name: "y", type: "label" }, { name: "a", type: "categorical" }, { name: "b", type: "numeric" }],
      header: true, otherColumns: "skip",
    });
    expect(r.columns).toEqual(["b", "y", "a", "z"]);
    expect(r.fields.map((f) => f.name)).toEqual(["b", "a"]);
    expect(rows.map((x) => [x.label, ...x.values])).toEqual([[0, 1, "x"], [1, 2, null]]);
  });

  it("takes header names from the options when the file has no header line", async () => {
    const { rows } = await readAll([enc("x|1\n")], {
      columns: [{ name: "n", type: "numeric" }, { name: "c", type: "categorical" }], header: ["c", "n"], delimiter: "|",
    });
    expect(rows[0]!.values).toEqual(["x", 1]); // file order decides the field order
  });

  it("rejects bad schemas with a message naming the problem", async () => {
    const o = (extra: Partial<DelimitedOptions>): DelimitedOptions => ({ columns: [{ name: "a", type: "categorical" }], ...extra });
    await expect(openDelimited([enc("a,b\n")], o({ header: true }))).rejects.toThrow('header column 2 "b" is not in options.columns');
    await expect(openDelimited([enc("b\n")], o({ header: true, otherColumns: "categorical" }))).rejects.toThrow('column "a" is not in the header');
    await expect(openDelimited([enc("")], o({ header: true }))).rejects.toThrow("the file is empty, expected a header line");
    await expect(openDelimited([], { columns: [{ name: "a", type: "text" as "skip" }] })).rejects.toThrow('columns[0].type = "text" (a)');
    await expect(openDelimited([], { columns: [{ name: "a", type: "label" }, { name: "b", type: "label" }] })).rejects.toThrow("two label columns");
    await expect(openDelimited([], o({ derived: [{ name: "d", from: "nope", map: (c) => c }] }))).rejects.toThrow('column "nope"');
  });

  it("reads RFC 4180 quoted cells and reports an unterminated quote", async () => {
    const csv = 'id,text\n1,"a,b"\n2,"say ""hi"""\n3,plain\n4,"open\n5,""\n6,"x"y\n';
    const { r, rows } = await readAll([enc(csv)], { columns: [{ name: "id", type: "numeric" }, { name: "text", type: "categorical" }], header: true });
    expect(rows.map((x) => x.values)).toEqual([[1, "a,b"], [2, 'say "hi"'], [3, "plain"], [5, null]]);
    expect(r.stats.errors.map((e) => [e.line, e.reason])).toEqual([
      [5, "unterminated quoted cell in column 2"],
      [7, "text after the closing quote of column 2"],
    ]);
  });

  it("can be iterated only once", async () => {
    const r = await openDelimited([enc("a\n")], { columns: [{ name: "a", type: "categorical" }] });
    for await (const _ of r) void _;
    await expect((async () => { for await (const _ of r) void _; })()).rejects.toThrow("can be iterated only once");
  });
});

describe("parseNumber", () => {
  it("accepts decimal numbers only", () => {
    const ok: [string, number][] = [["0", 0], ["-2", -2], ["+5", 5], ["1.5", 1.5], ["1e3", 1000], [".5", 0.5], [" 7 ", 7], ["12345678901234567890", 12345678901234567890]];
    for (const [s, v] of ok) expect(parseNumber(s), s).toBe(v);
    for (const s of ["", "-", "0x10", "Infinity", "NaN", "1,5", "1e", "--1", "abc"]) expect(parseNumber(s), s).toBeNaN();
  });
});
