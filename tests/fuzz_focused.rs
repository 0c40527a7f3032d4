//! Focused cases from the damaged-file hunt, through the real binary: a FIFO named like a song
//! (scan, tag and play must not block on it), links that go nowhere, playback that ends early
//! because the file is damaged (recorded as failed, with the reason), durations from corrupt
//! headers, and header-declared channel counts that must be refused before anything is allocated.

mod fuzz_support;

use fuzz_support::{mien_bounded, mkfifo, os, wav_tone};
use mien::library::ScanReport;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::Duration;

const BOUND: Duration = Duration::from_secs(30);

fn scan(data: &Path, lib: &Path) -> ScanReport {
    let run = mien_bounded(
        data,
        &[os("scan"), os("--json"), os("--library"), lib.as_os_str()],
        BOUND,
    );
    assert!(run.success(), "scan: {}", run.stderr());
    serde_json::from_str(&run.stdout()).expect("scan --json")
}

fn reason<'a>(report: &'a ScanReport, name: &str) -> &'a str {
    report
        .skipped
        .iter()
        .find(|s| s.path.file_name().is_some_and(|n| n == name))
        .map(|s| s.reason.as_str())
        .unwrap_or_else(|| panic!("{name} not in skipped: {:?}", report.skipped))
}

#[test]
fn a_fifo_and_broken_links_are_listed_as_skipped_and_never_block_tag_or_play() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let lib = tmp.path().join("music");
    std::fs::create_dir_all(&lib).expect("mkdir");
    let good = lib.join("good.wav");
    std::fs::write(&good, wav_tone(8_000, 4_000)).expect("write");
    let fifo = lib.join("x.mp3");
    mkfifo(&fifo);
    symlink(lib.join("gone.flac"), lib.join("dangling.flac")).expect("link");
    symlink(lib.join("loop-b.ogg"), lib.join("loop-a.ogg")).expect("link");
    symlink(lib.join("loop-a.ogg"), lib.join("loop-b.ogg")).expect("link");
    symlink("/dev/zero", lib.join("zero.wav")).expect("link");
    let data = tmp.path().join("data");

    let report = scan(&data, &lib);
    assert_eq!(report.tracks, 1, "{report:?}");
    assert_eq!(reason(&report, "x.mp3"), "not a regular file (fifo)");
    assert_eq!(reason(&report, "dangling.flac"), "dangling symlink");
    assert_eq!(reason(&report, "loop-a.ogg"), "symlink loop");
    assert_eq!(reason(&report, "loop-b.ogg"), "symlink loop");
    assert_eq!(
        reason(&report, "zero.wav"),
        "not a regular file (device file)"
    );

    // The FIFO first and in the middle of the list: play goes on past it and stops in time.
    let args = [
        os("play"),
        fifo.as_os_str(),
        good.as_os_str(),
        fifo.as_os_str(),
        os("--seconds"),
        os("2"),
    ];
    let run = mien_bounded(&data, &args, BOUND);
    assert!(
        run.ended_cleanly(),
        "play hung or panicked: {}",
        run.stderr()
    );
    assert!(run.success(), "the good file played: {}", run.stderr());
    assert!(
        run.stderr().contains("not a regular file (fifo)"),
        "the reason is on stderr: {}",
        run.stderr()
    );
    assert!(!run.stdout().contains("fifo"), "{}", run.stdout());

    let run = mien_bounded(&data, &[os("play"), fifo.as_os_str()], BOUND);
    assert!(run.ended_cleanly(), "play hung: {}", run.stderr());
    assert!(!run.success(), "nothing could be played");

    let run = mien_bounded(&data, &[os("tag"), fifo.as_os_str()], BOUND);
    assert!(
        run.ended_cleanly(),
        "tag hung or panicked: {}",
        run.stderr()
    );
    assert!(!run.success());
    assert!(
        run.stderr().contains("not a regular file (fifo)"),
        "{}",
        run.stderr()
    );
}

/// Decodes `path` to its end: (frames, damage).
fn decode_all(path: &Path) -> (u64, Option<String>) {
    let mut dec = mien::audio::TrackDecoder::open(path).expect("opens");
    let mut buf = Vec::new();
    let mut frames = 0;
    loop {
        buf.clear();
        let more = dec.read(&mut buf).unwrap_or(false);
        frames += (buf.len() / dec.channels()) as u64;
        if !more {
            break;
        }
    }
    (frames, dec.damage().map(str::to_string))
}

/// A WAV whose header declares `declared` frames but which holds only `kept` of them.
fn truncated_wav(path: &Path, declared: u32, kept: usize) {
    let bytes = wav_tone(8_000, declared);
    std::fs::write(path, &bytes[..44 + kept * 2]).expect("write");
}

#[test]
fn the_bundled_tracks_decode_undamaged_and_a_truncated_one_reports_where_it_ended() {
    for track in fuzz_support::bundled_tracks() {
        let (frames, damage) = decode_all(&track);
        assert!(frames > 0, "{}", track.display());
        assert_eq!(damage, None, "{}", track.display());
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let cut = tmp.path().join("cut.wav");
    truncated_wav(&cut, 32_000, 8_000); // 1 s of 4 s
    let (frames, damage) = decode_all(&cut);
    assert_eq!(frames, 8_000);
    let damage = damage.expect("damaged");
    assert!(damage.contains("ended at 0:01 of 0:04"), "{damage}");
    // Short by less than a second: a container's rounding, not damage.
    let nearly = tmp.path().join("nearly.wav");
    truncated_wav(&nearly, 8_000, 7_000);
    assert_eq!(decode_all(&nearly).1, None);
}

#[test]
fn truncated_playback_is_recorded_as_failed_with_the_reason() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cut = tmp.path().join("cut.wav");
    truncated_wav(&cut, 64_000, 1_600); // 0.2 s of 8 s
    let data = tmp.path().join("data");
    let run = mien_bounded(&data, &[os("play"), cut.as_os_str()], BOUND);
    assert!(run.ended_cleanly(), "{}", run.stderr());
    assert!(!run.success(), "every file failed: non-zero exit");
    assert!(run.stdout().contains("playing"), "{}", run.stdout());
    assert!(
        run.stderr().contains("failed") && run.stderr().contains("of 0:08"),
        "the reason is on stderr: {}",
        run.stderr()
    );
    assert!(!run.stdout().contains("of 0:08"), "{}", run.stdout());
    let run = mien_bounded(&data, &[os("history"), os("--json")], BOUND);
    let v: serde_json::Value = serde_json::from_str(&run.stdout()).expect("history json");
    assert_eq!(v[0]["outcome"], "started", "{v}");
    let reason = v[1]["outcome"]["failed"].as_str().unwrap_or_default();
    assert!(reason.contains("ended at 0:00 of 0:08"), "{v}");
    let run = mien_bounded(&data, &[os("history")], BOUND);
    assert!(run.stdout().contains("failed"), "{}", run.stdout());
    assert!(!run.stdout().contains("completed"), "{}", run.stdout());
}

#[test]
fn a_duration_the_file_cannot_hold_is_unknown_at_scan_and_at_play() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let lib = tmp.path().join("music");
    std::fs::create_dir_all(&lib).expect("mkdir");
    // 1 s of audio whose header claims 2^31 bytes of samples (37 hours at 8 kHz).
    let mut bytes = wav_tone(8_000, 8_000);
    bytes[4..8].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
    bytes[40..44].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
    let huge = lib.join("huge.wav");
    std::fs::write(&huge, bytes).expect("write");
    let data = tmp.path().join("data");
    assert_eq!(scan(&data, &lib).tracks, 1);
    let store = mien::store::Store::open(&data).expect("store");
    let tracks = store.all_tracks().expect("tracks");
    // 16 kB hold at most 32 s at the lowest plausible bitrate.
    assert!(tracks[0].duration_ms <= 32_000, "{}", tracks[0].duration_ms);
    drop(store);
    let run = mien_bounded(
        &data,
        &[os("play"), huge.as_os_str(), os("--seconds"), os("0.3")],
        BOUND,
    );
    assert!(run.ended_cleanly(), "{}", run.stderr());
    assert!(run.stdout().contains("(?:??)"), "{}", run.stdout());
}

#[test]
fn a_header_claiming_42000_channels_is_refused_before_allocating() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let lib = tmp.path().join("music");
    std::fs::create_dir_all(&lib).expect("mkdir");
    let aiff = fuzz_support::bundled_tracks()
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "aiff"))
        .expect("the bundled AIFF");
    let mut bytes = std::fs::read(aiff).expect("read");
    let comm = bytes
        .windows(4)
        .position(|w| w == b"COMM")
        .expect("COMM chunk");
    bytes[comm + 8..comm + 10].copy_from_slice(&42_000u16.to_be_bytes());
    let many = lib.join("many.aiff");
    std::fs::write(&many, bytes).expect("write");
    let data = tmp.path().join("data");
    let report = scan(&data, &lib);
    assert_eq!(report.tracks, 0);
    assert!(
        reason(&report, "many.aiff").contains("42000 channels"),
        "{report:?}"
    );
    let run = mien_bounded(&data, &[os("play"), many.as_os_str()], BOUND);
    assert!(run.ended_cleanly(), "{}", run.stderr());
    assert!(!run.success());
    assert!(
        run.stderr().contains("42000 channels (at most 32)"),
        "{}",
        run.stderr()
    );
}
