//! Crash safety of the real binary: kill -9 at seeded random moments of `mien rate` and of a
//! playing `mien play` (the null output when there is no sound card), 20 rounds each. Every
//! acknowledged rating survives with its stars, no play once in the history disappears, and the
//! store opens after every kill. `MIEN_CRASH_ROUNDS=100 cargo test --release --test crash --
//! --ignored` is the larger run recorded in docs/BENCHMARKS.md.

#[path = "common/audio.rs"]
#[allow(dead_code)]
mod audio;

use mien::core::{PlayRecord, Rating, TrackId};
use mien::store::Store;
use rand::{Rng, SeedableRng};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn spawn(data: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_mien"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("XDG_CONFIG_HOME", data.join("no-config"))
        .env("PULSE_SERVER", "unix:/nonexistent")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run mien")
}

/// Kills `child` with SIGKILL after `delay` (unless it ended first); its stdout and whether it
/// exited successfully on its own.
fn kill_after(mut child: Child, delay: Duration) -> (String, bool) {
    let start = Instant::now();
    let mut exited_ok = false;
    while start.elapsed() < delay {
        if let Some(status) = child.try_wait().expect("wait") {
            exited_ok = status.success();
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let status = child.wait().expect("reap");
    exited_ok |= status.success();
    let mut out = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut out);
    }
    (out, exited_ok)
}

/// The store opens (as the next mien would open it) and `mien history --json` works.
fn store_opens(data: &Path) -> Store {
    let out = Command::new(env!("CARGO_BIN_EXE_mien"))
        .arg("--data-dir")
        .arg(data)
        .args(["history", "--json"])
        .env("XDG_CONFIG_HOME", data.join("no-config"))
        .output()
        .expect("run mien");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Store::open(data).expect("the store opens after a kill")
}

/// `rounds` kills of `mien rate`; returns (acknowledged, killed before the ack).
fn rate_kills(rounds: u64, seed: u64) -> (usize, usize) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let music = tmp.path().join("music");
    std::fs::create_dir_all(&music).expect("mkdir");
    let file = |i: u64| -> PathBuf {
        let p = music.join(format!("{i}.mp3"));
        std::fs::write(&p, b"x").expect("write");
        std::fs::canonicalize(p).expect("canonical")
    };
    // How long one rating takes here, to spread the kills over a whole run.
    let t = Instant::now();
    let (out, ok) = kill_after(
        spawn(&data, &["rate", file(1000).to_str().expect("utf-8"), "2"]),
        Duration::from_secs(30),
    );
    assert!(ok && out.contains("★★☆☆☆"), "{out}");
    let span = t.elapsed();

    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut acked: Vec<(TrackId, u8)> = vec![(TrackId::from_path(&file(1000)), 2)];
    let mut attempted = Vec::new();
    for i in 0..rounds {
        let path = file(i);
        let stars = 1 + (i % 5) as u8;
        let delay = span.mul_f64(rng.random::<f64>());
        let (out, ok) = kill_after(
            spawn(
                &data,
                &["rate", path.to_str().expect("utf-8"), &stars.to_string()],
            ),
            delay,
        );
        let id = TrackId::from_path(&path);
        if ok || out.contains('★') {
            acked.push((id, stars));
        } else {
            attempted.push((id, stars));
        }
        let store = store_opens(&data);
        for (id, stars) in &acked {
            assert_eq!(
                store.rating(*id).expect("read"),
                Rating::new(*stars),
                "round {i}: an acknowledged rating was lost"
            );
        }
        for (id, stars) in &attempted {
            let r = store.rating(*id).expect("read");
            assert!(
                r.is_none() || r == Rating::new(*stars),
                "round {i}: a killed rating left {r:?}"
            );
        }
    }
    (acked.len() - 1, attempted.len())
}

/// `rounds` kills of a playing `mien play`; returns the plays in the history at the end.
fn play_kills(rounds: u64, seed: u64) -> usize {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let music = tmp.path().join("music");
    std::fs::create_dir_all(&music).expect("mkdir");
    let tone: Vec<f32> = (0..4_410).map(|i| (i as f32 * 0.05).sin() * 0.1).collect();
    let files: Vec<String> = (0..4)
        .map(|i| {
            let p = music.join(format!("{i}.wav"));
            audio::write_wav(&p, 44_100, 1, &tone);
            p.to_str().expect("utf-8").to_string()
        })
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut seen: Vec<PlayRecord> = Vec::new();
    for i in 0..rounds {
        let mut args = vec!["play"];
        args.extend(files.iter().map(String::as_str));
        let delay = Duration::from_millis(rng.random_range(0..1_500));
        let _ = kill_after(spawn(&data, &args), delay);
        let store = store_opens(&data);
        let now = store.history(None).expect("history");
        let mut left = now.clone();
        for old in &seen {
            let at = left.iter().position(|p| p == old);
            assert!(
                at.is_some(),
                "round {i}: a play vanished from the history: {old:?}"
            );
            left.remove(at.unwrap_or(0));
        }
        seen = now;
    }
    seen.len()
}

#[test]
fn kill_9_during_rate_loses_no_acknowledged_rating() {
    let (acked, killed) = rate_kills(20, 12);
    assert_eq!(acked + killed, 20);
    assert!(killed > 0, "the kills all came too late to test anything");
}

#[test]
fn kill_9_during_play_loses_no_history() {
    let plays = play_kills(20, 12);
    assert!(plays > 0, "no play was ever recorded");
}

/// The larger run for docs/BENCHMARKS.md; prints its counts.
#[test]
#[ignore]
fn kill_9_many_rounds() {
    let rounds = std::env::var("MIEN_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let t = Instant::now();
    let (acked, killed) = rate_kills(rounds, 1);
    println!("rate: {rounds} kills, {acked} acknowledged before the kill, {killed} killed before the ack, 0 lost ({:.1} s)", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let plays = play_kills(rounds, 1);
    println!(
        "play: {rounds} kills, {plays} plays in the history at the end, 0 lost ({:.1} s)",
        t.elapsed().as_secs_f64()
    );
}
