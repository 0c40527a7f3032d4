"""Is one temperature enough? Scores, by 5-fold cross-validation on val (fixed seed), the
calibrations the model card compares for the player's single pass: one temperature (what
shipped until stage 8), a scale per class, a scale and a bias per class (vector scaling,
Guo et al. 2017; what ships since stage 8, fitted on all of val by calibrate.py), and a full 7×7
matrix and a bias (matrix scaling, its off-diagonal weights penalised by 0.01·Σw²).
Each is fitted by NLL on four folds and scored on the fifth; printed: accuracy, ECE (15 bins),
macro-F1, NLL, and the smoother's mean weight on right and wrong faces. Nothing is written.

    python tools/fer/vector_scaling.py --weights models/fer-cbam.safetensors --data ../shared/datasets/fer2013"""

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from calibrate import (fit_temperature, fit_vector, load_weights, reliability,  # noqa: E402
                       smoother_weight, softmax, val_pass_logits)
from metrics import scores  # noqa: E402


def fit_matrix(logits, y, penalty):
    """Matrix scaling: softmax(M·z + b) by L-BFGS from M = I, b = 0, the off-diagonal entries of M
    penalised by `penalty`·Σm² (unpenalised, 56 numbers overfit four folds of val): (M, b)."""
    zt, yt = torch.tensor(logits, dtype=torch.float64), torch.tensor(y)
    k = zt.shape[1]
    m = torch.eye(k, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(k, dtype=torch.float64, requires_grad=True)
    off = 1 - torch.eye(k, dtype=torch.float64)
    opt = torch.optim.LBFGS([m, b], max_iter=500)

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(zt @ m.T + b, yt) + penalty * ((m * off) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return m.detach().numpy(), b.detach().numpy()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default="models/fer-cbam.safetensors")
    ap.add_argument("--data", default="../shared/datasets/fer2013")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model, _, meta = load_weights(args.weights)
    single, _, y = val_pass_logits(model, int(meta.get("crop", 0) or 0), args.data)
    z = single.astype(np.float64)
    folds = np.random.default_rng(args.seed).permutation(len(y)) % 5
    out = {name: np.zeros_like(z) for name in ("temperature", "scale", "scale+bias", "matrix")}
    for f in range(5):
        fit, held = folds != f, folds == f
        out["temperature"][held] = z[held] / fit_temperature(z[fit], y[fit])
        w, b = fit_vector(z[fit], y[fit], bias=False)
        out["scale"][held] = z[held] * w + b
        w, b = fit_vector(z[fit], y[fit], bias=True)
        out["scale+bias"][held] = z[held] * w + b
        m, b = fit_matrix(z[fit], y[fit], 0.01)
        out["matrix"][held] = z[held] @ m.T + b
    for name, logits in out.items():
        p = softmax(logits)
        ece, _ = reliability(p, y)
        print(json.dumps({"calibration": name, "accuracy": float((p.argmax(1) == y).mean()),
                          "macro_f1": scores(y, p.argmax(1))["macro_f1"],
                          "ece": ece, "nll": float(-np.log(p[np.arange(len(y)), y]).mean()),
                          "smoother_weight": smoother_weight(p, y)}))


if __name__ == "__main__":
    main()
