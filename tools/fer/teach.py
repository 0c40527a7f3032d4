"""Teacher outputs for distillation (train.py --teacher): one row of logits per training image,
in train.npz's order, from a checkpoint's test-time views — the face and its mirror image on the
checkpoint's centre crop, logits averaged. With `--ckpt` given more than once the teacher is the
ensemble: every checkpoint's flip-averaged logits, averaged. Written once, read every epoch; the
report also scores the teacher on val, the split the students are chosen on.

    python tools/fer/teach.py --ckpt tools/fer/checkpoints/stage4-swa.pt \
        --data ../shared/datasets/fer2013 --out target/fer-teacher/stage4-swa.npz"""

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import equalize_all, load_npz, normalize  # noqa: E402
from metrics import scores  # noqa: E402
from model import FerNet  # noqa: E402
from train import val_logits  # noqa: E402


def load_checkpoint(path):
    """A train.py checkpoint as an eval-mode FerNet and its crop (0 = the whole 48×48 face)."""
    ck = torch.load(path, weights_only=False)
    model = FerNet(tuple(ck.get("width", (32, 64, 128))))
    model.load_state_dict(ck["model"])
    return model.eval(), int(ck.get("crop", 0)), ck


def flip_mean(model, x, crop):
    """The mean of the logits of each face and its mirror image (the player's mirrored pass)."""
    plain, flip = val_logits(model, x, crop)
    return ((plain + flip) / 2).numpy().astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True, action="append",
                    help="a train.py checkpoint; more than once for an ensemble teacher")
    ap.add_argument("--data", default="../shared/datasets/fer2013")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    x, y = load_npz(os.path.join(args.data, "train.npz"))
    xv, yv = load_npz(os.path.join(args.data, "val.npz"))
    x = torch.from_numpy(normalize(equalize_all(x))).unsqueeze(1)
    xv = torch.from_numpy(normalize(equalize_all(xv))).unsqueeze(1)
    models = [load_checkpoint(path)[:2] for path in args.ckpt]
    logits, val = (sum(flip_mean(m, views, crop) for m, crop in models) / len(models)
                   for views in (x, xv))
    train = scores(y.astype(np.int64), logits.argmax(1))
    held = scores(yv.astype(np.int64), val.argmax(1))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    np.savez(args.out, logits=logits, y=y)
    p = torch.softmax(torch.from_numpy(logits), 1)
    print(json.dumps({"out": args.out, "train_accuracy": train["accuracy"],
                      "train_macro_f1": train["macro_f1"],
                      "val_accuracy": held["accuracy"], "val_macro_f1": held["macro_f1"],
                      "mean_top_prob": float(p.max(1).values.mean())}))


if __name__ == "__main__":
    main()
