// Argument checks shared by the kernel wrappers: each failure names the kernel, the
// argument and the offending value.
import type { HeapF32, HeapI32, HeapU8 } from "../wasm/heap.js";

/** Throws unless bits is 1..8 or 16. */
export function checkBits(kernel: string, bits: number): void {
  if (!(Number.isInteger(bits) && ((bits >= 1 && bits <= 8) || bits === 16))) {
    throw new RangeError(`${kernel}: bits = ${bits} is not supported (expected 1..8 or 16)`);
  }
}

/** Throws unless n is a non-negative integer count. */
export function checkCount(kernel: string, name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
    throw new RangeError(`${kernel}: ${name} = ${n} is not a valid count`);
  }
}

/** Throws unless `buf` holds at least `need` elements. */
export function checkLength(
  kernel: string, name: string, buf: HeapF32 | HeapI32 | HeapU8, need: number, shape: string,
): void {
  if (buf.length < need) {
    throw new RangeError(
      `${kernel}: ${name} has ${buf.length} elements, expected ${need} for shape ${shape}`,
    );
  }
}
