//! The store through its public API, across closing and reopening, and against the on-disk
//! layout (raw sled access) where a test needs to fake an old, new or damaged database.

use mien::core::*;
use mien::store::*;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn stars(n: u8) -> Rating {
    Rating::new(n).expect("1..=5")
}

fn track(path: &str) -> Track {
    let path = PathBuf::from(path);
    Track {
        id: TrackId::from_path(&path),
        path,
        size: 4_096,
        mtime_ns: 1_700_000_000_123_456_789,
        format: AudioFormat::Mp3,
        title: Some("Song".into()),
        artist: Some("Band".into()),
        album: Some("Record".into()),
        album_artist: None,
        track_no: Some(1),
        disc_no: Some(1),
        year: Some(2001),
        genre: Some("Rock".into()),
        duration_ms: 200_000,
        sample_rate: 48_000,
        channels: 2,
        replay_gain: ReplayGain {
            track_gain_db: Some(-6.5),
            track_peak: Some(0.98),
            album_gain_db: None,
            album_peak: None,
        },
        has_art: true,
    }
}

fn play(at_ms: u64, n: u64, outcome: PlayOutcome) -> PlayRecord {
    PlayRecord {
        at_ms,
        track: TrackId(n),
        path: PathBuf::from(format!("/music/{n}.mp3")),
        outcome,
        position_ms: 1_000 * n,
    }
}

/// Opens `<dir>/db` with sled alone, as the store lays it out. The store must be closed.
fn raw_db(dir: &Path) -> sled::Db {
    sled::open(dir.join("db")).expect("raw sled open")
}

#[test]
fn a_rating_set_is_read_back_after_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = TrackId::from_path(Path::new("/music/a.mp3"));
    {
        let store = Store::open(dir.path()).expect("open");
        store.set_rating(id, Some(stars(4))).expect("set");
    }
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.rating(id).expect("get"), Some(stars(4)));
    assert_eq!(store.ratings().expect("all"), vec![(id, stars(4))]);
}

#[test]
fn rating_zero_clears_the_rating_and_the_clear_survives_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = TrackId(77);
    {
        let store = Store::open(dir.path()).expect("open");
        store.set_rating(id, Some(stars(2))).expect("set");
        // Rating::new(0) is None: "zero stars" is how the UI clears a rating.
        store.set_rating(id, Rating::new(0)).expect("clear");
    }
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.rating(id).expect("get"), None);
    assert!(store.ratings().expect("all").is_empty());
}

#[test]
fn the_saved_queue_survives_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let queue = SavedQueue {
        paths: vec!["/music/1.mp3".into(), "/music/2.flac".into()],
        current: Some(1),
        position_ms: 65_432,
        ..Default::default()
    };
    {
        let store = Store::open(dir.path()).expect("open");
        assert_eq!(store.load_queue().expect("load"), None);
        store.save_queue(&queue).expect("save");
    }
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.load_queue().expect("load"), Some(queue));
}

#[test]
fn a_new_database_records_schema_version_big_endian_in_meta() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(Store::open(dir.path()).expect("open"));
    let db = raw_db(dir.path());
    let meta = db.open_tree("meta").expect("meta tree");
    let raw = meta.get("schema_version").expect("get").expect("present");
    assert_eq!(raw.as_ref(), SCHEMA_VERSION.to_be_bytes());
    assert_eq!(SCHEMA_VERSION, 1);
}

#[test]
fn a_database_with_a_newer_schema_is_refused_and_the_message_names_its_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(Store::open(dir.path()).expect("open"));
    {
        let db = raw_db(dir.path());
        let meta = db.open_tree("meta").expect("meta tree");
        meta.insert("schema_version", &99u32.to_be_bytes()[..])
            .expect("insert");
        db.flush().expect("flush");
    }
    let err = Store::open(dir.path()).expect_err("newer schema must be refused");
    let db_path = dir.path().join("db");
    match &err {
        StoreError::NewerSchema {
            path,
            found,
            supported,
        } => {
            assert_eq!((path, *found, *supported), (&db_path, 99, SCHEMA_VERSION));
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains(&db_path.display().to_string()),
        "{message}"
    );
    assert!(message.contains("schema version 99"), "{message}");
    assert!(
        message.contains("upgrade mien or use another --data-dir"),
        "{message}"
    );
}

fn assert_private(root: &Path) {
    let mut pending = vec![root.to_path_buf()];
    let mut files = 0;
    while let Some(path) = pending.pop() {
        let meta = fs::symlink_metadata(&path).expect("stat");
        let mode = meta.permissions().mode() & 0o777;
        if meta.is_dir() {
            assert_eq!(mode, 0o700, "directory {} is {mode:o}", path.display());
            for entry in fs::read_dir(&path).expect("read_dir") {
                pending.push(entry.expect("entry").path());
            }
        } else {
            files += 1;
            assert_eq!(mode, 0o600, "file {} is {mode:o}", path.display());
        }
    }
    assert!(files > 0, "sled wrote no files under {}", root.display());
}

#[test]
fn database_files_are_0600_and_directories_0700() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data_dir = tmp.path().join("data");
    {
        let store = Store::open(&data_dir).expect("open");
        store.put_track(&track("/music/a.mp3")).expect("put");
        store.flush().expect("flush");
        assert_private(&data_dir);
    }
    drop(Store::open(&data_dir).expect("reopen"));
    assert_private(&data_dir);
}

#[test]
fn opening_a_data_dir_that_is_already_open_says_it_is_in_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    let _first = Store::open(dir.path()).expect("open");
    let err = Store::open(dir.path()).expect_err("second open");
    assert!(matches!(err, StoreError::InUse { .. }), "{err:?}");
    let expected = format!(
        "the database at {} is in use by another mien process",
        dir.path().join("db").display()
    );
    assert!(err.to_string().starts_with(&expected), "{err}");
}

#[test]
fn history_is_chronological_and_a_limit_keeps_the_newest() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = Store::open(dir.path()).expect("open");
        store
            .record_play(&play(3_000, 3, PlayOutcome::Skipped))
            .expect("record");
        store
            .record_play(&play(1_000, 1, PlayOutcome::Started))
            .expect("record");
        store
            .record_play(&play(2_000, 2, PlayOutcome::Completed))
            .expect("record");
    }
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.history_len(), 3);
    let all: Vec<u64> = store
        .history(None)
        .expect("all")
        .iter()
        .map(|r| r.at_ms)
        .collect();
    assert_eq!(all, [1_000, 2_000, 3_000]);
    assert_eq!(
        store.history(Some(2)).expect("newest two"),
        vec![
            play(2_000, 2, PlayOutcome::Completed),
            play(3_000, 3, PlayOutcome::Skipped)
        ]
    );
}

#[test]
fn two_plays_in_the_same_millisecond_are_both_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("open");
    let first = play(5_000, 1, PlayOutcome::Skipped);
    let second = play(5_000, 2, PlayOutcome::Started);
    store.record_play(&first).expect("record");
    store.record_play(&second).expect("record");
    assert_eq!(store.history(None).expect("all"), vec![first, second]);
}

#[test]
fn a_corrupt_rating_byte_is_a_corrupt_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(Store::open(dir.path()).expect("open"));
    {
        let db = raw_db(dir.path());
        let ratings = db.open_tree("ratings").expect("ratings tree");
        ratings
            .insert(TrackId(1).to_be_bytes(), &[9u8][..])
            .expect("insert");
        db.flush().expect("flush");
    }
    let store = Store::open(dir.path()).expect("reopen");
    let err = store.rating(TrackId(1)).expect_err("corrupt");
    assert!(
        matches!(
            &err,
            StoreError::Corrupt {
                tree: "ratings",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(matches!(store.ratings(), Err(StoreError::Corrupt { .. })));
}

#[test]
fn tracks_round_trip_through_put_tracks_all_tracks_track_and_remove_track() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tracks = vec![track("/music/b.mp3"), track("/music/a.mp3")];
    {
        let store = Store::open(dir.path()).expect("open");
        store.put_tracks(&tracks).expect("put");
        store.flush().expect("flush");
    }
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.track_count(), 2);
    assert_eq!(
        store.all_tracks().expect("all"),
        vec![tracks[1].clone(), tracks[0].clone()]
    );
    assert_eq!(
        store.track(tracks[0].id).expect("by id"),
        Some(tracks[0].clone())
    );
    assert_eq!(
        store.track_by_path(&tracks[1].path).expect("by path"),
        Some(tracks[1].clone())
    );
    assert!(store.remove_track(&tracks[0].path).expect("remove"));
    assert_eq!(store.track(tracks[0].id).expect("by id"), None);
    assert_eq!(store.track_by_path(&tracks[0].path).expect("by path"), None);
    assert_eq!(store.all_tracks().expect("all"), vec![tracks[1].clone()]);
    assert!(!store
        .remove_track(Path::new("/music/none.mp3"))
        .expect("remove"));
}

#[test]
fn skipped_files_are_listed_after_reopening_until_removed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = SkippedFile {
        path: "/music/cover.jpg".into(),
        size: 12,
        mtime_ns: 1_600_000_000_000_000_000,
        reason: "not an audio file".into(),
    };
    {
        let store = Store::open(dir.path()).expect("open");
        store.put_skipped(&file).expect("put");
        store.flush().expect("flush");
    }
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.all_skipped().expect("all"), vec![file.clone()]);
    assert_eq!(store.skipped(&file.path).expect("get"), Some(file.clone()));
    assert!(store.remove_skipped(&file.path).expect("remove"));
    assert!(store.all_skipped().expect("all").is_empty());
}

#[test]
fn clones_of_one_store_write_from_several_threads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("open");
    let writers: Vec<_> = (0..4u64)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    store
                        .record_play(&play(42, t * 100 + i, PlayOutcome::Completed))
                        .expect("record");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("writer thread");
    }
    assert_eq!(store.history_len(), 100);
}
