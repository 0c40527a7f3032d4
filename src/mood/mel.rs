//! musicnn's front end on 16 kHz mono samples: the mel power spectrogram exactly as
//! `librosa.feature.melspectrogram(y, sr=16000, n_fft=512, hop_length=256, n_mels=96)` (librosa
//! 0.10) computes it, and musicnn's log compression. Pure computation, run on the tagging thread.
//!
//! librosa's defaults, reproduced here: the periodic Hann window (`get_window('hann', 512,
//! fftbins=True)`), centred frames with 256 zeros of padding at each end (`center=True,
//! pad_mode='constant'`), the FFT in double precision stored as complex64, the power `|X|²`, and
//! 96 Slaney-style mel filters from 0 Hz to 8 kHz with Slaney area normalisation
//! (`librosa.filters.mel(sr=16000, n_fft=512, n_mels=96)`, `htk=False, norm='slaney'`).
//! musicnn (`extractor.batch_data`) then casts the mel power to float16 and takes
//! `log10(10000·x + 1)` in float32; [`log_compress`] does the same.

use std::sync::Arc;

use realfft::{RealFftPlanner, RealToComplex};

/// Sample rate the model expects, Hz.
pub const SAMPLE_RATE: u32 = 16_000;
/// FFT size (and window length), samples.
pub const N_FFT: usize = 512;
/// Hop between frames, samples.
pub const HOP: usize = 256;
/// Mel bands.
pub const N_MELS: usize = 96;
const N_BINS: usize = N_FFT / 2 + 1;

/// One triangular mel filter: its non-zero weights, starting at FFT bin `start`.
#[derive(Clone, Debug)]
struct MelFilter {
    start: usize,
    weights: Vec<f32>,
}

/// The STFT + mel filter bank. Build once and reuse: it plans the FFT and computes the filters.
pub struct MelFrontEnd {
    fft: Arc<dyn RealToComplex<f64>>,
    window: Vec<f64>,
    filters: Vec<MelFilter>,
}

impl Default for MelFrontEnd {
    fn default() -> Self {
        MelFrontEnd::new()
    }
}

impl MelFrontEnd {
    pub fn new() -> MelFrontEnd {
        let fft = RealFftPlanner::<f64>::new().plan_fft_forward(N_FFT);
        let window = (0..N_FFT)
            .map(|n| 0.5 - 0.5 * (std::f64::consts::TAU * n as f64 / N_FFT as f64).cos())
            .collect();
        let filters = mel_filters()
            .into_iter()
            .map(|row| {
                let start = row.iter().position(|&w| w != 0.0).unwrap_or(0);
                let end = row.iter().rposition(|&w| w != 0.0).map_or(start, |e| e + 1);
                MelFilter {
                    start,
                    weights: row[start..end].to_vec(),
                }
            })
            .collect();
        MelFrontEnd {
            fft,
            window,
            filters,
        }
    }

    /// Frames librosa gives for `samples` samples with centring: `1 + samples / HOP`.
    pub fn frame_count(samples: usize) -> usize {
        1 + samples / HOP
    }

    /// Appends to `out` the mel power of frames `start .. start + count` of `samples` (row-major,
    /// `N_MELS` values per frame). Frame `t` is centred on sample `t·HOP`; samples outside the
    /// signal are zeros, so frames past the end are valid (and silent).
    pub fn mel_power(&self, samples: &[f32], start: usize, count: usize, out: &mut Vec<f32>) {
        let mut frame = self.fft.make_input_vec();
        let mut spectrum = self.fft.make_output_vec();
        let mut scratch = self.fft.make_scratch_vec();
        let mut power = vec![0f32; N_BINS];
        out.reserve(count * N_MELS);
        for t in start..start + count {
            let first = (t * HOP) as isize - (N_FFT / 2) as isize;
            for (n, x) in frame.iter_mut().enumerate() {
                let i = first + n as isize;
                let s = usize::try_from(i)
                    .ok()
                    .and_then(|i| samples.get(i))
                    .copied();
                *x = f64::from(s.unwrap_or(0.0)) * self.window[n];
            }
            // Lengths come from the planner itself, so this cannot fail.
            let _ = self
                .fft
                .process_with_scratch(&mut frame, &mut spectrum, &mut scratch);
            for (p, c) in power.iter_mut().zip(&spectrum) {
                // librosa stores the spectrum as complex64, then |X|^2 in float32.
                let (re, im) = (c.re as f32, c.im as f32);
                let mag = re.hypot(im);
                *p = mag * mag;
            }
            for f in &self.filters {
                let bins = &power[f.start..f.start + f.weights.len()];
                let sum: f64 = bins
                    .iter()
                    .zip(&f.weights)
                    .map(|(&p, &w)| f64::from(p) * f64::from(w))
                    .sum();
                out.push(sum as f32);
            }
        }
    }
}

/// musicnn's compression, in place: each mel power value rounded to float16 (as
/// `audio_rep.astype(np.float16)` does), then `log10(10000·x + 1)` in float32.
pub fn log_compress(mel: &mut [f32]) {
    for x in mel {
        *x = (10_000.0 * round_to_f16(*x) + 1.0).log10();
    }
}

/// `x` rounded to the nearest IEEE half-precision value (ties to even), as an f32; values beyond
/// the half range become infinite, like numpy's cast.
pub fn round_to_f16(x: f32) -> f32 {
    if !x.is_finite() {
        return x;
    }
    let exp = ((x.to_bits() >> 23) & 0xff) as i32 - 127;
    // Half has 10 fraction bits; below 2^-14 its subnormals are spaced 2^-24 apart.
    let ulp = 2f32.powi((exp - 10).max(-24));
    let r = (x / ulp).round_ties_even() * ulp;
    if r.abs() > 65_504.0 {
        f32::INFINITY.copysign(x)
    } else {
        r
    }
}

/// `librosa.filters.mel(sr=16000, n_fft=512, n_mels=96)`: `[N_MELS][N_BINS]`, computed in f64
/// and stored as f32 as librosa does (weights cast to f32, then scaled by the Slaney norm).
fn mel_filters() -> Vec<Vec<f32>> {
    let sr = f64::from(SAMPLE_RATE);
    let fft_freqs: Vec<f64> = (0..N_BINS).map(|k| k as f64 * sr / N_FFT as f64).collect();
    let (lo, hi) = (hz_to_mel(0.0), hz_to_mel(sr / 2.0));
    let mel_f: Vec<f64> = (0..N_MELS + 2)
        .map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (N_MELS + 1) as f64))
        .collect();
    (0..N_MELS)
        .map(|i| {
            let (d0, d1) = (mel_f[i + 1] - mel_f[i], mel_f[i + 2] - mel_f[i + 1]);
            let enorm = 2.0 / (mel_f[i + 2] - mel_f[i]);
            fft_freqs
                .iter()
                .map(|&f| {
                    let lower = (f - mel_f[i]) / d0;
                    let upper = (mel_f[i + 2] - f) / d1;
                    let w = lower.min(upper).max(0.0) as f32;
                    (f64::from(w) * enorm) as f32
                })
                .collect()
        })
        .collect()
}

/// The centre frequency (Hz) of each of the [`N_MELS`] bands, in band order: the peaks of the
/// triangular filters.
pub fn band_centres() -> Vec<f32> {
    let sr = f64::from(SAMPLE_RATE);
    let (lo, hi) = (hz_to_mel(0.0), hz_to_mel(sr / 2.0));
    (1..=N_MELS)
        .map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (N_MELS + 1) as f64) as f32)
        .collect()
}

/// Slaney's mel scale (librosa `htk=False`): linear below 1 kHz, logarithmic above.
const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;
const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

fn hz_to_mel(hz: f64) -> f64 {
    if hz >= MIN_LOG_HZ {
        MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / log_step()
    } else {
        hz / F_SP
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    if mel >= MIN_LOG_MEL {
        MIN_LOG_HZ * (log_step() * (mel - MIN_LOG_MEL)).exp()
    } else {
        F_SP * mel
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_to_f16_agrees_with_the_half_crate_across_the_range() {
        let mut values = vec![
            0.0f32, 1e-9, 5.96e-8, 3e-8, 6.1e-5, 1.0, 1.0004883, 65_504.0, 65_519.0, 65_520.0, 1e6,
        ];
        let mut v = 1.1e-8f32;
        while v < 7e4 {
            values.push(v);
            v *= 1.0137;
        }
        let t = candle_core::Tensor::new(values.as_slice(), &candle_core::Device::Cpu).unwrap();
        let half: Vec<f32> = t
            .to_dtype(candle_core::DType::F16)
            .and_then(|h| h.to_dtype(candle_core::DType::F32))
            .and_then(|h| h.to_vec1())
            .unwrap();
        for (x, h) in values.iter().zip(half) {
            assert_eq!(round_to_f16(*x), h, "x = {x:e}");
        }
    }

    #[test]
    fn band_centres_rise_from_low_to_high_and_end_below_nyquist() {
        let c = band_centres();
        assert_eq!(c.len(), N_MELS);
        assert!(c.windows(2).all(|w| w[0] < w[1]));
        assert!(
            c[0] > 0.0 && c[0] < 100.0 && c[N_MELS - 1] < 8000.0,
            "{c:?}"
        );
    }

    #[test]
    fn mel_filters_match_librosa_spot_values() {
        // librosa.filters.mel(sr=16000, n_fft=512, n_mels=96): rows 0, 40, 95.
        let f = mel_filters();
        assert_eq!(f[0][0], 0.0);
        assert!((f[0][1] - 0.031_999_223).abs() < 1e-8, "{}", f[0][1]);
        let row40: Vec<f32> = f[40].iter().copied().filter(|&w| w > 0.0).collect();
        assert_eq!(row40.len(), 2);
        assert!((row40[0] - 0.014_877_91).abs() < 1e-8 && (row40[1] - 0.014_853_7).abs() < 1e-8);
        let top: Vec<usize> = (0..N_BINS).filter(|&k| f[95][k] > 0.0).collect();
        assert_eq!(top, (241..256).collect::<Vec<_>>());
    }

    #[test]
    fn a_sine_peaks_in_the_mel_band_of_its_frequency() {
        let fe = MelFrontEnd::new();
        let tone: Vec<f32> = (0..16_000)
            .map(|n| (std::f32::consts::TAU * 1000.0 * n as f32 / 16_000.0).sin())
            .collect();
        let mut mel = Vec::new();
        fe.mel_power(&tone, 10, 1, &mut mel);
        let peak = (0..N_MELS)
            .max_by(|&a, &b| mel[a].total_cmp(&mel[b]))
            .unwrap();
        // 1 kHz is mel 15 on the Slaney scale; band i centres on mel (i + 1) · hi / 97.
        let centre = mel_to_hz((peak + 1) as f64 * hz_to_mel(8000.0) / 97.0);
        assert!(
            (centre - 1000.0).abs() < 60.0,
            "peak band {peak} centred at {centre} Hz"
        );
    }

    #[test]
    fn frames_past_the_end_are_silent_and_compress_to_zero() {
        let fe = MelFrontEnd::new();
        let mut mel = Vec::new();
        fe.mel_power(&[0.5; 1000], 10, 2, &mut mel);
        assert_eq!(mel.len(), 2 * N_MELS);
        log_compress(&mut mel);
        assert!(mel.iter().all(|&x| x == 0.0));
    }
}
