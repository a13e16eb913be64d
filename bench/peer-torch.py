#!/usr/bin/env python3
"""The PyTorch peer of the bench: the DCN criteo1m of `train/dcn-criteo1m-fp32` written the way a
PyTorch user would, timed on the batches that bench/peer-torch.bench.ts wrote to a file.

  x0 = [e_1 | ... | e_26 | dense_13]  (B x 429)     e = rows of one nn.Embedding(1M, 16, sparse=True)
  cross: x_{l+1} = x0 * (x_l @ w_l) + b_l + x_l, 3 layers (w_l a 429-vector, as ours)
  deep:  3 x (nn.Linear, ReLU), 400-400-400, no BatchNorm, no dropout (as ours in criteo1m)
  logit = head([x_3 | deep]);  loss = BCE with logits;  batch 2048
  embedding: torch.optim.SparseAdam (lazy Adam: the batch's rows only), dense: torch.optim.Adam,
  both lr 1e-3; init as ours (embedding N(0, 0.003^2), cross w ~ U(+-1/sqrt(429)), b = 0,
  nn.Linear's default)

Usage: `peer-torch.py CONFIG_JSON` runs one configuration:

  {"data": path, "n": rows in the file, "sizes": [vocabulary per field], "denseFeatures": 13,
   "dim": 16, "cross": 3, "hidden": [400, 400, 400], "batch": 2048, "threads": 1,
   "lr": 1e-3, "warmup": 3, "trainSteps": 20, "inferSteps": 50, "peakRss": false}

The data file holds, little-endian and back to back: ids int32 [n, fields] (with the field
offsets added), dense float32 [n, denseFeatures], labels float32 [n], order int32 [n] (the row
order of the batches: batch s is rows order[(s*B + k) % n], as our bench's batch fill).

Output, one JSON object per line: {"kind": "env", ...} first, {"kind": "data"} (sums of what
was read: the TS side checks them against what it wrote), then {"kind": "train"} and
{"kind": "infer"} (samples/s: median, min and max over the timed steps, each timed alone with
perf_counter, batch assembly included) or, with "peakRss", one {"kind": "peak-rss"} after
`trainSteps` training steps (ru_maxrss of this process, MiB).
"""
import json
import os
import platform
import resource
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_info():
    """The BLAS torch calls, as loaded: OpenBLAS says its build and the kernel it chose."""
    torch.ones(8, 8) @ torch.ones(8, 8)  # loads the BLAS library
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({l.split()[-1] for l in f if "blas" in l.lower() and ".so" in l})
    except OSError:
        libs = []
    for lib in libs:
        if "openblas" in os.path.basename(lib):
            import ctypes
            h = ctypes.CDLL(lib)
            h.openblas_get_config.restype = ctypes.c_char_p
            h.openblas_get_corename.restype = ctypes.c_char_p
            return {"blas": h.openblas_get_config().decode(), "blasKernel": h.openblas_get_corename().decode(), "blasLibrary": lib}
    # not OpenBLAS (or no /proc): what torch was built with
    show = torch.__config__.show()
    info = [p.strip() for p in show.replace("\n", ",").split(",") if p.strip().startswith(("BLAS_INFO", "USE_MKL"))]
    return {"blas": "; ".join(info) or "unknown", "blasLibrary": ", ".join(libs) or None}


def environment(threads):
    parallel = [l.strip() for l in torch.__config__.parallel_info().splitlines() if "parallel backend" in l]
    return {
        "kind": "env", "torch": torch.__version__, "python": platform.python_version(), "cpu": cpu_model(),
        "threads": torch.get_num_threads(), "requestedThreads": threads,
        "parallel": parallel[0].split(":", 1)[1].strip() if parallel else "unknown", **blas_info(),
    }


class DCN(nn.Module):
    def __init__(self, rows, fields, dense, dim, cross, hidden):
        super().__init__()
        self.embedding = nn.Embedding(rows, dim, sparse=True)
        nn.init.normal_(self.embedding.weight, 0.0, 0.003)
        width = fields * dim + dense
        bound = width ** -0.5
        self.cross_w = nn.ParameterList([nn.Parameter(torch.empty(width, 1).uniform_(-bound, bound)) for _ in range(cross)])
        self.cross_b = nn.ParameterList([nn.Parameter(torch.zeros(width)) for _ in range(cross)])
        layers, w = [], width
        for h in hidden:
            layers += [nn.Linear(w, h), nn.ReLU()]
            w = h
        self.deep = nn.Sequential(*layers)
        self.head = nn.Linear(width + w, 1)

    def forward(self, ids, dense):
        x0 = torch.cat([self.embedding(ids).flatten(1), dense], 1)
        xl = x0
        for w, b in zip(self.cross_w, self.cross_b):
            xl = x0 * (xl @ w) + b + xl
        return self.head(torch.cat([xl, self.deep(x0)], 1)).squeeze(1)


def load(cfg):
    n, fields, nd = cfg["n"], len(cfg["sizes"]), cfg["denseFeatures"]
    with open(cfg["data"], "rb") as f:
        raw = bytearray(f.read())
    counts = [(n * fields, torch.int32), (n * nd, torch.float32), (n, torch.float32), (n, torch.int32)]
    parts, off = [], 0
    for count, dtype in counts:
        parts.append(torch.frombuffer(raw, dtype=dtype, count=count, offset=off))
        off += count * 4
    if off != len(raw):
        raise ValueError(f"{cfg['data']}: {len(raw)} bytes, expected {off}")
    ids, dense, labels, order = parts
    # int64 ids once at load (what nn.Embedding indexes with), as our data holds its ids in memory
    return ids.view(n, fields).long(), dense.view(n, nd).clone(), labels.clone(), order.long()


def rates(batch, seconds):
    s = sorted(seconds)
    mid = len(s) // 2
    med = s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
    return {"value": batch / med, "min": batch / s[-1], "max": batch / s[0], "medianStepMs": med * 1000}


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(1)
    print(json.dumps(environment(cfg["threads"])), flush=True)
    ids, dense, labels, order = load(cfg)
    # what was read, for the TS side to check against what it wrote
    sums = {"idsSum": int(ids.sum()), "denseSum": float(dense.double().sum()), "labelsSum": float(labels.double().sum()), "orderSum": int(order.sum())}
    print(json.dumps({"kind": "data", "n": cfg["n"], **sums}), flush=True)
    n, B = cfg["n"], cfg["batch"]
    model = DCN(sum(cfg["sizes"]), len(cfg["sizes"]), cfg["denseFeatures"], cfg["dim"], cfg["cross"], cfg["hidden"])
    sparse_opt = torch.optim.SparseAdam([model.embedding.weight], lr=cfg["lr"])
    dense_opt = torch.optim.Adam([p for name, p in model.named_parameters() if name != "embedding.weight"], lr=cfg["lr"])
    lanes = torch.arange(B)

    def batch(s):
        rows = order[(s * B + lanes) % n]
        return ids[rows], dense[rows], labels[rows]

    def train_step(s):
        x_ids, x_dense, y = batch(s)
        sparse_opt.zero_grad(set_to_none=True)
        dense_opt.zero_grad(set_to_none=True)
        loss = F.binary_cross_entropy_with_logits(model(x_ids, x_dense), y)
        loss.backward()
        sparse_opt.step()
        dense_opt.step()
        return loss.item()

    def infer_step(s):
        x_ids, x_dense, _ = batch(s)
        with torch.inference_mode():
            return torch.sigmoid(model(x_ids, x_dense))

    def timed(step, first, count):
        seconds, last = [], None
        for s in range(first, first + count):
            t0 = time.perf_counter()
            last = step(s)
            seconds.append(time.perf_counter() - t0)
        return seconds, last

    if cfg.get("peakRss"):
        for s in range(cfg["trainSteps"]):
            train_step(s)
        # Linux reports ru_maxrss in KiB
        print(json.dumps({"kind": "peak-rss", "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "steps": cfg["trainSteps"]}), flush=True)
        return

    w = cfg["warmup"]
    for s in range(w):
        train_step(s)
    train, loss = timed(train_step, w, cfg["trainSteps"])
    print(json.dumps({"kind": "train", **rates(B, train), "warmupSteps": w, "timedSteps": len(train), "lastLoss": loss}), flush=True)
    for s in range(w):
        infer_step(s)
    infer, _ = timed(infer_step, w, cfg["inferSteps"])
    print(json.dumps({"kind": "infer", **rates(B, infer), "warmupSteps": w, "timedSteps": len(infer)}), flush=True)


if __name__ == "__main__":
    main()
