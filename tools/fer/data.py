"""FER-2013 loading and the preprocessing shared with the player (src/vision/fer.rs mirrors
`equalize` and `normalize` exactly)."""

import io

import numpy as np


def equalize(img):
    """Histogram equalisation of one uint8 image (any shape), the classic CDF mapping:
    lut[v] = round((cdf[v] - cdf_min) * 255 / (n - cdf_min)), where cdf_min is the CDF at the
    darkest present value; rounding is half away from zero (floor(x + 0.5) on non-negative x).
    An image of a single grey level is returned unchanged."""
    flat = img.reshape(-1)
    hist = np.bincount(flat, minlength=256).astype(np.int64)
    cdf = np.cumsum(hist)
    n = flat.size
    cdf_min = cdf[np.nonzero(hist)[0][0]]
    if n == cdf_min:
        return img.copy()
    lut = np.floor((cdf - cdf_min) * 255.0 / (n - cdf_min) + 0.5)
    lut = np.clip(lut, 0, 255).astype(np.uint8)
    return lut[img]


def normalize(img_u8):
    """uint8 [.., 48, 48] -> float32 in [-1, 1]: (x / 255 - 0.5) / 0.5."""
    return (img_u8.astype(np.float32) / 255.0 - 0.5) / 0.5


def load_npz(path):
    """x uint8 [N,48,48], y uint8 [N] from the shared npz format (plain or WebP variant)."""
    f = np.load(path)
    if "x" in f:
        return f["x"], f["y"]
    from PIL import Image

    data, off = f["data"], f["offsets"]
    x = np.stack(
        [np.asarray(Image.open(io.BytesIO(data[off[i]:off[i + 1]].tobytes())).convert("L"))
         for i in range(len(off) - 1)])
    return x, f["y"]


def equalize_all(x):
    return np.stack([equalize(im) for im in x])
