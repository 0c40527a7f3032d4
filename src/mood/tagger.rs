//! [`Tagger`]: tags a whole track with musicnn. It owns the model and the mel front end; build it
//! once (it reads the model file) and call [`Tagger::tag_file`] on the tagging thread.
//!
//! A track is tagged from up to [`Tagger::max_patches`] 3-second patches (187 frames) spread
//! evenly from its start to its end; the tag probabilities are the mean over the patches. A
//! track shorter than one patch is repeat-padded (its frames repeated until they fill the
//! patch), as musicnn was trained. Patches whose audio is silent (RMS below
//! [`SILENCE_RMS`]) are left out; a track with no audible patch gets no tags and the neutral,
//! zero-confidence mood.

use std::path::Path;
use std::time::Instant;

use candle_core::{Device, Tensor};

use super::mapping::{mood_from_tags, MoodVector};
use super::mel::{log_compress, MelFrontEnd, HOP, N_FFT, N_MELS};
use super::model::{Config, MusicnnModel};
use super::{pcm, weights, MoodError};
use crate::store::MoodRecord;

/// The model name stored in cached results; a record from another model is stale.
pub const MODEL_NAME: &str = "musicnn-msd";

/// Patches per forward pass.
pub const BATCH: usize = 1;

/// Patches per track by default: 4 (12 s of audio). Measured on 30 full tracks (docs/MOOD.md):
/// against tags from every patch of the track, 4 patches give the same mood label for 28 of 30
/// (8 patches: 29) and a median tag correlation of 0.977, in about 140 ms per track instead of
/// about 260 ms (docs/BENCHMARKS.md).
pub const DEFAULT_PATCHES: usize = 4;

/// RMS (full scale 1.0) below which a patch counts as silence: −60 dBFS.
pub const SILENCE_RMS: f32 = 1e-3;

/// The tags and mood of one track.
#[derive(Clone, Debug, PartialEq)]
pub struct TagResult {
    /// Every tag with its probability, in the model's order; empty when the track is silent.
    pub tags: Vec<(String, f32)>,
    pub mood: MoodVector,
    /// Length of the decoded audio, seconds.
    pub audio_seconds: f64,
    /// Audible patches the tags were averaged over (0 for silence).
    pub patches: usize,
    /// Wall-clock time spent tagging, seconds (decoding included).
    pub elapsed_seconds: f64,
    /// Where the time went.
    pub timings: Timings,
}

/// Wall-clock seconds per stage of tagging one track.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timings {
    /// Decoding, down-mixing and resampling to 16 kHz.
    pub decode: f64,
    /// Mel spectrogram and log compression of the patches.
    pub mel: f64,
    /// The model's forward pass over all patches.
    pub model: f64,
}

impl TagResult {
    /// The cache record of this result for a file of this size and mtime (see
    /// [`crate::store::MoodRecord`]), stamped with [`MODEL_NAME`] and the current time.
    pub fn to_record(&self, size: u64, mtime_ns: i128) -> MoodRecord {
        MoodRecord {
            size,
            mtime_ns,
            model: MODEL_NAME.to_string(),
            tags: self.tags.clone(),
            valence: self.mood.valence,
            arousal: self.mood.arousal,
            label: self.mood.label.name().to_string(),
            confidence: self.mood.confidence,
            tagged_at_ms: crate::core::now_ms(),
        }
    }

    /// The `n` most probable tags, most probable first.
    pub fn top_tags(&self, n: usize) -> Vec<(String, f32)> {
        let mut tags = self.tags.clone();
        tags.sort_by(|a, b| b.1.total_cmp(&a.1));
        tags.truncate(n);
        tags
    }
}

/// Tags tracks with musicnn. See the module docs.
pub struct Tagger {
    model: MusicnnModel,
    tags: Vec<String>,
    mel: MelFrontEnd,
    /// Most patches per track ([`DEFAULT_PATCHES`] unless changed).
    pub max_patches: usize,
    /// Tracks at least this long (s) are decoded only around their patches (see
    /// [`pcm::load_windows`]); shorter ones whole.
    pub seek_from_seconds: u64,
}

impl Tagger {
    /// Loads the model file (see [`weights::load`]).
    pub fn load(model_path: &Path) -> Result<Tagger, MoodError> {
        let (model, tags) = weights::load(model_path, &Config::msd())?;
        Ok(Tagger {
            model,
            tags,
            mel: MelFrontEnd::new(),
            max_patches: DEFAULT_PATCHES,
            seek_from_seconds: 60,
        })
    }

    /// The tag names, in the model's output order.
    pub fn tag_names(&self) -> &[String] {
        &self.tags
    }

    pub fn model(&self) -> &MusicnnModel {
        &self.model
    }

    /// Decodes `path` and tags it.
    pub fn tag_file(&self, path: &Path) -> Result<TagResult, MoodError> {
        let started = Instant::now();
        let n_frames = self.model.config().n_frames;
        let windows = |total: usize| {
            patch_starts(MelFrontEnd::frame_count(total), n_frames, self.max_patches)
                .into_iter()
                .map(|s| pcm::Window {
                    // Frame s is centred on sample s·HOP and reaches N_FFT/2 either side.
                    start: (s * HOP).saturating_sub(N_FFT / 2),
                    len: (n_frames - 1) * HOP + N_FFT,
                })
                .collect()
        };
        let samples = pcm::load_windows(path, self.seek_from_seconds, windows)?;
        let decode = started.elapsed().as_secs_f64();
        let mut result = self
            .tag_samples(&samples)
            .map_err(|source| MoodError::Inference {
                path: path.to_path_buf(),
                source,
            })?;
        result.elapsed_seconds = started.elapsed().as_secs_f64();
        result.timings.decode = decode;
        Ok(result)
    }

    /// Tags 16 kHz mono samples.
    pub fn tag_samples(&self, samples: &[f32]) -> candle_core::Result<TagResult> {
        let started = Instant::now();
        let n_frames = self.model.config().n_frames;
        let total = MelFrontEnd::frame_count(samples.len());
        let mut patches = Vec::new();
        let mut count = 0;
        for start in patch_starts(total, n_frames, self.max_patches) {
            let span = &samples
                [(start * HOP).min(samples.len())..((start + n_frames) * HOP).min(samples.len())];
            if rms(span) < SILENCE_RMS {
                continue;
            }
            let frames = n_frames.min(total - start);
            let mut mel = Vec::with_capacity(n_frames * N_MELS);
            self.mel.mel_power(samples, start, frames, &mut mel);
            repeat_pad(&mut mel, n_frames * N_MELS);
            patches.extend_from_slice(&mel);
            count += 1;
        }
        let audio_seconds = samples.len() as f64 / f64::from(super::mel::SAMPLE_RATE);
        let mut timings = Timings::default();
        let tags = if count == 0 {
            Vec::new()
        } else {
            log_compress(&mut patches);
            timings.mel = started.elapsed().as_secs_f64();
            let probs = self.probabilities(&patches, count)?;
            timings.model = started.elapsed().as_secs_f64() - timings.mel;
            let mean = (0..self.tags.len())
                .map(|t| probs.iter().map(|p| p[t]).sum::<f32>() / count as f32);
            self.tags.iter().cloned().zip(mean).collect()
        };
        Ok(TagResult {
            mood: mood_from_tags(&tags),
            tags,
            audio_seconds,
            patches: count,
            elapsed_seconds: started.elapsed().as_secs_f64(),
            timings,
        })
    }

    /// Tag probabilities of `count` log-mel patches stored row-major in `patches`
    /// (`count × n_frames × N_MELS`), one vector per patch.
    /// Patches go through the model [`BATCH`] at a time, which bounds memory (the timbral im2col
    /// matrices take ~12 MB per patch).
    pub fn probabilities(
        &self,
        patches: &[f32],
        count: usize,
    ) -> candle_core::Result<Vec<Vec<f32>>> {
        let n_frames = self.model.config().n_frames;
        let size = n_frames * N_MELS;
        if patches.len() != count * size {
            candle_core::bail!(
                "{} values for {count} patches of {n_frames} x {N_MELS}",
                patches.len()
            );
        }
        let mut probs = Vec::with_capacity(count);
        for chunk in patches.chunks(BATCH * size) {
            let input =
                Tensor::from_slice(chunk, (chunk.len() / size, n_frames, N_MELS), &Device::Cpu)?;
            probs.extend(self.model.forward(&input)?.to_vec2()?);
        }
        Ok(probs)
    }
}

/// First frames of up to `max` patches of `len` frames spread evenly over `total` frames: one
/// patch (from 0) when the track is no longer than a patch, else `min(max, total / len)` patches,
/// the first at the start and the last ending at the end (one alone sits in the middle).
pub fn patch_starts(total: usize, len: usize, max: usize) -> Vec<usize> {
    if total <= len || max <= 1 {
        return vec![total.saturating_sub(len) / 2];
    }
    let n = (total / len).clamp(1, max);
    let span = total - len;
    if n == 1 {
        return vec![span / 2];
    }
    (0..n).map(|i| i * span / (n - 1)).collect()
}

/// Repeats `values` cyclically until it holds `len` values (no-op if it already does).
fn repeat_pad(values: &mut Vec<f32>, len: usize) {
    let have = values.len();
    if have == 0 {
        values.resize(len, 0.0);
        return;
    }
    while values.len() < len {
        let take = (len - values.len()).min(have);
        values.extend_from_within(..take);
    }
}

fn rms(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / samples.len() as f64).sqrt() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_spread_from_start_to_end_of_a_long_track() {
        assert_eq!(
            patch_starts(15_000, 187, 8),
            vec![0, 2116, 4232, 6348, 8464, 10580, 12696, 14813]
        );
        let starts = patch_starts(15_000, 187, 8);
        assert_eq!(starts.last().copied().unwrap() + 187, 15_000);
    }

    #[test]
    fn a_short_track_gets_one_patch_and_a_medium_one_fewer_than_the_maximum() {
        assert_eq!(patch_starts(100, 187, 8), vec![0]);
        assert_eq!(patch_starts(187, 187, 8), vec![0]);
        assert_eq!(patch_starts(300, 187, 8), vec![56]);
        assert_eq!(patch_starts(626, 187, 8), vec![0, 219, 439]);
    }

    #[test]
    fn repeat_pad_repeats_the_frames_in_order() {
        let mut v = vec![1.0, 2.0, 3.0];
        repeat_pad(&mut v, 8);
        assert_eq!(v, vec![1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0]);
        let mut empty = Vec::new();
        repeat_pad(&mut empty, 2);
        assert_eq!(empty, vec![0.0, 0.0]);
    }

    #[test]
    fn rms_of_a_full_scale_square_is_one_and_of_nothing_zero() {
        assert_eq!(rms(&[1.0, -1.0, 1.0, -1.0]), 1.0);
        assert_eq!(rms(&[]), 0.0);
    }
}
