import { beforeAll, describe, expect, it } from "vitest";
import { Adam, AdamW, SGD } from "../../src/optim/optimizer.js";
import { ReduceOnPlateau, stepDecay } from "../../src/optim/schedule.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { engine } from "../helpers/engine.js";

beforeAll(engine);

let id = 0;
function param(values: number[], grad: number[]): Tensor {
  const p = Tensor.param([values.length], `p${id++}`);
  p.data.array.set(values);
  p.grad!.array.set(grad);
  return p;
}
const f = Math.fround;

describe("dense optimizers against hand-computed steps", () => {
  it("SGD, with L2 and with momentum", () => {
    const p = param([1, -2], [0.5, 0.25]);
    new SGD([p], { lr: 0.1, weightDecay: 0.01 }).step();
    expect(Array.from(p.data.array)).toEqual([f(1 - 0.1 * (0.5 + 0.01)), f(-2 - 0.1 * (0.25 - 0.02))]);
    const q = param([1], [1]);
    const opt = new SGD([q], { lr: 0.1, momentum: 0.9 });
    opt.step(); // v = 1, w = 0.9
    opt.step(); // v = 1.9, w = 0.71
    expect(q.data.array[0]).toBeCloseTo(0.71, 6);
  });

  it("Adam: the first step moves each weight by lr·sign(g); the second follows the formula", () => {
    const p = param([1, -1, 0.5], [0.3, -2, 0]);
    const opt = new Adam([p], { lr: 0.01 });
    opt.step();
    expect(p.data.array[0]).toBeCloseTo(0.99, 6);
    expect(p.data.array[1]).toBeCloseTo(-0.99, 6);
    expect(p.data.array[2]).toBe(0.5);
    p.grad!.array.set([0.1, 0, 0]);
    opt.step();
    const m = 0.9 * 0.03 + 0.1 * 0.1, v = 0.999 * 0.00009 + 0.001 * 0.01;
    const expected = 0.99 - (0.01 * (m / (1 - 0.81))) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
    expect(p.data.array[0]).toBeCloseTo(expected, 6);
  });

  it("Adam L2 is coupled (through the moments), AdamW decay is decoupled", () => {
    const a = param([2], [0]);
    new Adam([a], { lr: 0.1, weightDecay: 0.5 }).step();
    expect(a.data.array[0]).toBeCloseTo(1.9, 5); // g = λ·w → one lr-sized step
    const b = param([2], [0]);
    new AdamW([b], { lr: 0.1, weightDecay: 0.5 }).step();
    expect(b.data.array[0]).toBeCloseTo(2 - 0.1 * 0.5 * 2, 5); // m = 0: only the decay
  });

  it("skips frozen parameters, zeroes gradients, reports state bytes", () => {
    const p = param([1, 2], [1, 1]);
    const opt = new Adam([p], { lr: 0.1 });
    p.frozen = true;
    opt.step();
    expect(Array.from(p.data.array)).toEqual([1, 2]);
    opt.zeroGrad();
    expect(Array.from(p.grad!.array)).toEqual([0, 0]);
    expect(opt.stateBytes()).toBe(16);
  });

  it("rejects bad hyper-parameters and non-parameters", () => {
    const p = param([1], [1]);
    expect(() => new Adam([p], { lr: -1 })).toThrow("lr = -1 must be ≥ 0");
    expect(() => new Adam([p], { lr: 0.1, beta1: 1 })).toThrow("beta1 = 1 must be in [0, 1)");
    expect(() => new SGD([Tensor.scratch([2])], { lr: 0.1 })).toThrow("is not a parameter");
  });

  it("a step costs no heap growth: state is allocated once", () => {
    const p = param(new Array(1000).fill(1), new Array(1000).fill(0.1));
    const opt = new AdamW([p], { lr: 1e-3, weightDecay: 1e-2 });
    opt.step();
    const before = p.data.heap.bytesInUse;
    for (let i = 0; i < 100; i++) opt.step();
    expect(p.data.heap.bytesInUse).toBe(before);
  });
});

describe("learning-rate schedules", () => {
  it("step decay divides by 10 after epochs 6 and 9 (the ALPT paper)", () => {
    const lrs = Array.from({ length: 12 }, (_, e) => stepDecay(1e-3, e));
    expect(lrs.slice(0, 6).every((v) => v === 1e-3)).toBe(true);
    expect(lrs[6]).toBeCloseTo(1e-4, 12);
    expect(lrs[9]).toBeCloseTo(1e-5, 12);
  });
  it("reduce on plateau waits `patience` epochs, then multiplies by `factor`, not below minLr", () => {
    const s = new ReduceOnPlateau({ mode: "max", factor: 0.1, patience: 1, minLr: 1e-5 });
    let lr = 1e-3;
    lr = s.observe(0.70, lr); // best
    lr = s.observe(0.69, lr); // 1 bad
    expect(lr).toBe(1e-3);
    lr = s.observe(0.69, lr); // 2 bad > patience
    expect(lr).toBeCloseTo(1e-4, 12);
    lr = s.observe(0.68, lr);
    lr = s.observe(0.68, lr);
    lr = s.observe(0.68, lr);
    lr = s.observe(0.68, lr);
    expect(lr).toBe(1e-5);
  });
});
