//! Opus (Ogg Opus through libopus) on the bundled excerpt: it decodes to exactly its length (the
//! encoder's pre-skip and the last page's padding trimmed, which is what makes it gapless), two
//! in a row join with no gap and no overlap, and `mien tag` tags it. Scanning it is in
//! `library.rs`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;

use common::audio::wait_for;
use mien::audio::{
    CaptureSink, Engine, EngineCommand, EngineConfig, EngineEvent, OutputChoice, TrackDecoder,
    TrackRequest,
};

/// 20 s at 48 kHz, as `tools/make-library.sh` cuts it.
const FRAMES: usize = 20 * 48_000;

fn opus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("library/Maxstack/Endgame Singularity (Advanced Research)/03 - Nebula.opus")
}

#[test]
fn the_bundled_opus_decodes_to_exactly_its_length() {
    let mut dec = TrackDecoder::open(&opus()).expect("libopus opens it");
    assert_eq!((dec.rate(), dec.channels()), (48_000, 2));
    let (mut buf, mut samples) = (Vec::new(), Vec::new());
    loop {
        buf.clear();
        let more = dec.read(&mut buf).expect("decodes");
        samples.extend_from_slice(&buf);
        if !more {
            break;
        }
    }
    assert_eq!(samples.len() / 2, FRAMES, "pre-skip and padding trimmed");
    // The excerpt fades in from silence over 0.5 s and is music in the middle.
    let peak = |r: std::ops::Range<usize>| {
        samples[r.start * 2..r.end * 2]
            .iter()
            .fold(0f32, |m, v| m.max(v.abs()))
    };
    assert!(peak(0..48) < 0.01, "starts in silence: {}", peak(0..48));
    assert!(peak(FRAMES / 2..FRAMES / 2 + 48_000) > 0.1);
    // Seeking lands where asked.
    assert_eq!(dec.seek(10_000).expect("seeks"), 10_000);
}

#[test]
fn two_opus_tracks_in_a_row_join_with_no_gap_and_no_overlap() {
    let sink = CaptureSink::new(48_000, 2, false);
    let (tx, rx) = mpsc::channel();
    let config = EngineConfig {
        output: OutputChoice::Capture(sink.clone()),
        ..EngineConfig::default()
    };
    let eng = Engine::spawn(config, tx).unwrap();
    eng.send(EngineCommand::Pause);
    eng.send(EngineCommand::Play {
        track: TrackRequest::new(opus()),
        start_ms: 0,
    });
    eng.send(EngineCommand::SetNext(Some(TrackRequest::new(opus()))));
    eng.send(EngineCommand::Resume);
    let events = wait_for(&rx, 30, |e| *e == EngineEvent::Idle);
    assert_eq!(sink.len() / 2, 2 * FRAMES);
    let started = events
        .iter()
        .filter(|e| matches!(e, EngineEvent::TrackStarted { .. }))
        .count();
    assert_eq!(started, 2);
}

#[test]
fn mien_tag_tags_the_opus_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mien"))
        .arg("--data-dir")
        .arg(tmp.path())
        .args(["tag", "--json"])
        .arg(opus())
        .env("XDG_CONFIG_HOME", tmp.path().join("no-config"))
        .output()
        .expect("run mien");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let entry = &v[0];
    assert!(entry.get("error").is_none(), "{entry}");
    assert!(entry["mood"]["label"].is_string(), "{entry}");
    assert!(
        entry["tags"].as_object().is_some_and(|t| !t.is_empty()),
        "{entry}"
    );
}
