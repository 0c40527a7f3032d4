//! `mien eval-fer DATA.npz [--json]`: the emotion model alone on face crops in the shared npz
//! format (`x` uint8 [N, 48, 48], `y` uint8 [N], FER-2013 label order): equalise, scale,
//! classify one face at a time (the player's single pass; with `--tta` also the mirrored face,
//! the `flip_acc` of `tools/fer/train.py`), and score as `tools/fer/metrics.py` does. Main thread.
//!
//! `--json` prints `{"n", "accuracy", "macro_f1", "per_class_recall": {label: x}, "confusion":
//! [[...]] (rows = true label), "ms_per_face", "flip_tta", "temperature", "calibration", "ece"}`:
//! `calibration` is "vector" or "temperature" (which of the weights' calibrations the player
//! applies), `ece` the expected calibration error of the probabilities it gives, 15 bins, as
//! `tools/fer/calibrate.py` computes it.

use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use candle_core::{DType, Tensor};
use serde_json::{json, Map, Value};

use crate::cli::VisionOpts;
use crate::core::EMOTIONS;
use crate::vision::fer::{self, INPUT_SIZE};

/// Scores of predictions against labels, as `tools/fer/metrics.py::scores`.
#[derive(Clone, Debug, PartialEq)]
pub struct Scores {
    pub n: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub recall: [f64; 7],
    /// `confusion[true][predicted]`.
    pub confusion: [[u64; 7]; 7],
}

pub fn scores(truth: &[u8], predicted: &[usize]) -> Scores {
    let mut confusion = [[0u64; 7]; 7];
    for (&t, &p) in truth.iter().zip(predicted) {
        confusion[usize::from(t).min(6)][p.min(6)] += 1;
    }
    let tp: Vec<f64> = (0..7).map(|i| confusion[i][i] as f64).collect();
    let mut recall = [0f64; 7];
    let mut f1_sum = 0.0;
    for k in 0..7 {
        let row: u64 = confusion[k].iter().sum();
        let col: u64 = confusion.iter().map(|r| r[k]).sum();
        let r = tp[k] / row.max(1) as f64;
        let p = tp[k] / col.max(1) as f64;
        recall[k] = r;
        if p + r > 0.0 {
            f1_sum += 2.0 * p * r / (p + r).max(1e-12);
        }
    }
    let n = truth.len().min(predicted.len());
    Scores {
        n,
        accuracy: tp.iter().sum::<f64>() / n.max(1) as f64,
        macro_f1: f1_sum / 7.0,
        recall,
        confusion,
    }
}

/// Expected calibration error over `bins` equal-width bins of the top probability:
/// `Σ_b (n_b / N) · |accuracy_b − mean confidence_b|`, as `tools/fer/calibrate.py::reliability`
/// (a confidence on a bin edge falls in the lower bin). `faces`: (top probability, right?).
pub fn ece(faces: &[(f32, bool)], bins: usize) -> f64 {
    let bins = bins.max(1);
    let mut sums = vec![(0usize, 0f64, 0usize); bins];
    for &(conf, right) in faces {
        let b = ((f64::from(conf) * bins as f64).ceil() as usize).clamp(1, bins) - 1;
        sums[b].0 += 1;
        sums[b].1 += f64::from(conf);
        sums[b].2 += usize::from(right);
    }
    let n = faces.len().max(1) as f64;
    sums.iter()
        .filter(|(count, _, _)| *count > 0)
        .map(|&(_, conf, right)| (right as f64 - conf).abs() / n)
        .sum()
}

/// `x` and `y` of an npz file, checked.
fn read_npz(path: &Path) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let arrays = Tensor::read_npz_by_name(path, &["x", "y"]).with_context(|| {
        format!(
            "{}: cannot read arrays x and y (the plain npz format: x uint8 [N,48,48], y uint8 [N])",
            path.display()
        )
    })?;
    let (x, y) = (&arrays[0], &arrays[1]);
    let (n, h, w) = x
        .dims3()
        .with_context(|| format!("{}: x is not [N, 48, 48]", path.display()))?;
    if (h, w) != (INPUT_SIZE, INPUT_SIZE) || y.dims() != [n] {
        anyhow::bail!(
            "{}: x must be [N, 48, 48] and y [N]; got {:?} and {:?}",
            path.display(),
            x.dims(),
            y.dims()
        );
    }
    if x.dtype() != DType::U8 || y.dtype() != DType::U8 {
        anyhow::bail!("{}: x and y must be uint8", path.display());
    }
    let y = y.to_vec1::<u8>()?;
    if let Some(bad) = y.iter().find(|&&l| usize::from(l) >= EMOTIONS.len()) {
        anyhow::bail!(
            "{}: label {bad} is not one of the 7 FER-2013 classes",
            path.display()
        );
    }
    Ok((x.flatten_all()?.to_vec1::<u8>()?, y))
}

pub fn run(data: &Path, json_out: bool, opts: &VisionOpts) -> anyhow::Result<()> {
    let classifier = crate::commands::emotion::classifier(opts)?;
    let (x, y) = read_npz(data)?;
    let px = INPUT_SIZE * INPUT_SIZE;
    let mut predicted = Vec::with_capacity(y.len());
    let mut confidences = Vec::with_capacity(y.len());
    let mut model_secs = 0.0;
    for face in x.chunks_exact(px) {
        let started = Instant::now();
        let input: Vec<f32> = fer::equalize(face)
            .into_iter()
            .map(fer::normalize)
            .collect();
        let c = classifier.classify_input(&input)?;
        model_secs += started.elapsed().as_secs_f64();
        predicted.push(c.top());
        confidences.push(c.probs[c.top()]);
    }
    let s = scores(&y, &predicted);
    let faces: Vec<(f32, bool)> = confidences
        .iter()
        .zip(predicted.iter().zip(&y))
        .map(|(&conf, (&p, &t))| (conf, p == usize::from(t)))
        .collect();
    let ece = ece(&faces, 15);
    let temperature = classifier.temperature();
    let ms_per_face = model_secs * 1e3 / s.n.max(1) as f64;
    if json_out {
        let recall: Map<String, Value> = EMOTIONS
            .iter()
            .zip(s.recall)
            .map(|(l, r)| (l.to_string(), json!(r)))
            .collect();
        let report = json!({"n": s.n, "accuracy": s.accuracy, "macro_f1": s.macro_f1,
            "per_class_recall": recall, "confusion": s.confusion, "ms_per_face": ms_per_face,
            "flip_tta": classifier.flip_tta(), "temperature": temperature,
            "calibration": classifier.calibration(), "ece": ece});
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{} faces: accuracy {:.2}%, macro-F1 {:.3}, {ms_per_face:.2} ms per face{}",
            s.n,
            100.0 * s.accuracy,
            s.macro_f1,
            if classifier.flip_tta() {
                " (with flip)"
            } else {
                ""
            }
        );
        for (l, r) in EMOTIONS.iter().zip(s.recall) {
            println!("  {l:<9} recall {:.1}%", 100.0 * r);
        }
        match classifier.calibration() {
            "vector" => println!(
                "  calibration: vector scaling (a scale and a bias per class), ECE {ece:.4} (15 bins)"
            ),
            _ => println!("  calibration: temperature {temperature:.3}, ECE {ece:.4} (15 bins)"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_match_the_python_metrics_on_a_small_case() {
        // y_true = [0,0,1,3,3,3], y_pred = [0,3,1,3,3,0]
        let s = scores(&[0, 0, 1, 3, 3, 3], &[0, 3, 1, 3, 3, 0]);
        assert_eq!(s.n, 6);
        assert!((s.accuracy - 4.0 / 6.0).abs() < 1e-12);
        assert_eq!(s.confusion[0], [1, 0, 0, 1, 0, 0, 0]);
        assert!((s.recall[3] - 2.0 / 3.0).abs() < 1e-12);
        // f1: class0 p=.5 r=.5 → .5; class1 1; class3 p=2/3 r=2/3 → 2/3; others 0.
        assert!((s.macro_f1 - (0.5 + 1.0 + 2.0 / 3.0) / 7.0).abs() < 1e-12);
    }

    #[test]
    fn ece_weighs_each_bins_gap_by_its_share_of_the_faces() {
        // Two of ten bins used: (0.9, 1] holds 0.95 twice, one right → |0.5 − 0.95|, weight 2/5;
        // (0.3, 0.4] holds 0.35, 0.33, 0.31, one right → |1/3 − 0.33|, weight 3/5.
        let faces = [
            (0.95, true),
            (0.95, false),
            (0.35, true),
            (0.33, false),
            (0.31, false),
        ];
        let want = 0.45 * 2.0 / 5.0 + (1.0 / 3.0 - 0.33) * 3.0 / 5.0;
        assert!((ece(&faces, 10) - want).abs() < 1e-6, "{}", ece(&faces, 10));
        // A perfectly calibrated set and an empty one.
        assert!(ece(&[(1.0, true), (1.0, true)], 15).abs() < 1e-12);
        assert_eq!(ece(&[], 15), 0.0);
    }
}
