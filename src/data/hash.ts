// Small stable hashes for the data layer: a 64-bit fingerprint of a string (FeatureMap identity
// in cache headers) and a 32-bit checksum of 32-bit words (cache payload integrity). Both are
// FNV-1a style (xor, then multiply by an odd constant: every step is a bijection, so any single
// changed word changes the result) finished with mix32.
import { mix32 } from "../util/rng.js";

/** A 64-bit fingerprint of `s` as 16 hex digits (two independent 32-bit FNV-1a lanes). */
export function fingerprint(s: string): string {
  let a = 0x811c9dc5, b = 0x9e3779b9;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  const hex = (x: number) => x.toString(16).padStart(8, "0");
  return hex(mix32((a ^ s.length) >>> 0)) + hex(mix32((b + s.length) >>> 0));
}

/** The initial value of checksumWords. */
export const CHECKSUM_INIT = 0x811c9dc5;

/** Continues the 32-bit checksum `h` over `words` (start with CHECKSUM_INIT); returns u32. */
export function checksumWords(words: Uint32Array, h = CHECKSUM_INIT): number {
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  return h >>> 0;
}
