"""Writes the parity fixtures for the candle port (src/vision/fer.rs), read by tests/vision.rs.

One line:  /tmp/ferenv/bin/python tools/fer/make_fixture.py  (writes tests/fixtures/fer/)

- tiny.safetensors: a FerNet(width=(8, 16, 32)) with seeded random weights and random batch-norm
  statistics (so the port's batch-norm folding is exercised), in eval mode; keys are the
  state_dict's minus `num_batches_tracked`, float32, as for the shipped model.
- model.json: a few 48x48 uint8 images, the logits and block2's spatial attention map PyTorch
  computes for them after data.equalize + data.normalize, and the same with a horizontal flip.
- preprocess.json: data.equalize on edge cases and random images, data.normalize on 0..255.
- tiny-crop40.safetensors: the same weights with the metadata of a cropping, calibrated model
  (crop 40, temperature 0.8, temperature_single 1.25); crop40.json: for the same images,
  PyTorch's logits and attention on train.centre_crop(x, 40) and its mirror image, and the
  probabilities the player must give: softmax(mean of the two passes' logits / 0.8) and
  softmax(single-pass logits / 1.25).
- tiny-vector.safetensors: the same with a vector scaling per pass (scale, bias, scale_single,
  bias_single: seven numbers each, as calibrate.py writes them) beside the temperatures;
  vector.json: the probabilities the player must give, softmax(scale·z + bias) of each pass's
  logits on the 40-px crop.
"""

import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from data import equalize, normalize  # noqa: E402
from model import FerNet  # noqa: E402
from train import centre_crop  # noqa: E402

OUT = os.path.normpath(os.path.join(HERE, "..", "..", "tests", "fixtures", "fer"))


def images(rng):
    """Three faces' worth of inputs: uniform noise, a smooth gradient with a blob, and low-contrast
    noise clustered on a few grey levels (a histogram with gaps)."""
    noise = rng.integers(0, 256, (48, 48), dtype=np.uint8)
    yy, xx = np.mgrid[0:48, 0:48]
    blob = 60 + 2 * xx + 80 * np.exp(-((yy - 20) ** 2 + (xx - 28) ** 2) / 60.0)
    grad = np.clip(blob, 0, 255).astype(np.uint8)
    low = rng.choice(np.array([90, 91, 100, 130, 131], dtype=np.uint8), (48, 48))
    return np.stack([noise, grad, low])


def main():
    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    model = FerNet(width=(8, 16, 32))
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.3, 0.3)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 2.0)
    model.eval()
    os.makedirs(OUT, exist_ok=True)
    state = {k: v.detach().float().contiguous() for k, v in model.state_dict().items()
             if not k.endswith("num_batches_tracked")}
    save_file(state, os.path.join(OUT, "tiny.safetensors"))

    x_u8 = images(rng)
    x = torch.from_numpy(normalize(np.stack([equalize(im) for im in x_u8]))).unsqueeze(1)
    with torch.no_grad():
        logits, sa = model(x, with_attention=True)
        logits_flip, sa_flip = model(torch.flip(x, dims=[3]), with_attention=True)
    fixture = {
        "images": x_u8.reshape(len(x_u8), -1).tolist(),
        "logits": logits.tolist(),
        "attention": sa.reshape(len(x_u8), -1).tolist(),
        "attention_size": list(sa.shape[2:]),
        "logits_flipped": logits_flip.tolist(),
        "attention_flipped": sa_flip.reshape(len(x_u8), -1).tolist(),
    }
    with open(os.path.join(OUT, "model.json"), "w") as f:
        json.dump(fixture, f)

    t_flip, t_single = 0.8, 1.25
    save_file(state, os.path.join(OUT, "tiny-crop40.safetensors"),
              metadata={"crop": "40", "temperature": str(t_flip),
                        "temperature_single": str(t_single)})
    xc = centre_crop(x, 40)
    with torch.no_grad():
        lc, sac = model(xc, with_attention=True)
        lcf, sacf = model(torch.flip(xc, dims=[3]), with_attention=True)
    crop = {
        "logits": lc.tolist(),
        "attention": sac.reshape(len(x_u8), -1).tolist(),
        "attention_size": list(sac.shape[2:]),
        "logits_flipped": lcf.tolist(),
        "attention_flipped": sacf.reshape(len(x_u8), -1).tolist(),
        "probs_flip_tta": torch.softmax((lc + lcf) / 2 / t_flip, 1).tolist(),
        "probs_single": torch.softmax(lc / t_single, 1).tolist(),
    }
    with open(os.path.join(OUT, "crop40.json"), "w") as f:
        json.dump(crop, f)

    # Scales around 1 and biases that are large enough to move the top class of some faces.
    vec = {"scale": [0.9, 1.6, 1.0, 1.4, 0.95, 1.3, 1.05], "bias": [0.2, -1.8, 0.4, 0.3, 0.7, -0.25, 0.4],
           "scale_single": [1.1, 0.7, 1.2, 0.8, 1.5, 1.0, 0.6],
           "bias_single": [-0.5, 0.6, 0.1, -0.2, 0.9, 0.0, -0.7]}
    meta = {"crop": "40", "temperature": str(t_flip), "temperature_single": str(t_single)}
    meta.update({k: ",".join(str(x) for x in v) for k, v in vec.items()})
    save_file(state, os.path.join(OUT, "tiny-vector.safetensors"), metadata=meta)
    t = {k: torch.tensor(v) for k, v in vec.items()}
    vector = {
        "probs_flip_tta": torch.softmax((lc + lcf) / 2 * t["scale"] + t["bias"], 1).tolist(),
        "probs_single": torch.softmax(lc * t["scale_single"] + t["bias_single"], 1).tolist(),
    }
    with open(os.path.join(OUT, "vector.json"), "w") as f:
        json.dump(vector, f)

    cases = [
        np.full((4, 4), 77, dtype=np.uint8),                      # one grey level: unchanged
        np.array([[0, 255], [255, 0]], dtype=np.uint8),           # two levels
        np.array([[10, 10, 10, 200]], dtype=np.uint8),            # darkest level dominant
        np.arange(256, dtype=np.uint8).reshape(16, 16),           # already flat
        rng.integers(40, 60, (48, 48), dtype=np.uint8),           # narrow range
        rng.integers(0, 256, (48, 48), dtype=np.uint8),           # full range
        x_u8[1],                                                  # the gradient above
    ]
    pre = {
        "equalize": [{"input": c.reshape(-1).tolist(), "output": equalize(c).reshape(-1).tolist()}
                     for c in cases],
        "normalize": normalize(np.arange(256, dtype=np.uint8)).tolist(),
    }
    with open(os.path.join(OUT, "preprocess.json"), "w") as f:
        json.dump(pre, f)
    print(f"wrote {OUT}: tiny.safetensors, model.json, preprocess.json, tiny-crop40.safetensors, "
          "crop40.json, tiny-vector.safetensors, vector.json")


if __name__ == "__main__":
    main()
