//! The derived tables' row types (per-item stats, per-state affinities and mood centroids,
//! policy posteriors, session plays) and the fixed hasher of their maps. Plain data.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::signals::TrackMood;
use crate::core::TrackId;

/// The prior count that shrinks a per-state affinity toward 0.
const AFFINITY_SHRINK: f32 = 1.0;

/// A `HashMap` with a fixed (unkeyed) hasher, so iteration order, float sums and so rankings are
/// the same on every run.
pub type FixedMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// A fast unkeyed hasher for track ids (already FNV hashes of paths) and small tuples of them:
/// each word is mixed in with a multiply and a rotate (the FxHash step). Not DoS-resistant, which
/// is fine for keys that come from the listener's own library.
#[derive(Clone, Copy, Debug, Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// What one track has earned overall.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ItemStats {
    pub plays: u32,
    /// Sums of positive and of negative feedback strength.
    pub liked: f32,
    pub disliked: f32,
    /// Σ w² over the track's feedback: the squared norm in the cosine.
    pub norm: f32,
    pub last_played_ms: u64,
    /// Explicit rating, 0 for none.
    pub rating: u8,
}

impl ItemStats {
    /// Net feedback per play, shrunk toward 0 for little-played tracks.
    pub fn net_liking(&self) -> f32 {
        (self.liked - self.disliked) / (self.plays as f32 + 2.0)
    }
}

/// Feedback a track earned while the listener was in one state.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StateAffinity {
    pub sum: f32,
    pub count: f32,
}

impl StateAffinity {
    pub fn preference(&self) -> f32 {
        self.sum / (self.count + AFFINITY_SHRINK)
    }
}

/// Weighted mean mood of the tracks enjoyed in one state.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MoodCentroid {
    pub weight: f32,
    pub valence_sum: f32,
    pub arousal_sum: f32,
}

impl MoodCentroid {
    pub fn mean(&self) -> Option<TrackMood> {
        (self.weight > 0.0).then(|| {
            TrackMood::new(
                self.valence_sum / self.weight,
                self.arousal_sum / self.weight,
            )
        })
    }

    /// 0 with no evidence, toward 1 with a lot.
    pub fn confidence(&self) -> f32 {
        self.weight / (self.weight + 3.0)
    }
}

/// A Beta posterior over "this policy works in this state"; Beta(1, 1) before any outcome.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BetaPosterior {
    pub alpha: f32,
    pub beta: f32,
}

impl Default for BetaPosterior {
    fn default() -> Self {
        BetaPosterior {
            alpha: 1.0,
            beta: 1.0,
        }
    }
}

impl BetaPosterior {
    pub fn mean(&self) -> f32 {
        self.alpha / (self.alpha + self.beta)
    }
}

/// One finished track of the current session.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SessionPlay {
    pub track: TrackId,
    pub at_ms: u64,
    pub weight: f32,
}
