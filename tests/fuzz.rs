//! The seeded damaged-file fuzz test: a few hundred files made at test time from the bundled
//! library (truncated, bytes flipped in headers and bodies, empty, wrong extension, FIFOs,
//! symlink loops, dangling links, links to /dev/zero, unreadable, non-UTF-8 names). `mien scan`
//! must list every one as a track or as skipped with a reason; `mien tag` and `mien play
//! --seconds` on them must never panic or hang (each run under a time bound, killed if it
//! overruns). The 1,000-file version is ignored here and run by hand for docs/BENCHMARKS.md:
//! `cargo test --release --test fuzz -- --ignored --nocapture`.

mod fuzz_support;

use fuzz_support::{make_damaged, mien_bounded, os, KINDS};
use mien::library::ScanReport;
use std::collections::{BTreeMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// The seed of the in-suite run (any failure names its file, made again by this seed).
const SEED: u64 = 0x6d69_656e_0012;
/// Longest a single `mien play FILE --seconds 0.2` may take.
const PLAY_BOUND: Duration = Duration::from_secs(20);
/// Parallel `mien play` runs (the machine is shared: keep it small).
const PLAYERS: usize = 3;

/// What one fuzz run found, for the assertions and the benchmark line.
#[derive(Debug, Default)]
struct Counts {
    files: usize,
    tracks: usize,
    skipped: usize,
    missing: Vec<PathBuf>,
    tag_ok: usize,
    tag_failed: usize,
    play_ok: usize,
    play_failed: usize,
    hung_or_panicked: Vec<String>,
    slowest_play_s: f64,
    skip_reasons: BTreeMap<String, usize>,
}

fn name(p: &Path) -> OsString {
    p.file_name().map(OsString::from).unwrap_or_default()
}

/// The first words of a reason, to count reasons by kind.
fn reason_class(reason: &str) -> String {
    let head = reason.split(':').next().unwrap_or(reason);
    head.split_whitespace()
        .take(4)
        .collect::<Vec<_>>()
        .join(" ")
}

fn run(n: usize, seed: u64) -> Counts {
    let tmp = tempfile::tempdir().expect("temp dir");
    let lib = tmp.path().join("music");
    std::fs::create_dir_all(&lib).expect("mkdir");
    let made = make_damaged(&lib, n, seed);
    let data = tmp.path().join("data");
    let mut c = Counts {
        files: made.len(),
        ..Counts::default()
    };

    let scan = mien_bounded(
        &data,
        &[os("scan"), os("--json"), os("--library"), lib.as_os_str()],
        Duration::from_secs(300),
    );
    assert!(scan.success(), "scan: {}", scan.stderr());
    let report: ScanReport = serde_json::from_str(&scan.stdout()).expect("scan --json");
    let store = mien::store::Store::open(&data).expect("store");
    let tracks: HashSet<OsString> = store
        .all_tracks()
        .expect("tracks")
        .iter()
        .map(|t| name(&t.path))
        .collect();
    drop(store);
    let skipped: HashSet<OsString> = report.skipped.iter().map(|s| name(&s.path)).collect();
    for s in &report.skipped {
        assert!(
            !s.reason.trim().is_empty(),
            "{} has no reason",
            s.path.display()
        );
        *c.skip_reasons.entry(reason_class(&s.reason)).or_default() += 1;
    }
    c.tracks = report.tracks;
    c.skipped = report.skipped.len();
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    for (path, kind) in &made {
        let n = name(path);
        if !tracks.contains(&n) && !skipped.contains(&n) {
            c.missing.push(path.clone());
        }
        if *kind == "unreadable" && !root {
            // As root chmod 000 does not stop reads: then the file is whatever its bytes are.
            let why = report.skipped.iter().find(|s| name(&s.path) == n);
            assert!(
                why.is_some_and(|s| s.reason.contains("permission denied")),
                "{}: {why:?}",
                path.display()
            );
        }
    }

    // All files through one `mien tag` (one model load), under a bound.
    let mut args: Vec<&std::ffi::OsStr> = vec![os("tag"), os("--json")];
    args.extend(made.iter().map(|(p, _)| p.as_os_str()));
    let tag = mien_bounded(&data, &args, Duration::from_secs(60 + 2 * n as u64));
    if !tag.ended_cleanly() {
        c.hung_or_panicked.push(format!(
            "tag: {}",
            tag.stderr().lines().last().unwrap_or("killed")
        ));
    }
    if let Ok(serde_json::Value::Array(entries)) = serde_json::from_str(&tag.stdout()) {
        c.tag_ok = entries.iter().filter(|e| e.get("mood").is_some()).count();
        c.tag_failed = entries.iter().filter(|e| e.get("error").is_some()).count();
    }

    // Each file through its own `mien play FILE --seconds 0.2`, a few at a time.
    let queue = Mutex::new(made.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for i in 0..PLAYERS {
            // One data dir per player: the store admits one process at a time.
            let data = data.join(format!("player-{i}"));
            let (queue, results) = (&queue, &results);
            s.spawn(move || loop {
                let Some(path) = queue.lock().expect("queue").pop() else {
                    break;
                };
                let args = [os("play"), path.as_os_str(), os("--seconds"), os("0.2")];
                let r = mien_bounded(&data, &args, PLAY_BOUND);
                results.lock().expect("results").push((path, r));
            });
        }
    });
    for (path, r) in results.into_inner().expect("results") {
        c.slowest_play_s = c.slowest_play_s.max(r.elapsed.as_secs_f64());
        if !r.ended_cleanly() {
            let last = r.stderr().lines().last().unwrap_or("killed").to_string();
            c.hung_or_panicked
                .push(format!("play {}: {last}", path.display()));
        } else if r.success() {
            c.play_ok += 1;
        } else {
            c.play_failed += 1;
            assert!(
                r.stderr().contains("could be played"),
                "play {} failed without saying so: {}",
                path.display(),
                r.stderr()
            );
        }
    }
    c
}

fn check(c: &Counts) {
    assert!(c.missing.is_empty(), "not listed by scan: {:?}", c.missing);
    assert!(c.hung_or_panicked.is_empty(), "{:#?}", c.hung_or_panicked);
    assert_eq!(c.tag_ok + c.tag_failed, c.files, "one tag entry per file");
    assert_eq!(c.play_ok + c.play_failed, c.files);
    assert!(c.tracks > 0 && c.skipped > 0, "{c:?}");
}

#[test]
fn every_damaged_file_is_listed_and_tag_and_play_never_hang_or_panic() {
    let c = run(20 * KINDS.len(), SEED);
    eprintln!("{c:#?}");
    check(&c);
}

#[test]
#[ignore = "the 1,000-file benchmark for docs/BENCHMARKS.md (a few minutes)"]
fn fuzz_1000_files() {
    let c = run(1_000, SEED ^ 1_000);
    eprintln!("{c:#?}");
    check(&c);
}
