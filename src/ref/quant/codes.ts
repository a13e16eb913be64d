// Reference twin of assembly/quant/codes.ts: one element at a time, bit by bit.

/** Bytes of one packed row: ceil(dim · bits / 8). */
export function rowStride(dim: number, bits: number): number {
  return Math.ceil((dim * bits) / 8);
}

/** Smallest code of a b-bit signed integer. */
export const codeMin = (bits: number): number => -(2 ** (bits - 1));
/** Largest code of a b-bit signed integer. */
export const codeMax = (bits: number): number => 2 ** (bits - 1) - 1;

/** Element j of the packed row at byte address p, sign-extended. */
export function readCode(u8: Uint8Array, p: number, j: number, bits: number): number {
  let v = 0;
  for (let t = 0; t < bits; t++) {
    const bit = j * bits + t;
    v |= ((u8[p + (bit >> 3)] >> (bit & 7)) & 1) << t;
  }
  return v >= 2 ** (bits - 1) ? v - 2 ** bits : v;
}

/** Writes element j of the packed row at p (other bits unchanged). */
export function writeCode(u8: Uint8Array, p: number, j: number, bits: number, code: number): void {
  for (let t = 0; t < bits; t++) {
    const bit = j * bits + t;
    const at = p + (bit >> 3);
    const mask = 1 << (bit & 7);
    if ((code >> t) & 1) u8[at] |= mask;
    else u8[at] &= ~mask;
  }
}
