//! Playback through a real sound server: a private PulseAudio with null sinks (see
//! `common/pulse.rs`), the engine on cpal's native PulseAudio host, and what reached the sink
//! recorded from its monitor with `parec`. Gapless joins, seeking, pausing, volume, ReplayGain,
//! the server killed and started again mid-track, and devices chosen by name that come and go.

mod common;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use common::audio::{spread, wait_for, write_wav};
use common::pulse::{left, sounding, PulseServer, Recording, RATE};
use mien::audio::{
    Engine, EngineCommand, EngineConfig, EngineEvent, OutputChoice, ReplayGainMode, TrackRequest,
    DEFAULT_BUFFER_MS,
};

fn engine_on(device: Option<&str>, replay_gain: ReplayGainMode) -> (Engine, Receiver<EngineEvent>) {
    let (tx, rx) = mpsc::channel();
    let config = EngineConfig {
        output: OutputChoice::Device {
            name: device.map(str::to_string),
            buffer_ms: DEFAULT_BUFFER_MS,
        },
        replay_gain,
        ..EngineConfig::default()
    };
    let engine = Engine::spawn(config, tx).expect("engine");
    (engine, rx)
}

/// The output the engine announced first: (description, fallback).
fn opened(rx: &Receiver<EngineEvent>) -> (String, Option<String>) {
    match wait_for(rx, 10, |e| matches!(e, EngineEvent::OutputOpened { .. })).pop() {
        Some(EngineEvent::OutputOpened {
            description,
            fallback,
        }) => (description, fallback),
        _ => unreachable!(),
    }
}

fn play(engine: &Engine, path: &Path) {
    engine.send(EngineCommand::Play {
        track: TrackRequest::new(path),
        start_ms: 0,
    });
}

/// A ramp from 0.1 to 0.9 over `seconds`: each sample's value says where in the track it is.
fn ramp_file(dir: &Path, seconds: u32) -> PathBuf {
    let n = (RATE * seconds) as usize;
    let mono: Vec<f32> = (0..n).map(|i| 0.1 + 0.8 * i as f32 / n as f32).collect();
    let path = dir.join(format!("ramp{seconds}.wav"));
    write_wav(&path, RATE, 2, &spread(&mono, 2));
    path
}

/// Where in a `seconds`-long ramp a sample value lies, in ms.
fn ramp_ms(value: f32, seconds: u32) -> f64 {
    f64::from((value - 0.1) / 0.8) * f64::from(seconds) * 1000.0
}

/// A sine on a DC offset, frames `from..to`: never zero, so silence shows where it is not.
fn offset_sine(from: usize, to: usize) -> Vec<f32> {
    (from..to)
        .map(|i| {
            0.3 + 0.2 * (i as f64 * 441.0 * std::f64::consts::TAU / f64::from(RATE)).sin() as f32
        })
        .collect()
}

/// Waits for the engine to report the end of the queue and then to close its idle stream (once
/// what the stream held has played, by its own reckoning), plus time for the last samples to
/// reach the recorder: anything the engine cut off would be missing from the recording.
/// Returns how many frames had been recorded when the engine said it was idle.
fn until_closed(
    server: &PulseServer,
    rx: &Receiver<EngineEvent>,
    rec: &Recording,
    secs: u64,
) -> usize {
    wait_for(rx, secs, |e| *e == EngineEvent::Idle);
    let at_idle = rec.frames();
    let idle = Instant::now();
    while server.sink_inputs() > 0 {
        assert!(
            idle.elapsed() < Duration::from_secs(5),
            "the idle stream was never closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    at_idle
}

/// The engine said it was idle when the last sample was heard: `at_idle` frames had been
/// recorded then, and the recording's sound ended at `end`. The recorder lags the sink by its
/// own latency (20 ms asked), so a little sound may still come after; reporting the end a
/// request (100 ms) or more early means `heard` ran ahead of the listener.
fn assert_idle_on_time(at_idle: usize, end: usize) {
    let late_ms = (end as f64 - at_idle as f64) * 1000.0 / f64::from(RATE);
    assert!(
        (-250.0..=80.0).contains(&late_ms),
        "the end was heard {late_ms:.0} ms after the engine said it was idle"
    );
}

/// How many frames of `want` (scaled by `gain`) are missing before the recording's first sound
/// `got`: the first milliseconds after a start on a fresh or just flushed stream can still be
/// lost now and then under load (a known defect, see the closing note of 2026-12-01), at most
/// 25 ms; everything after them must arrive whole.
fn lost_start(got: &[f32], want: &[f32], gain: f32) -> usize {
    let limit = (RATE / 40) as usize;
    (0..=limit.min(want.len().saturating_sub(64)))
        .find(|&k| {
            got.iter()
                .take(64)
                .zip(&want[k..])
                .all(|(g, w)| (g - w * gain).abs() < 1e-6)
        })
        .unwrap_or_else(|| {
            panic!(
                "the recording does not start within 25 ms of the track's start: {}",
                first_difference(got, want, gain)
            )
        })
}

/// Where the recording `got` (from its first sound) first differs from `want` (scaled by
/// `gain`), for a failure message that says whether samples went missing at the start, in the
/// middle or at the end.
fn first_difference(got: &[f32], want: &[f32], gain: f32) -> String {
    let Some((s, e)) = sounding(got) else {
        return "nothing recorded".into();
    };
    let at = got[s..e]
        .iter()
        .zip(want)
        .position(|(g, w)| (g - w * gain).abs() >= 1e-6);
    match at {
        None => format!("the {} frames recorded match; {} wanted", e - s, want.len()),
        Some(i) => {
            let around =
                |v: &[f32], i: usize| v[i.saturating_sub(2)..(i + 3).min(v.len())].to_vec();
            format!(
                "recorded {} frames, {} wanted; first difference at frame {i}: got {:?}, want {:?}",
                e - s,
                want.len(),
                around(&got[s..e], i),
                around(want, i).iter().map(|w| w * gain).collect::<Vec<_>>()
            )
        }
    }
}

#[test]
fn two_tracks_join_with_no_gap_no_overlap_and_no_jump_at_the_seam() {
    let Some(server) = PulseServer::start() else {
        return;
    };
    let _env = server.connect();
    let dir = tempfile::tempdir().unwrap();
    let (n1, n2) = (RATE as usize + 37, RATE as usize / 2 + 11);
    let want = offset_sine(0, n1 + n2);
    let (a, b) = (dir.path().join("a.wav"), dir.path().join("b.wav"));
    write_wav(&a, RATE, 2, &spread(&want[..n1], 2));
    write_wav(&b, RATE, 2, &spread(&want[n1..], 2));
    let (eng, rx) = engine_on(None, ReplayGainMode::Off);
    let (description, fallback) = opened(&rx);
    assert_eq!(fallback, None, "{description}");
    assert!(
        description.starts_with("pulseaudio:nullsink"),
        "{description}"
    );
    let rec = server.record("nullsink");
    // Queued while paused, so both are in before the first sample is decoded.
    eng.send(EngineCommand::Pause);
    play(&eng, &a);
    eng.send(EngineCommand::SetNext(Some(TrackRequest::new(&b))));
    eng.send(EngineCommand::Resume);
    let at_idle = until_closed(&server, &rx, &rec, 20);
    let got = left(&rec.stop());
    let (s, e) = sounding(&got).expect("something was recorded");
    assert_idle_on_time(at_idle, e);
    let k = lost_start(&got[s..], &want, 1.0);
    let want = &want[k..];
    assert_eq!(
        e - s,
        n1 + n2 - k,
        "recorded frames: no gap and no overlap ({})",
        first_difference(&got, want, 1.0)
    );
    let worst = got[s..e]
        .iter()
        .zip(want)
        .map(|(g, w)| (g - w).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst < 1e-6,
        "the recording is the tracks' samples (worst error {worst})"
    );
    let step = |r: std::ops::Range<usize>| {
        r.map(|i| (got[s + i + 1] - got[s + i]).abs())
            .fold(0.0f32, f32::max)
    };
    let (own, seam) = (step(1_000..20_000), step(n1 - k - 50..n1 - k + 50));
    assert!(
        seam <= own * 1.01,
        "step at the seam {seam}, the signal's own {own}"
    );
}

/// A ramp of `seconds` playing on the default sink from its start, and being recorded.
fn play_ramp(
    server: &PulseServer,
    seconds: u32,
) -> (tempfile::TempDir, Engine, Receiver<EngineEvent>, Recording) {
    let dir = tempfile::tempdir().unwrap();
    let ramp = ramp_file(dir.path(), seconds);
    let (eng, rx) = engine_on(None, ReplayGainMode::Off);
    opened(&rx);
    let rec = server.record("nullsink");
    play(&eng, &ramp);
    wait_for(&rx, 5, |e| matches!(e, EngineEvent::TrackStarted { .. }));
    (dir, eng, rx, rec)
}

#[test]
fn seek_lands_within_50_ms_through_the_server() {
    let Some(server) = PulseServer::start() else {
        return;
    };
    let _env = server.connect();
    let (_dir, eng, rx, rec) = play_ramp(&server, 10);
    std::thread::sleep(Duration::from_millis(500));
    let asked = Instant::now();
    eng.send(EngineCommand::Seek { ms: 6_000 });
    wait_for(
        &rx,
        5,
        |e| matches!(e, EngineEvent::Position { position_ms, .. } if *position_ms >= 6_000),
    );
    std::thread::sleep(Duration::from_millis(600));
    let got = left(&rec.stop());
    let jump = got
        .iter()
        .position(|v| ramp_ms(*v, 10) > 3_000.0)
        .expect("the seek target reached the sink");
    let landed = ramp_ms(got[jump], 10);
    assert!((landed - 6_000.0).abs() <= 50.0, "landed at {landed:.0} ms");
    // What played before the seek was the start of the track, not more than ~1.5 s of it.
    let before = ramp_ms(got[jump - 1], 10);
    assert!(
        before < 1_500.0,
        "before the seek: {before:.0} ms ({:?})",
        asked.elapsed()
    );
}

#[test]
fn pause_stops_the_stream_and_resume_goes_on_from_the_same_place() {
    let Some(server) = PulseServer::start() else {
        return;
    };
    let _env = server.connect();
    let (_dir, eng, rx, rec) = play_ramp(&server, 10);
    std::thread::sleep(Duration::from_millis(1_000));
    assert_eq!(server.sink_inputs(), 1, "playing: one stream on the server");
    eng.send(EngineCommand::Pause);
    wait_for(&rx, 5, |e| *e == EngineEvent::Paused);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(server.sink_inputs(), 0, "paused: no stream on the server");
    std::thread::sleep(Duration::from_millis(800));
    eng.send(EngineCommand::Resume);
    wait_for(&rx, 5, |e| *e == EngineEvent::Resumed);
    std::thread::sleep(Duration::from_millis(1_000));
    let got = left(&rec.stop());
    let (s, e) = sounding(&got).expect("something was recorded");
    // The longest run of silence inside is the pause.
    let (mut run, mut best, mut best_end) = (0usize, 0usize, 0usize);
    for (i, v) in got[s..e].iter().enumerate() {
        run = if *v == 0.0 { run + 1 } else { 0 };
        if run > best {
            (best, best_end) = (run, s + i + 1);
        }
    }
    let pause_ms = best as f64 * 1000.0 / f64::from(RATE);
    assert!(pause_ms > 800.0, "silent while paused: {pause_ms:.0} ms");
    let (stopped, went_on) = (
        ramp_ms(got[best_end - best - 1], 10),
        ramp_ms(got[best_end], 10),
    );
    assert!(
        (went_on - stopped).abs() <= 50.0,
        "paused at {stopped:.0} ms, went on at {went_on:.0} ms"
    );
}

#[test]
fn volume_scales_the_recorded_samples() {
    let Some(server) = PulseServer::start() else {
        return;
    };
    let _env = server.connect();
    let dir = tempfile::tempdir().unwrap();
    let want = offset_sine(0, RATE as usize);
    let path = dir.path().join("tone.wav");
    write_wav(&path, RATE, 2, &spread(&want, 2));
    let (eng, rx) = engine_on(None, ReplayGainMode::Off);
    opened(&rx);
    eng.send(EngineCommand::SetVolume(0.5));
    let rec = server.record("nullsink");
    play(&eng, &path);
    let at_idle = until_closed(&server, &rx, &rec, 10);
    let got = left(&rec.stop());
    let (s, e) = sounding(&got).expect("something was recorded");
    assert_idle_on_time(at_idle, e);
    let k = lost_start(&got[s..], &want, 0.5);
    let want = &want[k..];
    assert_eq!(e - s, want.len(), "{}", first_difference(&got, want, 0.5));
    let worst = got[s..e]
        .iter()
        .zip(want)
        .map(|(g, w)| (g - w * 0.5).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-6, "every sample at half (worst error {worst})");
}

/// RMS of the first `frames` sounding samples of the left channel. Exact zeros are left out: on
/// a loaded machine the stream can underrun, and the null sink fills the gap with silence that
/// would lower one recording's level and not the other's (a zero of the music is zero in both).
fn rms(stereo: &[f32], frames: usize) -> f64 {
    let l = left(stereo);
    let sound: Vec<f64> = l
        .iter()
        .filter(|v| **v != 0.0)
        .take(frames)
        .map(|v| f64::from(*v))
        .collect();
    if sound.is_empty() {
        return 0.0;
    }
    (sound.iter().map(|v| v * v).sum::<f64>() / sound.len() as f64).sqrt()
}

#[test]
fn replay_gain_from_the_tags_is_applied() {
    let Some(server) = PulseServer::start() else {
        return;
    };
    let _env = server.connect();
    let flac = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("library/Maxstack/Endgame Singularity Original Soundtrack/02 - Awakening.flac");
    let track = mien::library::probe_file(&flac).expect("the bundled FLAC");
    let tagged = track
        .replay_gain
        .track_gain_db
        .expect("it has a track gain tag");
    let mut levels = Vec::new();
    for mode in [ReplayGainMode::Off, ReplayGainMode::Track] {
        let (eng, rx) = engine_on(None, mode);
        opened(&rx);
        let rec = server.record("nullsink");
        eng.send(EngineCommand::Play {
            track: TrackRequest::for_track(&track),
            start_ms: 3_000,
        });
        wait_for(&rx, 5, |e| matches!(e, EngineEvent::TrackStarted { .. }));
        wait_for(
            &rx,
            5,
            |e| matches!(e, EngineEvent::Position { position_ms, .. } if *position_ms >= 5_000),
        );
        eng.send(EngineCommand::Stop);
        std::thread::sleep(Duration::from_millis(200));
        // The same 1.5 s from 3 s in, whatever the stop caught after it.
        levels.push(rms(&rec.stop(), RATE as usize * 3 / 2).max(1e-9));
    }
    let gain_db = 20.0 * (levels[1] / levels[0]).log10();
    assert!(
        (gain_db - f64::from(tagged)).abs() < 0.3,
        "measured {gain_db:.2} dB, tagged {tagged} dB"
    );
}

/// Position reports until `pred` holds for an event; returns the last position seen.
fn last_position(events: &[EngineEvent]) -> Option<u64> {
    events.iter().rev().find_map(|e| match e {
        EngineEvent::Position { position_ms, .. } => Some(*position_ms),
        _ => None,
    })
}

#[test]
fn the_server_killed_mid_track_and_restarted_loses_neither_the_position_nor_the_device() {
    let Some(mut server) = PulseServer::start() else {
        return;
    };
    let _env = server.connect();
    let dir = tempfile::tempdir().unwrap();
    let ramp = ramp_file(dir.path(), 20);
    let (eng, rx) = engine_on(None, ReplayGainMode::Off);
    opened(&rx);
    play(&eng, &ramp);
    let seen = wait_for(
        &rx,
        10,
        |e| matches!(e, EngineEvent::Position { position_ms, .. } if *position_ms >= 2_000),
    );
    assert!(last_position(&seen).is_some());
    server.kill();
    let lost = wait_for(&rx, 5, |e| {
        matches!(
            e,
            EngineEvent::OutputOpened {
                fallback: Some(_),
                ..
            }
        )
    });
    let Some(EngineEvent::OutputOpened { description, .. }) = lost.last() else {
        unreachable!()
    };
    assert!(description.contains("null"), "{description}");
    // Still playing, silently, and the position goes on.
    let on_null = wait_for(
        &rx,
        5,
        |e| matches!(e, EngineEvent::Position { position_ms, .. } if *position_ms >= 4_000),
    );
    server.launch();
    let rec = server.record("nullsink");
    let back = wait_for(&rx, 15, |e| {
        matches!(e, EngineEvent::OutputOpened { fallback: None, .. })
    });
    let at_return = last_position(&back)
        .or(last_position(&on_null))
        .unwrap_or(0);
    std::thread::sleep(Duration::from_millis(1_000));
    let got = left(&rec.stop());
    let everything: Vec<&EngineEvent> = lost.iter().chain(&on_null).chain(&back).collect();
    assert!(
        !everything
            .iter()
            .any(|e| matches!(e, EngineEvent::TrackStarted { .. } | EngineEvent::Idle)),
        "the track was not restarted: {everything:#?}"
    );
    let (s, _) = sounding(&got).expect("the device plays again");
    let resumed = ramp_ms(got[s], 20);
    assert!(
        resumed >= 4_000.0 && (resumed - at_return as f64).abs() < 1_500.0,
        "back on the device at {resumed:.0} ms; the engine was at {at_return} ms"
    );
}

/// The module index of the null sink `name`.
fn sink_module(server: &PulseServer, name: &str) -> String {
    let modules = server.pactl(&["list", "short", "modules"]);
    modules
        .lines()
        .find(|l| l.contains(&format!("sink_name={name}")))
        .and_then(|l| l.split_whitespace().next())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no module for {name}: {modules}"))
}

#[test]
fn a_device_chosen_by_name_plays_and_comes_back_after_it_disappears() {
    let Some(server) = PulseServer::start_with(&["nullsink", "second"]) else {
        return;
    };
    let _env = server.connect();
    let dir = tempfile::tempdir().unwrap();
    let ramp = ramp_file(dir.path(), 20);
    let (eng, rx) = engine_on(Some("second"), ReplayGainMode::Off);
    let (description, fallback) = opened(&rx);
    assert_eq!(fallback, None);
    assert!(
        description.starts_with("pulseaudio:second"),
        "{description}"
    );
    let rec = server.record("second");
    let other = server.record("nullsink");
    play(&eng, &ramp);
    wait_for(
        &rx,
        10,
        |e| matches!(e, EngineEvent::Position { position_ms, .. } if *position_ms >= 1_000),
    );
    assert!(
        sounding(&left(&rec.stop())).is_some(),
        "played on the named sink"
    );
    assert!(
        sounding(&left(&other.stop())).is_none(),
        "and not on the default one"
    );
    let module = sink_module(&server, "second");
    server.pactl(&["unload-module", &module]);
    wait_for(&rx, 5, |e| {
        matches!(
            e,
            EngineEvent::OutputOpened {
                fallback: Some(_),
                ..
            }
        )
    });
    server.pactl(&[
        "load-module",
        "module-null-sink",
        "sink_name=second",
        &format!("rate={RATE}"),
        "format=float32le",
        "channels=2",
    ]);
    let back = wait_for(&rx, 15, |e| {
        matches!(e, EngineEvent::OutputOpened { fallback: None, .. })
    });
    let Some(EngineEvent::OutputOpened { description, .. }) = back.last() else {
        unreachable!()
    };
    assert!(
        description.starts_with("pulseaudio:second"),
        "{description}"
    );
}

#[test]
fn a_device_that_is_not_there_falls_back_and_names_the_ones_that_are() {
    let Some(server) = PulseServer::start() else {
        return;
    };
    let _env = server.connect();
    let (_eng, rx) = engine_on(Some("no-such-sink"), ReplayGainMode::Off);
    let (description, fallback) = opened(&rx);
    let why = fallback.expect("a reason for the null output");
    assert!(description.contains("null"), "{description}");
    assert!(
        why.contains("no-such-sink") && why.contains("pulseaudio:nullsink"),
        "{why}"
    );
}

#[test]
fn doctor_lists_the_servers_sinks_and_checks_the_configured_one() {
    let Some(server) = PulseServer::start_with(&["nullsink", "second"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[playback]\ndevice = \"second\"\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mien"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--config")
        .arg(&config)
        .args(["doctor", "--json"])
        .env("PULSE_SERVER", server.address())
        .output()
        .expect("run mien doctor");
    let text = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let pulse: Vec<(String, bool)> = v["devices"]
        .as_array()
        .expect("devices")
        .iter()
        .filter(|d| d["host"] == "pulseaudio")
        .map(|d| {
            (
                d["name"].as_str().unwrap_or("").to_string(),
                d["default"] == true,
            )
        })
        .collect();
    assert_eq!(
        pulse,
        [
            ("nullsink".to_string(), true),
            ("second".to_string(), false)
        ]
    );
    let audio = v["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "audio"))
        .expect("an audio check");
    assert_eq!(audio["status"], "ok", "{audio}");
    assert!(
        audio["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("pulseaudio:second")),
        "{audio}"
    );
}
