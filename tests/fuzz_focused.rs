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
    assert_eq!(reason(&report, "zero.wav"), "not a regular file (device file)");

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
    assert!(run.ended_cleanly(), "play hung or panicked: {}", run.stderr());
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
    assert!(run.ended_cleanly(), "tag hung or panicked: {}", run.stderr());
    assert!(!run.success());
    assert!(run.stderr().contains("not a regular file (fifo)"), "{}", run.stderr());
}
