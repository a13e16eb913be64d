// Dense slots for the distinct values of a field, in first-seen order, kept in typed arrays rather
// than a Map of strings: ByteSlots for byte strings (categorical cells hashed straight from the
// input bytes; one slot costs 16 bytes of metadata + its bytes + 4–8 bytes of hash table) and
// NumberSlots for numeric tokens (small integers by direct index). A slot's token is decoded to
// the string or number the FeatureMap keys on only once, when the vocabulary is built.

/** FNV-1a offset basis: start of a byte hash (h = Math.imul(h ^ byte, FNV_PRIME) per byte). */
export const FNV_BASIS = 0x811c9dc5 | 0;
/** FNV-1a prime. */
export const FNV_PRIME = 0x01000193;

/** FNV-1a of bytes[s, e). */
export function hashBytes(bytes: Uint8Array, s: number, e: number): number {
  let h = FNV_BASIS;
  for (let i = s; i < e; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return h;
}

const utf8 = new TextDecoder("utf-8");

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

/** Distinct byte strings → slots 0, 1, … (open addressing on their FNV-1a hash). */
export class ByteSlots {
  size = 0;
  private table = new Int32Array(1024); // slot + 1, 0 = empty
  private shift = 32 - 10;
  private hashes = new Int32Array(512);
  private offsets = new Int32Array(512);
  private lengths = new Int32Array(512);
  private arena = new Uint8Array(4096);
  private used = 0;

  /** The slot of bytes[s, e) whose hashBytes is `h`, added if new. */
  slot(bytes: Uint8Array, s: number, e: number, h: number): number {
    const table = this.table, mask = table.length - 1, len = e - s;
    let i = Math.imul(h, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = table[i]!;
      if (k === 0) break;
      const slot = k - 1;
      if (this.hashes[slot] === h && this.lengths[slot] === len) {
        const a = this.arena, o = this.offsets[slot]!;
        let j = 0;
        while (j < len && a[o + j] === bytes[s + j]) j++;
        if (j === len) return slot;
      }
      i = (i + 1) & mask;
    }
    return this.add(bytes, s, e, h, i);
  }

  /** The slot of the string `t` (encoded as UTF-8), added if new. */
  slotOf(t: string): number {
    const b = new TextEncoder().encode(t);
    return this.slot(b, 0, b.length, hashBytes(b, 0, b.length));
  }

  private add(bytes: Uint8Array, s: number, e: number, h: number, at: number): number {
    const slot = this.size++;
    if (slot === this.hashes.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.hashes = grow(this.hashes);
      this.offsets = grow(this.offsets);
      this.lengths = grow(this.lengths);
    }
    const len = e - s;
    if (this.used + len > this.arena.length) {
      const a = new Uint8Array(Math.max(this.arena.length * 2, this.used + len));
      a.set(this.arena.subarray(0, this.used));
      this.arena = a;
    }
    this.arena.set(bytes.subarray(s, e), this.used);
    this.hashes[slot] = h;
    this.offsets[slot] = this.used;
    this.lengths[slot] = len;
    this.used += len;
    this.table[at] = slot + 1;
    if (this.size * 2 > this.table.length) this.rehash();
    return slot;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2), mask = table.length - 1;
    this.shift--;
    for (let slot = 0; slot < this.size; slot++) {
      let i = Math.imul(this.hashes[slot]!, 0x9e3779b1) >>> this.shift;
      while (table[i] !== 0) i = (i + 1) & mask;
      table[i] = slot + 1;
    }
    this.table = table;
  }

  /** The string of a slot. */
  token(slot: number): string {
    const o = this.offsets[slot]!;
    return decodeBytes(this.arena, o, o + this.lengths[slot]!);
  }

  /** Bytes held (arrays and arena, capacity included). */
  get bytes(): number {
    return this.table.byteLength + this.hashes.byteLength * 3 + this.arena.byteLength;
  }
}

const SMALL = 4096;

/** Distinct numbers → slots 0, 1, … (integers in [−4096, 4096) by direct index, others by a Map). */
export class NumberSlots {
  size = 0;
  private readonly small = new Int32Array(2 * SMALL); // slot + 1
  private readonly other = new Map<number, number>();
  private tokens: number[] = [];

  /** The slot of the number `t` (−0 and 0 share one, as in a Map), added if new. */
  slot(t: number): number {
    if ((t | 0) === t && t >= -SMALL && t < SMALL) {
      const k = this.small[t + SMALL]!;
      if (k !== 0) return k - 1;
      this.small[t + SMALL] = this.size + 1;
    } else {
      const k = this.other.get(t);
      if (k !== undefined) return k;
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
