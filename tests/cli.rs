//! The real `mien` binary, run the way scripts run it: exit codes, JSON output, errors that name
//! the file and line, and state that persists between runs. No sound card or network needed.

mod common;
use common::mien;

use std::path::{Path, PathBuf};
use std::process::Output;

/// A data folder and a WAV tone of `frames` at 8 kHz in `tmp`: (data, track).
fn data_and_tone(tmp: &Path, name: &str, frames: u32) -> (PathBuf, PathBuf) {
    let track = tmp.join(name);
    std::fs::write(&track, wav_tone(8_000, frames)).unwrap();
    (tmp.join("data"), track)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("library")
}

/// A copy of the bundled library plus one corrupt file, in a temp dir.
fn library_copy(dir: &Path) -> PathBuf {
    let lib = dir.join("music");
    copy_dir(&bundled(), &lib);
    std::fs::write(
        lib.join("broken.mp3"),
        b"ID3\x03\x00\x00\x00\x00\x00\x00 not audio",
    )
    .unwrap();
    lib
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

#[test]
fn scan_json_counts_every_format_and_lists_the_corrupt_file_with_a_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = library_copy(tmp.path());
    let out = mien(
        &tmp.path().join("data"),
        &["scan", "--json", "--library", lib.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["tracks"], 8);
    for f in [
        "mp3", "flac", "vorbis", "opus", "wav", "aiff", "aac", "alac",
    ] {
        assert_eq!(v["by_format"][f], 1, "format {f}: {v}");
    }
    let skipped = v["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0]["path"].as_str().unwrap().ends_with("broken.mp3"));
    assert!(!skipped[0]["reason"].as_str().unwrap().is_empty());
    assert!(v["seconds"].as_f64().unwrap() >= 0.0);
}

#[test]
fn a_rating_persists_and_history_records_plays() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, track) = data_and_tone(tmp.path(), "tone.wav", 8_000);
    let t = track.to_str().unwrap();
    let out = mien(&data, &["rate", t, "4"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("★★★★☆"));
    let out = mien(&data, &["play", t, "--seconds", "0.3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("playing"), "{}", stdout(&out));
    let out = mien(&data, &["history", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let outcomes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["started", "skipped"], "{v}");
    // The rating is still there in a new process.
    let store = mien::store::Store::open(&data).unwrap();
    let id = mien::core::TrackId::from_path(&std::fs::canonicalize(&track).unwrap());
    assert_eq!(store.rating(id).unwrap().map(|r| r.stars()), Some(4));
}

/// `mien ARGS` on `data` with stdout a pipe whose reader is already gone.
fn into_a_closed_pipe(data: &Path, args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    std::process::Command::new(env!("CARGO_BIN_EXE_mien"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("XDG_CONFIG_HOME", data.join("no-config"))
        .stdout(writer)
        .output()
        .unwrap()
}

/// `mien rate T 5 | head -0`: stdout is a pipe nobody reads. The rating is kept, nothing is
/// reported as an internal error, and the status is the one a shell gives SIGPIPE (141).
#[test]
fn a_closed_stdout_pipe_is_a_quiet_exit_and_keeps_the_rating() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, track) = data_and_tone(tmp.path(), "tone.wav", 8_000);
    let out = into_a_closed_pipe(&data, &["rate", track.to_str().unwrap(), "5"]);
    assert_eq!(out.status.code(), Some(141), "{}", stderr(&out));
    assert!(!stderr(&out).contains("internal error"), "{}", stderr(&out));
    let store = mien::store::Store::open(&data).unwrap();
    let id = mien::core::TrackId::from_path(&std::fs::canonicalize(&track).unwrap());
    assert_eq!(store.rating(id).unwrap().map(|r| r.stars()), Some(5));
}

/// The same for a command that writes with `writeln!(..)?` and so meets the closed pipe as an
/// error rather than a panic (`mien tag --json | head` said "mien: Broken pipe").
#[test]
fn a_closed_pipe_under_tag_json_is_the_same_quiet_exit() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, track) = data_and_tone(tmp.path(), "tone.wav", 8_000);
    let out = into_a_closed_pipe(&data, &["tag", "--json", track.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(141), "{}", stderr(&out));
    assert!(!stderr(&out).contains("Broken pipe"), "{}", stderr(&out));
}

#[test]
fn a_track_that_plays_to_the_end_is_recorded_as_completed() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, track) = data_and_tone(tmp.path(), "short.wav", 1_600); // 0.2 s
    let out = mien(&data, &["play", track.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = mien(&data, &["history", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v[1]["outcome"], "completed", "{v}");
    assert!(
        (150..=250).contains(&v[1]["position_ms"].as_u64().unwrap()),
        "{v}"
    );
}

#[test]
fn a_broken_last_file_is_skipped_and_the_run_ends_when_the_others_have_played() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, track) = data_and_tone(tmp.path(), "short.wav", 1_600); // 0.2 s
    let broken = tmp.path().join("broken.mp3");
    std::fs::write(&broken, b"ID3\x03\x00\x00\x00\x00\x00\x00 not audio").unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let (t, b) = (track.clone(), broken.clone());
    std::thread::spawn(move || {
        let _ = tx.send(mien(
            &data,
            &["play", t.to_str().unwrap(), b.to_str().unwrap()],
        ));
    });
    // It used to wait for ever once the preloaded last file had failed.
    let out = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("mien play ends");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("playing "), "{}", stdout(&out));
    assert!(stderr(&out).contains("skipped "), "{}", stderr(&out));
}

#[test]
fn errors_exit_non_zero_with_one_line_on_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let out = mien(&data, &["rate", "/no/such/file.flac", "3"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("/no/such/file.flac"), "{err}");
    let out = mien(&data, &["play", "/no/such/file.flac"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("could be played"), "{}", stderr(&out));
}

#[test]
fn a_bad_config_names_the_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("config.toml");
    std::fs::write(&cfg, "[playback]\nvolume = 50\nreplay_gain = \"loudest\"\n").unwrap();
    let out = mien(
        &tmp.path().join("data"),
        &["--config", cfg.to_str().unwrap(), "history"],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&format!("{}:3:", cfg.display())), "{err}");
}

#[test]
fn doctor_json_reports_each_check_and_succeeds_without_devices() {
    let tmp = tempfile::tempdir().unwrap();
    let out = mien(&tmp.path().join("data"), &["doctor", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let names: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for n in ["audio", "camera", "models", "config", "data", "library"] {
        assert!(names.contains(&n), "{names:?}");
    }
    for c in v["checks"].as_array().unwrap() {
        assert!(["ok", "warn", "error"].contains(&c["status"].as_str().unwrap()));
        if c["status"] != "ok" {
            assert!(c["hint"].is_string(), "a problem comes with a hint: {c}");
        }
    }
}

/// A 16-bit mono PCM WAV of `frames` frames of a 440 Hz tone.
fn wav_tone(rate: u32, frames: u32) -> Vec<u8> {
    let mut b = b"RIFF".to_vec();
    b.extend_from_slice(&(36 + frames * 2).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    for v in [1u16, 1] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * 2).to_le_bytes());
    for v in [2u16, 16] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(b"data");
    b.extend_from_slice(&(frames * 2).to_le_bytes());
    for i in 0..frames {
        let s = ((i as f32 * 440.0 * std::f32::consts::TAU / rate as f32).sin() * 8000.0) as i16;
        b.extend_from_slice(&s.to_le_bytes());
    }
    b
}

#[test]
fn a_log_that_cannot_be_written_is_said_once_and_doctor_still_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // A folder where the log file would be: the log cannot be opened (even as root).
    std::fs::create_dir_all(data.join("mien.log")).unwrap();
    let out = mien(&data, &["doctor"]);
    let err = stderr(&out);
    assert!(
        err.contains("warning: no log: cannot write") && err.contains("mien.log"),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
    assert!(
        stdout(&out).contains("data"),
        "doctor ran: {}",
        stdout(&out)
    );
}
