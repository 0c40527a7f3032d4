//! The tonal half of the signal features: which chroma FFT bins fold into which pitch class,
//! and key clarity and mode from a chroma vector against the Krumhansl–Kessler key profiles.
//! Pure functions; `signal::SignalAnalyzer` computes the chroma and calls them.

use super::mel::SAMPLE_RATE;

/// The chroma FFT's length (16 kHz: 3.9 Hz bins, enough to tell semitones apart from 60 Hz up).
pub(super) const CHROMA_FFT: usize = 4096;

/// Krumhansl & Kessler's (1982) probe-tone ratings of the 12 pitch classes in C major / C minor.
const MAJOR_PROFILE: [f32; 12] = [
    6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88,
];
const MINOR_PROFILE: [f32; 12] = [
    6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17,
];

/// The pitch class (C = 0) of each chroma FFT bin from 60 Hz to 2 kHz, from the first such bin.
pub(super) fn chroma_bins() -> (usize, Vec<usize>) {
    let bin_hz = SAMPLE_RATE as f32 / CHROMA_FFT as f32;
    let bins: Vec<usize> = (0..=CHROMA_FFT / 2)
        .filter(|&k| (60.0..=2000.0).contains(&(k as f32 * bin_hz)))
        .collect();
    let classes = bins
        .iter()
        .map(|&k| {
            let midi = 69.0 + 12.0 * (k as f32 * bin_hz / 440.0).log2();
            (midi.round() as i64).rem_euclid(12) as usize
        })
        .collect();
    (bins.first().copied().unwrap_or(0), classes)
}

/// (key clarity, mode) of a chroma vector; (0, 0) for an empty one.
pub(super) fn key(chroma: &[f32; 12]) -> (f32, f32) {
    if chroma.iter().all(|&c| c <= 0.0) {
        return (0.0, 0.0);
    }
    let best = |profile: &[f32; 12]| {
        (0..12)
            .map(|k| {
                let rotated: Vec<f32> = (0..12).map(|i| profile[(i + 12 - k) % 12]).collect();
                pearson(chroma, &rotated)
            })
            .fold(f32::NEG_INFINITY, f32::max)
    };
    let (major, minor) = (best(&MAJOR_PROFILE), best(&MINOR_PROFILE));
    (major.max(minor), major - minor)
}

fn pearson(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len() as f32;
    let (ma, mb) = (a.iter().sum::<f32>() / n, b.iter().sum::<f32>() / n);
    let (mut num, mut da, mut dbb) = (0f32, 0f32, 0f32);
    for (x, y) in a.iter().zip(b) {
        num += (x - ma) * (y - mb);
        da += (x - ma).powi(2);
        dbb += (y - mb).powi(2);
    }
    if da <= 0.0 || dbb <= 0.0 {
        0.0
    } else {
        num / (da.sqrt() * dbb.sqrt())
    }
}
