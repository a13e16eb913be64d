// A tiny MLP learns XOR-like data (not linearly separable), and 1,000 training steps leave the
// heap exactly as large as after the first.
import { beforeAll, expect, it } from "vitest";
import { Linear } from "../../src/layers/linear.js";
import { MLP } from "../../src/layers/mlp.js";
import { bceWithLogits } from "../../src/ops/bce.js";
import { Adam } from "../../src/optim/optimizer.js";
import { backward, noGrad, scope } from "../../src/tensor/tape.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { uniform } from "../../src/util/rng.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine } from "../helpers/engine.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

function xor(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(n * 2), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = uniform(seed, 0, i) * 2 - 1, b = uniform(seed, 1, i) * 2 - 1;
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = a * b > 0 ? 1 : 0;
  }
  return { x, y };
}

it("learns XOR and keeps the heap flat over 1,000 steps", () => {
  const mlp = new MLP(2, { hiddenUnits: [32, 16], seed: 2 });
  const head = new Linear(16, 1, { seed: 2 });
  const opt = new Adam([...mlp.parameters(), ...head.parameters()], { lr: 1e-2 });
  const B = 64;
  let used = 0, cap = 0;
  for (let step = 0; step < 1000; step++) {
    const { x, y } = xor(B, step + 10);
    scope(() => {
      backward(bceWithLogits(head.forward(mlp.forward(Tensor.from(x, [B, 2]))), y));
      opt.step();
      opt.zeroGrad();
    });
    if (step === 0) {
      used = e.heap.bytesInUse;
      cap = e.heap.capacity;
    }
  }
  expect(e.heap.bytesInUse).toBe(used);
  expect(e.heap.capacity).toBe(cap);
  const test = xor(2000, 99);
  const correct = noGrad(() =>
    scope(() => {
      const z = head.forward(mlp.forward(Tensor.from(test.x, [2000, 2]))).values;
      let c = 0;
      for (let i = 0; i < 2000; i++) c += (z[i] > 0 ? 1 : 0) === test.y[i] ? 1 : 0;
      return c / 2000;
    }),
  );
  expect(correct).toBeGreaterThan(0.95);
  mlp.dispose();
  head.dispose();
});
