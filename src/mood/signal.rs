//! Cheap signal features of a track, from the same 16 kHz mono spans the tagger feeds to musicnn
//! (so a 4-minute track costs 12 s of analysis): loudness and its range, onset rate, tempo and
//! pulse clarity, spectral centroid and flux, and key clarity and mode from a chroma vector
//! against the Krumhansl–Kessler key profiles. Each span (a 3 s patch) is analysed on its own
//! and the track's features are the mean over its spans (the median for tempo), like the
//! network outputs. Pure computation, run on the tagging thread.
//!
//! Why these (docs/MOOD.md has the measurements): loudness, onset rate, tempo and brightness are
//! the classic arousal cues, and mode (major/minor) the strongest valence cue of music without
//! words (e.g. Gabrielsson & Lindström 2010; Eerola, Friberg & Bresin 2013).
//!
//! - Loudness: RMS over all spans in dBFS; range: the 90th minus the 10th percentile of the RMS
//!   of 0.4 s blocks, in dB.
//! - Onsets: a spectral-flux envelope read off the patch's log-mel frames that musicnn gets (the
//!   half-wave rectified rise of `log10(10000·mel + 1)`, averaged over the 96 bands, hop 16 ms;
//!   like librosa's `onset_strength`; a level change shifts every band alike, so mastering
//!   levels hardly matter); an onset is a local maximum of the envelope over ±3 frames that
//!   exceeds the mean over the surrounding ±10 frames by 0.5 standard deviations of the envelope
//!   (and by at least [`rhythm::MIN_RISE`](super::rhythm::MIN_RISE)).
//! - Tempo: the autocorrelation of the mean-removed envelope, summed over spans, weighted by a
//!   log-normal prior around 120 BPM (one octave wide), maximised over 50–220 BPM with parabolic
//!   interpolation; pulse clarity is that autocorrelation's height relative to lag 0.
//! - Centroid: each frame's mean band frequency weighted by the bands' magnitudes (the square
//!   root of the mel power), averaged over the frames that are not silent; flux: the
//!   envelope's mean.
//! - Low energy: the share of 0.4 s blocks quieter than the mean block level (in RMS), a
//!   classic cue of sparse, quiet passages (Tzanetakis & Cook 2002).
//! - Chroma: magnitude spectra (n_fft 4096, hop 2048) folded into 12 pitch classes from 60 Hz to
//!   2 kHz; key clarity is the best Pearson correlation with the 24 rotated key profiles
//!   (Krumhansl & Kessler 1982), mode the best major minus the best minor correlation.

use std::sync::Arc;

use realfft::{RealFftPlanner, RealToComplex};
use serde::{Deserialize, Serialize};

use super::mel::SAMPLE_RATE;
use super::rhythm::{add_autocorr, count_onsets, lag_of, tempo, ONSET_HOP};
use super::tonality::{chroma_bins, key, CHROMA_FFT};

/// The signal features of a track (see the module docs for each definition).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SignalFeatures {
    /// RMS level, dBFS (full scale 1.0).
    pub loudness_db: f32,
    /// Spread of the 0.4 s block levels (90th − 10th percentile), dB.
    pub loudness_range_db: f32,
    /// Onsets per second.
    pub onset_rate: f32,
    /// Beats per minute.
    pub tempo_bpm: f32,
    /// 0 (no periodicity) to 1.
    pub pulse_clarity: f32,
    /// Spectral centroid, Hz.
    pub centroid_hz: f32,
    /// Share of 0.4 s blocks below the mean block RMS, 0–1.
    pub low_energy: f32,
    /// Mean spectral flux per frame.
    pub flux: f32,
    /// Best correlation of the chroma with a key profile, −1 to 1.
    pub key_clarity: f32,
    /// Best major minus best minor key correlation: > 0 leans major.
    pub mode: f32,
}

impl SignalFeatures {
    /// The mean of several spans' features, the silent ones (all zero) left out; tempo is the
    /// median instead (a mean of tempi an octave apart is no tempo).
    pub fn mean(each: &[SignalFeatures]) -> SignalFeatures {
        let audible: Vec<&SignalFeatures> = each
            .iter()
            .filter(|f| **f != SignalFeatures::default())
            .collect();
        if audible.is_empty() {
            return SignalFeatures::default();
        }
        let n = audible.len() as f32;
        let avg = |get: fn(&SignalFeatures) -> f32| audible.iter().map(|f| get(f)).sum::<f32>() / n;
        let mut tempi: Vec<f32> = audible.iter().map(|f| f.tempo_bpm).collect();
        tempi.sort_by(f32::total_cmp);
        let mid = tempi.len() / 2;
        let tempo_bpm = if tempi.len() % 2 == 1 {
            tempi[mid]
        } else {
            (tempi[mid - 1] + tempi[mid]) / 2.0
        };
        SignalFeatures {
            loudness_db: avg(|f| f.loudness_db),
            loudness_range_db: avg(|f| f.loudness_range_db),
            onset_rate: avg(|f| f.onset_rate),
            tempo_bpm,
            pulse_clarity: avg(|f| f.pulse_clarity),
            centroid_hz: avg(|f| f.centroid_hz),
            low_energy: avg(|f| f.low_energy),
            flux: avg(|f| f.flux),
            key_clarity: avg(|f| f.key_clarity),
            mode: avg(|f| f.mode),
        }
    }
}

/// The hop of the chroma frames (half the FFT).
const CHROMA_HOP: usize = 2048;
const BLOCK: usize = SAMPLE_RATE as usize * 2 / 5;

/// Computes [`SignalFeatures`]; build once (it plans an FFT) and reuse.
pub struct SignalAnalyzer {
    chroma_fft: Arc<dyn RealToComplex<f32>>,
    chroma_window: Vec<f32>,
    /// The mel bands' centre frequencies, Hz.
    band_hz: Vec<f32>,
    /// The pitch class of each chroma FFT bin from 60 Hz to 2 kHz: `(first bin, classes)`.
    chroma_bins: (usize, Vec<usize>),
}

impl Default for SignalAnalyzer {
    fn default() -> Self {
        SignalAnalyzer::new()
    }
}

/// Per-frame quantities of one span.
struct Frames {
    envelope: Vec<f32>,
    /// Sum of the centroids of the frames that are not silent, and their number.
    centroid_sum: f64,
    voiced: usize,
}

impl SignalAnalyzer {
    pub fn new() -> SignalAnalyzer {
        let mut planner = RealFftPlanner::<f32>::new();
        SignalAnalyzer {
            chroma_fft: planner.plan_fft_forward(CHROMA_FFT),
            chroma_window: hann(CHROMA_FFT),
            band_hz: super::mel::band_centres(),
            chroma_bins: chroma_bins(),
        }
    }

    /// The features of these patches (each a span of 16 kHz mono audio and its musicnn log-mel
    /// frames, `N_MELS` values per frame): the mean of each patch's features
    /// ([`SignalFeatures::mean`]). No audio (or only silence): zeros.
    pub fn analyze(&self, patches: &[(&[f32], &[f32])]) -> SignalFeatures {
        let each: Vec<SignalFeatures> = patches
            .iter()
            .map(|(span, mel)| self.analyze_span(span, mel))
            .collect();
        SignalFeatures::mean(&each)
    }

    /// The features of one patch: its audio (16 kHz mono) and its log-mel frames as musicnn gets
    /// them (`log10(10000·mel + 1)`, `N_MELS` per frame); silence: all zeros.
    pub fn analyze_span(&self, span: &[f32], log_mel: &[f32]) -> SignalFeatures {
        let spans = [span];
        let total: usize = spans.iter().map(|s| s.len()).sum();
        let energy: f64 = spans
            .iter()
            .flat_map(|s| s.iter())
            .map(|&x| f64::from(x) * f64::from(x))
            .sum();
        if total == 0 || energy <= 0.0 {
            return SignalFeatures::default();
        }
        let loudness_db = db((energy / total as f64).sqrt() as f32);
        let block_rms: Vec<f32> = spans
            .iter()
            .flat_map(|s| s.chunks(BLOCK).filter(|b| b.len() == BLOCK))
            .map(rms)
            .collect();
        let mut blocks: Vec<f32> = block_rms
            .iter()
            .map(|&r| db(r))
            .filter(|&d| d > -60.0)
            .collect();
        blocks.sort_by(f32::total_cmp);
        let loudness_range_db = percentile(&blocks, 0.9) - percentile(&blocks, 0.1);
        let mean_rms = block_rms.iter().sum::<f32>() / block_rms.len().max(1) as f32;
        let low_energy = if block_rms.is_empty() {
            0.0
        } else {
            block_rms.iter().filter(|&&r| r < mean_rms).count() as f32 / block_rms.len() as f32
        };

        let frames = [self.mel_frames(log_mel)];
        let (mut onsets, mut frame_count, mut flux_sum) = (0usize, 0usize, 0f64);
        let (mut centroid_sum, mut voiced) = (0f64, 0usize);
        let max_lag = lag_of(50.0).ceil() as usize + 1;
        let mut autocorr = vec![0f64; max_lag + 1];
        for f in &frames {
            onsets += count_onsets(&f.envelope);
            frame_count += f.envelope.len();
            flux_sum += f.envelope.iter().map(|&e| f64::from(e)).sum::<f64>();
            centroid_sum += f.centroid_sum;
            voiced += f.voiced;
            add_autocorr(&f.envelope, &mut autocorr);
        }
        let seconds = frame_count as f32 * ONSET_HOP as f32 / SAMPLE_RATE as f32;
        let (tempo_bpm, pulse_clarity) = tempo(&autocorr);
        let (key_clarity, mode) = key(&self.chroma(&spans));
        SignalFeatures {
            loudness_db,
            loudness_range_db,
            onset_rate: if seconds > 0.0 {
                onsets as f32 / seconds
            } else {
                0.0
            },
            tempo_bpm,
            pulse_clarity,
            centroid_hz: if voiced > 0 {
                (centroid_sum / voiced as f64) as f32
            } else {
                0.0
            },
            low_energy,
            flux: if frame_count > 0 {
                (flux_sum / frame_count as f64) as f32
            } else {
                0.0
            },
            key_clarity,
            mode,
        }
    }

    /// The onset envelope and centroids of log-mel frames.
    fn mel_frames(&self, log_mel: &[f32]) -> Frames {
        let bands = self.band_hz.len();
        let mut out = Frames {
            envelope: Vec::new(),
            centroid_sum: 0.0,
            voiced: 0,
        };
        let mut previous: Option<&[f32]> = None;
        for frame in log_mel.chunks_exact(bands) {
            // Back to magnitudes: mel power = (10^v − 1) / 10000, magnitude its square root.
            let (mut magnitude, mut weighted) = (0f64, 0f64);
            for (&v, &hz) in frame.iter().zip(&self.band_hz) {
                let m = f64::from(((10f32.powf(v) - 1.0) / 10_000.0).max(0.0)).sqrt();
                magnitude += m;
                weighted += m * f64::from(hz);
            }
            // Silent frames (all bands at zero) have no centroid.
            if magnitude > 1e-6 {
                out.centroid_sum += weighted / magnitude;
                out.voiced += 1;
            }
            if let Some(prev) = previous {
                let rise: f32 = frame.iter().zip(prev).map(|(a, b)| (a - b).max(0.0)).sum();
                out.envelope.push(rise / bands as f32);
            }
            previous = Some(frame);
        }
        out
    }

    /// Summed magnitude per pitch class (C = 0), over all chroma frames of all spans.
    fn chroma(&self, spans: &[&[f32]]) -> [f32; 12] {
        let mut input = self.chroma_fft.make_input_vec();
        let mut spectrum = self.chroma_fft.make_output_vec();
        let mut chroma = [0f32; 12];
        for span in spans {
            let mut start = 0;
            while start + CHROMA_FFT <= span.len() {
                for ((x, &s), &w) in input
                    .iter_mut()
                    .zip(&span[start..])
                    .zip(&self.chroma_window)
                {
                    *x = s * w;
                }
                let _ = self.chroma_fft.process(&mut input, &mut spectrum);
                let (first, classes) = &self.chroma_bins;
                for (c, &class) in spectrum[*first..].iter().zip(classes) {
                    chroma[class] += c.norm();
                }
                start += CHROMA_HOP;
            }
        }
        chroma
    }
}

fn hann(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / n as f32).cos())
        .collect()
}

fn rms(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / samples.len() as f64).sqrt() as f32
}

/// Level in dB of an RMS amplitude, floored at −120 dB.
fn db(rms: f32) -> f32 {
    20.0 * rms.max(1e-6).log10()
}

/// The `q` quantile of sorted values (0 when empty).
fn percentile(sorted: &[f32], q: f32) -> f32 {
    match sorted.len() {
        0 => 0.0,
        n => sorted[((n - 1) as f32 * q).round() as usize],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: f32 = SAMPLE_RATE as f32;

    /// What the tagger hands over: each span with its musicnn log-mel frames.
    fn analyze(spans: &[&[f32]]) -> SignalFeatures {
        let front = crate::mood::mel::MelFrontEnd::new();
        let mels: Vec<Vec<f32>> = spans
            .iter()
            .map(|s| {
                let mut mel = Vec::new();
                let frames = crate::mood::mel::MelFrontEnd::frame_count(s.len());
                front.mel_power(s, 0, frames, &mut mel);
                crate::mood::mel::log_compress(&mut mel);
                mel
            })
            .collect();
        let patches: Vec<(&[f32], &[f32])> = spans
            .iter()
            .zip(&mels)
            .map(|(s, m)| (*s, m.as_slice()))
            .collect();
        SignalAnalyzer::new().analyze(&patches)
    }

    fn tones(freqs: &[f32], seconds: f32) -> Vec<f32> {
        let n = (seconds * RATE) as usize;
        (0..n)
            .map(|i| {
                // Phases in f64: f32 loses the phase of a long sine (noise in every bin).
                let t = i as f64 / 16_000.0;
                freqs
                    .iter()
                    .map(|&f| (std::f64::consts::TAU * f64::from(f) * t).sin() as f32)
                    .sum::<f32>()
                    * 0.2
            })
            .collect()
    }

    /// A 5 ms burst of a 2 kHz tone every `60 / bpm` seconds.
    fn clicks(bpm: f32, seconds: f32) -> Vec<f32> {
        let n = (seconds * RATE) as usize;
        let period = (60.0 / bpm * RATE) as usize;
        (0..n)
            .map(|i| {
                let k = i % period;
                if k < 80 {
                    (std::f32::consts::TAU * 2000.0 * i as f32 / RATE).sin() * 0.8
                } else {
                    0.0
                }
            })
            .collect()
    }

    #[test]
    fn a_major_triad_leans_major_and_a_minor_triad_minor() {
        let major = tones(&[261.63, 329.63, 392.0], 3.0); // C4 E4 G4
        let minor = tones(&[220.0, 261.63, 329.63], 3.0); // A3 C4 E4
        let (a, b) = (analyze(&[&major]), analyze(&[&minor]));
        assert!(a.mode > 0.05, "C major triad: {a:?}");
        assert!(b.mode < -0.05, "A minor triad: {b:?}");
        assert!(a.key_clarity > 0.75 && b.key_clarity > 0.75, "{a:?} {b:?}");
    }

    #[test]
    fn a_click_track_has_its_tempo_and_onset_rate() {
        for bpm in [90.0f32, 120.0, 150.0] {
            let signal = clicks(bpm, 12.0);
            // Four 3 s spans, as the tagger hands them over.
            let spans: Vec<&[f32]> = signal.chunks(48_000).collect();
            let f = analyze(&spans);
            assert!((f.tempo_bpm - bpm).abs() < 2.0, "{bpm} BPM: {f:?}");
            // A click on a span's first frame has no frame before it to rise from: up to one
            // onset per 3 s span is lost.
            let rate = bpm / 60.0;
            assert!(
                f.onset_rate <= rate + 0.05 && f.onset_rate >= rate - 0.34,
                "{bpm} BPM: {f:?}"
            );
            assert!(f.pulse_clarity > 0.5, "{f:?}");
        }
    }

    #[test]
    fn a_sine_has_its_level_its_frequency_as_centroid_and_no_loudness_range() {
        let n = 3 * SAMPLE_RATE as usize;
        let sine: Vec<f32> = (0..n)
            .map(|i| 0.1 * (std::f64::consts::TAU * 1000.0 * i as f64 / 16_000.0).sin() as f32)
            .collect();
        let f = analyze(&[&sine]);
        // 0.1 amplitude: RMS 0.0707, −23.0 dBFS.
        assert!((f.loudness_db + 23.01).abs() < 0.05, "{f:?}");
        assert!((f.centroid_hz - 1000.0).abs() < 20.0, "{f:?}");
        assert!(f.loudness_range_db.abs() < 0.1, "{f:?}");
        assert!(f.onset_rate < 0.5, "a steady tone has no onsets: {f:?}");
        // Every block at the same level: none is below the mean.
        assert!(f.low_energy < 0.05, "{f:?}");
    }

    #[test]
    fn silence_and_nothing_give_zeros() {
        assert_eq!(analyze(&[]), SignalFeatures::default());
        let silence = vec![0f32; 48_000];
        assert_eq!(analyze(&[&silence]), SignalFeatures::default());
    }

    #[test]
    fn louder_blocks_widen_the_loudness_range() {
        let mut signal = tones(&[440.0], 4.0);
        for x in &mut signal[32_000..] {
            *x *= 0.1; // the second half 20 dB quieter
        }
        let f = analyze(&[&signal]);
        assert!((f.loudness_range_db - 20.0).abs() < 1.0, "{f:?}");
        // Half the blocks are quieter than the mean block.
        assert!((f.low_energy - 0.5).abs() < 0.1, "{f:?}");
    }
}
