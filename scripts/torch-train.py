#!/usr/bin/env python3
# Independent PyTorch training of DCN or DeepFM on an alpt prepared folder: stock torch modules
# (the classes of test/diff/reference.py, PyTorch's default init) on the same encoded split, to
# check the accuracy figures of docs/RESULTS.md against PyTorch. The recipe of the experiment grid:
# rows ~ N(0, 0.003²) with lazy Adam lr 1e-3, dense Adam lr 1e-3 (÷10 after epochs 6 and 9),
# batch 2048, dim 16, MLP 1024-512-256 + BN, 3 cross layers; early stopping on validation AUC
# (patience 2). One JSON line per epoch, then the best epoch's figures.
#
#   node dist/cli/main.js prepare $ALPT_DATA/criteo/criteo_w261_toy_train.txt.gz --format criteo \
#     --min-count 2 --out /tmp/criteo          # the grid's split (80/10/10 by line order)
#   /usr/bin/python3 scripts/torch-train.py /tmp/criteo DeepFM 0    # FOLDER DCN|DeepFM SEED
import json, math, os, sys
import numpy as np
import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "diff"))
from reference import DCN, DeepFM, lazy_adam

torch.set_num_threads(1)

def read_cache(path):
    b = open(path, "rb").read()
    H = int.from_bytes(b[8:12], "little")
    h = json.loads(b[12:12 + H])
    n, f = h["n"], h["fields"]
    a16 = lambda x: (x + 15) // 16 * 16
    io = a16(12 + H); lo = a16(io + 4 * n * f)
    ids = np.frombuffer(b, dtype="<i4", count=n * f, offset=io).reshape(n, f)
    y = np.frombuffer(b, dtype="<f4", count=n, offset=lo)
    return torch.from_numpy(ids.astype(np.int64)), torch.from_numpy(y.copy())

def auc(p, y):
    order = np.argsort(p, kind="mergesort"); p = p[order]; y = y[order]
    ranks = np.empty(len(p)); i = 0
    while i < len(p):
        j = i
        while j + 1 < len(p) and p[j + 1] == p[i]: j += 1
        ranks[i:j + 1] = (i + j) / 2 + 1; i = j + 1
    pos = y.sum(); neg = len(y) - pos
    return (ranks[y == 1].sum() - pos * (pos + 1) / 2) / (pos * neg)

def main(folder, model_name, seed, epochs=10, B=2048):
    tr, va, te = (read_cache(os.path.join(folder, s + ".cache")) for s in ("train", "valid", "test"))
    rows = json.load(open(os.path.join(folder, "dataset.json")))["totalRows"]
    F_ = tr[0].shape[1]; dim = 16; hidden = [1024, 512, 256]
    torch.manual_seed(seed)
    model = DCN(F_, dim, hidden, 3) if model_name == "DCN" else DeepFM(F_, dim, hidden)
    tdim = dim + (1 if model_name == "DeepFM" else 0)
    w = (torch.randn(rows, tdim) * 0.003).requires_grad_()
    st = {"m": torch.zeros(rows, tdim), "v": torch.zeros(rows, tdim)}
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(seed)
    def evaluate(d):
        model.eval(); ps = []
        with torch.no_grad():
            for i in range(0, len(d[1]), 8192):
                ps.append(torch.sigmoid(model(w[d[0][i:i + 8192]]).squeeze(1)))
        model.train(); p = torch.cat(ps).double().numpy(); y = d[1].double().numpy()
        ll = -np.mean(y * np.log(np.clip(p, 1e-7, 1)) + (1 - y) * np.log(np.clip(1 - p, 1e-7, 1)))
        return auc(p, y), ll
    best = (-1, None); bad = 0; t = 0
    for ep in range(1, epochs + 1):
        if ep in (7, 10):  # the paper schedule: dense lr /10 after epochs 6 and 9
            for pg in opt.param_groups: pg["lr"] /= 10
        perm = torch.randperm(len(tr[1]), generator=g)
        for i in range(0, len(perm), B):
            idx = perm[i:i + B]; ids = tr[0][idx]
            loss = F.binary_cross_entropy_with_logits(model(w[ids]).squeeze(1), tr[1][idx])
            opt.zero_grad(); w.grad = None; loss.backward(); opt.step(); t += 1
            with torch.no_grad(): lazy_adam(w, w.grad, torch.unique(ids), st, t, 1e-3)
        va_auc, va_ll = evaluate(va); te_auc, te_ll = evaluate(te)
        print(json.dumps({"model": model_name, "seed": seed, "epoch": ep, "valAuc": va_auc, "valLogloss": va_ll, "testAuc": te_auc, "testLogloss": te_ll}), flush=True)
        if va_auc > best[0]: best = (va_auc, (ep, te_auc, te_ll)); bad = 0
        else:
            bad += 1
            if bad >= 2: break
    print(json.dumps({"final": True, "model": model_name, "seed": seed, "bestEpoch": best[1][0], "valAuc": best[0], "testAuc": best[1][1], "testLogloss": best[1][2]}), flush=True)

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
