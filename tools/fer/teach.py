"""Teacher outputs for distillation (train.py --teacher): one row of logits per training image,
in train.npz's order, from a checkpoint's test-time views — the face and its mirror image on the
checkpoint's centre crop, logits averaged (the player's rule). Written once, read every epoch.

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--data", default="../shared/datasets/fer2013")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model, crop, _ = load_checkpoint(args.ckpt)
    x, y = load_npz(os.path.join(args.data, "train.npz"))
    x = torch.from_numpy(normalize(equalize_all(x))).unsqueeze(1)
    plain, flip = val_logits(model, x, crop)
    logits = ((plain + flip) / 2).numpy().astype(np.float32)
    train = scores(y.astype(np.int64), logits.argmax(1))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    np.savez(args.out, logits=logits, y=y)
    p = torch.softmax(torch.from_numpy(logits), 1)
    print(json.dumps({"out": args.out, "train_accuracy": train["accuracy"],
                      "train_macro_f1": train["macro_f1"],
                      "mean_top_prob": float(p.max(1).values.mean())}))


if __name__ == "__main__":
    main()
