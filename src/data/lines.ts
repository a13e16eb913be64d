// Lines of text from byte chunks, in every runtime: a ReadableStream<Uint8Array> or any
// (async) iterable of Uint8Array is decoded as UTF-8 (a character split across chunks is joined,
// a leading BOM dropped) and cut at "\n"; a "\r" before it is dropped; the last line may lack a
// newline. Memory is bounded by one chunk plus the longest line (capped by maxLineLength).

/** Bytes to read: a WHATWG stream, a Node stream, or any (async) iterable of chunks. */
export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Options of the line readers. */
export interface LineOptions {
  /** The name used in error messages (default "<stream>"). */
  file?: string;
  /** A line longer than this many characters is an error (default 16 Mi). */
  maxLineLength?: number;
}

/** Consecutive lines, the first of which has the 1-based number `firstLine`. */
export interface LineBatch {
  lines: string[];
  firstLine: number;
}

/** One line and its 1-based number. */
export interface Line {
  text: string;
  line: number;
}

/** The default maxLineLength. */
export const DEFAULT_MAX_LINE = 16 * 1024 * 1024;

function isReadableStream(s: ByteSource): s is ReadableStream<Uint8Array> {
  return typeof (s as ReadableStream<Uint8Array>).getReader === "function";
}

/** The chunks of a source; a ReadableStream is read through its reader (not every runtime iterates it). */
export async function* chunksOf(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (!isReadableStream(source)) {
    yield* source;
    return;
  }
  const reader = source.getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** The next chunk; a failed read is an error naming the file and the last line read. */
export async function nextChunk(chunks: AsyncIterator<Uint8Array>, file: string, lineNo: number): Promise<IteratorResult<Uint8Array>> {
  try {
    return await chunks.next();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`${file}: read failed after line ${lineNo}: ${msg}`, { cause: e });
  }
}

/**
 * Reads `source` as lines, yielding them in batches (one batch per chunk that completes a line),
 * which costs one await per chunk rather than one per line.
 */
export async function* readLineBatches(source: ByteSource, options: LineOptions = {}): AsyncGenerator<LineBatch> {
  const file = options.file ?? "<stream>";
  const maxLen = options.maxLineLength ?? DEFAULT_MAX_LINE;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let carry = "";
  let lineNo = 0;
  const decode = (chunk?: Uint8Array): string => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw invalidUtf8(file, chunk, lineNo, carry.length === 0);
    }
  };
  const chunks = chunksOf(source);
  for (;;) {
    const next = await nextChunk(chunks, file, lineNo);
    if (next.done) break;
    const text = carry + decode(next.value);
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl < 0) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end - start > maxLen) throw lineTooLong(file, lineNo + lines.length + 1, maxLen);
      lines.push(text.slice(start, end));
      start = nl + 1;
    }
    carry = start === 0 ? text : text.slice(start);
    if (carry.length > maxLen) throw lineTooLong(file, lineNo + lines.length + 1, maxLen);
    if (lines.length > 0) {
      yield { lines, firstLine: lineNo + 1 };
      lineNo += lines.length;
    }
  }
  let tail = carry + decode();
  if (tail.length > 0) {
    if (tail.charCodeAt(tail.length - 1) === 13) tail = tail.slice(0, -1);
    if (tail.length > maxLen) throw lineTooLong(file, lineNo + 1, maxLen);
    yield { lines: [tail], firstLine: lineNo + 1 };
  }
}

/**
 * The error of invalid UTF-8 in `chunk` (undefined: the input ends inside a character), placed
 * after `linesBefore` complete lines; `carryEmpty`: no partial line precedes the chunk.
 */
export function invalidUtf8(file: string, chunk: Uint8Array | undefined, linesBefore: number, carryEmpty: boolean): Error {
  const at = chunk ? firstInvalidByte(chunk) : 0;
  // lines before this chunk, plus the newlines of the chunk before the bad byte
  let line = linesBefore + 1, start = 0;
  for (let i = 0; i < at; i++) {
    if (chunk![i] === 10) {
      line++;
      start = i + 1;
    }
  }
  const where = chunk ? ` (byte 0x${chunk[at]?.toString(16).padStart(2, "0") ?? "??"}${start > 0 || carryEmpty ? `, byte ${at - start + 1} of the line` : ""})` : " (the file ends inside a character)";
  return new Error(`${file}:${line}: invalid UTF-8${where}: is it a text file in UTF-8?`);
}

/** Offset of the first byte of `chunk` where strict UTF-8 decoding fails (binary search on prefixes). */
function firstInvalidByte(chunk: Uint8Array): number {
  const ok = (k: number) => {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(chunk.subarray(0, k), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let lo = 0, hi = chunk.length; // ok(lo) holds, the whole chunk fails
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The error of a line longer than maxLineLength characters. */
export function lineTooLong(file: string, line: number, max: number): Error {
  return new RangeError(`${file}:${line}: line longer than maxLineLength = ${max} characters (wrong delimiter or not a text file?)`);
}

/** Reads `source` line by line, with 1-based line numbers. */
export async function* readLines(source: ByteSource, options: LineOptions = {}): AsyncGenerator<Line> {
  for await (const b of readLineBatches(source, options)) {
    for (let i = 0; i < b.lines.length; i++) yield { text: b.lines[i]!, line: b.firstLine + i };
  }
}
