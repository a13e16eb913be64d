// Reference twin of assembly/dense/columns.ts.
import type { RefMemory } from "../memory.js";

export function moveColumns(
  m: RefMemory, src: number, srcCols: number, srcOff: number, dst: number, dstCols: number, dstOff: number,
  B: number, width: number, accumulate: number,
): void {
  const { f32 } = m;
  for (let b = 0; b < B; b++) {
    const s = (src >> 2) + b * srcCols + srcOff, d = (dst >> 2) + b * dstCols + dstOff;
    for (let j = 0; j < width; j++) f32[d + j] = accumulate ? Math.fround(f32[d + j] + f32[s + j]) : f32[s + j];
  }
}

export function zeroFill(m: RefMemory, p: number, bytes: number): void {
  m.u8.fill(0, p, p + bytes);
}
