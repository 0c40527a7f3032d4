"""Exports a training checkpoint to models/fer-cbam.safetensors (f32, the state_dict keys minus
`num_batches_tracked`) and scores it on val: accuracy, macro-F1, per-class recall, confusion,
with and without horizontal-flip test-time augmentation (logits averaged, as the player does). Writes the scores as JSON beside the
weights (models/fer-cbam.val.json), which models/FER.md quotes.

    python tools/fer/export.py --ckpt target/fer-run/best.pt --data ../shared/datasets/fer2013"""

import argparse
import json
import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import equalize_all, load_npz, normalize  # noqa: E402
from metrics import scores  # noqa: E402
from model import FerNet  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default="target/fer-run/best.pt")
    ap.add_argument("--data", default="../shared/datasets/fer2013")
    ap.add_argument("--out", default="models/fer-cbam.safetensors")
    args = ap.parse_args()
    ck = torch.load(args.ckpt, weights_only=False)
    model = FerNet()
    model.load_state_dict(ck["model"])
    model.eval()
    tensors = {k: v.detach().float().contiguous() for k, v in model.state_dict().items()
               if not k.endswith("num_batches_tracked")}
    save_file(tensors, args.out, metadata={"arch": "FerNet CBAM-ResNet (tools/fer/model.py)",
                                           "epoch": str(ck["epoch"])})
    x, y = load_npz(os.path.join(args.data, "val.npz"))
    x = torch.from_numpy(normalize(equalize_all(x))).unsqueeze(1)
    with torch.no_grad():
        plain = torch.cat([model(x[i:i + 512]) for i in range(0, len(x), 512)])
        flip = torch.cat([model(torch.flip(x[i:i + 512], dims=[3]))
                          for i in range(0, len(x), 512)])
    yn = y.astype("int64")
    report = {
        "checkpoint_epoch": ck["epoch"],
        "parameters": sum(t.numel() for t in tensors.values()),
        "val": scores(yn, plain.argmax(1).numpy()),
        # the player's rule (src/vision/pipeline.rs): average the two passes' logits
        "val_flip_tta": scores(yn, (plain + flip).argmax(1).numpy()),
    }
    with open(os.path.splitext(args.out)[0] + ".val.json", "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps({k: (v["accuracy"], v["macro_f1"]) if isinstance(v, dict) else v
                      for k, v in report.items()}))


if __name__ == "__main__":
    main()
