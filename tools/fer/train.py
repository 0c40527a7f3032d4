"""Trains the FER emotion model (model.py) on FER-2013 train, tunes on val (PublicTest).

One line:  python tools/fer/train.py --data ../shared/datasets/fer2013 --out target/fer-run
(the shipped model's exact four-stage recipe is in models/FER.md)
Fixed seeds; a checkpoint after every epoch (`last.pt`, resumed automatically when present);
`log.jsonl` gets one line per epoch; `best.pt` keeps the epoch with the best val accuracy.
Augmentation (on the fly, batched): random affine (rotation ±10°, scale 0.9–1.1, shift ±8%),
horizontal flip, random erasing. Loss: cross-entropy with label smoothing 0.1 and class weights
∝ count^-0.5 (disgust is 16× rarer than happy). SGD + Nesterov, cosine schedule with warm-up.
With `--swa-epochs K` the cosine ends at `--swa-lr` K epochs early; the last K epochs hold that
rate and average the weights at each epoch's end (stochastic weight averaging, Izmailov et al.,
UAI 2018), then recompute BatchNorm statistics on the train set; `swa.pt` holds the average.

The cropping protocol (`--crop 40`): each augmented face is a random 40×40 window of the
(equalised, 48×48) face, sampled in the same bilinear pass as the affine; val is scored on the
centre crop, which is what the player feeds such a model (`crop` in the weights' metadata).
`--width 48,96,192` widens FerNet; `--channels-last` uses that memory format. `--teacher F.npz`
(from teach.py: one row of teacher logits per training image) adds knowledge distillation:
loss = (1 − α)·CE + α·T²·KL(softmax(teacher/T) ‖ softmax(student/T)) with `--kd-alpha`, `--kd-t`.
`--select single|flip` picks which val pass `best.pt` is chosen by (the player's pass).
A rerun with the same arguments resumes after the last finished epoch."""

import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import equalize_all, load_npz, normalize  # noqa: E402
from metrics import scores  # noqa: E402
from model import FerNet  # noqa: E402


def augment(x, g, crop=0, shift=0.16):
    """Random affine (rotation ±10°, scale ±10%, shift ±`shift`/2 of the side), horizontal flip,
    random erasing; with `crop` the output is a random `crop`×`crop` window (at most ±(48−crop)/2
    pixels off centre) sampled in the same pass."""
    n, side = x.shape[0], x.shape[-1]
    out = crop or side
    ang = (torch.rand(n, generator=g) * 2 - 1) * math.radians(10)
    scale = 1 + (torch.rand(n, generator=g) * 2 - 1) * 0.1
    tx = (torch.rand(n, generator=g) * 2 - 1) * shift
    ty = (torch.rand(n, generator=g) * 2 - 1) * shift
    if crop:
        # a window of `crop` pixels at a random whole-pixel offset from the centre
        half = (side - crop) // 2
        tx = tx + torch.randint(-half, half + 1, (n,), generator=g).float() * 2 / side
        ty = ty + torch.randint(-half, half + 1, (n,), generator=g).float() * 2 / side
    flip = torch.where(torch.rand(n, generator=g) < 0.5, -1.0, 1.0)
    frac = out / side
    cos, sin = torch.cos(ang) / scale * frac, torch.sin(ang) / scale * frac
    theta = torch.stack([torch.stack([cos * flip, -sin, tx], 1),
                         torch.stack([sin * flip, cos, ty], 1)], 1)
    grid = F.affine_grid(theta, (n, x.shape[1], out, out), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    # random erasing: one box of 30–50% of each side on half of the images
    for i in torch.nonzero(torch.rand(n, generator=g) < 0.5).flatten().tolist():
        h = int(out * (0.3 + 0.2 * torch.rand(1, generator=g).item()))
        w = int(out * (0.3 + 0.2 * torch.rand(1, generator=g).item()))
        y0 = int(torch.randint(0, out - h + 1, (1,), generator=g))
        x0 = int(torch.randint(0, out - w + 1, (1,), generator=g))
        x[i, :, y0:y0 + h, x0:x0 + w] = 0.0
    return x


def centre_crop(x, crop):
    """The centre `crop`×`crop` of [N, C, S, S] (unchanged for crop 0 or S)."""
    side = x.shape[-1]
    if not crop or crop == side:
        return x
    o = (side - crop) // 2
    return x[..., o:o + crop, o:o + crop]


def val_logits(model, x, crop=0, batch=512, channels_last=False):
    """Logits of the single pass and of the mirrored face on the centre crop, [N, 7] each."""
    model.eval()
    plain, flip = [], []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            xb = centre_crop(x[i:i + batch], crop)
            if channels_last:
                xb = xb.contiguous(memory_format=torch.channels_last)
            plain.append(model(xb))
            flip.append(model(torch.flip(xb, dims=[3])))
    model.train()
    return torch.cat(plain), torch.cat(flip)


def evaluate(model, x, y, crop=0, channels_last=False):
    """Scores of the single pass and of the flip-averaged logits: (single, flip)."""
    plain, flip = val_logits(model, x, crop, channels_last=channels_last)
    yn = y.numpy()
    return scores(yn, plain.argmax(1).numpy()), scores(yn, (plain + flip).argmax(1).numpy())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/datasets/fer2013")
    ap.add_argument("--out", default="target/fer-run")
    ap.add_argument("--epochs", type=int, default=14)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--wd", type=float, default=5e-4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--swa-epochs", type=int, default=0)
    ap.add_argument("--swa-lr", type=float, default=0.005)
    ap.add_argument("--width", default="32,64,128", help="FerNet's three stage widths")
    ap.add_argument("--crop", type=int, default=0, help="random crops of this side (0: 48, none)")
    ap.add_argument("--shift", type=float, default=0.16, help="affine shift range (of 2 = side)")
    ap.add_argument("--channels-last", action="store_true")
    ap.add_argument("--teacher", help="teacher logits (teach.py's npz) for distillation")
    ap.add_argument("--kd-alpha", type=float, default=0.5)
    ap.add_argument("--kd-t", type=float, default=2.0)
    ap.add_argument("--select", choices=["single", "flip"], default="flip",
                    help="the val pass that picks best.pt (the one the player uses)")
    ap.add_argument("--limit", type=int, default=0,
                    help="train on the first N images only (a smoke test of the pipeline)")
    ap.add_argument("--init", help="start from this checkpoint's weights (a fresh optimiser and "
                    "schedule: a warm restart); ignored when --out already holds last.pt")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    t0 = time.time()
    xtr, ytr = load_npz(os.path.join(args.data, "train.npz"))
    xva, yva = load_npz(os.path.join(args.data, "val.npz"))
    xtr = torch.from_numpy(normalize(equalize_all(xtr))).unsqueeze(1)
    xva = torch.from_numpy(normalize(equalize_all(xva))).unsqueeze(1)
    ytr = torch.from_numpy(ytr.astype(np.int64))
    n_all = len(xtr)
    if args.limit:
        xtr, ytr = xtr[:args.limit], ytr[:args.limit]
    yva = torch.from_numpy(yva.astype(np.int64))
    print(f"data ready in {time.time() - t0:.1f}s: train {len(xtr)}, val {len(xva)}", flush=True)

    counts = torch.bincount(ytr, minlength=7).float()
    weights = counts.pow(-0.5)
    weights = weights / (weights * counts).sum() * counts.sum()

    width = tuple(int(v) for v in args.width.split(","))
    model = FerNet(width)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    teacher = None
    if args.teacher:
        t = np.load(args.teacher)
        if t["logits"].shape != (n_all, 7):
            sys.exit(f"{args.teacher}: logits {t['logits'].shape}, ({n_all}, 7) expected")
        teacher = torch.from_numpy(t["logits"][:len(xtr)].astype(np.float32))
        print(f"distilling from {args.teacher} (alpha {args.kd_alpha}, T {args.kd_t})", flush=True)
    meta = {"width": list(width), "crop": args.crop, "args": vars(args)}
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True,
                          weight_decay=args.wd)
    steps_per_epoch = len(xtr) // args.batch
    swa_start = args.epochs - args.swa_epochs
    total = steps_per_epoch * swa_start
    warm = steps_per_epoch
    floor = args.swa_lr if args.swa_epochs else 0.0

    def lr_at(step):
        if step < warm:
            return args.lr * (step + 1) / warm
        if step >= total:
            return floor
        return floor + (args.lr - floor) * 0.5 * (1 + math.cos(math.pi * (step - warm) / (total - warm)))

    swa = torch.optim.swa_utils.AveragedModel(model) if args.swa_epochs else None

    start_epoch, best = 0, -1.0
    g = torch.Generator().manual_seed(args.seed)
    last = os.path.join(args.out, "last.pt")
    if args.init and not os.path.exists(last):
        model.load_state_dict(torch.load(args.init, weights_only=False)["model"])
        print(f"initialised from {args.init}", flush=True)
    if os.path.exists(last):
        ck = torch.load(last, weights_only=False)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        g.set_state(ck["gen"])
        torch.set_rng_state(ck["torch_rng"])
        start_epoch, best = ck["epoch"] + 1, ck["best"]
        was = ck.get("args", {})
        for key in ("epochs", "lr", "swa_epochs", "swa_lr", "width", "crop", "teacher"):
            if key in was and was[key] != getattr(args, key):
                print(f"warning: --{key.replace('_', '-')} was {was[key]!r} when this run "
                      f"started, now {getattr(args, key)!r}", flush=True)
        if swa is not None and "swa" in ck:
            swa.load_state_dict(ck["swa"])
        print(f"resumed after epoch {ck['epoch']}", flush=True)

    log = open(os.path.join(args.out, "log.jsonl"), "a")
    for epoch in range(start_epoch, args.epochs):
        t = time.time()
        perm = torch.randperm(len(xtr), generator=g)
        run_loss, seen = 0.0, 0
        for s in range(steps_per_epoch):
            step = epoch * steps_per_epoch + s
            for group in opt.param_groups:
                group["lr"] = lr_at(step)
            idx = perm[s * args.batch:(s + 1) * args.batch]
            xb = augment(xtr[idx], g, args.crop, args.shift)
            if args.channels_last:
                xb = xb.contiguous(memory_format=torch.channels_last)
            out = model(xb)
            loss = F.cross_entropy(out, ytr[idx], weight=weights, label_smoothing=0.1)
            if teacher is not None:
                tt = args.kd_t
                kd = F.kl_div(F.log_softmax(out / tt, 1), F.softmax(teacher[idx] / tt, 1),
                              reduction="batchmean") * tt * tt
                loss = (1 - args.kd_alpha) * loss + args.kd_alpha * kd
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            run_loss += loss.item() * len(idx)
            seen += len(idx)
        single, flipped = evaluate(model, xva, yva, args.crop, args.channels_last)
        m = flipped if args.select == "flip" else single
        rec = {"epoch": epoch, "loss": run_loss / seen, "val_acc": m["accuracy"],
               "val_macro_f1": m["macro_f1"], "single_acc": single["accuracy"],
               "single_macro_f1": single["macro_f1"], "flip_acc": flipped["accuracy"],
               "flip_macro_f1": flipped["macro_f1"], "lr": lr_at(step), "secs": time.time() - t}
        print(json.dumps(rec), flush=True)
        log.write(json.dumps(rec) + "\n")
        log.flush()
        if m["accuracy"] > best:
            best = m["accuracy"]
            torch.save({"model": model.state_dict(), "epoch": epoch, "val": m, **meta},
                       os.path.join(args.out, "best.pt"))
        state = {"model": model.state_dict(), "opt": opt.state_dict(), "gen": g.get_state(),
                 "torch_rng": torch.get_rng_state(), "epoch": epoch, "best": best, **meta}
        if swa is not None and epoch >= swa_start:
            swa.update_parameters(model)
            state["swa"] = swa.state_dict()
        torch.save(state, last + ".tmp")
        os.replace(last + ".tmp", last)
    if swa is not None and start_epoch <= args.epochs:
        finish_swa(swa, xtr, xva, yva, args, meta)


def finish_swa(swa, xtr, xva, yva, args, meta):
    """Recomputes BatchNorm statistics for the averaged weights on the (unaugmented) train set,
    scores them on val and saves them as `swa.pt` in the same format as `best.pt`."""
    t = time.time()
    loader = [centre_crop(xtr[i:i + 256], args.crop) for i in range(0, len(xtr), 256)]
    if args.channels_last:
        loader = [b.contiguous(memory_format=torch.channels_last) for b in loader]
    torch.optim.swa_utils.update_bn(loader, swa)
    model = swa.module
    single, flipped = evaluate(model, xva, yva, args.crop, args.channels_last)
    m = flipped if args.select == "flip" else single
    rec = {"swa_averaged": int(swa.n_averaged), "val_acc": m["accuracy"],
           "val_macro_f1": m["macro_f1"], "single_acc": single["accuracy"],
           "single_macro_f1": single["macro_f1"], "flip_acc": flipped["accuracy"],
           "flip_macro_f1": flipped["macro_f1"], "secs": time.time() - t}
    print(json.dumps(rec), flush=True)
    with open(os.path.join(args.out, "log.jsonl"), "a") as log:
        log.write(json.dumps(rec) + "\n")
    torch.save({"model": model.state_dict(), "epoch": args.epochs - 1, "val": m, **meta},
               os.path.join(args.out, "swa.pt"))


if __name__ == "__main__":
    main()
