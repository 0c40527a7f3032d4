//! Decoding a track into the model's input signal: mono, 16 kHz, f32. Runs on the caller's
//! (tagging) thread.
//!
//! Decoding is `crate::audio::TrackDecoder` (symphonia); the down-mix (mean of the channels, as
//! `librosa.load(mono=True)`) and the resampling (rubato's FFT resampler, delay trimmed) are
//! `crate::audio::Converter`. librosa resamples with soxr instead, so from a rate other than
//! 16 kHz the samples differ slightly from musicnn's (see docs/MOOD.md for the effect on tags).

use std::path::Path;

use crate::audio::{Converter, TrackDecoder};

use super::mel::SAMPLE_RATE;
use super::MoodError;

/// The longest stretch of a file that is decoded: 30 minutes (115 MB of samples). Longer
/// files are tagged from their first 30 minutes.
pub const MAX_SECONDS: usize = 30 * 60;

/// The file's audio as 16 kHz mono samples (at most [`MAX_SECONDS`]).
pub fn load_mono_16k(path: &Path) -> Result<Vec<f32>, MoodError> {
    let mut decoder = TrackDecoder::open(path)?;
    let limit = MAX_SECONDS * SAMPLE_RATE as usize;
    let expected = decoder
        .duration_ms()
        .map_or(0, |ms| (ms as usize).saturating_mul(16).min(limit));
    let mut out = Vec::with_capacity(expected + SAMPLE_RATE as usize);
    let mut converter = new_converter(path, &decoder)?;
    let mut block = Vec::new();
    loop {
        block.clear();
        let more = decoder.read(&mut block)?;
        if !converter.accepts(decoder.rate(), decoder.channels()) {
            // The stream changed its rate or channel count: flush and start over.
            converter.finish(&mut out);
            converter = new_converter(path, &decoder)?;
        }
        converter.push(&block, &mut out);
        if !more || out.len() >= limit {
            break;
        }
    }
    converter.finish(&mut out);
    out.truncate(limit);
    Ok(out)
}

fn new_converter(path: &Path, decoder: &TrackDecoder) -> Result<Converter, MoodError> {
    Converter::new(decoder.rate(), decoder.channels(), SAMPLE_RATE, 1).map_err(|e| {
        MoodError::Resample {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    })
}

/// A stretch of the signal to decode: `len` samples from sample `start` (16 kHz).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: usize,
    pub len: usize,
}

/// Samples decoded before each window and thrown away with the resampler's start-up transient:
/// 2048 (128 ms).
const PRE_ROLL: usize = 2048;

/// The file's 16 kHz mono signal with only `windows(total_samples)` decoded, by seeking to each;
/// everything else is zeros. Files shorter than `seek_from_seconds`, without a known duration,
/// or that cannot seek are decoded whole ([`load_mono_16k`]), so the result is always usable.
/// On a 4-minute track this decodes 8 × 3 s instead of 240 s.
pub fn load_windows(
    path: &Path,
    seek_from_seconds: u64,
    windows: impl Fn(usize) -> Vec<Window>,
) -> Result<Vec<f32>, MoodError> {
    let mut decoder = TrackDecoder::open(path)?;
    let limit = MAX_SECONDS * SAMPLE_RATE as usize;
    let rate = SAMPLE_RATE as usize;
    let total = match decoder.duration_ms() {
        Some(ms) if ms >= seek_from_seconds * 1000 => (ms as usize * rate / 1000).min(limit),
        _ => return load_mono_16k(path),
    };
    let mut signal = vec![0f32; total];
    let mut block = Vec::new();
    let mut excerpt = Vec::new();
    let mut filled = 0;
    for w in windows(total) {
        let from = w.start.saturating_sub(PRE_ROLL);
        let landed = match decoder.seek((from * 1000 / rate) as u64) {
            Ok(ms) => ms as usize * rate / 1000,
            Err(e) => {
                tracing::debug!(error = %e, "seek failed: decoding the whole file");
                return load_mono_16k(path);
            }
        };
        let want = (w.start + w.len).min(total).saturating_sub(landed);
        let mut converter = new_converter(path, &decoder)?;
        excerpt.clear();
        while excerpt.len() < want {
            block.clear();
            let more = decoder.read(&mut block)?;
            if !converter.accepts(decoder.rate(), decoder.channels()) {
                return load_mono_16k(path);
            }
            converter.push(&block, &mut excerpt);
            if !more {
                converter.finish(&mut excerpt);
                break;
            }
        }
        // Windows come in order; never overwrite what an earlier window decoded with this one's
        // pre-roll (where the resampler is still starting up).
        let from = landed.max(filled);
        let end = (landed + excerpt.len()).min(w.start + w.len).min(total);
        if from < end {
            signal[from..end].copy_from_slice(&excerpt[from - landed..end - landed]);
            filled = end;
        }
    }
    Ok(signal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled(rel: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("library/Maxstack")
            .join(rel)
    }

    #[test]
    fn windows_are_decoded_and_the_rest_is_silence() {
        let path = bundled("Endgame Singularity (Advanced Research)/02 - Enemy Unknown.ogg");
        let w = Window {
            start: 80_000,
            len: 16_000,
        };
        let signal = load_windows(&path, 0, |_| vec![w]).expect("decode");
        assert_eq!(signal.len(), 320_000, "20 s at 16 kHz");
        assert!(signal[..80_000 - PRE_ROLL - 100].iter().all(|&x| x == 0.0));
        assert!(signal[96_000..].iter().all(|&x| x == 0.0));
        assert!(signal[80_000..96_000].iter().any(|&x| x.abs() > 0.01));
    }

    #[test]
    fn a_later_window_does_not_overwrite_an_earlier_one_with_its_pre_roll() {
        let path = bundled("Endgame Singularity (Advanced Research)/02 - Enemy Unknown.ogg");
        let first = Window {
            start: 80_000,
            len: 16_000,
        };
        let second = Window {
            start: 97_000,
            len: 16_000,
        };
        let alone = load_windows(&path, 0, |_| vec![first]).expect("decode");
        let both = load_windows(&path, 0, |_| vec![first, second]).expect("decode");
        assert_eq!(
            alone[first.start..first.start + first.len],
            both[first.start..first.start + first.len]
        );
        assert!(both[second.start..second.start + second.len]
            .iter()
            .any(|&x| x.abs() > 0.01));
    }

    #[test]
    fn a_short_threshold_miss_decodes_the_whole_file() {
        let path = bundled("Endgame Singularity Original Soundtrack/04 - Coherence.wav");
        let whole = load_mono_16k(&path).expect("decode");
        let windowed = load_windows(&path, 60, |_| vec![]).expect("decode");
        assert_eq!(whole, windowed, "an 8 s file is below the 60 s threshold");
    }
}
