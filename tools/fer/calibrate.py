"""Calibration of the emotion model on val (PublicTest): expected calibration error (ECE, 15
equal-width confidence bins) and a reliability table, before and after temperature scaling and
vector scaling (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017), for the
single pass and for the player's mirrored pass (the mean of the two passes' logits). Written
into the weights' safetensors metadata, which the player reads (src/vision/weights.rs →
fer::FerConfig), the tensors left as they are: the fitted temperatures (the T that minimises
the val negative log-likelihood of softmax(logits / T)) as `temperature` (mirrored pass) and
`temperature_single`, and the vector scaling (a scale w and a bias b per class minimising the
NLL of softmax(w·z + b)) as `scale`, `bias`, `scale_single` and `bias_single`, seven
comma-separated numbers each; where the vector scaling is there the player uses it instead of
the temperature (models/FER.md says why). The report goes into the `calibration` entry of the
`.val.json` beside the weights.

    python tools/fer/calibrate.py --weights models/fer-cbam.safetensors --data ../shared/datasets/fer2013"""

import argparse
import json
import os
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import equalize_all, load_npz, normalize  # noqa: E402
from model import FerNet  # noqa: E402

BINS = 15


def softmax(logits, t=1.0):
    z = logits / t
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def nll(logits, y, t):
    p = softmax(logits.astype(np.float64), t)
    return float(-np.log(np.maximum(p[np.arange(len(y)), y], 1e-300)).mean())


def fit_temperature(logits, y, lo=0.05, hi=20.0):
    """The T in [lo, hi] minimising the mean NLL: the NLL is convex in 1/T, so a golden-section
    search on log T converges to it; 1e-6 relative precision."""
    a, b = np.log(lo), np.log(hi)
    g = (np.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = nll(logits, y, np.exp(c)), nll(logits, y, np.exp(d))
    while b - a > 1e-6:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = nll(logits, y, np.exp(c))
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = nll(logits, y, np.exp(d))
    return float(np.exp((a + b) / 2))


def fit_vector(logits, y, bias=True):
    """Per-class scale w (and with `bias` a bias b) minimising the mean NLL of softmax(w·z + b),
    by L-BFGS in double precision from w = 1, b = 0 (deterministic): (w, b), numpy."""
    zt, yt = torch.tensor(logits, dtype=torch.float64), torch.tensor(y)
    w = torch.ones(zt.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros(zt.shape[1], dtype=torch.float64, requires_grad=bias)
    opt = torch.optim.LBFGS([w, b] if bias else [w], max_iter=200)

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(zt * w + b, yt)
        loss.backward()
        return loss

    opt.step(closure)
    return w.detach().numpy(), b.detach().numpy()


def round_vector(v):
    """The values as the metadata stores them (6 decimals), so that the report scores what ships."""
    return np.array([float(f"{x:.6f}") for x in v])


def reliability(probs, y, bins=BINS):
    """ECE = Σ_bins (n_b / N)·|accuracy_b − mean confidence_b| over equal-width bins of the top
    probability, and the table's rows (bins with no face are left out)."""
    conf = probs.max(1)
    right = probs.argmax(1) == y
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    rows, ece = [], 0.0
    for b in range(bins):
        m = which == b
        if not m.any():
            continue
        acc, c = float(right[m].mean()), float(conf[m].mean())
        ece += m.sum() / len(y) * abs(acc - c)
        rows.append({"bin": [round(edges[b], 4), round(edges[b + 1], 4)], "n": int(m.sum()),
                     "confidence": c, "accuracy": acc})
    return float(ece), rows


def smoother_weight(probs, y):
    """The weight src/vision/smooth.rs gives a frame, 0.25 + 0.75·(1 − H(p)/ln 7), averaged over
    the faces the model gets right and over those it gets wrong."""
    h = -(probs * np.log(np.maximum(probs, 1e-30))).sum(1)
    w = 0.25 + 0.75 * np.clip(1 - h / np.log(7), 0, 1)
    right = probs.argmax(1) == y
    return {"right": float(w[right].mean()), "wrong": float(w[~right].mean())}


def report(logits, y):
    t = fit_temperature(logits, y)
    before, rows_before = reliability(softmax(logits), y)
    after, rows_after = reliability(softmax(logits, t), y)
    return {"temperature": t, "nll_before": nll(logits, y, 1.0), "nll_after": nll(logits, y, t),
            "ece_before": before, "ece_after": after,
            "smoother_weight_before": smoother_weight(softmax(logits), y),
            "smoother_weight_after": smoother_weight(softmax(logits, t), y),
            "reliability_before": rows_before, "reliability_after": rows_after,
            "vector": report_vector(logits, y)}


def report_vector(logits, y):
    """Vector scaling fitted on all of val and scored there (in-sample: tools/fer/vector_scaling.py
    gives the cross-validated figures): the parameters as stored, and what they do."""
    from metrics import scores

    w, b = (round_vector(v) for v in fit_vector(logits.astype(np.float64), y))
    z = logits.astype(np.float64) * w + b
    p = softmax(z)
    ece, rows = reliability(p, y)
    s = scores(y, p.argmax(1))
    return {"scale": w.tolist(), "bias": b.tolist(), "accuracy": s["accuracy"],
            "macro_f1": s["macro_f1"], "per_class_recall": s["per_class_recall"],
            "confusion": s["confusion"], "nll_after": nll(z, y, 1.0), "ece_after": ece,
            "smoother_weight_after": smoother_weight(p, y), "reliability_after": rows}


def load_weights(path):
    """FerNet from an exported safetensors file (widths from the shapes) and its metadata."""
    with safe_open(path, "pt") as f:
        meta = dict(f.metadata() or {})
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    width = (tensors["down1.conv.weight"].shape[0], tensors["down2.conv.weight"].shape[0],
             tensors["down3.conv.weight"].shape[0])
    model = FerNet(width)
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    if unexpected or any(not k.endswith("num_batches_tracked") for k in missing):
        sys.exit(f"{path}: not a FerNet state_dict ({missing}, {unexpected})")
    return model.eval(), tensors, meta


def val_pass_logits(model, crop, data):
    """Val logits of the single pass and of the mirrored pass (mean of the two), as numpy."""
    from train import val_logits

    x, y = load_npz(os.path.join(data, "val.npz"))
    x = torch.from_numpy(normalize(equalize_all(x))).unsqueeze(1)
    plain, flip = val_logits(model, x, crop)
    return plain.numpy(), ((plain + flip) / 2).numpy(), y.astype(np.int64)


def calibrate_file(path, data, logits=None):
    """Fits both passes' temperatures on val, rewrites `path`'s metadata with them, and returns
    the report. `logits`: val_pass_logits' answer for these weights, if the caller has it."""
    model, tensors, meta = load_weights(path)
    single, mirrored, y = logits or val_pass_logits(model, int(meta.get("crop", 0) or 0), data)
    out = {"single": report(single, y), "flip_tta": report(mirrored, y), "bins": BINS}
    meta["temperature"] = f"{out['flip_tta']['temperature']:.6f}"
    meta["temperature_single"] = f"{out['single']['temperature']:.6f}"
    for key, name in (("flip_tta", ""), ("single", "_single")):
        for part in ("scale", "bias"):
            meta[part + name] = ",".join(f"{v:.6f}" for v in out[key]["vector"][part])
    save_file(tensors, path, metadata=meta)
    os.chmod(path, 0o644)
    return out


def table(rows):
    lines = ["| confidence bin | faces | mean confidence | accuracy |", "| --- | --- | --- | --- |"]
    lines += [f"| {r['bin'][0]:.2f}–{r['bin'][1]:.2f} | {r['n']} | {r['confidence']:.3f} | "
              f"{r['accuracy']:.3f} |" for r in rows]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default="models/fer-cbam.safetensors")
    ap.add_argument("--data", default="../shared/datasets/fer2013")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    out = calibrate_file(args.weights, args.data)
    scores_path = os.path.splitext(args.weights)[0] + ".val.json"
    rep = json.load(open(scores_path)) if os.path.exists(scores_path) else {}
    rep["calibration"] = out
    with open(scores_path, "w") as f:
        json.dump(rep, f, indent=1)
    for name, r in (("single pass", out["single"]), ("mirrored pass", out["flip_tta"])):
        print(f"## {name}: T = {r['temperature']:.4f}; ECE {r['ece_before']:.4f} -> "
              f"{r['ece_after']:.4f}; NLL {r['nll_before']:.4f} -> {r['nll_after']:.4f}; "
              f"smoother weight right/wrong {r['smoother_weight_before']} -> "
              f"{r['smoother_weight_after']}")
        v = r["vector"]
        print(f"   vector scaling: accuracy {v['accuracy']:.4f}, macro-F1 {v['macro_f1']:.4f}, "
              f"ECE {v['ece_after']:.4f}, NLL {v['nll_after']:.4f}, smoother weight "
              f"{v['smoother_weight_after']}")
        print("before\n" + table(r["reliability_before"]))
        print("after\n" + table(r["reliability_after"]))


if __name__ == "__main__":
    main()
