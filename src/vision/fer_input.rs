//! The emotion model's input and output helpers, as in training (`tools/fer/data.py`): histogram
//! equalisation, scaling to [−1, 1], the centre crop and the mirrored face for test-time flip, the
//! (temperature-scaled) softmax, and what the weights file's metadata says about all that.

use std::collections::HashMap;

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

/// Softmax of `logits / temperature` (the calibrated probabilities; `temperature` > 0).
pub fn softmax_t(logits: &[f32], temperature: f32) -> Vec<f32> {
    let scaled: Vec<f32> = logits.iter().map(|l| l / temperature).collect();
    softmax(&scaled)
}

/// The centre `crop × crop` of a row-major `size × size` image (offset `(size − crop) / 2`,
/// rounded down, as `train.centre_crop`); the image itself when `crop ≥ size`.
pub fn centre_crop(values: &[f32], size: usize, crop: usize) -> Vec<f32> {
    if crop >= size {
        return values.to_vec();
    }
    let off = (size - crop) / 2;
    values
        .chunks_exact(size.max(1))
        .skip(off)
        .take(crop)
        .flat_map(|row| row[off..off + crop].iter().copied())
        .collect()
}

/// How a weights file says its model is run, from its safetensors metadata (written by
/// `tools/fer/export.py` and `tools/fer/calibrate.py`); a key that is absent keeps the default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FerConfig {
    /// `crop`: the side of the centre crop of the 48×48 face that the model reads (48: all of it).
    pub crop: usize,
    /// `temperature`: the softmax temperature fitted on val for the mirrored pass (the mean of
    /// the face's and its mirror image's logits).
    pub temperature: f32,
    /// `temperature_single`: the same for the single pass.
    pub temperature_single: f32,
}

impl Default for FerConfig {
    fn default() -> Self {
        FerConfig {
            crop: 48,
            temperature: 1.0,
            temperature_single: 1.0,
        }
    }
}

impl FerConfig {
    /// Reads `crop`, `temperature` and `temperature_single`; a value that is not a number in
    /// range is an error naming its key (crop 8–48; temperatures finite, in 0.01–100).
    pub fn from_metadata(meta: &HashMap<String, String>) -> Result<FerConfig, String> {
        let mut config = FerConfig::default();
        if let Some(v) = meta.get("crop") {
            config.crop = v
                .trim()
                .parse()
                .ok()
                .filter(|c| (8..=48).contains(c))
                .ok_or_else(|| format!("metadata crop = {v:?}: a side of 8 to 48 expected"))?;
        }
        let temperature = |key: &str, default: f32| -> Result<f32, String> {
            let Some(v) = meta.get(key) else {
                return Ok(default);
            };
            v.trim()
                .parse::<f32>()
                .ok()
                .filter(|t| t.is_finite() && (0.01..=100.0).contains(t))
                .ok_or_else(|| format!("metadata {key} = {v:?}: a number in 0.01–100 expected"))
        };
        config.temperature = temperature("temperature", 1.0)?;
        config.temperature_single = temperature("temperature_single", config.temperature)?;
        Ok(config)
    }

    /// The temperature of the pass in use.
    pub fn temperature_for(&self, flip_tta: bool) -> f32 {
        if flip_tta {
            self.temperature
        } else {
            self.temperature_single
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_file_without_metadata_runs_the_whole_face_uncalibrated() {
        assert_eq!(
            FerConfig::from_metadata(&HashMap::new()).unwrap(),
            FerConfig::default()
        );
    }

    #[test]
    fn crop_and_both_temperatures_are_read() {
        let c = FerConfig::from_metadata(&meta(&[
            ("crop", "40"),
            ("temperature", "0.823568"),
            ("temperature_single", "0.846235"),
            ("arch", "anything"),
        ]))
        .unwrap();
        assert_eq!(c.crop, 40);
        assert_eq!(c.temperature_for(true), 0.823568);
        assert_eq!(c.temperature_for(false), 0.846235);
    }

    #[test]
    fn the_single_pass_falls_back_to_the_mirrored_pass_temperature() {
        let c = FerConfig::from_metadata(&meta(&[("temperature", "1.5")])).unwrap();
        assert_eq!(c.temperature_single, 1.5);
    }

    #[test]
    fn bad_values_are_errors_naming_the_key() {
        for (key, value) in [
            ("temperature", "0"),
            ("temperature", "-1"),
            ("temperature", "NaN"),
            ("temperature_single", "hot"),
            ("crop", "4"),
            ("crop", "64"),
            ("crop", "forty"),
        ] {
            let err = FerConfig::from_metadata(&meta(&[(key, value)])).unwrap_err();
            assert!(err.contains(key), "{key}={value}: {err}");
        }
    }

    #[test]
    fn a_temperature_below_one_sharpens_and_above_one_flattens_without_changing_the_top() {
        let logits = [2.0, 0.5, -1.0, 0.0, 1.0, 0.2, -0.3];
        let top = |p: &[f32]| (0..7).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
        let plain = softmax(&logits);
        let sharp = softmax_t(&logits, 0.8);
        let flat = softmax_t(&logits, 1.25);
        assert_eq!(top(&plain), 0);
        assert_eq!(top(&sharp), 0);
        assert_eq!(top(&flat), 0);
        assert!(sharp[0] > plain[0] && plain[0] > flat[0]);
        assert!((softmax_t(&logits, 1.0)[0] - plain[0]).abs() < 1e-7);
        assert!((sharp.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        // softmax(l / T) exactly: p0 / p1 = e^((l0 − l1) / T).
        assert!((sharp[0] / sharp[1] - (1.5f32 / 0.8).exp()).abs() < 1e-4);
    }

    #[test]
    fn the_centre_crop_takes_the_middle_rows_and_columns() {
        let img: Vec<f32> = (0..36).map(|v| v as f32).collect();
        assert_eq!(
            centre_crop(&img, 6, 2),
            vec![14.0, 15.0, 20.0, 21.0],
            "rows 2-3, columns 2-3"
        );
        assert_eq!(centre_crop(&img, 6, 6), img);
        assert_eq!(centre_crop(&img, 6, 5).len(), 25);
        assert_eq!(centre_crop(&img, 6, 5)[0], 0.0);
    }
}
