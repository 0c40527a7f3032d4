//! The rhythm half of the signal features: onsets counted in a spectral-flux envelope, and the
//! tempo and pulse clarity read off the envelope's autocorrelation (the method is in
//! `signal`'s module docs). Pure functions of the envelope; `signal::SignalAnalyzer` calls them.

use super::mel::SAMPLE_RATE;

/// The hop of the mel frames the envelope is read from.
pub(super) const ONSET_HOP: usize = super::mel::HOP;

/// The least rise above the local mean that counts as an onset (in the envelope's units, a mean
/// rise of `ln(1 + 100·|X|)` per bin), so that the noise of a steady sound is no onset.
pub(super) const MIN_RISE: f32 = 0.01;

/// Onsets in an envelope (see the module docs).
pub(super) fn count_onsets(envelope: &[f32]) -> usize {
    let n = envelope.len();
    if n < 3 {
        return 0;
    }
    let mean = envelope.iter().sum::<f32>() / n as f32;
    let sd = (envelope.iter().map(|e| (e - mean).powi(2)).sum::<f32>() / n as f32).sqrt();
    if sd <= 0.0 {
        return 0;
    }
    let mut count = 0;
    let mut last: Option<usize> = None;
    for t in 0..n {
        let near = &envelope[t.saturating_sub(3)..(t + 4).min(n)];
        if near.iter().any(|&e| e > envelope[t]) {
            continue;
        }
        let around = &envelope[t.saturating_sub(10)..(t + 11).min(n)];
        let local = around.iter().sum::<f32>() / around.len() as f32;
        if envelope[t] >= local + (0.5 * sd).max(MIN_RISE) && last.is_none_or(|l| t - l > 3) {
            count += 1;
            last = Some(t);
        }
    }
    count
}

/// Frames per beat at `bpm`.
pub(super) fn lag_of(bpm: f32) -> f32 {
    60.0 * SAMPLE_RATE as f32 / ONSET_HOP as f32 / bpm
}

/// Adds the autocorrelation of the mean-removed envelope, lags `0..acc.len()`, to `acc`.
pub(super) fn add_autocorr(envelope: &[f32], acc: &mut [f64]) {
    let n = envelope.len();
    if n == 0 {
        return;
    }
    let mean = envelope.iter().sum::<f32>() / n as f32;
    let centred: Vec<f64> = envelope.iter().map(|&e| f64::from(e - mean)).collect();
    for (lag, a) in acc.iter_mut().enumerate().take(n) {
        *a += centred[..n - lag]
            .iter()
            .zip(&centred[lag..])
            .map(|(x, y)| x * y)
            .sum::<f64>();
    }
}

/// (tempo in BPM, pulse clarity) from a summed autocorrelation (see the module docs).
pub(super) fn tempo(acc: &[f64]) -> (f32, f32) {
    if acc.is_empty() || acc[0] <= 0.0 {
        return (0.0, 0.0);
    }
    let (lo, hi) = (lag_of(220.0).floor() as usize, lag_of(50.0).ceil() as usize);
    let prior = |lag: f32| {
        let octaves = (lag_of(120.0) / lag).log2();
        (-0.5 * octaves * octaves).exp()
    };
    let best = (lo.max(1)..=hi.min(acc.len() - 2))
        .max_by(|&a, &b| {
            let score = |l: usize| acc[l].max(0.0) * f64::from(prior(l as f32));
            score(a).total_cmp(&score(b))
        })
        .unwrap_or(lo);
    if best == 0 || best + 1 >= acc.len() {
        return (0.0, 0.0);
    }
    let (a, b, c) = (acc[best - 1], acc[best], acc[best + 1]);
    let denom = a - 2.0 * b + c;
    let shift = if denom.abs() > f64::EPSILON {
        (0.5 * (a - c) / denom).clamp(-0.5, 0.5)
    } else {
        0.0
    };
    let lag = best as f64 + shift;
    let bpm = 60.0 * f64::from(SAMPLE_RATE) / ONSET_HOP as f64 / lag;
    (bpm as f32, (b / acc[0]).clamp(0.0, 1.0) as f32)
}
