// Test helpers: one engine per test file, running a wrapper under both backends, bit equality.
import seedrandom from "seedrandom";
import { expect } from "vitest";
import { init, useBackend, getEngine } from "../../src/entry/default.js";
import type { Engine } from "../../src/wasm/load.js";

export async function engine(): Promise<Engine> {
  const e = await init();
  if (!e.wasm) throw new Error(`tests need the wasm backend; got ${e.info.reason}`);
  return e;
}

/** Runs `fn` with the wasm kernels, then with the reference kernels, and returns both results. */
export function onBoth<T>(fn: () => T): { wasm: T; ref: T } {
  try {
    useBackend("wasm-simd");
    const wasm = fn();
    useBackend("ref");
    const ref = fn();
    return { wasm, ref };
  } finally {
    useBackend("wasm-simd");
  }
}

/** A seeded generator of floats in [0, 1). */
export function rng(seed: string | number): () => number {
  return seedrandom(String(seed));
}

/** Asserts identical bits, element by element (NaN payloads and -0 included). */
export function expectBitEqual(
  actual: Float32Array | Int32Array | Uint8Array,
  expected: Float32Array | Int32Array | Uint8Array,
  what = "",
): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  const a = new Uint8Array(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      const el = Math.floor(i / actual.BYTES_PER_ELEMENT);
      expect.fail(`${what}: element ${el} differs: ${actual[el]} vs ${expected[el]}`);
    }
  }
}

/** A copy of a heap view's current contents (views die when memory grows). */
export function snapshot<T extends Float32Array | Int32Array | Uint8Array>(a: T): T {
  return a.slice() as T;
}

export { getEngine };
