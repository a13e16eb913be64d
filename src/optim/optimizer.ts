// Dense optimizers over parameter tensors (persistent state in the heap, so checkpoints can
// hold it). Each update reads p.grad; zeroGrad() clears the gradients for the next step.
//
//   SGD:   v ← μ·v + (g + λ·p);  p ← p − lr·v                       (μ = 0: plain SGD)
//   Adam:  g ← g + λ·p (L2, coupled as torch.optim.Adam);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
//          p ← p − lr · m̂ / (√v̂ + ε),  m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
//   AdamW: as Adam without the L2 term, then p ← p − lr·λ·p (decoupled decay)
import { adamRows } from "../kernels/optim.js";
import type { HeapF32, HeapI32 } from "../wasm/heap.js";
import { getEngine } from "../wasm/load.js";
import type { Tensor } from "../tensor/tensor.js";

/** The interface of every dense optimizer. */
export interface Optimizer {
  /** The learning rate of the next step (schedules set it). */
  lr: number;
  /** Applies one update to every parameter that is not frozen. */
  step(): void;
  /** Zero-fills every parameter's gradient. */
  zeroGrad(): void;
  /** Bytes of optimizer state. */
  stateBytes(): number;
  /** Named state tensors for checkpoints (name → buffer), plus scalars. */
  state(): { buffers: Map<string, HeapF32>; scalars: Record<string, number> };
  /** Restores scalars saved by state() (buffers are written in place by the loader). */
  loadScalars(scalars: Record<string, number>): void;
}

function checkPositive(name: string, v: number, allowZero = false): void {
  if (!(Number.isFinite(v) && (allowZero ? v >= 0 : v > 0))) {
    throw new RangeError(`optimizer: ${name} = ${v} must be ${allowZero ? "≥ 0" : "> 0"}`);
  }
}

abstract class Base implements Optimizer {
  protected readonly buffers = new Map<string, HeapF32>();

  constructor(
    protected readonly params: readonly Tensor[],
    public lr: number,
  ) {
    checkPositive("lr", lr, true);
    const names = new Set<string>();
    for (const p of params) {
      if (p.kind !== "param" || !p.grad) throw new TypeError(`optimizer: ${p.name || "tensor"} is not a parameter`);
      if (names.has(p.name)) throw new RangeError(`optimizer: two parameters are named "${p.name}"`);
      names.add(p.name);
    }
  }

  protected slot(p: Tensor, kind: string): HeapF32 {
    const key = `${p.name}.${kind}`;
    let b = this.buffers.get(key);
    if (!b) {
      b = getEngine().heap.allocF32(p.size, `optimizer ${key}`);
      this.buffers.set(key, b);
    }
    return b;
  }

  abstract step(): void;

  zeroGrad(): void {
    for (const p of this.params) p.grad!.array.fill(0);
  }

  stateBytes(): number {
    let n = 0;
    for (const b of this.buffers.values()) n += b.length * 4;
    return n;
  }

  state(): { buffers: Map<string, HeapF32>; scalars: Record<string, number> } {
    return { buffers: this.buffers, scalars: this.scalars() };
  }

  protected scalars(): Record<string, number> {
    return { lr: this.lr };
  }

  loadScalars(scalars: Record<string, number>): void {
    if (typeof scalars.lr === "number") this.lr = scalars.lr;
  }
}

/** Options of SGD. */
export interface SGDOptions {
  lr: number;
  momentum?: number;
  /** L2 penalty λ added to the gradient. */
  weightDecay?: number;
}

/** SGD with optional momentum and L2 weight decay. */
export class SGD extends Base {
  readonly momentum: number;
  readonly weightDecay: number;

  constructor(params: readonly Tensor[], { lr, momentum = 0, weightDecay = 0 }: SGDOptions) {
    super(params, lr);
    checkPositive("momentum", momentum, true);
    checkPositive("weightDecay", weightDecay, true);
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    if (momentum > 0) for (const p of params) this.slot(p, "momentum");
  }

  step(): void {
    const { lr, momentum: mu, weightDecay: wd } = this;
    for (const p of this.params) {
      if (p.frozen) continue;
      const w = p.data.array, g = p.grad!.array;
      if (mu > 0) {
        const v = this.slot(p, "momentum").array;
        for (let i = 0; i < p.size; i++) {
          v[i] = mu * v[i] + g[i] + wd * w[i];
          w[i] -= lr * v[i];
        }
      } else {
        for (let i = 0; i < p.size; i++) w[i] -= lr * (g[i] + wd * w[i]);
      }
    }
  }
}

/** Options of Adam and AdamW. */
export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Adam: L2 penalty added to the gradient; AdamW: decoupled decay rate. */
  weightDecay?: number;
}

/** Adam (Kingma & Ba 2015) with coupled L2 weight decay, as torch.optim.Adam. */
export class Adam extends Base {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Steps taken (for bias correction). */
  t = 0;
  protected readonly decoupled: boolean = false;

  constructor(params: readonly Tensor[], { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0 }: AdamOptions) {
    super(params, lr);
    for (const [k, v] of [["beta1", beta1], ["beta2", beta2]] as const) {
      if (!(v >= 0 && v < 1)) throw new RangeError(`optimizer: ${k} = ${v} must be in [0, 1)`);
    }
    checkPositive("eps", eps);
    checkPositive("weightDecay", weightDecay, true);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    for (const p of params) {
      this.slot(p, "m");
      this.slot(p, "v");
    }
  }

  private row0: HeapI32 | undefined;

  step(): void {
    this.t++;
    const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd, t } = this;
    const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
    if (!this.decoupled) {
      // each parameter as one row of the wasm lazy-Adam kernel (same formula, in f32 SIMD)
      this.row0 ??= getEngine().heap.allocI32(1, "optimizer row id");
      for (const p of this.params) {
        if (p.frozen) continue;
        const common = { ids: this.row0, n: 1, rows: 1, dim: p.size, g: p.grad! };
        adamRows({ w: p.data, indexed: true }, common, this.slot(p, "m"), this.slot(p, "v"), { lr, beta1: b1, beta2: b2, eps, weightDecay: wd, step: t });
      }
      return;
    }
    for (const p of this.params) {
      if (p.frozen) continue;
      const w = p.data.array, g = p.grad!.array;
      const m = this.slot(p, "m").array, v = this.slot(p, "v").array;
      for (let i = 0; i < p.size; i++) {
        const gi = this.decoupled ? g[i] : g[i] + wd * w[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        let update = (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
        if (this.decoupled) update += lr * wd * w[i];
        w[i] -= update;
      }
    }
  }

  protected override scalars(): Record<string, number> {
    return { lr: this.lr, t: this.t };
  }

  override loadScalars(scalars: Record<string, number>): void {
    super.loadScalars(scalars);
    if (typeof scalars.t === "number") this.t = scalars.t;
  }
}

/** AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay. */
export class AdamW extends Adam {
  protected override readonly decoupled = true;
}
