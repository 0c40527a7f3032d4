//! Mood tagging of tracks from their audio: musicnn (Pons & Serra 2019) ported to candle tags
//! each track with 50 Million Song Dataset tags and embeds it, cheap signal features (loudness,
//! onsets, tempo, brightness, mode) are measured beside it, and a learned head maps both to a
//! mood (valence, arousal, a label and a confidence). Everything here runs on the caller's
//! thread: the `mien tag` command or the player's background tagging thread.
//!
//! Pipeline: [`pcm`] decodes to 16 kHz mono → [`mel`] computes musicnn's log-mel patches →
//! [`model`] (pure candle) gives tag probabilities and embeddings, [`signal`] the signal features
//! → [`tagger`] spreads patches over the track (`patches`) and averages them (`inputs`) →
//! [`head`] turns them into a [`MoodVector`] ([`vector`] holds the mood types). [`weights`] is
//! the only code that reads model files. [`worker`] tags tracks in the background on a
//! low-priority thread and caches the results in the store.

pub mod head;
mod head_net;
mod inputs;
mod layers;
pub mod mel;
pub mod model;
mod ops;
mod patches;
pub mod pcm;
mod result;
mod rhythm;
pub mod signal;
pub mod tagger;
mod tonality;
pub mod vector;
pub mod weights;
pub mod worker;

use std::path::PathBuf;

pub use signal::SignalFeatures;
pub use tagger::{model_name, ModelFiles, TagResult, Tagger, Timings};
pub use vector::{MoodLabel, MoodVector};
pub use weights::default_model_path;
pub use worker::{MoodCommand, MoodEvent, MoodWorker};

/// Why a track could not be tagged or the model not loaded. Each variant names its path.
#[derive(Debug, thiserror::Error)]
pub enum MoodError {
    #[error(
        "the mood model {} is missing: it ships in the repository's models/ folder (rebuild it \
         with tools/musicnn/convert.py, see models/MUSICNN.md)",
        path.display()
    )]
    ModelMissing { path: PathBuf },
    #[error("cannot read the mood model {}: {source}", path.display())]
    ModelRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the mood model {} is invalid: {reason}", path.display())]
    ModelInvalid { path: PathBuf, reason: String },
    #[error(transparent)]
    Decode(#[from] crate::audio::DecodeError),
    #[error("{}: cannot resample to 16 kHz: {reason}", path.display())]
    Resample { path: PathBuf, reason: String },
    #[error("{}: mood model inference failed: {source}", path.display())]
    Inference {
        path: PathBuf,
        source: candle_core::Error,
    },
}
