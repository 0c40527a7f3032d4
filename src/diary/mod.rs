//! The mood diary: the listener's stored emotion readings against the play history, per local
//! day and hour, and "what lifted you" (`lift.rs`). Pure computation over the store's records
//! ([`build`]) plus one loader ([`load`]) that reads them; run by `mien diary` on its thread and
//! by the player's short-lived `diary` thread, never on the UI thread.
//!
//! Per hour: the mean valence and arousal of the readings in it, their count by source, the most
//! frequent label, and the plays (history `started` events) and skips (`skipped` events) in it.
//! Hours are the local time zone's (`clock.rs`), as the listener lived them.

mod clock;
mod lift;

pub use clock::{local_date, local_offset_s};
pub use lift::{lifts, Lift, LiftRule};

use crate::core::{EmotionSource, PlayOutcome, PlayRecord, TrackId};
use crate::store::{ReadingRecord, Store, StoreError};
use serde::Serialize;

/// Days `mien diary` and the diary view show unless told otherwise.
pub const DEFAULT_DAYS: u32 = 7;
/// The most days one diary covers (a year and a bit).
pub const MAX_DAYS: u32 = 400;

/// The diary of the last `span_days` local days, today included. `Serialize` is `mien diary
/// --json`'s schema (README, "mien diary").
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diary {
    pub span_days: u32,
    /// The first day's local midnight and the time the diary was made, ms since the epoch.
    pub from_ms: u64,
    pub to_ms: u64,
    /// Oldest first, every day of the span (empty days included).
    pub days: Vec<Day>,
    /// Tracks followed most often by a rise in valence, most often first.
    pub lifted: Vec<Lift>,
    pub lift_rule: LiftRule,
}

/// One local day.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Day {
    /// `YYYY-MM-DD`, local.
    pub date: String,
    pub readings: u32,
    pub plays: u32,
    pub skips: u32,
    /// Mean valence of the day's readings, `null` without any.
    pub valence: Option<f32>,
    /// Always 24, hour 0 first.
    pub hours: Vec<Hour>,
}

/// One local hour of a day.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Hour {
    pub hour: u8,
    pub readings: u32,
    pub camera: u32,
    pub manual: u32,
    /// Means of the hour's readings, `null` without any.
    pub valence: Option<f32>,
    pub arousal: Option<f32>,
    /// The most frequent label of the hour's readings (the latest of those tied).
    pub label: Option<String>,
    pub plays: u32,
    pub skips: u32,
}

/// Title and artist for a track the catalogue knows.
pub type Names<'a> = &'a dyn Fn(TrackId) -> Option<(String, String)>;

/// Builds the diary of the `span_days` local days ending with the one holding `now_ms`, from
/// readings and plays (any order, any span: what falls outside is ignored, except that the lift
/// windows look before the first day). `offset` gives the local UTC offset in seconds at a time.
pub fn build(
    readings: &[ReadingRecord],
    plays: &[PlayRecord],
    names: Names<'_>,
    now_ms: u64,
    span_days: u32,
    offset: &dyn Fn(u64) -> i64,
) -> Diary {
    let span_days = span_days.clamp(1, MAX_DAYS);
    let local_day = |ms: u64| (ms as i64 / 1000 + offset(ms)).div_euclid(86_400);
    let local_hour = |ms: u64| ((ms as i64 / 1000 + offset(ms)).rem_euclid(86_400) / 3600) as usize;
    let today = local_day(now_ms);
    let first = today - i64::from(span_days) + 1;
    let from_ms = ((first * 86_400 - offset(now_ms)).max(0) * 1000) as u64;
    let mut days: Vec<Day> = (first..=today)
        .map(|d| Day {
            date: local_date(d),
            readings: 0,
            plays: 0,
            skips: 0,
            valence: None,
            hours: (0..24)
                .map(|h| Hour {
                    hour: h,
                    ..Hour::default()
                })
                .collect(),
        })
        .collect();
    let slot = |ms: u64| {
        let d = local_day(ms);
        (first..=today)
            .contains(&d)
            .then(|| ((d - first) as usize, local_hour(ms)))
    };
    let mut sums = vec![[(0.0f32, 0.0f32); 24]; days.len()];
    let mut labels: Vec<[Vec<&str>; 24]> = (0..days.len()).map(|_| Default::default()).collect();
    for r in readings {
        let Some((d, h)) = slot(r.at_ms) else {
            continue;
        };
        let hour = &mut days[d].hours[h];
        hour.readings += 1;
        match r.source {
            EmotionSource::Camera => hour.camera += 1,
            EmotionSource::Manual => hour.manual += 1,
        }
        sums[d][h].0 += r.valence;
        sums[d][h].1 += r.arousal;
        labels[d][h].push(&r.label);
    }
    for p in plays {
        let Some((d, h)) = slot(p.at_ms) else {
            continue;
        };
        match p.outcome {
            PlayOutcome::Started => days[d].hours[h].plays += 1,
            PlayOutcome::Skipped => days[d].hours[h].skips += 1,
            _ => {}
        }
    }
    for (d, day) in days.iter_mut().enumerate() {
        let mut valence_sum = 0.0;
        for (h, hour) in day.hours.iter_mut().enumerate() {
            day.readings += hour.readings;
            day.plays += hour.plays;
            day.skips += hour.skips;
            valence_sum += sums[d][h].0;
            if hour.readings > 0 {
                let n = hour.readings as f32;
                hour.valence = Some(sums[d][h].0 / n);
                hour.arousal = Some(sums[d][h].1 / n);
                hour.label = most_frequent(&labels[d][h]);
            }
        }
        if day.readings > 0 {
            day.valence = Some(valence_sum / day.readings as f32);
        }
    }
    let rule = LiftRule::default();
    Diary {
        span_days,
        from_ms,
        to_ms: now_ms,
        days,
        lifted: lifts(readings, plays, from_ms, now_ms, &rule, names),
        lift_rule: rule,
    }
}

/// The most frequent of `labels`, the latest among those tied.
fn most_frequent(labels: &[&str]) -> Option<String> {
    let mut best: Option<(&str, usize)> = None;
    for l in labels.iter().rev() {
        let n = labels.iter().filter(|x| *x == l).count();
        if best.is_none_or(|(_, b)| n > b) {
            best = Some((l, n));
        }
    }
    best.map(|(l, _)| l.to_string())
}

/// Reads what the diary of the last `span_days` days needs from `store` and builds it in the
/// local time zone.
pub fn load(store: &Store, span_days: u32, now_ms: u64) -> Result<Diary, StoreError> {
    let span_days = span_days.clamp(1, MAX_DAYS);
    // A day more than the span, and the lift window, so nothing at the edges is missed.
    let earliest = now_ms.saturating_sub((u64::from(span_days) + 1) * 86_400_000);
    let look_back = earliest.saturating_sub(LiftRule::default().window_ms());
    let readings = store.readings(look_back, u64::MAX)?;
    let plays: Vec<PlayRecord> = store
        .history(None)?
        .into_iter()
        .filter(|p| p.at_ms >= look_back)
        .collect();
    let names = |id: TrackId| {
        store
            .track(id)
            .ok()
            .flatten()
            .map(|t| (t.display_title(), t.display_artist().to_string()))
    };
    Ok(build(
        &readings,
        &plays,
        &names,
        now_ms,
        span_days,
        &local_offset_s,
    ))
}

/// [`load`] from the journal alone, for when a player holds the database: the same readings
/// and plays (the journal holds all of them), but tracks are named by their file names (the
/// catalogue is in the database).
pub fn load_from_journal(
    data_dir: &std::path::Path,
    span_days: u32,
    now_ms: u64,
) -> Result<Diary, StoreError> {
    let (plays, readings) = crate::store::journal_listener_data(data_dir)?;
    Ok(build(
        &readings,
        &plays,
        &|_| None,
        now_ms,
        span_days,
        &local_offset_s,
    ))
}

/// A path's file name, for a track the catalogue does not know.
pub fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests;
