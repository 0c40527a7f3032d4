//! The diary on constructed histories: hours and days in a time zone, plays against skips, and
//! "what lifted you" at and around its thresholds.

use super::*;
use std::path::{Path, PathBuf};

const MIN: u64 = 60_000;
/// 2026-12-01 00:00 UTC.
const DAY0: u64 = 20_788 * 86_400_000;

fn reading(at_ms: u64, valence: f32, source: EmotionSource, label: &str) -> ReadingRecord {
    ReadingRecord {
        at_ms,
        source,
        label: label.into(),
        valence,
        arousal: 0.0,
        confidence: 1.0,
    }
}

fn cam(at_ms: u64, valence: f32) -> ReadingRecord {
    reading(at_ms, valence, EmotionSource::Camera, "neutral")
}

fn play(at_ms: u64, name: &str, outcome: PlayOutcome) -> PlayRecord {
    let path = PathBuf::from(format!("/m/{name}.flac"));
    PlayRecord {
        at_ms,
        track: TrackId::from_path(&path),
        path,
        outcome,
        position_ms: 0,
    }
}

fn started(at_ms: u64, name: &str) -> PlayRecord {
    play(at_ms, name, PlayOutcome::Started)
}

fn no_names(_: TrackId) -> Option<(String, String)> {
    None
}

fn utc(_: u64) -> i64 {
    0
}

#[test]
fn readings_and_plays_fall_into_their_local_day_and_hour() {
    let readings = [
        reading(
            DAY0 + 9 * 60 * MIN + 5 * MIN,
            0.5,
            EmotionSource::Camera,
            "happy",
        ),
        reading(
            DAY0 + 9 * 60 * MIN + 40 * MIN,
            -0.1,
            EmotionSource::Manual,
            "sad",
        ),
        reading(
            DAY0 + 9 * 60 * MIN + 50 * MIN,
            0.2,
            EmotionSource::Camera,
            "sad",
        ),
        // 23:30 UTC the day before: 00:30 of this day an hour east of UTC.
        cam(DAY0 - 30 * MIN, 0.8),
    ];
    let plays = [
        started(DAY0 + 9 * 60 * MIN, "a"),
        play(DAY0 + 9 * 60 * MIN + 2 * MIN, "a", PlayOutcome::Skipped),
        started(DAY0 + 9 * 60 * MIN + 2 * MIN, "b"),
        play(DAY0 + 9 * 60 * MIN + 6 * MIN, "b", PlayOutcome::Completed),
    ];
    let now = DAY0 + 12 * 60 * MIN;
    let east = |_: u64| 3600;
    let d = build(&readings, &plays, &no_names, now, 2, &east);
    assert_eq!(d.days.len(), 2);
    assert_eq!(d.days[1].date, "2026-12-01");
    assert_eq!(d.days[0].date, "2026-11-30");
    assert_eq!(d.from_ms, DAY0 - 86_400_000 - 3_600_000, "local midnight");
    let today = &d.days[1];
    assert_eq!(today.hours.len(), 24);
    let ten = &today.hours[10];
    assert_eq!((ten.readings, ten.camera, ten.manual), (3, 2, 1));
    assert!((ten.valence.expect("valence") - 0.2).abs() < 1e-6);
    assert_eq!(ten.label.as_deref(), Some("sad"));
    assert_eq!((ten.plays, ten.skips), (2, 1));
    assert_eq!(today.hours[0].readings, 1, "23:30 UTC is 00:30 local");
    assert_eq!((today.readings, today.plays, today.skips), (4, 2, 1));
    assert!((today.valence.expect("day") - 0.35).abs() < 1e-6);
    assert!(d.days[0].valence.is_none());
    assert!(today.hours[11].valence.is_none());
    let in_utc = build(&readings, &plays, &no_names, now, 2, &utc);
    assert_eq!(in_utc.days[0].hours[23].readings, 1);
    assert_eq!(in_utc.days[1].hours[9].readings, 3);
}

/// Valence `before` in the 10 minutes before `t` and `after` in the 10 after.
fn around(t: u64, before: f32, after: f32) -> [ReadingRecord; 2] {
    [cam(t - 4 * MIN, before), cam(t + 3 * MIN, after)]
}

#[test]
fn what_lifted_you_counts_rises_of_at_least_the_threshold_over_ten_minutes() {
    let t = |h: u64| DAY0 + h * 60 * MIN;
    let mut readings = Vec::new();
    let mut plays = Vec::new();
    // "up" lifts three times out of four; "steady" is heard twice and never lifts; "once"
    // lifts once (below min_times); "edge" rises by exactly 0.15 twice; "blind" has readings
    // only after its start.
    for (h, before, after) in [(1, -0.5, 0.3), (2, 0.0, 0.2), (3, 0.1, 0.0), (4, -0.2, 0.4)] {
        readings.extend(around(t(h), before, after));
        plays.push(started(t(h), "up"));
    }
    for h in [5, 6] {
        readings.extend(around(t(h), 0.1, 0.15));
        plays.push(started(t(h), "steady"));
    }
    readings.extend(around(t(7), -0.8, 0.8));
    plays.push(started(t(7), "once"));
    for h in [8, 9] {
        readings.extend(around(t(h), 0.25, 0.4));
        plays.push(started(t(h), "edge"));
    }
    for h in [10, 11] {
        readings.push(cam(t(h) + MIN, 0.9));
        plays.push(started(t(h), "blind"));
        plays.push(play(t(h) + MIN, "blind", PlayOutcome::Skipped));
    }
    let names = |id: TrackId| {
        (id == TrackId::from_path(Path::new("/m/up.flac"))).then(|| ("Up".into(), "Ada".into()))
    };
    let d = build(&readings, &plays, &names, t(20), 1, &utc);
    let listed: Vec<(&str, u32, u32)> = d
        .lifted
        .iter()
        .map(|l| (l.title.as_str(), l.times, l.heard))
        .collect();
    assert_eq!(listed, [("Up", 3, 4), ("edge.flac", 2, 2)]);
    let up = &d.lifted[0];
    assert_eq!(up.artist, "Ada");
    assert!(
        (up.mean_rise - (0.8 + 0.2 + 0.6) / 3.0).abs() < 1e-5,
        "{}",
        up.mean_rise
    );
    assert_eq!(d.lift_rule.window_minutes, 10);
}

#[test]
fn readings_outside_the_window_do_not_count_and_plays_before_the_span_are_not_listed() {
    let t = DAY0 + 5 * 60 * MIN;
    // 11 minutes before: outside the window, so the play is not heard.
    let readings = [cam(t - 11 * MIN, -0.9), cam(t + MIN, 0.9)];
    let d = build(
        &readings,
        &[started(t, "a"), started(t, "a")],
        &no_names,
        t + MIN,
        1,
        &utc,
    );
    assert!(d.lifted.is_empty());
    // Yesterday's lifts are outside a one-day span.
    let mut readings = Vec::new();
    readings.extend(around(t - 86_400_000, -0.5, 0.5));
    readings.extend(around(t - 86_400_000 + 60 * MIN, -0.5, 0.5));
    let plays = [
        started(t - 86_400_000, "a"),
        started(t - 86_400_000 + 60 * MIN, "a"),
    ];
    assert!(build(&readings, &plays, &no_names, t, 1, &utc)
        .lifted
        .is_empty());
    assert_eq!(
        build(&readings, &plays, &no_names, t, 2, &utc).lifted.len(),
        1
    );
}

#[test]
fn an_empty_history_is_a_diary_of_empty_days() {
    let d = build(&[], &[], &no_names, DAY0, 7, &utc);
    assert_eq!(d.days.len(), 7);
    assert!(d
        .days
        .iter()
        .all(|day| day.readings == 0 && day.valence.is_none()));
    assert!(d.lifted.is_empty());
    assert_eq!(
        build(&[], &[], &no_names, DAY0, 0, &utc).days.len(),
        1,
        "at least a day"
    );
}
