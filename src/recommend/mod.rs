//! Emotion-aware recommendations: an item-item collaborative filter over this listener's own
//! plays, conditioned on their emotional state, with a Thompson-sampled policy per state (match,
//! lift or calm the mood) and mood-vector content similarity for cold start. Persisted in sled as
//! an append-only event log plus derived tables. See docs/RECOMMENDER.md.
//!
//! - `journey`: mood journeys (targets, the planner, the adverse-movement check).
//! - `signals`: events (their log encoding in `event`), emotion buckets, track moods, policies
//!   (value types).
//! - `model`: the incremental taste model (row types in `tables`); `score`: the pure ranking; `reorder`: the queue.
//! - `persist`: the sled log and derived tables (their byte layout in `codec`); `service`: the
//!   recommender thread.
//!
//! Its evaluation (simulated listeners, the `mien eval-reco` protocol, the MovieLens-100k check)
//! lives in `crate::eval`.

mod codec;
mod event;
pub mod journey;
pub mod model;
pub mod persist;
pub mod reorder;
pub mod score;
pub mod service;
pub mod signals;
pub mod tables;

pub use model::TasteModel;
pub use persist::RecoStore;
pub use reorder::{reorder, QueueItemLike};
pub use score::{rank, score_all, RankContext, Reason, Recommendation, ScoreWeights};
pub use service::{Candidate, Ranked, RecoCommand, Recommender};
pub use signals::{
    EmotionBucket, ListenEvent, ListenerMood, MoodSource, Policy, Signal, TrackMood,
};

use crate::store::StoreError;

/// The recommender's seeded random generator (exploration, Thompson sampling, the evaluation's
/// simulated listeners): ChaCha8, whose stream for a seed is the same on every platform and
/// release, so that evaluations are reproducible. Build it with `SeedableRng::seed_from_u64`.
pub type SeededRng = rand_chacha::ChaCha8Rng;

/// What can go wrong in the recommender. Each variant names the record or key it concerns.
#[derive(Debug, thiserror::Error)]
pub enum RecommendError {
    #[error("recommender store: {0}")]
    Store(#[from] StoreError),
    #[error("recommender database error: {0}")]
    Sled(#[from] sled::Error),
    #[error("bad recommender event record: {reason}")]
    BadRecord { reason: String },
    #[error("corrupt row in the {tree} tree at key {key}: {reason}")]
    Corrupt {
        tree: &'static str,
        key: String,
        reason: String,
    },
    #[error("cannot start the recommender thread: {0}")]
    Spawn(std::io::Error),
    #[error("the recommender thread has stopped")]
    Stopped,
}
