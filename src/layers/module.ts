// Module: a layer or model with parameters, sub-modules, a train/eval mode and a way to
// freeze every parameter for one pass. Parameter names are paths ("mlp.0.W") so that
// checkpoints and errors can name them.
import type { Tensor } from "../tensor/tensor.js";
import type { HeapF32 } from "../wasm/heap.js";

/** Base of layers and models. */
export abstract class Module {
  training = true;
  protected readonly ownParams: Tensor[] = [];
  protected readonly children: [string, Module][] = [];

  /** Registers a sub-module under `name` and returns it. */
  protected child<M extends Module>(name: string, m: M): M {
    this.children.push([name, m]);
    return m;
  }

  /** Registers a parameter and returns it. */
  protected param(t: Tensor): Tensor {
    this.ownParams.push(t);
    return t;
  }

  /** Every dense parameter of this module and its children. */
  parameters(): Tensor[] {
    return [...this.ownParams, ...this.children.flatMap(([, m]) => m.parameters())];
  }

  /** This module and every descendant, depth first. */
  modules(): Module[] {
    return [this, ...this.children.flatMap(([, m]) => m.modules())];
  }

  /** Persistent non-parameter buffers (e.g. running statistics), by path name; recursive. */
  buffers(prefix = ""): [string, HeapF32][] {
    return this.children.flatMap(([name, m]) => m.buffers(`${prefix}${name}.`));
  }

  /** Scalar state that a resumed run needs (e.g. dropout call counters), by path; recursive. */
  scalars(prefix = ""): [string, number][] {
    return this.children.flatMap(([name, m]) => m.scalars(`${prefix}${name}.`));
  }

  /** Restores scalars saved by scalars(); unknown names are ignored. */
  loadScalars(values: Record<string, number>, prefix = ""): void {
    for (const [name, m] of this.children) m.loadScalars(values, `${prefix}${name}.`);
  }

  /** Sets training mode (true) or evaluation mode (false) recursively. */
  train(on = true): this {
    this.training = on;
    for (const [, m] of this.children) m.train(on);
    return this;
  }

  /** Runs `fn` with every parameter frozen (no weight gradients), then restores them. */
  frozen<T>(fn: () => T): T {
    const ps = this.parameters();
    const was = ps.map((p) => p.frozen);
    for (const p of ps) p.frozen = true;
    try {
      return fn();
    } finally {
      ps.forEach((p, i) => (p.frozen = was[i]));
    }
  }

  /** Whether training-mode passes update running statistics (batch norm); recursive. */
  setStatsUpdate(on: boolean): void {
    for (const [, m] of this.children) m.setStatsUpdate(on);
  }

  /**
   * Runs `fn` as ALPT's second pass needs it: parameters frozen (no weight gradients) and
   * running statistics untouched, then restores both.
   */
  gradientOnlyPass<T>(fn: () => T): T {
    this.setStatsUpdate(false);
    try {
      return this.frozen(fn);
    } finally {
      this.setStatsUpdate(true);
    }
  }

  /** Frees every parameter (and any other persistent buffer the module owns). */
  dispose(): void {
    for (const p of this.ownParams) p.dispose();
    for (const [, m] of this.children) m.dispose();
  }
}
