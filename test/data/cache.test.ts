import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CACHE_MAGIC, cacheLayout, decodeCache, encodeCache } from "../../src/data/cache.js";
import { readCacheFile, writeCacheFile } from "../../src/data/cache-file.js";
import { createDataset } from "../../src/data/dataset.js";
import { smallSynthetic, tempDir } from "./fixtures.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
const ds = smallSynthetic().generate(0, 257);
const HASH = "0123456789abcdef";

describe("dataset cache", () => {
  it("round-trips bytes with the documented layout", () => {
    const bytes = encodeCache(ds, HASH);
    expect(Array.from(bytes.subarray(0, 8))).toEqual(Array.from(CACHE_MAGIC));
    expect(new TextDecoder().decode(bytes.subarray(0, 7))).toBe("ALPTDS1");
    const H = new DataView(bytes.buffer).getUint32(8, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + H)));
    expect(header).toMatchObject({ version: 1, n: 257, fields: 39, featureMapHash: HASH });
    expect(header.fieldNames.slice(0, 2)).toEqual(["I1", "I2"]);
    const L = cacheLayout(H, 257, 39);
    expect(L.idsOffset % 16).toBe(0);
    expect(L.labelsOffset % 16).toBe(0);
    expect(bytes.length).toBe(L.byteLength);
    expect(new DataView(bytes.buffer).getInt32(L.idsOffset + 4 * 5, true)).toBe(ds.ids[5]);
    expect(new DataView(bytes.buffer).getFloat32(L.labelsOffset + 4 * 7, true)).toBe(ds.labels[7]);
    const back = decodeCache(bytes, { featureMapHash: HASH });
    expect(back.n).toBe(257);
    expect(back.ids).toEqual(ds.ids);
    expect(back.labels).toEqual(ds.labels);
    expect(back.fieldNames).toEqual(ds.fieldNames);
    const copy = decodeCache(bytes.slice(), { copy: true });
    expect(copy.ids.buffer).not.toBe(bytes.buffer);
    const empty = decodeCache(encodeCache(createDataset(new Int32Array(0), new Float32Array(0), 3)));
    expect(empty.n).toBe(0);
    // An unaligned buffer is copied rather than viewed.
    const shifted = new Uint8Array(bytes.length + 1).fill(0);
    shifted.set(bytes, 1);
    expect(decodeCache(shifted.subarray(1)).ids).toEqual(ds.ids);
  });

  it("writes files atomically and reads them back", async () => {
    const path = join(tmp.dir, "train.alptds");
    await writeCacheFile(path, ds, HASH);
    await writeCacheFile(path, ds, HASH); // replaces
    expect(readdirSync(tmp.dir).filter((f) => f.includes(".tmp"))).toEqual([]);
    const back = await readCacheFile(path, { featureMapHash: HASH });
    expect(back.ids).toEqual(ds.ids);
    expect(back.header.featureMapHash).toBe(HASH);
    await expect(readCacheFile(path, { featureMapHash: "ffffffffffffffff" })).rejects.toThrow(`${path}: built with FeatureMap ${HASH}, expected ffffffffffffffff`);
    await expect(writeCacheFile(join(tmp.dir, "no", "such", "dir.alptds"), ds)).rejects.toThrow(/cannot write .*dir\.alptds: .*\(the previous file, if any, is unchanged\)/);
  });

  it("gives a clear error for truncated, corrupted or foreign files", async () => {
    const bytes = encodeCache(ds, HASH);
    const cases: [string, Uint8Array, RegExp][] = [
      ["tiny", bytes.slice(0, 5), /truncated \(5 bytes, shorter than the 12-byte preamble\)/],
      ["half", bytes.slice(0, bytes.length >> 1), /truncated \(\d+ bytes, expected \d+ for n = 257, F = 39\)/],
      ["header cut", bytes.slice(0, 30), /truncated \(header of \d+ bytes, file of 30\)/],
      ["trailing", new Uint8Array([...bytes, 0, 0, 0, 0]), /4 unexpected bytes after the labels/],
      ["magic", new Uint8Array([0x50, 0x4b, ...bytes.slice(2)]), /not an alpt dataset cache/],
    ];
    const flip = bytes.slice();
    flip[flip.length - 4 * 100] ^= 0x10;
    cases.push(["bit flip", flip, /checksum mismatch .*: the data is corrupted/]);
    const json = bytes.slice();
    json[12] = 0x78; // "x" instead of "{": not JSON
    cases.push(["json", json, /corrupted header/]);
    const v2 = new TextEncoder().encode(new TextDecoder().decode(bytes.subarray(12, 40)).replace('"version":1', '"version":7'));
    const ver = bytes.slice();
    ver.set(v2, 12);
    cases.push(["version", ver, /version 7 is not supported \(this build reads 1 and 2\)/]);
    for (const [name, b, re] of cases) expect(() => decodeCache(b, { what: "x.alptds" }), name).toThrow(re);
    const path = join(tmp.dir, "cut.alptds");
    writeFileSync(path, bytes.slice(0, 1000));
    await expect(readCacheFile(path)).rejects.toThrow(`${path}: truncated`);
    expect(readFileSync(path).length).toBe(1000);
  });
});
