//! [`TagResult`]: what tagging one track gives (tags, mood, signal features, every input the
//! mood head read, per patch too) and where its time went, with its cache record. Plain data;
//! [`super::tagger::Tagger`] makes it.

use super::head::HeadInputs;
use super::signal::SignalFeatures;
use super::vector::MoodVector;
use crate::store::MoodRecord;

/// The tags and mood of one track.
#[derive(Clone, Debug, PartialEq)]
pub struct TagResult {
    /// Every MSD tag with its probability, in the model's order; empty when the track is silent.
    pub tags: Vec<(String, f32)>,
    pub mood: MoodVector,
    /// The signal features (all zero for silence).
    pub features: SignalFeatures,
    /// Everything the mood head can read, by name: the means over the patches (empty for
    /// silence).
    pub inputs: HeadInputs,
    /// The same for each audible patch alone, in track order.
    pub patch_inputs: Vec<HeadInputs>,
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
    /// The networks' forward passes over all patches.
    pub model: f64,
    /// The signal features and the mood head.
    pub features: f64,
}

impl TagResult {
    /// The cache record of this result for a file of this size and mtime (see
    /// [`crate::store::MoodRecord`]), stamped with the tagger's model name and the current time.
    pub fn to_record(&self, model: &str, size: u64, mtime_ns: i128) -> MoodRecord {
        MoodRecord {
            size,
            mtime_ns,
            model: model.to_string(),
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
        top(&self.tags, n)
    }
}

/// The `n` most probable of `tags`, most probable first.
pub(super) fn top(tags: &[(String, f32)], n: usize) -> Vec<(String, f32)> {
    let mut tags = tags.to_vec();
    tags.sort_by(|a, b| b.1.total_cmp(&a.1));
    tags.truncate(n);
    tags
}
