// Reference twin of assembly/dense/activation.ts.
import type { RefMemory } from "../memory.js";

export function reluForward(m: RefMemory, x: number, y: number, n: number): void {
  const { f32 } = m;
  for (let i = 0; i < n; i++) {
    const v = f32[(x >> 2) + i];
    f32[(y >> 2) + i] = v > 0 ? v : 0;
  }
}

export function reluBackward(m: RefMemory, x: number, dy: number, dx: number, n: number): void {
  const { f32 } = m;
  for (let i = 0; i < n; i++) {
    f32[(dx >> 2) + i] = Math.fround(f32[(dx >> 2) + i] + (f32[(x >> 2) + i] > 0 ? f32[(dy >> 2) + i] : 0));
  }
}
