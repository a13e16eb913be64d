// Reference twin of assembly/quant/pack.ts.
import type { RefMemory } from "../memory.js";
import { readCode, rowStride, writeCode } from "./codes.js";

/** Packs i32 codes [n, dim] into rows of ceil(dim·bits/8) bytes; padding bits are zero. */
export function packCodes(m: RefMemory, src: number, n: number, dim: number, bits: number, dst: number): void {
  const { u8, i32 } = m;
  const stride = rowStride(dim, bits);
  u8.fill(0, dst, dst + n * stride);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < dim; j++) writeCode(u8, dst + k * stride, j, bits, i32[(src >> 2) + k * dim + j]);
  }
}

/** Unpacks rows into sign-extended i32 codes [n, dim]. */
export function unpackCodes(m: RefMemory, src: number, n: number, dim: number, bits: number, dst: number): void {
  const { u8, i32 } = m;
  const stride = rowStride(dim, bits);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < dim; j++) i32[(dst >> 2) + k * dim + j] = readCode(u8, src + k * stride, j, bits);
  }
}
