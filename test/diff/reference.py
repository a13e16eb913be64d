#!/usr/bin/env python3
# PyTorch reference for test/diff/torch.test.ts: rebuilds each case's model (DCN or DeepFM) from
# stock torch modules, loads the project's initial weights, runs the same training steps, and
# writes back the per-step losses, the step-1 gradients and the state after the last step.
#
#   usage: reference.py FOLDER      (FOLDER/manifest.json lists the cases; see torch.test.ts)
#
# BatchNorm as the project's ops/batchnorm.ts: batch statistics in train mode, running statistics
# updated with torch's momentum=None (a plain average of the batches) for the first 1/0.1 = 10
# updates, then with momentum 0.1 (unbiased variance, as torch).
#
# Dense parameters: torch.optim.Adam; those named in the case's "frozen" list take no gradient.
# Embedding rows and Δ: lazy Adam, i.e. torch.optim.Adam's formula (coupled L2, bias correction
# from the global step) on the batch's unique rows only. torch.optim.SparseAdam is not used: it
# adds ε to √v before the bias correction and has no weight decay.
#
# Tensors are raw little-endian float32 / int32 files named <tensor>.bin, in the project's
# layouts: Linear W is [in, out] (torch's weight is [out, in]), a cross weight is [D].
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)


def read(folder, name, shape, dtype="<f4"):
    a = np.fromfile(os.path.join(folder, name + ".bin"), dtype=dtype)
    return torch.from_numpy(a.reshape(shape).copy())


def write(folder, name, t):
    t.detach().contiguous().numpy().astype("<f4").tofile(os.path.join(folder, name + ".bin"))


class MLP(nn.Module):
    """Linear → BatchNorm1d → ReLU for each width (the project's MLP with batchNorm, no dropout)."""

    def __init__(self, d_in, hidden):
        super().__init__()
        self.linears, self.norms = nn.ModuleList(), nn.ModuleList()
        for h in hidden:
            self.linears.append(nn.Linear(d_in, h))
            self.norms.append(nn.BatchNorm1d(h, eps=1e-5, momentum=0.1))
            d_in = h

    def forward(self, x):
        for lin, bn in zip(self.linears, self.norms):
            bn.momentum = None if bn.num_batches_tracked.item() < 10 else 0.1
            x = F.relu(bn(lin(x)))
        return x

    def named(self, prefix):
        out = {}
        for i, (lin, bn) in enumerate(zip(self.linears, self.norms)):
            out[f"{prefix}.{i}.W"], out[f"{prefix}.{i}.b"] = lin.weight, lin.bias
            out[f"{prefix}.{i}.bn.gamma"], out[f"{prefix}.{i}.bn.beta"] = bn.weight, bn.bias
            out[f"{prefix}.{i}.bn.runningMean"], out[f"{prefix}.{i}.bn.runningVar"] = bn.running_mean, bn.running_var
        return out


class DCN(nn.Module):
    """x_{l+1} = x0·(x_l·w_l) + b_l + x_l (w_l as nn.Linear(D, 1, bias=False)); head on [x_L ‖ MLP(x0)]."""

    def __init__(self, fields, dim, hidden, layers):
        super().__init__()
        d = fields * dim
        self.cross_w = nn.ModuleList(nn.Linear(d, 1, bias=False) for _ in range(layers))
        self.cross_b = nn.ParameterList(nn.Parameter(torch.zeros(d)) for _ in range(layers))
        self.deep = MLP(d, hidden)
        self.head = nn.Linear(d + hidden[-1], 1)

    def forward(self, e):
        x0 = e.flatten(1)
        x = x0
        for w, b in zip(self.cross_w, self.cross_b):
            x = x0 * w(x) + b + x
        return self.head(torch.cat([x, self.deep(x0)], 1))

    def named(self):
        out = {f"cross.{l}.w": w.weight for l, w in enumerate(self.cross_w)}
        out.update({f"cross.{l}.b": b for l, b in enumerate(self.cross_b)})
        out.update(self.deep.named("deep"))
        out["head.W"], out["head.b"] = self.head.weight, self.head.bias
        return out


class DeepFM(nn.Module):
    """Rows of dim D + 1 (column D = first-order weight): b + Σ w + FM(v) + head(MLP(v)), head without bias."""

    def __init__(self, fields, dim, hidden):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1))
        self.deep = MLP(fields * dim, hidden)
        self.head = nn.Linear(hidden[-1], 1, bias=False)

    def forward(self, e):
        v, w = e[..., :-1], e[..., -1]
        wide = w.sum(1, keepdim=True) + self.bias
        fm = 0.5 * (v.sum(1).pow(2) - v.pow(2).sum(1)).sum(1, keepdim=True)
        return wide + fm + self.head(self.deep(v.flatten(1)))

    def named(self):
        out = {"wide.bias": self.bias}
        out.update(self.deep.named("deep"))
        out["head.W"] = self.head.weight
        return out


class LsqQuant(torch.autograd.Function):
    """Δ·clip(floor(w/Δ + 0.5), Q_N, Q_P); STE for w inside (Q_N, Q_P); LSQ gradient for Δ, times scale."""

    @staticmethod
    def forward(ctx, w, d, qn, qp, scale):
        v = w / d
        ctx.save_for_backward(v)
        ctx.qn, ctx.qp, ctx.scale = qn, qp, scale
        return torch.clamp(torch.floor(v + 0.5), qn, qp) * d

    @staticmethod
    def backward(ctx, g):
        (v,) = ctx.saved_tensors
        qn, qp = ctx.qn, ctx.qp
        inside = (v > qn) & (v < qp)
        slope = torch.where(v <= qn, torch.full_like(v, qn), torch.where(v >= qp, torch.full_like(v, qp), torch.floor(v + 0.5) - v))
        return g * inside, (g * slope).sum(-1, keepdim=True) * ctx.scale, None, None, None


def lazy_adam(p, grad, rows, state, t, lr, weight_decay=0.0, beta1=0.9, beta2=0.999, eps=1e-8):
    """torch.optim.Adam's update (coupled L2) on p[rows] only; t is the global step (bias correction)."""
    g = grad[rows] + weight_decay * p[rows]
    m = state["m"][rows].mul_(beta1).add_(g, alpha=1 - beta1)
    v = state["v"][rows].mul_(beta2).addcmul_(g, g, value=1 - beta2)
    state["m"][rows], state["v"][rows] = m, v
    denom = (v.sqrt() / math.sqrt(1 - beta2**t)).add_(eps)
    p[rows] = p[rows].addcdiv(m, denom, value=-lr / (1 - beta1**t))


class Embedding:
    """fp32 rows with lazy Adam, or qat-lsq: fp32 master rows + per-row Δ (lazy Adam, floor)."""

    def __init__(self, c, folder):
        rows, dim = c["rows"], c["tableDim"]
        self.c = c
        self.w = read(folder, "embedding.weights", [rows, dim]).requires_grad_()
        self.state = {"m": torch.zeros(rows, dim), "v": torch.zeros(rows, dim)}
        self.d = None
        if c["method"] == "qat-lsq":
            self.d = read(folder, "embedding.delta", [rows]).requires_grad_()
            self.dstate = {"m": torch.zeros(rows), "v": torch.zeros(rows)}
            bits = c["bits"]
            self.qn, self.qp = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
            self.scale = 1 / math.sqrt(c["batch"] * dim * self.qp)  # Hetu's 1/√(B·d·Q_P)
        self.t = 0

    def lookup(self, ids):
        rows = self.w[ids]
        if self.d is None:
            return rows
        return LsqQuant.apply(rows, self.d[ids].unsqueeze(-1), self.qn, self.qp, self.scale)

    def step(self, ids):
        c, rows = self.c, torch.unique(ids)
        self.t += 1
        with torch.no_grad():
            lazy_adam(self.w, self.w.grad, rows, self.state, self.t, c["embLr"], c["embWeightDecay"])
            if self.d is not None:
                lazy_adam(self.d, self.d.grad, rows, self.dstate, self.t, c["deltaLr"])
                self.d[rows] = self.d[rows].clamp_min(np.float32(c["deltaFloor"]).item())
        self.w.grad = None
        if self.d is not None:
            self.d.grad = None


def run(c, folder):
    out = os.path.join(folder, "out")
    os.makedirs(out, exist_ok=True)
    fields, dim, hidden = len(c["fieldSizes"]), c["dim"], c["hidden"]
    model = DCN(fields, dim, hidden, c["crossLayers"]) if c["model"] == "DCN" else DeepFM(fields, dim, hidden)
    named = model.named()
    for name in c["frozen"]:
        named[name].requires_grad_(False)
    with torch.no_grad():
        for name, t in named.items():
            x = read(folder, name, c["shapes"][name])
            t.copy_(x.t().reshape(t.shape) if t.dim() == 2 else x)  # [in, out] → [out, in]
    emb = Embedding(c, folder)
    B, steps = c["batch"], c["steps"]
    ids = read(folder, "ids", [steps, B, fields], "<i4").long()
    labels = read(folder, "labels", [steps, B])
    opt = torch.optim.Adam(model.parameters(), lr=c["lr"], weight_decay=c["weightDecay"])
    model.train()
    losses = []
    for s in range(steps):
        e = emb.lookup(ids[s])
        e.retain_grad()
        loss = F.binary_cross_entropy_with_logits(model(e).squeeze(1), labels[s])
        opt.zero_grad()
        loss.backward()
        losses.append(loss.item())
        if s == 0:
            write(out, "grad.embedding.lookup", e.grad)
            if emb.d is not None:
                write(out, "grad.embedding.delta", emb.d.grad)
            for name, t in named.items():
                if t.grad is not None:
                    write(out, "grad." + name, t.grad.t() if t.dim() == 2 else t.grad)
        opt.step()
        emb.step(ids[s])
    for name, t in named.items():
        write(out, "after." + name, t.t() if t.dim() == 2 else t)
    write(out, "after.embedding.weights", emb.w)
    if emb.d is not None:
        write(out, "after.embedding.delta", emb.d)
    with open(os.path.join(out, "result.json"), "w") as f:
        json.dump({"losses": losses, "torch": torch.__version__}, f)


if __name__ == "__main__":
    root = sys.argv[1]
    with open(os.path.join(root, "manifest.json")) as f:
        manifest = json.load(f)
    for case in manifest["cases"]:
        run(case, os.path.join(root, case["name"]))
