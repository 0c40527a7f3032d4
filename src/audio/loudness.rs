//! Loudness of a whole track by EBU R128 (the `ebur128` crate), turned into a ReplayGain 2.0
//! track gain: the gain that brings its integrated loudness to −18 LUFS, with its sample peak.
//! Pure (a file in, numbers out); the loudness worker runs it on its own low-priority thread.

use std::path::{Path, PathBuf};

use ebur128::{Channel, EbuR128, Mode};

use super::decode::{DecodeError, TrackDecoder};
use crate::core::ReplayGain;

/// ReplayGain 2.0's reference level.
pub const REFERENCE_LUFS: f64 = -18.0;
/// Gains are kept within this many dB of unity (a near-silent track is not boosted to noise).
const MAX_GAIN_DB: f64 = 24.0;

/// What the measurement found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Loudness {
    /// Integrated loudness in LUFS; `None` for silence (below R128's absolute gate).
    pub integrated_lufs: Option<f64>,
    /// The largest absolute sample value (1.0 = full scale).
    pub peak: f32,
    /// Frames measured, at the file's own rate.
    pub frames: u64,
}

impl Loudness {
    /// The track gain in dB to the reference level; `None` for silence.
    pub fn gain_db(&self) -> Option<f32> {
        let lufs = self.integrated_lufs?;
        Some((REFERENCE_LUFS - lufs).clamp(-MAX_GAIN_DB, MAX_GAIN_DB) as f32)
    }

    /// As ReplayGain values (track gain and peak only).
    pub fn replay_gain(&self) -> ReplayGain {
        ReplayGain {
            track_gain_db: self.gain_db(),
            track_peak: Some(self.peak),
            ..ReplayGain::default()
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoudnessError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("{path}: cannot measure loudness: {reason}")]
    Measure { path: PathBuf, reason: String },
}

/// Decodes all of `path` and measures it. Mono is measured as dual mono (played on both
/// speakers), as ReplayGain 2.0 scanners do.
pub fn measure(path: &Path) -> Result<Loudness, LoudnessError> {
    let fail = |reason: String| LoudnessError::Measure {
        path: path.to_path_buf(),
        reason,
    };
    let mut dec = TrackDecoder::open(path)?;
    let meter = |channels: usize, rate: u32| -> Result<EbuR128, String> {
        let mut m = EbuR128::new(channels as u32, rate, Mode::I | Mode::SAMPLE_PEAK)
            .map_err(|e| e.to_string())?;
        if channels == 1 {
            m.set_channel(0, Channel::DualMono)
                .map_err(|e| e.to_string())?;
        }
        Ok(m)
    };
    let (mut channels, mut rate) = (dec.channels(), dec.rate());
    let mut m = meter(channels, rate).map_err(fail)?;
    let mut buf = Vec::new();
    let mut frames = 0u64;
    loop {
        buf.clear();
        let more = dec.read(&mut buf)?;
        if (dec.channels(), dec.rate()) != (channels, rate) {
            // A chained stream changed format: carry on measuring with the new one.
            (channels, rate) = (dec.channels(), dec.rate());
            m.change_parameters(channels as u32, rate)
                .map_err(|e| fail(e.to_string()))?;
        }
        if !buf.is_empty() {
            m.add_frames_f32(&buf).map_err(|e| fail(e.to_string()))?;
            frames += (buf.len() / channels.max(1)) as u64;
        }
        if !more {
            break;
        }
    }
    let lufs = m.loudness_global().map_err(|e| fail(e.to_string()))?;
    let mut peak = 0f64;
    for c in 0..channels as u32 {
        peak = peak.max(m.sample_peak(c).map_err(|e| fail(e.to_string()))?);
    }
    Ok(Loudness {
        integrated_lufs: lufs.is_finite().then_some(lufs),
        peak: peak as f32,
        frames,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 16-bit PCM WAV of a 1 kHz sine at `amplitude`, `seconds` long.
    fn sine_wav(path: &Path, channels: u16, amplitude: f64, seconds: u32) {
        let rate = 48_000u32;
        let frames = rate * seconds;
        let data_len = frames * u32::from(channels) * 2;
        let mut b = Vec::new();
        b.extend_from_slice(b"RIFF");
        b.extend_from_slice(&(36 + data_len).to_le_bytes());
        b.extend_from_slice(b"WAVEfmt ");
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&channels.to_le_bytes());
        b.extend_from_slice(&rate.to_le_bytes());
        b.extend_from_slice(&(rate * u32::from(channels) * 2).to_le_bytes());
        b.extend_from_slice(&(channels * 2).to_le_bytes());
        b.extend_from_slice(&16u16.to_le_bytes());
        b.extend_from_slice(b"data");
        b.extend_from_slice(&data_len.to_le_bytes());
        for i in 0..frames {
            let v = (f64::from(i) * 1000.0 * std::f64::consts::TAU / f64::from(rate)).sin();
            let s = (v * amplitude * 32767.0) as i16;
            for _ in 0..channels {
                b.extend_from_slice(&s.to_le_bytes());
            }
        }
        std::fs::write(path, b).unwrap();
    }

    #[test]
    fn a_full_scale_stereo_sine_measures_as_r128_says() {
        // BS.1770: a full-scale 1 kHz sine reads -3.01 LUFS per channel, 0 LUFS on two.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sine.wav");
        sine_wav(&p, 2, 0.5, 5);
        let l = measure(&p).unwrap();
        let lufs = l.integrated_lufs.unwrap();
        // Half amplitude is 6.02 dB below the full-scale reading of about -0.0 LUFS.
        assert!((lufs - -6.02).abs() < 0.2, "{lufs} LUFS");
        assert!((l.gain_db().unwrap() - (-18.0 - lufs) as f32).abs() < 1e-3);
        assert!((l.peak - 0.5).abs() < 0.01, "peak {}", l.peak);
        assert_eq!(l.frames, 5 * 48_000);
    }

    #[test]
    fn mono_counts_as_dual_mono_and_silence_has_no_gain() {
        let dir = tempfile::tempdir().unwrap();
        let (mono, stereo) = (dir.path().join("m.wav"), dir.path().join("s.wav"));
        sine_wav(&mono, 1, 0.25, 4);
        sine_wav(&stereo, 2, 0.25, 4);
        let (m, s) = (measure(&mono).unwrap(), measure(&stereo).unwrap());
        let (m, s) = (m.integrated_lufs.unwrap(), s.integrated_lufs.unwrap());
        assert!((m - s).abs() < 0.05, "mono {m} vs stereo {s}");
        let quiet = dir.path().join("q.wav");
        sine_wav(&quiet, 2, 0.0, 2);
        let q = measure(&quiet).unwrap();
        assert_eq!(q.gain_db(), None);
        assert_eq!(q.replay_gain().track_gain_db, None);
    }
}
