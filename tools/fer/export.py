"""Exports a training checkpoint to models/fer-cbam.safetensors (f32, the state_dict keys minus
`num_batches_tracked`; metadata: `arch`, `epoch`, `width`, `crop` — the side of the centre
crop the model reads, absent for the whole 48×48 face — and the two fitted temperatures of
calibrate.py) and scores it on val: accuracy, macro-F1, per-class recall, confusion, for the
single pass and the mirrored pass (logits averaged, as the player does), plus the calibration
report. Writes the scores as JSON beside the weights (models/fer-cbam.val.json), which
models/FER.md quotes.

    python tools/fer/export.py --ckpt target/fer-run/best.pt --data ../shared/datasets/fer2013"""

import argparse
import json
import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from calibrate import calibrate_file, val_pass_logits  # noqa: E402
from metrics import scores  # noqa: E402
from teach import load_checkpoint  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default="target/fer-run/best.pt")
    ap.add_argument("--data", default="../shared/datasets/fer2013")
    ap.add_argument("--out", default="models/fer-cbam.safetensors")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model, crop, ck = load_checkpoint(args.ckpt)
    tensors = {k: v.detach().float().contiguous() for k, v in model.state_dict().items()
               if not k.endswith("num_batches_tracked")}
    width = [tensors[f"down{i}.conv.weight"].shape[0] for i in (1, 2, 3)]
    meta = {"arch": "FerNet CBAM-ResNet (tools/fer/model.py)", "epoch": str(ck["epoch"]),
            "width": ",".join(map(str, width))}
    if crop:
        meta["crop"] = str(crop)
    save_file(tensors, args.out, metadata=meta)
    single, mirrored, y = val_pass_logits(model, crop, args.data)
    report = {
        "checkpoint_epoch": ck["epoch"],
        "parameters": sum(t.numel() for t in tensors.values()),
        "width": width,
        "crop": crop or 48,
        "val": scores(y, single.argmax(1)),
        # the player's rule (src/vision/pipeline.rs): average the two passes' logits
        "val_flip_tta": scores(y, mirrored.argmax(1)),
        "calibration": calibrate_file(args.out, args.data, (single, mirrored, y)),
    }
    with open(os.path.splitext(args.out)[0] + ".val.json", "w") as f:
        json.dump(report, f, indent=1)
    summary = {k: (v["accuracy"], v["macro_f1"]) for k, v in report.items()
               if isinstance(v, dict) and "accuracy" in v}
    summary.update({f"T_{k}": v["temperature"] for k, v in report["calibration"].items()
                    if isinstance(v, dict)})
    print(json.dumps({"checkpoint_epoch": ck["epoch"], **summary}))


if __name__ == "__main__":
    main()
