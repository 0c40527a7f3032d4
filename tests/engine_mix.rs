//! The engine's mixing against a capturing sink: crossfades (and their absence between album
//! neighbours and by default) and the measured loudness standing in for missing ReplayGain tags.

mod common;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;

use common::audio::{spread, wait_for, write_wav};
use mien::audio::{
    AlbumSlot, CaptureSink, Engine, EngineCommand, EngineConfig, EngineEvent, LoudnessLookup,
    OutputChoice, ReplayGainMode, TrackRequest,
};
use mien::core::ReplayGain;

const RATE: u32 = 48_000;

fn engine(sink: &CaptureSink, config: EngineConfig) -> (Engine, Receiver<EngineEvent>) {
    let (tx, rx) = mpsc::channel();
    let config = EngineConfig {
        output: OutputChoice::Capture(sink.clone()),
        ..config
    };
    (Engine::spawn(config, tx).unwrap(), rx)
}

/// A constant-valued stereo track of `frames` frames.
fn level(dir: &Path, name: &str, value: f32, frames: usize) -> PathBuf {
    let p = dir.join(name);
    write_wav(&p, RATE, 2, &spread(&vec![value; frames], 2));
    p
}

fn on_album(path: &Path, album: &str, track: u32) -> TrackRequest {
    TrackRequest {
        album: Some(AlbumSlot {
            album: album.into(),
            disc: 1,
            track,
        }),
        ..TrackRequest::new(path)
    }
}

/// Plays a track of 0.5s for `n1` frames on album slot `a`, then one of 0.25s for `n2` frames on
/// `b` (queued while paused, so both are in before decoding starts), with `crossfade_ms`; returns
/// the left channel of everything played.
fn join(crossfade_ms: u32, (n1, n2): (usize, usize), a: (&str, u32), b: (&str, u32)) -> Vec<f32> {
    let dir = tempfile::tempdir().unwrap();
    let first = on_album(&level(dir.path(), "a.wav", 0.5, n1), a.0, a.1);
    let second = on_album(&level(dir.path(), "b.wav", 0.25, n2), b.0, b.1);
    let sink = CaptureSink::new(RATE, 2, false);
    let config = EngineConfig {
        crossfade_ms,
        ..EngineConfig::default()
    };
    let (eng, rx) = engine(&sink, config);
    eng.send(EngineCommand::Pause);
    eng.send(EngineCommand::Play {
        track: first,
        start_ms: 0,
    });
    eng.send(EngineCommand::SetNext(Some(second)));
    eng.send(EngineCommand::Resume);
    wait_for(&rx, 20, |e| *e == EngineEvent::Idle);
    sink.snapshot().chunks(2).map(|f| f[0]).collect()
}

#[test]
fn a_crossfade_overlaps_tracks_from_different_albums_with_equal_power_gains() {
    let (n1, n2) = (RATE as usize * 3, RATE as usize * 2);
    let got = join(1_000, (n1, n2), ("X", 1), ("Y", 1));
    let fade = RATE as usize;
    assert_eq!(got.len(), n1 + n2 - fade, "the tracks overlap by the fade");
    // Before and after the fade: each track alone, untouched.
    assert!(got[..n1 - fade].iter().all(|v| *v == 0.5));
    assert!(got[n1..].iter().all(|v| *v == 0.25));
    // Halfway: cos and sin of 45°.
    let mid = got[n1 - fade / 2];
    let want = (0.5 + 0.25) * std::f32::consts::FRAC_1_SQRT_2;
    assert!((mid - want).abs() < 1e-3, "mid-fade {mid}, want {want}");
    // The outgoing track fades out smoothly: no step larger than the fade's own slope allows.
    let steps = got[n1 - fade - 1..n1 + 1]
        .windows(2)
        .map(|w| (w[1] - w[0]).abs());
    assert!(steps.fold(0.0f32, f32::max) < 1e-3);
}

#[test]
fn album_neighbours_join_gaplessly_even_with_a_crossfade_set() {
    let (n1, n2) = (RATE as usize * 2, RATE as usize);
    let got = join(1_000, (n1, n2), ("X", 4), ("X", 5));
    assert_eq!(got.len(), n1 + n2);
    assert!(got[..n1].iter().all(|v| *v == 0.5) && got[n1..].iter().all(|v| *v == 0.25));
}

#[test]
fn with_no_crossfade_set_every_join_is_gapless() {
    let (n1, n2) = (RATE as usize * 2, RATE as usize);
    let got = join(0, (n1, n2), ("X", 1), ("Y", 7));
    assert_eq!(got.len(), n1 + n2);
}

#[test]
fn a_measured_loudness_stands_in_for_missing_tags_and_tags_win() {
    let dir = tempfile::tempdir().unwrap();
    let untagged = level(dir.path(), "u.wav", 0.5, RATE as usize / 2);
    let tagged = level(dir.path(), "t.wav", 0.5, RATE as usize / 2);
    // The lookup knows both: -6.02 dB (half) measured for each.
    let lookup: LoudnessLookup = Arc::new(|_: &Path| {
        Some(ReplayGain {
            track_gain_db: Some(-6.0206),
            track_peak: Some(0.5),
            ..ReplayGain::default()
        })
    });
    let run = |req: TrackRequest, mode: ReplayGainMode| {
        let sink = CaptureSink::new(RATE, 2, false);
        let config = EngineConfig {
            replay_gain: mode,
            loudness: Some(Arc::clone(&lookup)),
            ..EngineConfig::default()
        };
        let (eng, rx) = engine(&sink, config);
        eng.send(EngineCommand::Play {
            track: req,
            start_ms: 0,
        });
        wait_for(&rx, 10, |e| *e == EngineEvent::Idle);
        sink.snapshot()[0]
    };
    let measured = run(TrackRequest::new(&untagged), ReplayGainMode::Track);
    assert!(
        (measured - 0.25).abs() < 1e-4,
        "measured gain applied: {measured}"
    );
    let with_tags = TrackRequest {
        replay_gain: ReplayGain {
            track_gain_db: Some(0.0),
            track_peak: Some(0.5),
            ..ReplayGain::default()
        },
        ..TrackRequest::new(&tagged)
    };
    let tag_wins = run(with_tags, ReplayGainMode::Track);
    assert!(
        (tag_wins - 0.5).abs() < 1e-6,
        "the tag's 0 dB wins: {tag_wins}"
    );
    let off = run(TrackRequest::new(&untagged), ReplayGainMode::Off);
    assert_eq!(off, 0.5, "replay_gain = off ignores both");
}
