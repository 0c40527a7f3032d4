//! The listener's data against a damaged store: sled's files damaged the ways a tester found
//! (snapshot gone plus a flipped byte, `db` truncated, garbage `conf`, the whole `db` gone), the
//! journal damaged, and a write cut short. Every rating and play comes back, the damaged files
//! are kept, and the real binary says what it did. Then `mien db check|rebuild` and
//! `mien export|import` round trips.

mod common;
use common::mien;

use mien::core::{EmotionSource, PlayOutcome, PlayRecord, Rating, SavedQueue, TrackId};
use mien::store::{ReadingRecord, Store};
use std::ffi::OsString;
use std::fs;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn play(n: u64) -> PlayRecord {
    let path = if n == 7 {
        PathBuf::from(OsString::from_vec(b"/m/caf\xe9.flac".to_vec()))
    } else {
        PathBuf::from(format!("/m/{n}.flac"))
    };
    PlayRecord {
        at_ms: 1_700_000_000_000 + n * 1000,
        track: TrackId::from_path(&path),
        path,
        outcome: if n.is_multiple_of(2) {
            PlayOutcome::Started
        } else {
            PlayOutcome::Completed
        },
        position_ms: n * 10,
    }
}

/// The 12 emotion readings every test expects back, oldest first.
fn reading(n: u64) -> ReadingRecord {
    ReadingRecord {
        at_ms: 1_700_000_000_000 + n * 1500,
        source: if n.is_multiple_of(3) {
            EmotionSource::Manual
        } else {
            EmotionSource::Camera
        },
        label: ["happy", "sad", "neutral"][n as usize % 3].into(),
        valence: n as f32 / 12.0 - 0.5,
        arousal: 0.25,
        confidence: 0.75,
    }
}

fn queue() -> SavedQueue {
    SavedQueue {
        paths: vec!["/m/1.flac".into(), "/m/2.flac".into()],
        current: Some(1),
        position_ms: 12_000,
        ..Default::default()
    }
}

/// What every test expects back: 30 ratings, 40 plays, the queue.
fn expected_ratings() -> Vec<(TrackId, Rating)> {
    let mut r: Vec<_> = (0..30u64)
        .map(|n| {
            (
                TrackId(n * 7919 + 1),
                Rating::new(1 + (n % 5) as u8).expect("1..=5"),
            )
        })
        .collect();
    r.sort();
    r
}

fn populate(data: &Path) {
    let store = Store::open(data).expect("open");
    for (id, r) in expected_ratings() {
        store.set_rating(id, Some(r)).expect("rate");
    }
    for n in 0..40 {
        store.record_play(&play(n)).expect("play");
    }
    for n in 0..12 {
        store.record_reading(&reading(n)).expect("reading");
    }
    store.save_queue(&queue()).expect("queue");
    store.flush().expect("flush");
}

fn assert_all_there(data: &Path) {
    let store = Store::open(data).expect("reopen");
    assert_eq!(store.ratings().expect("ratings"), expected_ratings());
    let mut history = store.history(None).expect("history");
    history.sort_by_key(|p| p.at_ms);
    assert_eq!(history, (0..40).map(play).collect::<Vec<_>>());
    assert_eq!(store.load_queue().expect("queue"), Some(queue()));
    assert_eq!(
        store.readings(0, u64::MAX).expect("readings"),
        (0..12).map(reading).collect::<Vec<_>>()
    );
}

fn damaged_copies(data: &Path) -> Vec<PathBuf> {
    fs::read_dir(data)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("db.damaged-"))
        })
        .collect()
}

fn remove_snapshots(db: &Path) {
    for e in fs::read_dir(db).expect("list db") {
        let p = e.expect("entry").path();
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("snap."))
        {
            fs::remove_file(p).expect("rm snap");
        }
    }
}

/// Damages the store, then runs `mien history` (any command opens the store) and checks that it
/// says what it did, that all the data came back and that the old files were kept.
fn damaged_then_recovered(damage: impl Fn(&Path), expect_in_message: &str, kept: bool) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    populate(&data);
    damage(&data.join("db"));

    let check = mien(&data, &["db", "check"]);
    assert!(
        !check.status.success(),
        "db check passed a damaged store: {}",
        text(&check.stdout)
    );
    assert!(
        text(&check.stdout).contains("damaged: "),
        "{}",
        text(&check.stdout)
    );

    let out = mien(&data, &["history", "--json"]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(expect_in_message), "{err}");
    assert!(
        err.contains("rebuilt 30 ratings, 40 plays, 12 emotion readings and the saved queue from"),
        "{err}"
    );
    let history: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(history.as_array().map(Vec::len), Some(40));
    assert_eq!(damaged_copies(&data).len(), usize::from(kept), "{err}");
    assert_all_there(&data);
    let again = mien(&data, &["db", "check"]);
    assert!(again.status.success(), "{}", text(&again.stdout));
    assert!(
        text(&mien(&data, &["history"]).stderr).is_empty(),
        "recovered once only"
    );
}

#[test]
fn snapshot_gone_and_a_flipped_byte_in_db() {
    damaged_then_recovered(
        |db| {
            remove_snapshots(db);
            let mut bytes = fs::read(db.join("db")).expect("read db");
            bytes[100] ^= 0xff;
            fs::write(db.join("db"), bytes).expect("write db");
        },
        "opened empty, but the journal holds",
        true,
    );
}

#[test]
fn db_truncated() {
    damaged_then_recovered(
        |db| {
            remove_snapshots(db);
            let bytes = fs::read(db.join("db")).expect("read db");
            fs::write(db.join("db"), &bytes[..bytes.len() / 2]).expect("write db");
        },
        "moved it to",
        true,
    );
}

#[test]
fn garbage_conf_is_named_and_not_called_an_old_sled_version() {
    damaged_then_recovered(
        |db| fs::write(db.join("conf"), b"garbage garbage garbage\n").expect("write conf"),
        "conf: the settings file fails its checksum (the file is damaged): moved it to",
        true,
    );
}

#[test]
fn the_whole_db_dir_gone() {
    damaged_then_recovered(
        |db| fs::remove_dir_all(db).expect("rm db"),
        "db is missing: rebuilt",
        false,
    );
}

#[test]
fn a_damaged_journal_line_is_skipped_and_the_journal_kept() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    populate(&data);
    let journal = data.join(mien::store::JOURNAL_FILE);
    let mut bytes = fs::read(&journal).expect("read");
    let first_newline = bytes.iter().position(|b| *b == b'\n').expect("a line");
    bytes[first_newline - 3] ^= 0x20;
    fs::write(&journal, &bytes).expect("write");
    let (store, rec) = Store::open_reporting(&data).expect("open");
    let line = rec.expect("a report").to_string();
    assert!(
        line.contains("skipped damaged line(s) 1 (the journal as it was is kept in"),
        "{line}"
    );
    assert_eq!(
        store.ratings().expect("ratings"),
        expected_ratings(),
        "the db still had it"
    );
    drop(store);
    let (_, rec) = Store::open_reporting(&data).expect("reopen");
    assert_eq!(
        rec, None,
        "the journal was rewritten without the damaged line"
    );
}

#[test]
fn a_rating_the_db_lacks_after_a_crash_is_restored_without_a_rebuild() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    populate(&data);
    // As a kill between the journal's fsync and sled's write leaves it.
    let json = r#"{"t":"rating","track":424242,"stars":4}"#;
    let line = format!("{:08x} {json}\n", crc32fast::hash(json.as_bytes()));
    let journal = data.join(mien::store::JOURNAL_FILE);
    let mut bytes = fs::read(&journal).expect("read");
    bytes.extend_from_slice(line.as_bytes());
    fs::write(&journal, bytes).expect("write");
    let (store, rec) = Store::open_reporting(&data).expect("open");
    let rec = rec.expect("a report");
    assert!(!rec.rebuilt && rec.moved_to.is_none(), "{rec:?}");
    assert_eq!(
        rec.to_string().split(" from ").next(),
        Some("restored 1 rating the database lacked (a write cut short)")
    );
    assert_eq!(store.rating(TrackId(424242)).expect("get"), Rating::new(4));
    assert!(damaged_copies(&data).is_empty());
}

#[test]
fn db_rebuild_moves_the_db_aside_and_loses_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    populate(&data);
    let check = mien(&data, &["db", "check", "--json"]);
    assert!(check.status.success(), "{}", text(&check.stderr));
    let health: serde_json::Value = serde_json::from_slice(&check.stdout).expect("json");
    assert_eq!(health["problems"].as_array().map(Vec::len), Some(0));
    assert_eq!(health["ratings"], 30);
    assert_eq!(health["journal_plays"], 40);
    let out = mien(&data, &["db", "rebuild"]);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        said.starts_with("moved the database to ")
            && said
                .contains("rebuilt 30 ratings, 40 plays, 12 emotion readings and the saved queue"),
        "{said}"
    );
    assert_eq!(damaged_copies(&data).len(), 1);
    assert_all_there(&data);
}

#[test]
fn export_then_import_into_a_new_data_dir_round_trips_and_is_idempotent() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    populate(&data);
    let file = tmp.path().join("backup.json");
    let out = mien(
        &data,
        &["export", "--output", file.to_str().expect("utf-8")],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        fs::metadata(&file).expect("stat").permissions().mode() & 0o777,
        0o600
    );
    let json = fs::read_to_string(&file).expect("read");
    assert!(
        json.contains(r#""bytes": ["#),
        "a non-UTF-8 path is written as bytes"
    );
    let stdout = mien(&data, &["export"]);
    assert_eq!(text(&stdout.stdout), json, "stdout and --output agree");

    let other = tmp.path().join("other");
    let first = mien(&other, &["import", file.to_str().expect("utf-8")]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(
        text(&first.stdout).trim(),
        "imported 30 ratings, 40 plays and 12 emotion readings (0 plays were already in the \
         history)"
    );
    let second = mien(&other, &["import", file.to_str().expect("utf-8")]);
    assert_eq!(
        text(&second.stdout).trim(),
        "imported 30 ratings, 0 plays and 0 emotion readings (40 plays were already in the \
         history)"
    );
    let store = Store::open(&other).expect("open");
    assert_eq!(store.ratings().expect("ratings"), expected_ratings());
    assert_eq!(store.history_len(), 40);
    assert_eq!(store.readings_len(), 12);

    fs::write(&file, b"{\"mien_backup\": 1, \"ratings\": [").expect("write");
    let bad = mien(&other, &["import", file.to_str().expect("utf-8")]);
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("backup.json: not a mien export"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn export_and_history_while_a_player_holds_the_database_read_its_journal() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    populate(&data);
    let export = mien(&data, &["export"]);
    let history = mien(&data, &["history", "--json"]);
    let last = mien(&data, &["history", "--limit", "3"]);
    assert!(export.status.success(), "{}", text(&export.stderr));
    // This process holds the database as a running player would: sled refuses a second one.
    let held = Store::open(&data).expect("open");
    held.set_rating(TrackId(5), Some(Rating::new(2).expect("1..=5")))
        .expect("rate while held");
    let later = mien(&data, &["export"]);
    assert!(later.status.success(), "{}", text(&later.stderr));
    assert!(
        text(&later.stderr).contains("a player has the database open: reading its journal"),
        "{}",
        text(&later.stderr)
    );
    let mut want: serde_json::Value = serde_json::from_slice(&export.stdout).expect("json");
    let got: serde_json::Value = serde_json::from_slice(&later.stdout).expect("json");
    // The same document, with the rating given after the first export (ratings go by track id).
    let ratings = want["ratings"].as_array_mut().expect("ratings");
    ratings.push(serde_json::json!({"track": 5, "stars": 2}));
    ratings.sort_by_key(|r| r["track"].as_u64());
    assert_eq!(got, want);
    for (args, before) in [
        (&["history", "--json"][..], &history),
        (&["history", "--limit", "3"][..], &last),
    ] {
        let now = mien(&data, args);
        assert!(now.status.success(), "{}", text(&now.stderr));
        assert_eq!(text(&now.stdout), text(&before.stdout), "{args:?}");
    }
    assert_eq!(text(&last.stdout).lines().count(), 3);
    drop(held);
}

#[test]
fn recommender_events_come_back_after_the_db_is_lost() {
    use mien::recommend::{ListenEvent, ListenerMood, RecoStore, Signal, TrackMood};
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let events: Vec<ListenEvent> = (0..70u64)
        .map(|n| ListenEvent {
            at_ms: 1_000 + n,
            track: TrackId(n % 9),
            signal: Signal::Finished {
                heard: 0.9,
                skipped: n % 4 == 1,
                valence_change: Some(0.1),
            },
            listener: Some(ListenerMood {
                valence: -0.5,
                arousal: 0.2,
            }),
            mood: Some(TrackMood::new(-0.3, -0.4)),
        })
        .collect();
    let learned = {
        let store = Store::open(&data).expect("open");
        let (mut reco, mut model) = RecoStore::open(&store).expect("reco");
        reco.append_all(&mut model, &events[..40])
            .expect("group commit");
        for e in &events[40..] {
            reco.append(&mut model, e).expect("append");
        }
        sorted_items(&model)
    };
    fs::remove_dir_all(data.join("db")).expect("lose the db");
    let (store, rec) = Store::open_reporting(&data).expect("reopen");
    assert_eq!(rec.expect("a report").restored.reco_events, 70);
    let (reco, model) = RecoStore::open(&store).expect("reco again");
    assert_eq!(reco.event_count(), 70);
    let replayed: Vec<ListenEvent> = reco
        .events_from(0)
        .expect("log")
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    assert_eq!(replayed, events);
    assert_eq!(
        sorted_items(&model),
        learned,
        "the model relearned the same"
    );
}

fn sorted_items(model: &mien::recommend::TasteModel) -> Vec<String> {
    let mut rows: Vec<String> = model
        .items
        .iter()
        .map(|(t, s)| format!("{t:?} {s:?}"))
        .collect();
    rows.sort();
    rows
}
