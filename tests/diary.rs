//! The mood diary and forgetting, with the real binary on a temp data dir: `mien diary --json`
//! (schema, hours in the time zone, what lifted you), `mien forget` (exactly the span, from the
//! database and the journal, so that a rebuild does not bring it back; the recommender's events
//! kept or stripped; refused while another mien holds the data dir).

mod common;

use common::play;

use mien::core::{EmotionSource, PlayOutcome, TrackId};
use mien::recommend::{ListenEvent, ListenerMood, RecoStore, Signal};
use mien::store::{journal_listener_data, ReadingRecord, Store};
use std::path::Path;
use std::process::Output;

const MIN: u64 = 60_000;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `mien --data-dir DATA ARGS...` in UTC, so hours are known.
fn mien(data: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_mien"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("XDG_CONFIG_HOME", data.join("no-config"))
        .env("TZ", "UTC")
        .output()
        .expect("run mien")
}

fn reading(at_ms: u64, valence: f32) -> ReadingRecord {
    ReadingRecord {
        at_ms,
        source: EmotionSource::Camera,
        label: if valence > 0.0 { "happy" } else { "sad" }.into(),
        valence,
        arousal: 0.2,
        confidence: 0.9,
    }
}

/// Now, rounded down to the hour minus four hours: `t0`. Two plays of "lift" at t0 and t0 + 1h,
/// each with a sad reading 4 minutes before and a happy one 3 minutes after, one skipped play of
/// "meh" at t0 + 2h with flat readings; and 5 readings in the last 30 minutes.
fn populate(data: &Path) -> u64 {
    let now = mien::core::now_ms();
    let t0 = now / 3_600_000 * 3_600_000 - 4 * 3_600_000;
    let store = Store::open(data).expect("open");
    for h in 0..2 {
        let t = t0 + h * 60 * MIN;
        store
            .record_reading(&reading(t - 4 * MIN, -0.5))
            .expect("reading");
        store
            .record_reading(&reading(t + 3 * MIN, 0.5))
            .expect("reading");
        store
            .record_play(&play(t, "lift", PlayOutcome::Started))
            .expect("play");
    }
    let t = t0 + 120 * MIN;
    store
        .record_reading(&reading(t - 4 * MIN, 0.1))
        .expect("reading");
    store
        .record_reading(&reading(t + 3 * MIN, 0.1))
        .expect("reading");
    store
        .record_play(&play(t, "meh", PlayOutcome::Started))
        .expect("play");
    store
        .record_play(&play(t + MIN, "meh", PlayOutcome::Skipped))
        .expect("play");
    for i in 0..5 {
        store
            .record_reading(&reading(now - (5 + i * 5) * MIN, 0.3))
            .expect("reading");
    }
    let (mut reco, mut model) = RecoStore::open(&store).expect("reco");
    for at in [t0, now - 10 * MIN] {
        let event = ListenEvent {
            at_ms: at,
            track: TrackId::from_path(Path::new("/m/lift.flac")),
            signal: Signal::Started,
            listener: Some(ListenerMood {
                valence: -0.5,
                arousal: 0.2,
            }),
            mood: None,
        };
        reco.append(&mut model, &event).expect("event");
    }
    t0
}

#[test]
fn diary_json_has_every_day_and_hour_and_names_the_track_that_lifted_you() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let t0 = populate(&data);
    let out = mien(&data, &["diary", "--json", "--days", "3"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_str(&text(&out.stdout)).expect("json");
    assert_eq!(v["span_days"], 3);
    let days = v["days"].as_array().expect("days");
    assert_eq!(days.len(), 3);
    let total = |key: &str| {
        days.iter()
            .map(|d| d[key].as_u64().expect(key))
            .sum::<u64>()
    };
    assert_eq!(total("readings"), 11);
    assert_eq!(total("plays"), 3);
    assert_eq!(total("skips"), 1);
    let hour_of = |ms: u64| (ms / 3_600_000 % 24) as usize;
    let day = days
        .iter()
        .find(|d| d["hours"][hour_of(t0)]["plays"] == 1)
        .expect("the day of t0");
    assert_eq!(day["hours"].as_array().expect("hours").len(), 24);
    let h = &day["hours"][hour_of(t0)];
    // t0 + 3 min (happy, +0.5) and t0 + 56 min (sad, -0.5, before the next play).
    assert_eq!(h["readings"], 2, "{h}");
    assert_eq!(h["camera"], 2);
    assert_eq!(h["label"], "sad", "the latest of those tied");
    assert!(h["valence"].as_f64().expect("valence").abs() < 1e-6);
    let lifted = v["lifted"].as_array().expect("lifted");
    assert_eq!(lifted.len(), 1, "{lifted:?}");
    assert_eq!(lifted[0]["path"], "/m/lift.flac");
    assert_eq!(
        lifted[0]["title"], "lift.flac",
        "not in the catalogue: the file name"
    );
    assert_eq!(lifted[0]["times"], 2);
    assert_eq!(lifted[0]["heard"], 2);
    assert!((lifted[0]["mean_rise"].as_f64().expect("rise") - 1.0).abs() < 1e-6);
    assert_eq!(v["lift_rule"]["window_minutes"], 10);

    let out = mien(&data, &["diary", "--days", "3"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("what lifted you"), "{shown}");
    assert!(
        shown.contains("  2 of 2   plays  +1.00  lift.flac"),
        "{shown}"
    );
    assert!(shown.contains("   skipped  "), "{shown}");
}

#[test]
fn forget_deletes_exactly_the_span_from_db_and_journal_and_a_rebuild_keeps_it_gone() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    populate(&data);
    let out = mien(&data, &["forget", "--last", "1h"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.starts_with("forgot 5 emotion readings ("), "{said}");
    assert!(
        said.contains("kept: your emotion at the time in 1 recommender event of that span"),
        "{said}"
    );
    let (plays, journal) = journal_listener_data(&data).expect("journal");
    assert_eq!(journal.len(), 6, "the journal lost the span's readings");
    assert_eq!(plays.len(), 4, "and kept every play");
    let out = mien(&data, &["db", "rebuild"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("6 emotion readings"),
        "{}",
        text(&out.stdout)
    );
    let store = Store::open(&data).expect("open");
    let now = mien::core::now_ms();
    assert!(store
        .readings(now - 60 * MIN, u64::MAX)
        .expect("span")
        .is_empty());
    assert_eq!(store.readings(0, u64::MAX).expect("all").len(), 6);
    assert_eq!(store.history_len(), 4);
    drop(store);

    let out = mien(&data, &["forget", "--last", "all", "--reco"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.starts_with("forgot 6 emotion readings (all"), "{said}");
    assert!(
        said.contains("removed your emotion from 2 recommender events"),
        "{said}"
    );
    let store = Store::open(&data).expect("open");
    assert_eq!(store.readings_len(), 0);
    assert_eq!(
        store.reco_events_with_listener(0, u64::MAX).expect("count"),
        0
    );
    let (reco, _) = RecoStore::open(&store).expect("reco");
    assert_eq!(reco.event_count(), 2, "the events stay");
    drop(reco);
    drop(store);
    let out = mien(&data, &["db", "check", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    let health: serde_json::Value = serde_json::from_str(&text(&out.stdout)).expect("json");
    assert_eq!(health["readings"], 0);
    assert_eq!(health["journal_readings"], 0);
    assert_eq!(health["journal_plays"], 4);
}

#[test]
fn forget_refuses_while_another_mien_holds_the_data_dir_and_deletes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    populate(&data);
    let held = Store::open(&data).expect("open");
    let out = mien(&data, &["forget", "--last", "all"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("a mien player has")
            && err.contains("quit it, then run `mien forget` again (nothing was deleted)"),
        "{err}"
    );
    assert_eq!(held.readings_len(), 11);
    // The diary still reads, from the journal.
    let out = mien(&data, &["diary", "--json", "--days", "1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_str(&text(&out.stdout)).expect("json");
    assert_eq!(v["days"].as_array().expect("days").len(), 1);
}

#[test]
fn bad_spans_and_day_counts_are_refused_with_the_accepted_forms() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let out = mien(&data, &["forget", "--last", "3y"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("\"3y\" is not a span: use e.g. 30m, 2h, 1d, 2w or all"),
        "{}",
        text(&out.stderr)
    );
    let out = mien(&data, &["diary", "--days", "0"]);
    assert!(!out.status.success());
}
