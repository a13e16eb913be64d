// The generic table readers (data/formats): CSV/TSV with and without a header, RFC 4180 quoting,
// JSON lines, libsvm and field-aware libFM; gzip through readFileBytes; chunk boundaries; columns
// by name or index; malformed rows as file:line:column (skipped and counted, or thrown under strict).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { openTable, type TableOptions, type TableRow } from "../../src/data/formats/table.js";
import type { ByteSource } from "../../src/data/lines.js";
import { readFileBytes } from "../../src/data/source.js";
import { chunks, tempDir } from "./fixtures.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
const enc = (s: string) => new TextEncoder().encode(s);

async function read(source: ByteSource, o: TableOptions) {
  const r = await openTable(source, o);
  const rows: TableRow[] = [];
  for await (const b of r.rowBatches()) rows.push(...b);
  return { r, rows, cells: rows.map((x) => x.cells) };
}

describe("csv", () => {
  const text = 'click,user,title,tags\n1,u1,"Hello, world",a|b\n0,u2,"say ""hi""",\n\n1,,plain,c\n';
  it("reads a header, quoted cells (delimiters and doubled quotes inside), empty cells as missing, columns by name or index", async () => {
    const { r, rows, cells } = await read([enc(text)], { format: "csv", file: "t.csv", want: ["click", "title", 3, "user"] });
    expect(r.columns).toEqual(["click", "user", "title", "tags"]);
    expect(cells).toEqual([["1", "Hello, world", "a|b", "u1"], ["0", 'say "hi"', null, "u2"], ["1", "plain", "c", null]]);
    expect(rows.map((x) => x.line)).toEqual([2, 3, 5]);
    expect(rows[0]!.columns).toEqual([1, 3, 4, 2]);
    expect(r.stats).toMatchObject({ rows: 3, blank: 1, skipped: 0 });
  });

  it("reads the same across any chunking, and gzip files", async () => {
    const want = (await read([enc(text)], { format: "csv", want: [0, 1, 2, 3] })).cells;
    for (const every of [1, 3, 7]) expect((await read(chunks(enc(text), { every }), { format: "csv", want: [0, 1, 2, 3] })).cells).toEqual(want);
    const gz = join(tmp.dir, "t.csv.gz");
    writeFileSync(gz, gzipSync(text));
    expect((await read(readFileBytes(gz), { format: "csv", file: gz, want: [0, 1, 2, 3] })).cells).toEqual(want);
  });

  it("reads TSV and other delimiters without a header (columns by index, or named by the options)", async () => {
    const tsv = "1\ta\t3.5\n0\tb\t\n";
    expect((await read([enc(tsv)], { format: "csv", delimiter: "\t", header: false, want: [2, 0] })).cells).toEqual([["3.5", "1"], [null, "0"]]);
    expect((await read([enc(tsv)], { format: "csv", delimiter: "\t", header: false, columns: ["y", "k", "v"], want: ["v"] })).cells).toEqual([["3.5"], [null]]);
    await expect(read([enc(tsv)], { format: "csv", delimiter: "\t", header: false, want: ["v"] })).rejects.toThrow(/column "v" is named, but the file has no header/);
    expect((await read([enc("a;b\n1;2\n")], { format: "csv", delimiter: ";", want: ["b"] })).cells).toEqual([["2"]]);
  });

  it("reports malformed rows with file:line:column, skips them, or throws under strict", async () => {
    const bad = 'a,b,c\n1,2,3\n1,2\n1,"x,3\n1,"y"z,3\n4,5,6\n';
    const { r, cells } = await read([enc(bad)], { format: "csv", file: "bad.csv", want: ["a", "c"] });
    expect(cells).toEqual([["1", "3"], ["4", "6"]]);
    expect(r.stats.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.reason}`)).toEqual([
      "bad.csv:3:3: expected 3 columns, got 2", "bad.csv:4:0: unterminated quoted cell in column 2", "bad.csv:5:0: text after the closing quote of column 2",
    ]);
    await expect(read([enc(bad)], { format: "csv", file: "bad.csv", want: ["a"], strict: true })).rejects.toThrow("bad.csv:3:3: expected 3 columns, got 2");
    await expect(read([enc(bad)], { format: "csv", file: "bad.csv", want: ["zz"] })).rejects.toThrow(/bad.csv: there is no column "zz"/);
  });
});

describe("JSON lines", () => {
  it("reads objects: strings, numbers, booleans, null/absent as missing, arrays as multi-valued cells", async () => {
    const text = '{"y":1,"user":"u1","price":3.5,"tags":["a","b"],"ok":true}\n\n{"y":0,"user":null,"tags":[]}\n';
    const { cells, r } = await read([enc(text)], { format: "jsonl", want: ["y", "user", "price", "tags", "ok", 1] });
    expect(cells).toEqual([["1", "u1", "3.5", ["a", "b"], "true", "u1"], ["0", null, null, [], null, null]]);
    expect(r.stats).toMatchObject({ rows: 2, blank: 1 });
  });

  it("reports bad JSON at its line and column, and nested objects", async () => {
    const text = '{"y":1}\n{"y":1,,}\n[1]\n{"y":{"a":1}}\n';
    const { r } = await read([enc(text)], { format: "jsonl", file: "d.jsonl", want: ["y"] });
    expect(r.stats.errors.map((e) => `${e.line}:${e.column}: ${e.reason}`)).toEqual([
      expect.stringMatching(/^2:8: /), "3:1: expected a JSON object (one per line)", expect.stringMatching(/^4:0: "y": a nested object/),
    ]);
    await expect(read([enc(text)], { format: "jsonl", file: "d.jsonl", want: ["y"], strict: true })).rejects.toThrow(/^d.jsonl:2:8: /);
  });
});

describe("libsvm / libFM", () => {
  it("reads positional index:value rows (Frappe-style): column 0 the label, column k the k-th pair's index", async () => {
    const text = "1 0:1 12:1 40:1\n-1 3:1 15:1 41:1\n";
    const { cells } = await read([enc(text)], { format: "libsvm", want: [0, 1, 3] });
    expect(cells).toEqual([["1", "0", "40"], ["-1", "3", "41"]]);
    const named = await read([enc(text)], { format: "libsvm", columns: ["label", "user", "item", "ctx"], want: ["item", "label"] });
    expect(named.cells).toEqual([["12", "1"], ["15", "-1"]]);
  });

  it("reads field-aware field:index:value rows: missing fields, several values of one field, value 0 as absent", async () => {
    const text = "1 0:5:1 1:7:1 2:9:1 2:10:1\n0 0:6:1\t1:7:0\n";
    const { cells } = await read([enc(text)], { format: "libsvm", want: [0, "0", "1", "2"] });
    expect(cells).toEqual([["1", "5", "7", ["9", "10"]], ["0", "6", null, null]]);
  });

  it("reports malformed items at their position", async () => {
    const text = "1 0:1 2:1\n1 0:1 x\n1 0:1\n1 0:1 3:zz\n";
    const { r, cells } = await read([enc(text)], { format: "libsvm", file: "f.libfm", want: [0, 1, 2] });
    expect(cells).toEqual([["1", "0", "2"]]);
    expect(r.stats.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.reason}`)).toEqual([
      'f.libfm:2:3: item "x" is not index:value', "f.libfm:3:3: expected 2 index:value pairs, got 1", 'f.libfm:4:3: value "zz" is not a number',
    ]);
  });
});
