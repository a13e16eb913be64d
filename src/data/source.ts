// Node only: a file as a stream of byte chunks, gunzipped when it is gzip data (checked by its
// magic bytes 1f 8b; a name ending in .gz must hold gzip data). Feed the result to
// readLineBatches / openDelimited, which are runtime-agnostic.
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { pipeline } from "node:stream";
import { createGunzip } from "node:zlib";

/** Options of readFileBytes. */
export interface FileBytesOptions {
  /** "auto" (default): gunzip when the file starts with the gzip magic bytes. */
  gzip?: boolean | "auto";
  /** Size of the chunks read from disk (default 256 KiB). */
  chunkSize?: number;
}

/** True when the first bytes of `path` are the gzip magic 1f 8b. */
export async function isGzipFile(path: string): Promise<boolean> {
  const fh = await open(path, "r");
  try {
    const b = new Uint8Array(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * The bytes of the file at `path`, chunk by chunk (bounded memory), gunzipped if needed.
 * Concatenated gzip members are read as one stream. Errors name the path.
 */
export async function* readFileBytes(path: string, options: FileBytesOptions = {}): AsyncGenerator<Uint8Array> {
  const { gzip = "auto", chunkSize = 256 * 1024 } = options;
  let gz = gzip === true;
  if (gzip === "auto") {
    gz = await isGzipFile(path);
    if (!gz && path.endsWith(".gz")) throw new Error(`${path}: the name ends in .gz but the file is not gzip data`);
  }
  const raw = createReadStream(path, { highWaterMark: chunkSize });
  if (!gz) {
    for await (const chunk of raw as AsyncIterable<Uint8Array>) yield chunk;
    return;
  }
  const unzip = createGunzip({ chunkSize });
  // pipeline forwards a read error of the file into the gunzip stream and destroys both.
  pipeline(raw, unzip, () => undefined);
  try {
    for await (const chunk of unzip as AsyncIterable<Uint8Array>) yield chunk;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`${path}: gunzip failed: ${msg}`, { cause: e });
  }
}
