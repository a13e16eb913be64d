// Dense slots for the distinct values of a field, in first-seen order, kept in typed arrays rather
// than a Map of strings: ByteSlots for byte strings (categorical cells hashed straight from the
// input bytes) and NumberSlots for numeric tokens (small integers by direct index). A distinct
// byte string costs its bytes (in an arena) + 4 (its offset) + 23–46 bytes of hash table (16-byte
// entries at a load of 0.35–0.7): 35–58 bytes for a Criteo value of 8 hex digits. A slot's token
// is decoded to the string or number the FeatureMap keys on only once, when the vocabulary is built.
// A frozen dictionary (an encoding pass over values fitted before) adds nothing: an unknown value
// gets the slot UNKNOWN_SLOT, which the encoder maps to OOV.

/** The slot a frozen dictionary gives an unknown value (above any real slot). */
export const UNKNOWN_SLOT = 0x3fffffff;

/** FNV-1a of bytes[s, e), finished by a multiply so that its high bits index a table. */
export function hashBytes(bytes: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = s; i < e; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
}

const utf8 = new TextDecoder("utf-8");
const utf8Encoder = new TextEncoder();
/** Where slotOf encodes a string (any UTF-16 code unit takes at most 3 UTF-8 bytes). */
let scratch = new Uint8Array(64);

/** The text of valid UTF-8 bytes[s, e). */
export function decodeBytes(bytes: Uint8Array, s: number, e: number): string {
  if (e - s <= 24) {
    let t = "";
    for (let i = s; i < e; i++) {
      const b = bytes[i]!;
      if (b >= 0x80) return utf8.decode(bytes.subarray(s, e));
      t += String.fromCharCode(b);
    }
    return t;
  }
  return utf8.decode(bytes.subarray(s, e));
}

/** The index hash of a short value (≤ 8 bytes, packed little-endian into w0, w1). */
function shortHash(w0: number, w1: number, len: number): number {
  let h = Math.imul(w0 ^ Math.imul(w1 ^ len, 0x85ebca6b), 0x9e3779b1);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d);
}

/**
 * Distinct byte strings → slots 0, 1, …, by linear probing. An entry of the table is 4 i32 —
 * slot + 1, length, and the value itself packed into two words when it is at most 8 bytes long
 * (a Criteo hash, most Avazu ids) — so a lookup touches one cache line; a longer value keeps its
 * FNV-1a hash there and is compared in the arena.
 */
export class ByteSlots {
  size = 0;
  /** When true, unknown values get UNKNOWN_SLOT instead of a new slot. */
  frozen = false;
  private table = new Int32Array(4 * 1024); // [slot + 1 (0 = empty), length, w0, w1]
  private shift = 32 - 10;
  private offsets = new Int32Array(512);
  private arena = new Uint8Array(4096);
  private used = 0;

  /** The slot of bytes[s, e), added if new. */
  slot(bytes: Uint8Array, s: number, e: number): number {
    const table = this.table, mask = (table.length >> 2) - 1, len = e - s;
    let w0 = 0, w1 = 0, h: number;
    if (len === 8) {
      w0 = bytes[s]! | (bytes[s + 1]! << 8) | (bytes[s + 2]! << 16) | (bytes[s + 3]! << 24);
      w1 = bytes[s + 4]! | (bytes[s + 5]! << 8) | (bytes[s + 6]! << 16) | (bytes[s + 7]! << 24);
      h = shortHash(w0, w1, 8);
    } else if (len < 8) {
      const m = len < 4 ? len : 4;
      for (let j = 0; j < m; j++) w0 |= bytes[s + j]! << (8 * j);
      for (let j = 4; j < len; j++) w1 |= bytes[s + j]! << (8 * (j - 4));
      h = shortHash(w0, w1, len);
    } else {
      w0 = h = hashBytes(bytes, s, e);
    }
    let i = h >>> this.shift;
    for (;;) {
      const at = i << 2;
      const k = table[at]!;
      if (k === 0) break;
      if (table[at + 1] === len && table[at + 2] === w0 && table[at + 3] === w1) {
        if (len <= 8) return k - 1;
        const a = this.arena, o = this.offsets[k - 1]!;
        let j = 0;
        while (j < len && a[o + j] === bytes[s + j]) j++;
        if (j === len) return k - 1;
      }
      i = (i + 1) & mask;
    }
    if (this.frozen) return UNKNOWN_SLOT;
    return this.add(bytes, s, e, i << 2, w0, w1);
  }

  /** The slot of the string `t` (encoded as UTF-8), added if new. */
  slotOf(t: string): number {
    if (scratch.length < 3 * t.length) scratch = new Uint8Array(Math.max(64, 3 * t.length));
    const { written } = utf8Encoder.encodeInto(t, scratch);
    return this.slot(scratch, 0, written);
  }

  private add(bytes: Uint8Array, s: number, e: number, at: number, w0: number, w1: number): number {
    const slot = this.size++;
    if (slot === this.offsets.length) {
      const o = new Int32Array(slot * 2);
      o.set(this.offsets);
      this.offsets = o;
    }
    const len = e - s;
    if (this.used + len > this.arena.length) {
      const a = new Uint8Array(Math.max(this.arena.length * 2, this.used + len));
      a.set(this.arena.subarray(0, this.used));
      this.arena = a;
    }
    const a = this.arena, o = this.used;
    for (let j = 0; j < len; j++) a[o + j] = bytes[s + j]!;
    this.offsets[slot] = this.used;
    this.used += len;
    const t = this.table;
    t[at] = slot + 1;
    t[at + 1] = len;
    t[at + 2] = w0;
    t[at + 3] = w1;
    if (this.size * 10 > (t.length >> 2) * 7) this.rehash(); // load ≤ 0.7
    return slot;
  }

  private rehash(): void {
    const old = this.table, table = new Int32Array(old.length * 2), mask = (table.length >> 2) - 1;
    this.shift--;
    for (let at = 0; at < old.length; at += 4) {
      if (old[at] === 0) continue;
      const len = old[at + 1]!, w0 = old[at + 2]!, w1 = old[at + 3]!;
      let i = (len <= 8 ? shortHash(w0, w1, len) : w0) >>> this.shift;
      while (table[i << 2] !== 0) i = (i + 1) & mask;
      table.set(old.subarray(at, at + 4), i << 2);
    }
    this.table = table;
  }

  /** The string of a slot. */
  token(slot: number): string {
    const o = this.offsets[slot]!;
    const end = slot + 1 < this.size ? this.offsets[slot + 1]! : this.used;
    return decodeBytes(this.arena, o, end);
  }

  /** Bytes held (arrays and arena, capacity included). */
  get bytes(): number {
    return this.table.byteLength + this.offsets.byteLength + this.arena.byteLength;
  }
}

const SMALL = 4096;

/** Distinct numbers → slots 0, 1, … (integers in [−4096, 4096) by direct index, others by a Map). */
export class NumberSlots {
  size = 0;
  /** When true, unknown numbers get UNKNOWN_SLOT instead of a new slot. */
  frozen = false;
  private readonly small = new Int32Array(2 * SMALL); // slot + 1
  private readonly other = new Map<number, number>();
  private tokens: number[] = [];

  /** The slot of the number `t` (−0 and 0 share one, as in a Map), added if new. */
  slot(t: number): number {
    if ((t | 0) === t && t >= -SMALL && t < SMALL) {
      const k = this.small[t + SMALL]!;
      if (k !== 0) return k - 1;
      if (this.frozen) return UNKNOWN_SLOT;
      this.small[t + SMALL] = this.size + 1;
    } else {
      const k = this.other.get(t);
      if (k !== undefined) return k;
      if (this.frozen) return UNKNOWN_SLOT;
      this.other.set(t, this.size);
    }
    this.tokens.push(t);
    return this.size++;
  }

  /** The number of a slot (the first one seen: 0 or −0). */
  token(slot: number): number {
    return this.tokens[slot]!;
  }

  /** Bytes held (about). */
  get bytes(): number {
    return this.small.byteLength + this.tokens.length * 8 + this.other.size * 40;
  }
}
