//! The emotion model's input and output helpers, as in training (`tools/fer/data.py`): histogram
//! equalisation, scaling to [−1, 1], the centre crop and the mirrored face for test-time flip, the
//! calibrated softmax (a temperature or a vector scaling), and what the weights file's metadata
//! says about all that.

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

/// The classes a calibration vector covers (FER-2013's seven emotions).
pub const CLASSES: usize = 7;

/// Vector scaling (Guo et al. 2017): calibrated logits `scale ⊙ z + bias`, one scale and one
/// bias per class, fitted on val by `tools/fer/calibrate.py`. Unlike a temperature it can move
/// the top class (it undoes part of the class weights' shift of the priors in training).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VectorScaling {
    pub scale: [f32; CLASSES],
    pub bias: [f32; CLASSES],
}

impl VectorScaling {
    /// The calibrated probabilities of one row of `CLASSES` logits.
    pub fn probabilities(&self, logits: &[f32]) -> Vec<f32> {
        let z: Vec<f32> = logits
            .iter()
            .zip(self.scale.iter().zip(&self.bias))
            .map(|(l, (w, b))| l * w + b)
            .collect();
        softmax(&z)
    }
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
    /// `scale` and `bias`: the vector scaling fitted on val for the mirrored pass; where a file
    /// has one it is used instead of the temperature.
    pub vector: Option<VectorScaling>,
    /// `scale_single` and `bias_single`: the same for the single pass.
    pub vector_single: Option<VectorScaling>,
}

impl Default for FerConfig {
    fn default() -> Self {
        FerConfig {
            crop: 48,
            temperature: 1.0,
            temperature_single: 1.0,
            vector: None,
            vector_single: None,
        }
    }
}

/// `CLASSES` comma-separated finite numbers under `key`; for a scale each in 0.01–100.
fn read_vector(
    meta: &HashMap<String, String>,
    key: &str,
    positive: bool,
) -> Result<Option<[f32; CLASSES]>, String> {
    let Some(v) = meta.get(key) else {
        return Ok(None);
    };
    let values: Option<Vec<f32>> = v
        .split(',')
        .map(|x| {
            x.trim()
                .parse::<f32>()
                .ok()
                .filter(|x| x.is_finite() && (!positive || (0.01..=100.0).contains(x)))
        })
        .collect();
    let range = if positive { " in 0.01–100" } else { "" };
    values
        .and_then(|v| <[f32; CLASSES]>::try_from(v).ok())
        .map(Some)
        .ok_or_else(|| {
            format!("metadata {key} = {v:?}: {CLASSES} comma-separated numbers{range} expected")
        })
}

/// The vector scaling named by `scale{suffix}` (and `bias{suffix}`, zero when absent); a bias
/// without its scale is an error.
fn read_scaling(
    meta: &HashMap<String, String>,
    suffix: &str,
) -> Result<Option<VectorScaling>, String> {
    let scale = read_vector(meta, &format!("scale{suffix}"), true)?;
    let bias = read_vector(meta, &format!("bias{suffix}"), false)?;
    match (scale, bias) {
        (Some(scale), bias) => Ok(Some(VectorScaling {
            scale,
            bias: bias.unwrap_or([0.0; CLASSES]),
        })),
        (None, Some(_)) => Err(format!(
            "metadata bias{suffix} without scale{suffix}: both or neither expected"
        )),
        (None, None) => Ok(None),
    }
}

impl FerConfig {
    /// Reads `crop`, `temperature`, `temperature_single`, `scale`, `bias`, `scale_single` and
    /// `bias_single`; a value that is not a number in range is an error naming its key (crop
    /// 8–48; temperatures and scales finite, in 0.01–100; biases finite; seven per vector).
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
        config.vector = read_scaling(meta, "")?;
        config.vector_single = read_scaling(meta, "_single")?;
        Ok(config)
    }

    /// The vector scaling of the pass in use, if the file has one.
    pub fn vector_for(&self, flip_tta: bool) -> Option<&VectorScaling> {
        if flip_tta {
            self.vector.as_ref()
        } else {
            self.vector_single.as_ref()
        }
    }

    /// The calibrated probabilities of one row of logits of the pass in use: its vector scaling
    /// where the file has one, else its temperature.
    pub fn probabilities(&self, logits: &[f32], flip_tta: bool) -> Vec<f32> {
        match self.vector_for(flip_tta) {
            Some(v) => v.probabilities(logits),
            None => softmax_t(logits, self.temperature_for(flip_tta)),
        }
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
    fn a_vector_scaling_is_read_per_pass_and_replaces_the_temperature() {
        let c = FerConfig::from_metadata(&meta(&[
            ("temperature_single", "0.5"),
            ("scale_single", "1,1,1,1,1,1,2"),
            ("bias_single", "0,0,0,0,0,0,-1.5"),
            ("scale", "0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5"),
        ]))
        .unwrap();
        let logits = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9];
        // Single pass: z = (1, 0, …, 2·0.9 − 1.5 = 0.3): class 0 stays on top, but by less than
        // the temperature alone would give.
        let p = c.probabilities(&logits, false);
        let want = softmax(&[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3]);
        assert!(
            p.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-6),
            "{p:?}"
        );
        // Mirrored pass: a scale without a bias is a bias of zero (a temperature of 2).
        let p = c.probabilities(&logits, true);
        let want = softmax_t(&logits, 2.0);
        assert!(
            p.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-6),
            "{p:?}"
        );
        // A file with temperatures only keeps them.
        let t = FerConfig::from_metadata(&meta(&[("temperature_single", "0.5")])).unwrap();
        assert_eq!(t.probabilities(&logits, false), softmax_t(&logits, 0.5));
    }

    #[test]
    fn a_vector_scaling_can_move_the_top_class() {
        let v = VectorScaling {
            scale: [1.0; CLASSES],
            bias: [0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0],
        };
        let p = v.probabilities(&[1.0, 0.0, 0.0, 0.0, 0.8, 0.0, 0.0]);
        assert!(p[4] > p[0], "{p:?}");
    }

    #[test]
    fn bad_vectors_are_errors_naming_the_key() {
        for pairs in [
            vec![("scale", "1,1,1")],
            vec![("scale", "1,1,1,1,1,1,0")],
            vec![("scale_single", "1,1,1,1,1,1,x")],
            vec![
                ("scale_single", "1,1,1,1,1,1,1"),
                ("bias_single", "0,0,0,0,0,0,inf"),
            ],
            vec![("scale_single", "1,1,1,1,1,1,1,1")],
            vec![("bias", "0,0,0,0,0,0,0")],
        ] {
            let key = pairs.last().unwrap().0;
            let err = FerConfig::from_metadata(&meta(&pairs)).unwrap_err();
            assert!(err.contains(key), "{pairs:?}: {err}");
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
