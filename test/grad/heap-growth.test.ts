// Backward passes stay correct when a gradient allocation grows the heap in the middle of an
// op (growth detaches every typed-array view taken before it).
import { beforeAll, expect, it } from "vitest";
import { add, mul } from "../../src/ops/elementwise.js";
import { backward, scope } from "../../src/tensor/tape.js";
import { Tensor } from "../../src/tensor/tensor.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine } from "../helpers/engine.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

it("add and mul backward through a growing heap", () => {
  const n = 1 << 20; // large enough that the gradient buffers force growth
  scope(() => {
    const a = Tensor.from(new Float32Array(n).fill(2), [n], true);
    const b = Tensor.from(new Float32Array(n).fill(3), [n], true);
    const y = add(mul(a, b), a);
    const before = e.heap.generation;
    backward(y);
    expect(e.heap.generation).toBeGreaterThan(before); // the heap did grow during backward
    for (const i of [0, n >> 1, n - 1]) {
      expect(a.grad!.array[i]).toBe(4); // d/da (a·b + a) = b + 1
      expect(b.grad!.array[i]).toBe(2);
    }
  });
});
