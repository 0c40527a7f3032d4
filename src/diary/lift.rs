//! "What lifted you": the tracks most often followed by a rise in the listener's valence.
//!
//! The rule ([`LiftRule`], its numbers in the JSON): for each play (a history `started` event)
//! in the diary's span, *before* is the mean valence of the readings in the
//! [`LiftRule::window_minutes`] before the track started and *after* the mean of those in the
//! same length of time from its start. A play counts as *heard* when both windows hold at least
//! one reading, and as a *lift* when after − before ≥ [`LiftRule::min_rise`]. A track is listed
//! once it lifted at least [`LiftRule::min_times`] times: most lifts first, then the larger
//! mean rise, then the path. Windows of neighbouring plays overlap (tracks are shorter than
//! the window), so a lift is "followed by", not "caused by".

use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;

use super::{file_name, Names};
use crate::core::{path_serde, PlayOutcome, PlayRecord, TrackId};
use crate::store::ReadingRecord;

/// The numbers of the rule (module docs).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LiftRule {
    pub window_minutes: u32,
    pub min_rise: f32,
    pub min_times: u32,
    /// At most this many tracks are listed.
    pub top: usize,
}

impl Default for LiftRule {
    fn default() -> LiftRule {
        LiftRule {
            window_minutes: 10,
            // A sixth of the way from neutral to happy on the circumplex (0 → 0.8): more than
            // the smoother's jitter on a steady face, less than one step of the manual picker.
            min_rise: 0.15,
            min_times: 2,
            top: 10,
        }
    }
}

impl LiftRule {
    pub fn window_ms(&self) -> u64 {
        u64::from(self.window_minutes) * 60_000
    }
}

/// One track that lifted the listener.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lift {
    pub track: TrackId,
    #[serde(with = "path_serde")]
    pub path: PathBuf,
    /// The catalogue's title and artist; the file name and "" when it does not know the track.
    pub title: String,
    pub artist: String,
    /// Plays followed by a rise of at least the rule's `min_rise`.
    pub times: u32,
    /// Plays with readings on both sides (the lifts included).
    pub heard: u32,
    /// Mean after − before over the lifts.
    pub mean_rise: f32,
}

/// The mean valence of the readings with `from <= at_ms < to` (`sorted` by time; `prefix[i]` is
/// the sum of the first `i` valences).
fn mean(sorted: &[ReadingRecord], prefix: &[f64], from: u64, to: u64) -> Option<f64> {
    let a = sorted.partition_point(|r| r.at_ms < from);
    let b = sorted.partition_point(|r| r.at_ms < to);
    (b > a).then(|| (prefix[b] - prefix[a]) / (b - a) as f64)
}

/// The tracks of the plays in `from_ms..to_ms` that lifted the listener (module docs).
pub fn lifts(
    readings: &[ReadingRecord],
    plays: &[PlayRecord],
    from_ms: u64,
    to_ms: u64,
    rule: &LiftRule,
    names: Names<'_>,
) -> Vec<Lift> {
    let mut sorted = readings.to_vec();
    sorted.sort_by_key(|r| r.at_ms);
    let mut prefix = Vec::with_capacity(sorted.len() + 1);
    prefix.push(0.0f64);
    for r in &sorted {
        prefix.push(prefix[prefix.len() - 1] + f64::from(r.valence));
    }
    let w = rule.window_ms();
    let mut per_track: HashMap<TrackId, (PathBuf, u32, u32, f64)> = HashMap::new();
    for p in plays {
        if p.outcome != PlayOutcome::Started || !(from_ms..to_ms).contains(&p.at_ms) {
            continue;
        }
        let before = mean(&sorted, &prefix, p.at_ms.saturating_sub(w), p.at_ms);
        let after = mean(&sorted, &prefix, p.at_ms, p.at_ms.saturating_add(w));
        let (Some(before), Some(after)) = (before, after) else {
            continue;
        };
        let entry = per_track
            .entry(p.track)
            .or_insert_with(|| (p.path.clone(), 0, 0, 0.0));
        entry.1 += 1;
        let rise = after - before;
        if rise >= f64::from(rule.min_rise) - 1e-6 {
            entry.2 += 1;
            entry.3 += rise;
        }
    }
    let mut out: Vec<Lift> = per_track
        .into_iter()
        .filter(|(_, (_, _, times, _))| *times >= rule.min_times.max(1))
        .map(|(track, (path, heard, times, rise))| {
            let (title, artist) = names(track).unwrap_or_else(|| (file_name(&path), String::new()));
            Lift {
                track,
                path,
                title,
                artist,
                times,
                heard,
                mean_rise: (rise / f64::from(times)) as f32,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.times
            .cmp(&a.times)
            .then(b.mean_rise.total_cmp(&a.mean_rise))
            .then(a.path.cmp(&b.path))
    });
    out.truncate(rule.top);
    out
}
