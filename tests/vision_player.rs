//! The camera in the player, headless: the `c` key, the vision commands `update` asks for on a
//! track start, the camera status messages, and how the emotion panel shows each camera state
//! (ratatui's `TestBackend`, at 80×24 and at tiny sizes without a panic).

mod common;

use common::screen::screen;
use common::{Player, AWAKE};
use mien::app::state::{CameraState, Effect};
use mien::app::Msg;
use mien::audio::EngineEvent;
use mien::core::{EmotionReading, EmotionSource};
use mien::vision::service::VisionCommand;

fn vision(effects: &[Effect]) -> Vec<VisionCommand> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Vision(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

fn track_started(p: &mut Player) -> Vec<Effect> {
    p.send(Msg::Engine(EngineEvent::TrackStarted {
        path: AWAKE.into(),
        duration_ms: Some(296_000),
    }))
}

fn happy() -> EmotionReading {
    let mut probs = [0.05; 7];
    probs[3] = 0.7;
    EmotionReading::from_probs(probs, EmotionSource::Camera, 1)
}

#[test]
fn c_turns_the_camera_on_and_off_through_the_vision_thread() {
    let mut p = Player::new();
    assert_eq!(p.state.emotion.camera, CameraState::Off);
    assert_eq!(vision(&p.press("c")), [VisionCommand::Enable(true)]);
    assert_eq!(p.state.emotion.camera, CameraState::Standby);
    assert_eq!(vision(&p.press("c")), [VisionCommand::Enable(false)]);
    assert_eq!(p.state.emotion.camera, CameraState::Off);
}

#[test]
fn a_track_start_samples_only_while_the_camera_is_allowed() {
    let mut p = Player::new();
    p.press("enter e");
    assert!(vision(&track_started(&mut p)).is_empty());
    p.press("c");
    assert_eq!(
        vision(&track_started(&mut p)),
        [VisionCommand::TrackChanged]
    );
}

fn position(p: &mut Player, position_ms: u64) -> Vec<Effect> {
    p.send(Msg::Engine(EngineEvent::Position {
        path: AWAKE.into(),
        position_ms,
        duration_ms: Some(296_000),
    }))
}

#[test]
fn sampling_starts_lead_seconds_before_a_track_ends_once_per_track() {
    let mut p = Player::new();
    p.press("enter e c");
    assert_eq!(p.state.emotion.lead_ms, 3_000);
    track_started(&mut p);
    assert!(vision(&position(&mut p, 200_000)).is_empty());
    assert!(vision(&position(&mut p, 292_999)).is_empty());
    assert_eq!(
        vision(&position(&mut p, 293_500)),
        [VisionCommand::SampleFor(std::time::Duration::from_millis(
            2_500
        ))]
    );
    // Asked once: later positions of the same track ask for nothing more.
    assert!(vision(&position(&mut p, 295_000)).is_empty());
    // The next track asks again near its own end.
    assert_eq!(
        vision(&track_started(&mut p)),
        [VisionCommand::TrackChanged]
    );
    assert_eq!(vision(&position(&mut p, 294_000)).len(), 1);
}

#[test]
fn a_seek_back_out_of_the_lead_in_asks_again_on_the_next_approach() {
    let mut p = Player::new();
    p.press("enter e c");
    track_started(&mut p);
    assert_eq!(vision(&position(&mut p, 294_000)).len(), 1);
    assert!(vision(&position(&mut p, 100_000)).is_empty());
    assert_eq!(
        vision(&position(&mut p, 295_000)),
        [VisionCommand::SampleFor(std::time::Duration::from_millis(
            1_000
        ))]
    );
}

#[test]
fn no_lead_in_sample_with_the_camera_off_or_lead_seconds_0() {
    let mut p = Player::new();
    p.press("enter e");
    track_started(&mut p);
    assert!(vision(&position(&mut p, 295_000)).is_empty());
    p.press("c");
    p.state.emotion.lead_ms = 0;
    track_started(&mut p);
    assert!(vision(&position(&mut p, 295_000)).is_empty());
}

#[test]
fn a_late_status_does_not_turn_a_switched_off_camera_back_on() {
    let mut p = Player::new();
    p.press("c c");
    p.send(Msg::Camera(CameraState::On));
    assert_eq!(p.state.emotion.camera, CameraState::Off);
    p.send(Msg::Camera(CameraState::Off));
    assert_eq!(p.state.emotion.camera, CameraState::Off);
}

#[test]
fn a_camera_reading_after_no_face_means_capturing_again() {
    let mut p = Player::new();
    p.press("c");
    p.send(Msg::Camera(CameraState::NoFace));
    p.send(Msg::Emotion(happy()));
    assert_eq!(p.state.emotion.camera, CameraState::On);
    assert_eq!(
        p.state.emotion.current.as_ref().map(|r| r.label()),
        Some("happy")
    );
}

#[test]
fn the_emotion_panel_shows_each_camera_state() {
    for (state, shows) in [
        (CameraState::Off, "camera off"),
        (CameraState::Standby, "camera ready"),
        (CameraState::On, "● camera on"),
        (CameraState::NoFace, "no face"),
        (
            CameraState::Unavailable("camera 0 is busy".into()),
            "no camera: camera 0 is busy",
        ),
    ] {
        let mut p = Player::new();
        p.press("c");
        p.send(Msg::Camera(state.clone()));
        let text = screen(&p, 80, 24);
        assert!(text.contains(shows), "{state:?}:\n{text}");
    }
}

#[test]
fn while_capturing_the_title_is_marked_even_with_a_reading() {
    let mut p = Player::new();
    p.press("c");
    p.send(Msg::Camera(CameraState::On));
    p.send(Msg::Emotion(happy()));
    let text = screen(&p, 80, 24);
    assert!(text.contains("● happy"), "{text}");
    p.press("c");
    let text = screen(&p, 80, 24);
    assert!(!text.contains('●'), "{text}");
    assert!(text.contains("happy"), "the last reading stays: {text}");
}

#[test]
fn every_camera_state_renders_at_tiny_sizes_without_a_panic() {
    for state in [
        CameraState::Standby,
        CameraState::On,
        CameraState::NoFace,
        CameraState::Unavailable("a long reason that does not fit anywhere".into()),
    ] {
        let mut p = Player::new();
        p.press("c");
        p.send(Msg::Camera(state));
        for (w, h) in [(0, 0), (1, 1), (10, 3), (20, 5), (40, 10)] {
            screen(&p, w, h);
        }
        p.send(Msg::Emotion(happy()));
        for (w, h) in [(0, 0), (12, 4), (30, 8)] {
            screen(&p, w, h);
        }
    }
}
