//! `mien export listens` on the real binary: a data dir with recorded plays (completed, skipped
//! early and late, a track under 30 s, a track gone from the catalogue), checked byte for byte.

mod common;

use std::path::{Path, PathBuf};

use common::mien;
use mien::core::{AudioFormat, PlayOutcome, PlayRecord, ReplayGain, Track, TrackId};

const VERSION: &str = env!("CARGO_PKG_VERSION");
/// 2026-11-30T10:00:00Z.
const T0: u64 = 1_796_032_800_000;

fn track(
    path: &str,
    title: Option<&str>,
    artist: Option<&str>,
    album: Option<&str>,
    ms: u64,
) -> Track {
    let path = PathBuf::from(path);
    Track {
        id: TrackId::from_path(&path),
        path,
        size: 1,
        mtime_ns: 0,
        format: AudioFormat::Flac,
        title: title.map(Into::into),
        artist: artist.map(Into::into),
        album: album.map(Into::into),
        album_artist: None,
        track_no: None,
        disc_no: None,
        year: None,
        genre: None,
        duration_ms: ms,
        sample_rate: 44_100,
        channels: 2,
        replay_gain: ReplayGain::default(),
        has_art: false,
    }
}

fn play(path: &str, at_ms: u64, outcome: PlayOutcome, position_ms: u64) -> PlayRecord {
    PlayRecord {
        at_ms,
        track: TrackId::from_path(Path::new(path)),
        path: path.into(),
        outcome,
        position_ms,
    }
}

/// A data dir whose history holds, in order: a completed play, a skip after a quarter, a skip
/// just past half, a 20 s track heard whole, a play of a file the catalogue no longer has (8
/// minutes of it: the 4-minute rule), and a 10-minute track left after 4 minutes, the next day.
fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = mien::store::Store::open(dir.path()).expect("store");
    store
        .put_tracks(&[
            track(
                "/m/awake.flac",
                Some("Awake"),
                Some("Ada Lin"),
                Some("Blue Hour"),
                200_000,
            ),
            track(
                "/m/drive.flac",
                Some("Night Drive"),
                Some("Ada Lin"),
                Some("Blue Hour"),
                180_000,
            ),
            track(
                "/m/jingle.flac",
                Some("Jingle"),
                Some("Ada Lin"),
                None,
                20_000,
            ),
            track("/m/long.flac", None, None, None, 600_000),
        ])
        .expect("tracks");
    let s = PlayOutcome::Started;
    for r in [
        play("/m/awake.flac", T0, s.clone(), 0),
        play(
            "/m/awake.flac",
            T0 + 200_000,
            PlayOutcome::Completed,
            200_000,
        ),
        play("/m/drive.flac", T0 + 200_000, s.clone(), 0),
        play("/m/drive.flac", T0 + 245_000, PlayOutcome::Skipped, 45_000),
        play("/m/drive.flac", T0 + 300_000, s.clone(), 0),
        play("/m/drive.flac", T0 + 391_000, PlayOutcome::Skipped, 91_000),
        play("/m/jingle.flac", T0 + 400_000, s.clone(), 0),
        play(
            "/m/jingle.flac",
            T0 + 420_000,
            PlayOutcome::Completed,
            20_000,
        ),
        play("/m/gone/Old Song.mp3", T0 + 500_000, s.clone(), 0),
        play(
            "/m/gone/Old Song.mp3",
            T0 + 980_000,
            PlayOutcome::Skipped,
            480_000,
        ),
        play("/m/long.flac", T0 + 86_400_000, s, 0),
        play(
            "/m/long.flac",
            T0 + 86_640_000,
            PlayOutcome::Skipped,
            240_000,
        ),
    ] {
        store.record_play(&r).expect("record");
    }
    drop(store);
    dir
}

fn listen(at_s: u64, artist: &str, track: &str, release: Option<&str>, ms: Option<u64>) -> String {
    let release = release.map_or(String::new(), |r| format!(",\"release_name\":\"{r}\""));
    let duration = ms.map_or(String::new(), |ms| format!("\"duration_ms\":{ms},"));
    format!(
        "{{\"listened_at\":{at_s},\"track_metadata\":{{\"artist_name\":\"{artist}\",\
         \"track_name\":\"{track}\"{release},\"additional_info\":{{{duration}\
         \"media_player\":\"mien\",\"submission_client\":\"mien\",\
         \"submission_client_version\":\"{VERSION}\"}}}}}}"
    )
}

fn expected() -> Vec<String> {
    let s = T0 / 1000;
    vec![
        listen(s, "Ada Lin", "Awake", Some("Blue Hour"), Some(200_000)),
        listen(
            s + 300,
            "Ada Lin",
            "Night Drive",
            Some("Blue Hour"),
            Some(180_000),
        ),
        listen(s + 500, "[unknown]", "Old Song", None, None),
        listen(s + 86_400, "[unknown]", "long", None, Some(600_000)),
    ]
}

fn stdout(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

#[test]
fn jsonl_has_exactly_the_plays_that_count_one_per_line() {
    let dir = data_dir();
    let out = stdout(&mien(
        dir.path(),
        &["export", "listens", "--format", "jsonl"],
    ));
    let want: String = expected().into_iter().map(|l| l + "\n").collect();
    assert_eq!(out, want);
}

#[test]
fn the_listenbrainz_format_is_a_json_array_of_the_same_listens() {
    let dir = data_dir();
    let out = stdout(&mien(dir.path(), &["export", "listens"]));
    assert!(out.ends_with("]\n"), "{out}");
    let got: serde_json::Value = serde_json::from_str(&out).expect("json");
    let want: Vec<serde_json::Value> = expected()
        .iter()
        .map(|l| serde_json::from_str(l).expect("expected json"))
        .collect();
    assert_eq!(got, serde_json::Value::Array(want));
}

#[test]
fn since_keeps_later_listens_and_output_writes_a_private_file() {
    let dir = data_dir();
    let file = dir.path().join("listens.jsonl");
    let out = mien(
        dir.path(),
        &[
            "export",
            "listens",
            "--since",
            "2026-12-01",
            "--format",
            "jsonl",
            "--output",
            file.to_str().expect("utf-8 path"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(&file).expect("written");
    assert_eq!(written, expected()[3].clone() + "\n");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let exact = stdout(&mien(
        dir.path(),
        &[
            "export",
            "listens",
            "--since",
            "2026-11-30T10:05:00Z",
            "--format",
            "jsonl",
        ],
    ));
    assert_eq!(
        exact.lines().count(),
        3,
        "a listen started at the very second counts"
    );
}

#[test]
fn a_bad_date_is_a_clear_error_and_nothing_is_written() {
    let dir = data_dir();
    let out = mien(dir.path(), &["export", "listens", "--since", "30/11/2026"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--since \"30/11/2026\": not a date; use YYYY-MM-DD or RFC 3339"),
        "{err}"
    );
}

#[test]
fn the_backup_export_still_works_beside_its_new_subcommand() {
    let dir = data_dir();
    let out = stdout(&mien(dir.path(), &["export"]));
    let backup: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(backup["history"].as_array().map(Vec::len), Some(12));
}

#[test]
fn while_a_player_holds_the_database_the_journal_and_the_files_give_the_same_listens() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (data, music) = (tmp.path().join("data"), tmp.path().join("music"));
    std::fs::create_dir_all(&music).expect("music dir");
    // Two real (untagged) files: 40 s and 60 s of quiet noise at 8 kHz.
    let (short, long) = (music.join("Short Piece.wav"), music.join("Long Piece.wav"));
    for (path, seconds) in [(&short, 40), (&long, 60)] {
        let samples: Vec<f32> = (0..8_000 * seconds)
            .map(|n| 0.1 * ((n * 7_919 % 1_000) as f32 / 1_000.0 - 0.5))
            .collect();
        common::audio::write_wav(path, 8_000, 1, &samples);
    }
    let store = mien::store::Store::open(&data).expect("store");
    let tracks: Vec<Track> = [&short, &long]
        .iter()
        .map(|p| mien::library::probe_file(p).expect("probe"))
        .collect();
    store.put_tracks(&tracks).expect("tracks");
    let (short, long) = (
        short.to_str().expect("utf-8"),
        long.to_str().expect("utf-8"),
    );
    let s = PlayOutcome::Started;
    for r in [
        // 25 s of 40: more than half, a listen (only because the length is known).
        play(short, T0, s.clone(), 0),
        play(short, T0 + 25_000, PlayOutcome::Skipped, 25_000),
        // 20 s of 60: not one.
        play(long, T0 + 30_000, s, 0),
        play(long, T0 + 50_000, PlayOutcome::Skipped, 20_000),
    ] {
        store.record_play(&r).expect("record");
    }
    drop(store);
    let args = ["export", "listens", "--format", "jsonl"];
    let free = stdout(&mien(&data, &args));
    assert_eq!(
        free,
        listen(T0 / 1000, "[unknown]", "Short Piece", None, Some(40_000)) + "\n"
    );
    // Held as a running player holds it: the same listens, from the journal and the files.
    let held = mien::store::Store::open(&data).expect("open");
    let out = mien(&data, &args);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        err.contains("reading its journal, and the tags from the files"),
        "{err}"
    );
    assert_eq!(stdout(&out), free);
    drop(held);
}
