//! Core value types shared by every layer: tracks, ratings, play history, the saved queue.
//! Nothing here does I/O or knows about threads; every other module may depend on it.

mod emotion;
pub mod path_serde;
pub mod private;
pub mod text;
mod track;

pub use emotion::{EmotionReading, EmotionSource, CIRCUMPLEX, EMOTIONS};
pub use track::{file_stamp, in_library, AudioFormat, ReplayGain, Track, TrackId};

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A track's mood whose confidence (0–1, see `mood::head`) is below this is shown and explained
/// as "uncertain" rather than by its quadrant: there the label's probability is under one half,
/// so the quadrant is more likely wrong than right (docs/MOOD.md has the measurement).
pub const MOOD_UNCERTAIN_BELOW: f32 = 1.0 / 3.0;

/// An explicit rating, 1 to 5 stars. Construct with [`Rating::new`], which rejects other values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Rating(u8);

impl Rating {
    /// `Some` for 1..=5, `None` otherwise.
    pub fn new(stars: u8) -> Option<Rating> {
        (1..=5).contains(&stars).then_some(Rating(stars))
    }

    pub fn stars(self) -> u8 {
        self.0
    }
}

/// What happened to a track in one play. In JSON: `"started"`, `"completed"`, `"skipped"`,
/// `"stopped"`, or `{"failed": "reason"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlayOutcome {
    /// Playback of the track began.
    Started,
    /// The track played to its end.
    Completed,
    /// The listener left the track before its end.
    Skipped,
    /// Playback ended early because the file is damaged (the reason says how).
    Failed(String),
    /// The sleep timer stopped playback: not heard to the end, but not left by the listener
    /// either (it says nothing about taste, and the diary does not count it as a skip).
    Stopped,
}

/// One entry of the play history: a track, what happened and where in the track it happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlayRecord {
    /// Wall-clock time of the event, milliseconds since the Unix epoch.
    pub at_ms: u64,
    pub track: TrackId,
    #[serde(with = "path_serde")]
    pub path: PathBuf,
    pub outcome: PlayOutcome,
    /// Position in the track when the event happened, in milliseconds.
    pub position_ms: u64,
}

/// The play queue as saved for resume: the tracks in order, which one is current and where in it
/// playback was, and the listener's settings of the queue and the player (volume, repeat, the
/// items placed by hand). Queues saved before those were kept read as `None`, off and none.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedQueue {
    #[serde(with = "path_serde::many")]
    pub paths: Vec<PathBuf>,
    pub current: Option<usize>,
    pub position_ms: u64,
    /// The volume, percent (the listener's, not a sleep timer's fade).
    #[serde(default)]
    pub volume: Option<u8>,
    #[serde(default)]
    pub repeat: Repeat,
    /// The indexes in `paths` of the items placed by hand (pinned).
    #[serde(default)]
    pub pinned: Vec<usize>,
}

/// The queue's repeat mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Repeat {
    #[default]
    Off,
    All,
    One,
}

impl Repeat {
    pub fn cycle(self) -> Repeat {
        match self {
            Repeat::Off => Repeat::All,
            Repeat::All => Repeat::One,
            Repeat::One => Repeat::Off,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Repeat::Off => "off",
            Repeat::All => "all",
            Repeat::One => "one",
        }
    }
}

/// Gregorian date from days since 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `m:ss` for a duration in milliseconds.
pub fn mmss(ms: u64) -> String {
    let s = ms / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

/// Milliseconds since the Unix epoch, saturating at 0 for clocks set before 1970.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// An I/O error in words for the listener: the system's message without Rust's
/// " (os error N)" suffix (paths are added by the caller, once).
pub fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rating_accepts_only_one_to_five() {
        assert!(Rating::new(0).is_none());
        assert!(Rating::new(6).is_none());
        assert_eq!(Rating::new(4).map(Rating::stars), Some(4));
    }
}
