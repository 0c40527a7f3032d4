//! The playback engine against a capturing sink: gapless joins, exact lengths after resampling,
//! seeking, pausing, and corrupt files. Needs no sound card.

mod common;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use common::audio::{wait_for, write_wav};

use mien::audio::{
    CaptureSink, Engine, EngineCommand, EngineConfig, EngineEvent, OutputChoice, ReplayGainMode,
    TrackRequest,
};

/// A 441 Hz sine (period 100 frames at 44.1 kHz), frames `from..to`, duplicated on `channels`.
fn sine(from: usize, to: usize, rate: u32, channels: usize) -> Vec<f32> {
    (from..to)
        .flat_map(|i| {
            let v = (i as f64 * 441.0 * std::f64::consts::TAU / f64::from(rate)).sin() as f32 * 0.5;
            std::iter::repeat_n(v, channels)
        })
        .collect()
}

fn engine(sink: &CaptureSink) -> (Engine, Receiver<EngineEvent>) {
    let (tx, rx) = mpsc::channel();
    let config = EngineConfig {
        output: OutputChoice::Capture(sink.clone()),
        replay_gain: ReplayGainMode::Off,
        volume: 1.0,
        ..EngineConfig::default()
    };
    (Engine::spawn(config, tx).unwrap(), rx)
}

fn req(p: &Path) -> TrackRequest {
    TrackRequest::new(p)
}

fn two_sine_tracks(dir: &Path, rate: u32, n1: usize, n2: usize) -> (PathBuf, PathBuf) {
    let (a, b) = (dir.join("a.wav"), dir.join("b.wav"));
    write_wav(&a, rate, 2, &sine(0, n1, rate, 2));
    write_wav(&b, rate, 2, &sine(n1, n1 + n2, rate, 2));
    (a, b)
}

#[test]
fn consecutive_tracks_at_the_output_rate_join_sample_for_sample() {
    let dir = tempfile::tempdir().unwrap();
    let (n1, n2) = (48_000 + 37, 24_000 + 11);
    let (a, b) = two_sine_tracks(dir.path(), 48_000, n1, n2);
    let sink = CaptureSink::new(48_000, 2, false);
    let (eng, rx) = engine(&sink);
    // Queued while paused, so both commands are in before the first sample is decoded.
    eng.send(EngineCommand::Pause);
    eng.send(EngineCommand::Play {
        track: req(&a),
        start_ms: 0,
    });
    eng.send(EngineCommand::SetNext(Some(req(&b))));
    eng.send(EngineCommand::Resume);
    let events = wait_for(&rx, 20, |e| *e == EngineEvent::Idle);
    let got = sink.snapshot();
    let want = sine(0, n1 + n2, 48_000, 2);
    assert_eq!(got.len(), want.len(), "no gap and no overlap");
    assert!(
        got.iter().zip(&want).all(|(g, w)| g == w),
        "samples identical"
    );
    let ended: Vec<bool> = events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::TrackEnded { completed, .. } => Some(*completed),
            _ => None,
        })
        .collect();
    assert_eq!(ended, vec![true, true]);
    let started = events
        .iter()
        .filter(|e| matches!(e, EngineEvent::TrackStarted { path, .. } if *path == b))
        .count();
    assert_eq!(started, 1, "second track announced at the seam");
}

#[test]
fn resampled_tracks_have_exact_lengths_and_no_discontinuity_at_the_seam() {
    let dir = tempfile::tempdir().unwrap();
    // The seam falls on the sine's peak (frame 44_125 = 441.25 periods): a gap would jump by 0.5.
    let (n1, n2) = (44_125, 30_000);
    let (a, b) = two_sine_tracks(dir.path(), 44_100, n1, n2);
    let sink = CaptureSink::new(48_000, 2, false);
    let (eng, rx) = engine(&sink);
    // Queued while paused, so both commands are in before the first sample is decoded.
    eng.send(EngineCommand::Pause);
    eng.send(EngineCommand::Play {
        track: req(&a),
        start_ms: 0,
    });
    eng.send(EngineCommand::SetNext(Some(req(&b))));
    eng.send(EngineCommand::Resume);
    wait_for(&rx, 20, |e| *e == EngineEvent::Idle);
    let got: Vec<f32> = sink.snapshot().chunks(2).map(|f| f[0]).collect();
    let expect = |n: usize| (n as u64 * 48_000 + 22_050) / 44_100;
    assert_eq!(
        got.len() as u64,
        expect(n1) + expect(n2),
        "sum of resampled lengths"
    );
    let seam = expect(n1) as usize;
    // Largest step of a 441 Hz, 0.5-amplitude sine at 48 kHz is 0.5·2π·441/48000 ≈ 0.029.
    let max_step = |r: std::ops::Range<usize>| {
        r.map(|i| (got[i + 1] - got[i]).abs())
            .fold(0.0f32, f32::max)
    };
    let inside = max_step(10_000..20_000);
    let at_seam = max_step(seam - 50..seam + 50);
    assert!(inside < 0.035, "inside {inside}");
    assert!(at_seam < 0.06, "step at seam {at_seam} (inside {inside})");
    assert!(
        (got[seam] - 0.5).abs() < 0.05,
        "seam sample near the peak: {}",
        got[seam]
    );
}

#[test]
fn seek_lands_within_50_ms() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ramp.wav");
    let frames = 48_000 * 10;
    let ramp: Vec<f32> = (0..frames).map(|i| i as f32 / frames as f32).collect();
    write_wav(&path, 48_000, 1, &ramp);
    let sink = CaptureSink::new(48_000, 1, true);
    let (eng, rx) = engine(&sink);
    eng.send(EngineCommand::Play {
        track: req(&path),
        start_ms: 0,
    });
    std::thread::sleep(Duration::from_millis(300));
    eng.send(EngineCommand::Seek { ms: 6_000 });
    wait_for(
        &rx,
        5,
        |e| matches!(e, EngineEvent::Position { position_ms, .. } if *position_ms >= 6_000),
    );
    std::thread::sleep(Duration::from_millis(200));
    let got = sink.snapshot();
    let jump = got
        .iter()
        .position(|v| *v > 0.3)
        .expect("seek target reached the output");
    let landed_ms = f64::from(got[jump]) * 10_000.0;
    assert!(
        (landed_ms - 6_000.0).abs() <= 50.0,
        "landed at {landed_ms} ms"
    );
    // And relative seeking moves from there.
    eng.send(EngineCommand::SeekBy { ms: -2_000 });
    let ev = wait_for(&rx, 5, |e| matches!(e, EngineEvent::Position { .. }));
    let Some(EngineEvent::Position { position_ms, .. }) = ev.last() else {
        unreachable!()
    };
    assert!(
        (3_900..=4_500).contains(position_ms),
        "after SeekBy: {position_ms}"
    );
}

#[test]
fn pause_stops_output_and_resume_continues() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = two_sine_tracks(dir.path(), 48_000, 48_000 * 5, 10);
    let sink = CaptureSink::new(48_000, 2, true);
    let (eng, rx) = engine(&sink);
    eng.send(EngineCommand::Play {
        track: req(&a),
        start_ms: 0,
    });
    std::thread::sleep(Duration::from_millis(200));
    eng.send(EngineCommand::Pause);
    wait_for(&rx, 5, |e| *e == EngineEvent::Paused);
    std::thread::sleep(Duration::from_millis(50));
    let before = sink.len();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(sink.len(), before, "nothing is output while paused");
    assert!(before > 0);
    eng.send(EngineCommand::Resume);
    wait_for(&rx, 5, |e| *e == EngineEvent::Resumed);
    std::thread::sleep(Duration::from_millis(200));
    assert!(sink.len() > before, "output continues after resume");
}

#[test]
fn a_corrupt_file_fails_with_an_event_and_the_next_track_still_plays() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.flac");
    std::fs::write(&bad, b"fLaC this is not really flac at all").unwrap();
    let (a, b) = two_sine_tracks(dir.path(), 48_000, 4_800, 4_800);
    let sink = CaptureSink::new(48_000, 2, false);
    let (eng, rx) = engine(&sink);
    eng.send(EngineCommand::Play {
        track: req(&bad),
        start_ms: 0,
    });
    let ev = wait_for(&rx, 5, |e| matches!(e, EngineEvent::TrackFailed { .. }));
    assert!(matches!(ev.last(), Some(EngineEvent::TrackFailed { path, .. }) if *path == bad));
    // A corrupt preloaded track is reported when queued, and the current one plays on.
    eng.send(EngineCommand::Pause);
    eng.send(EngineCommand::Play {
        track: req(&a),
        start_ms: 0,
    });
    eng.send(EngineCommand::SetNext(Some(req(&bad))));
    wait_for(
        &rx,
        5,
        |e| matches!(e, EngineEvent::TrackFailed { path, .. } if *path == bad),
    );
    eng.send(EngineCommand::SetNext(Some(req(&b))));
    eng.send(EngineCommand::Resume);
    wait_for(&rx, 10, |e| *e == EngineEvent::Idle);
    assert_eq!(sink.len(), 9_600 * 2);
}

#[test]
fn a_truncated_file_plays_what_it_has_then_moves_on() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_sine_tracks(dir.path(), 48_000, 9_600, 4_800);
    let bytes = std::fs::read(&a).unwrap();
    std::fs::write(&a, &bytes[..bytes.len() / 2]).unwrap(); // header still claims 9,600 frames
    let sink = CaptureSink::new(48_000, 2, false);
    let (eng, rx) = engine(&sink);
    // Queued while paused, so both commands are in before the first sample is decoded.
    eng.send(EngineCommand::Pause);
    eng.send(EngineCommand::Play {
        track: req(&a),
        start_ms: 0,
    });
    eng.send(EngineCommand::SetNext(Some(req(&b))));
    eng.send(EngineCommand::Resume);
    let events = wait_for(&rx, 10, |e| *e == EngineEvent::Idle);
    assert!(events
        .iter()
        .any(|e| matches!(e, EngineEvent::TrackStarted { path, .. } if *path == b)));
    let frames = sink.len() / 2;
    assert!((4_790..=4_800 + 4_800).contains(&frames), "{frames} frames");
}

#[test]
fn volume_scales_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = two_sine_tracks(dir.path(), 48_000, 4_800, 10);
    let sink = CaptureSink::new(48_000, 2, false);
    let (eng, rx) = engine(&sink);
    eng.send(EngineCommand::SetVolume(0.25));
    eng.send(EngineCommand::Play {
        track: req(&a),
        start_ms: 0,
    });
    wait_for(&rx, 10, |e| *e == EngineEvent::Idle);
    let peak = sink.snapshot().iter().fold(0f32, |m, v| m.max(v.abs()));
    assert!((peak - 0.125).abs() < 1e-3, "peak {peak}");
}
