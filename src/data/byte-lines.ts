// Lines as byte ranges, the byte twin of readLineBatches (lines.ts): the same cuts ("\n", a "\r"
// before it dropped, a leading BOM dropped, the last line may lack a newline), the same errors at
// the same lines (invalid UTF-8, a line longer than maxLineLength characters, a failed read), but
// no text is decoded: a chunk of ASCII bytes (4 bytes per test) is only checked, and the strict
// UTF-8 decoder sees only the chunks that hold other bytes (and the chunk after each).
import { DEFAULT_MAX_LINE, chunksOf, invalidUtf8, lineTooLong, nextChunk, type ByteSource, type LineOptions } from "./lines.js";

/** Consecutive lines: line k is bytes[starts[k], ends[k]) and has the number firstLine + k. */
export interface ByteLineBatch {
  bytes: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  count: number;
  firstLine: number;
}

/** True when every byte of `b` is below 0x80. */
export function isAscii(b: Uint8Array): boolean {
  const n = b.length;
  let i = 0;
  while (i < n && ((b.byteOffset + i) & 3) !== 0) if (b[i++]! >= 0x80) return false;
  const words = (n - i) >> 2;
  if (words > 0) {
    const w = new Uint32Array(b.buffer, b.byteOffset + i, words);
    let acc = 0;
    for (let k = 0; k < words; k++) acc |= w[k]!;
    if ((acc & 0x80808080) !== 0) return false;
    i += words * 4;
  }
  for (; i < n; i++) if (b[i]! >= 0x80) return false;
  return true;
}

/** The length in UTF-16 code units of the valid UTF-8 in bytes[s, e) (what String.length says). */
export function utf16Length(bytes: Uint8Array, s: number, e: number): number {
  let n = 0;
  for (let i = s; i < e; i++) {
    const b = bytes[i]!;
    if ((b & 0xc0) !== 0x80) n += b >= 0xf0 ? 2 : 1;
  }
  return n;
}

const BOM = [0xef, 0xbb, 0xbf];

/** Reads `source` as byte lines, one batch per chunk that completes a line. */
export async function* readByteLineBatches(source: ByteSource, options: LineOptions = {}): AsyncGenerator<ByteLineBatch> {
  const file = options.file ?? "<stream>";
  const maxLen = options.maxLineLength ?? DEFAULT_MAX_LINE;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let feeding = false; // the decoder saw the last chunk and may hold part of a character
  let carry = new Uint8Array(0);
  let lineNo = 0;
  let atStart = true; // a BOM may still be (partly) in carry
  let starts = new Int32Array(1024), ends = new Int32Array(1024);
  const tooLong = (b: Uint8Array, s: number, e: number) => e - s > maxLen && utf16Length(b, s, e) > maxLen;
  const chunks = chunksOf(source);
  for (;;) {
    const next = await nextChunk(chunks, file, lineNo);
    if (next.done) break;
    const chunk = next.value;
    if (chunk.length === 0) continue;
    const ascii = isAscii(chunk);
    if (!ascii || feeding) {
      try {
        decoder.decode(chunk, { stream: true });
      } catch {
        throw invalidUtf8(file, chunk, lineNo, carry.length === 0);
      }
      feeding = !ascii;
    }
    let bytes: Uint8Array;
    if (carry.length === 0) bytes = chunk;
    else {
      bytes = new Uint8Array(carry.length + chunk.length);
      bytes.set(carry);
      bytes.set(chunk, carry.length);
    }
    let start = 0;
    if (atStart) {
      let k = 0;
      while (k < 3 && k < bytes.length && bytes[k] === BOM[k]) k++;
      if (k === 3) start = 3;
      if (k === 3 || k < bytes.length) atStart = false;
    }
    let count = 0;
    let pos = carry.length;
    for (;;) {
      const nl = bytes.indexOf(10, pos);
      if (nl < 0) break;
      const end = nl > start && bytes[nl - 1] === 13 ? nl - 1 : nl;
      if (tooLong(bytes, start, end)) throw lineTooLong(file, lineNo + count + 1, maxLen);
      if (count === starts.length) {
        const s2 = new Int32Array(count * 2), e2 = new Int32Array(count * 2);
        s2.set(starts);
        e2.set(ends);
        starts = s2;
        ends = e2;
      }
      starts[count] = start;
      ends[count] = end;
      count++;
      start = pos = nl + 1;
    }
    carry = bytes.slice(start);
    if (!atStart && tooLong(carry, 0, carry.length)) throw lineTooLong(file, lineNo + count + 1, maxLen);
    if (count > 0) {
      yield { bytes, starts, ends, count, firstLine: lineNo + 1 };
      lineNo += count;
    }
  }
  if (feeding) {
    try {
      decoder.decode();
    } catch {
      throw invalidUtf8(file, undefined, lineNo, carry.length === 0);
    }
  }
  let end = carry.length;
  const start = atStart && end >= 3 && carry[0] === 0xef && carry[1] === 0xbb && carry[2] === 0xbf ? 3 : 0;
  if (end > start) {
    if (carry[end - 1] === 13) end--;
    if (tooLong(carry, start, end)) throw lineTooLong(file, lineNo + 1, maxLen);
    yield { bytes: carry, starts: Int32Array.of(start), ends: Int32Array.of(end), count: 1, firstLine: lineNo + 1 };
  }
}

/**
 * The number of lines of `source` (newlines, plus one for a last line without one): an upper
 * bound of its rows, to size arrays once. undefined when the source cannot be read to its end
 * (the pass that parses it then reports why, at its line).
 */
export async function countLines(source: ByteSource): Promise<number | undefined> {
  let lines = 0, last = 10;
  try {
    for await (const chunk of chunksOf(source)) {
      if (chunk.length === 0) continue;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
      last = chunk[chunk.length - 1]!;
    }
  } catch {
    return undefined;
  }
  return lines + (last === 10 ? 0 : 1);
}
