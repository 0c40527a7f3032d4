//! The emotion model's input and output helpers, as in training (`tools/fer/data.py`): histogram
//! equalisation, scaling to [−1, 1], the mirrored face for test-time flip, and softmax.

use image::GrayImage;

/// Histogram equalisation exactly as `data.equalize`: `lut[v] = floor((cdf[v] − cdf_min)·255 /
/// (n − cdf_min) + 0.5)` in f64, `cdf_min` the CDF at the darkest present value; an image of one
/// grey level (or none) comes back unchanged.
pub fn equalize(pixels: &[u8]) -> Vec<u8> {
    let mut hist = [0u64; 256];
    pixels.iter().for_each(|&v| hist[usize::from(v)] += 1);
    let n = pixels.len() as u64;
    let Some(first) = hist.iter().position(|&c| c > 0) else {
        return Vec::new();
    };
    let cdf_min = hist[first];
    if n == cdf_min {
        return pixels.to_vec();
    }
    let mut lut = [0u8; 256];
    let mut cdf = 0u64;
    for (v, count) in hist.iter().enumerate() {
        cdf += count;
        if v >= first {
            let mapped = ((cdf - cdf_min) as f64 * 255.0 / (n - cdf_min) as f64 + 0.5).floor();
            lut[v] = mapped.clamp(0.0, 255.0) as u8;
        }
    }
    pixels.iter().map(|&v| lut[usize::from(v)]).collect()
}

/// `data.normalize` for one pixel: `(v / 255 − 0.5) / 0.5` in f32.
pub fn normalize(v: u8) -> f32 {
    (f32::from(v) / 255.0 - 0.5) / 0.5
}

/// A gray face (48×48 from `align::align_face`) → the model's input values, row-major:
/// histogram equalisation, then scaling to [−1, 1], as in training.
pub fn preprocess(face: &GrayImage) -> Vec<f32> {
    equalize(face.as_raw()).into_iter().map(normalize).collect()
}

/// A row-major `size × size` image mirrored left to right.
pub fn hflip(values: &[f32], size: usize) -> Vec<f32> {
    values
        .chunks_exact(size.max(1))
        .flat_map(|row| row.iter().rev().copied())
        .collect()
}

/// Softmax of one row of logits.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
    let total: f32 = exp.iter().sum();
    exp.into_iter().map(|e| e / total).collect()
}
