import { describe, expect, it } from "vitest";
import { readLineBatches, readLines, type ByteSource } from "../../src/data/lines.js";
import { asyncChunks, chunks } from "./fixtures.js";

async function collect(source: ByteSource, maxLineLength?: number) {
  const out: [number, string][] = [];
  for await (const l of readLines(source, { file: "t.txt", maxLineLength })) out.push([l.line, l.text]);
  return out;
}

const enc = (s: string) => new TextEncoder().encode(s);

describe("readLines", () => {
  it("splits on \\n and \\r\\n, keeps empty lines, reads a last line without newline", async () => {
    expect(await collect([enc("a\nb\r\n\nc")])).toEqual([[1, "a"], [2, "b"], [3, ""], [4, "c"]]);
    expect(await collect([enc("a\n")])).toEqual([[1, "a"]]);
    expect(await collect([enc("a\r")])).toEqual([[1, "a"]]);
    expect(await collect([enc("")])).toEqual([]);
    expect(await collect([])).toEqual([]);
  });

  it("gives the same lines for every chunking, with multi-byte UTF-8 and CRLF split across chunks", async () => {
    const text = "\uFEFFhé\tllo\r\n€uro 🎉\n\nlast ü";
    const bytes = enc(text);
    const expected = [[1, "hé\tllo"], [2, "€uro 🎉"], [3, ""], [4, "last ü"]];
    expect(await collect([bytes])).toEqual(expected);
    expect(await collect(chunks(bytes, { every: 1 }))).toEqual(expected);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await collect(asyncChunks(chunks(bytes, [cut]))), `cut at ${cut}`).toEqual(expected);
      expect(await collect(chunks(bytes, [cut, cut + 2, cut + 5])), `cuts at ${cut}`).toEqual(expected);
    }
  });

  it("reads a WHATWG ReadableStream and numbers lines across batches", async () => {
    const parts = chunks(enc("1\n2\n3\n4\n5"), { every: 3 });
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(p);
        c.close();
      },
    });
    const batches = [];
    for await (const b of readLineBatches(stream)) batches.push(b);
    expect(batches.flatMap((b) => b.lines.map((t, i) => `${b.firstLine + i}:${t}`))).toEqual(["1:1", "2:2", "3:3", "4:4", "5:5"]);
  });

  it("reports invalid UTF-8, over-long lines and read errors with the file name", async () => {
    await expect(collect([enc("ok\n"), new Uint8Array([0x61, 0xff, 0x0a])])).rejects.toThrow(/^t\.txt:2: invalid UTF-8/);
    await expect(collect([enc("abc\nabcdefgh\n")], 5)).rejects.toThrow(/t\.txt:2: line longer than maxLineLength = 5/);
    await expect(collect([enc("abcdefgh")], 5)).rejects.toThrow(/t\.txt:1: line longer/);
    async function* failing() {
      yield enc("a\n");
      throw new Error("disk on fire");
    }
    await expect(collect(failing())).rejects.toThrow("t.txt: read failed after line 1: disk on fire");
  });
});
