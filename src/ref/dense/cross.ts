// Reference twin of assembly/dense/cross.ts (dot products in the kernel's lane order).
import type { RefMemory } from "../memory.js";

const f = Math.fround;

function dot(a: Float32Array, ao: number, c: Float32Array, co: number, D: number): number {
  const l = [0, 0, 0, 0];
  let j = 0;
  for (; j + 4 <= D; j += 4) for (let i = 0; i < 4; i++) l[i] = f(l[i] + f(a[ao + j + i] * c[co + j + i]));
  let s = f(f(l[0] + l[1]) + f(l[2] + l[3]));
  for (; j < D; j++) s = f(s + f(a[ao + j] * c[co + j]));
  return s;
}

export function crossForward(
  m: RefMemory, x0: number, xl: number, w: number, bias: number, B: number, D: number, s: number, y: number,
): void {
  const { f32 } = m;
  for (let b = 0; b < B; b++) {
    const off = b * D;
    const sb = dot(f32, (xl >> 2) + off, f32, w >> 2, D);
    f32[(s >> 2) + b] = sb;
    for (let j = 0; j < D; j++) {
      f32[(y >> 2) + off + j] = f(f(f(f32[(x0 >> 2) + off + j] * sb) + f32[(bias >> 2) + j]) + f32[(xl >> 2) + off + j]);
    }
  }
}

export function crossBackward(
  m: RefMemory, x0: number, xl: number, w: number, s: number, dy: number, B: number, D: number,
  dx0: number, dxl: number, dw: number, db: number, dsOut: number,
): void {
  const { f32 } = m;
  for (let b = 0; b < B; b++) {
    const off = b * D;
    const sb = f32[(s >> 2) + b];
    const ds = dot(f32, (dy >> 2) + off, f32, (x0 >> 2) + off, D);
    if (dsOut) f32[(dsOut >> 2) + b] = ds;
    for (let j = 0; j < D; j++) {
      const d = f32[(dy >> 2) + off + j];
      if (dx0) f32[(dx0 >> 2) + off + j] = f(f32[(dx0 >> 2) + off + j] + f(d * sb));
      if (dxl) f32[(dxl >> 2) + off + j] = f(f32[(dxl >> 2) + off + j] + f(f(ds * f32[(w >> 2) + j]) + d));
      if (dw) f32[(dw >> 2) + j] = f(f32[(dw >> 2) + j] + f(ds * f32[(xl >> 2) + off + j]));
      if (db) f32[(db >> 2) + j] = f(f32[(db >> 2) + j] + d);
    }
  }
}

export function crossColumnGrads(
  m: RefMemory, xl: number, dy: number, ds: number, B: number, D: number, dw: number, db: number, j0: number, j1: number,
): void {
  const { f32 } = m;
  for (let b = 0; b < B; b++) {
    const off = b * D, d = f32[(ds >> 2) + b];
    for (let j = j0; j < j1; j++) {
      if (dw) f32[(dw >> 2) + j] = f(f32[(dw >> 2) + j] + f(d * f32[(xl >> 2) + off + j]));
      if (db) f32[(db >> 2) + j] = f(f32[(db >> 2) + j] + f32[(dy >> 2) + off + j]);
    }
  }
}
