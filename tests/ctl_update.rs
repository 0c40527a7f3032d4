//! `mien ctl`'s requests as `update` sees them: each `Remote::Control` changes the state like
//! the matching key and answers with one `Effect::Reply`, built from the state the UI thread
//! owns (the status report included).

mod common;

use std::path::{Path, PathBuf};

use common::{id, Player, AWAKE, NIGHT_DRIVE, SMALL_RAIN};
use mien::app::state::{Remote, StatusLevel};
use mien::app::{Effect, Msg};
use mien::audio::{EngineCommand, EngineEvent};
use mien::control::protocol::PlayState;
use mien::control::{Command, Reply, ReplyTo, Request};
use mien::core::{EmotionSource, Rating};
use mien::store::MoodRecord;

/// Sends `command` through `update`; returns the reply and the other effects.
fn ask(p: &mut Player, command: Command) -> (Reply, Vec<Effect>) {
    let (reply, _rx) = ReplyTo::new(7);
    let effects = p.send(Msg::Remote(Remote::Control(Request { command, reply })));
    let mut answer = None;
    let mut rest = Vec::new();
    for e in effects {
        match e {
            Effect::Reply { to, reply } => {
                assert_eq!(to.id, 7);
                assert!(answer.replace(reply).is_none(), "two replies");
            }
            e => rest.push(e),
        }
    }
    (answer.expect("every request is answered"), rest)
}

fn engine(effects: &[Effect]) -> Vec<&EngineCommand> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Engine(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn done(reply: &Reply) -> &str {
    match reply {
        Reply::Done { message } => message,
        other => panic!("expected done, got {other:?}"),
    }
}

fn error(reply: &Reply) -> &str {
    match reply {
        Reply::Error { message } => message,
        other => panic!("expected an error, got {other:?}"),
    }
}

/// A player with AWAKE, NIGHT_DRIVE, SMALL_RAIN queued, the first playing at 10 s.
fn playing() -> Player {
    let mut p = Player::new();
    let (reply, _) = ask(
        &mut p,
        Command::Add {
            paths: [AWAKE, NIGHT_DRIVE, SMALL_RAIN].map(PathBuf::from).to_vec(),
        },
    );
    assert_eq!(done(&reply), "added 3 tracks to the queue (3 in all)");
    let (reply, effects) = ask(&mut p, Command::Play);
    assert_eq!(done(&reply), "playing Ada Lin – Awake");
    assert!(
        matches!(engine(&effects)[..], [EngineCommand::Play { track, start_ms: 0 }] if track.path.as_path() == Path::new(AWAKE))
    );
    started(&mut p, AWAKE);
    p.send(Msg::Engine(EngineEvent::Position {
        path: AWAKE.into(),
        position_ms: 10_000,
        duration_ms: Some(296_000),
    }));
    p
}

fn started(p: &mut Player, path: &str) {
    p.send(Msg::Engine(EngineEvent::TrackStarted {
        path: path.into(),
        duration_ms: Some(296_000),
    }));
}

#[test]
fn status_reports_what_the_ui_thread_holds() {
    let mut p = Player::new();
    let (reply, effects) = ask(&mut p, Command::Status);
    assert!(effects.is_empty());
    let Reply::Status { status } = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(status.state, PlayState::Stopped);
    assert_eq!(
        (status.track, status.queue_len, status.volume),
        (None, 0, 100)
    );

    let mut p = playing();
    p.send(Msg::RatingSaved {
        id: id(AWAKE),
        rating: Rating::new(4),
    });
    p.state.moods.insert(
        id(AWAKE),
        MoodRecord {
            size: 1,
            mtime_ns: 0,
            model: "musicnn-msd".into(),
            tags: Vec::new(),
            valence: 0.5,
            arousal: -0.25,
            label: "calm/peaceful".into(),
            confidence: 0.8,
            tagged_at_ms: 0,
        },
    );
    ask(
        &mut p,
        Command::Mood {
            label: "sad".into(),
        },
    );
    p.send(Msg::Engine(EngineEvent::Paused));
    let Reply::Status { status } = ask(&mut p, Command::Status).0 else {
        panic!()
    };
    let emotion = status.emotion.clone().expect("the reading set by hand");
    assert_eq!(
        (emotion.label.as_str(), emotion.source.as_str()),
        ("sad", "manual")
    );
    assert_eq!(
        (emotion.valence, emotion.arousal),
        mien::core::CIRCUMPLEX[4]
    );
    let mut json = serde_json::to_value(&status).unwrap();
    json["emotion"] = serde_json::Value::Null;
    assert_eq!(
        json,
        serde_json::json!({
            "state": "paused",
            "track": {"path": AWAKE, "title": "Awake", "artist": "Ada Lin",
                      "album": "Blue Hour", "duration_s": 296.0},
            "position_s": 10.0,
            "volume": 100,
            "rating": 4,
            "mood": {"valence": 0.5, "arousal": -0.25, "label": "calm/peaceful"},
            "emotion": null,
            "queue_len": 3,
            "queue_position": 1
        })
    );
}

#[test]
fn play_pause_and_play_and_pause_act_only_when_they_change_something() {
    let mut p = Player::new();
    let reply = ask(&mut p, Command::Play).0;
    assert!(error(&reply).starts_with("the queue is empty"), "{reply:?}");
    let reply = ask(&mut p, Command::Pause).0;
    assert_eq!(done(&reply), "nothing is playing");

    let mut p = playing();
    assert_eq!(done(&ask(&mut p, Command::Play).0), "already playing");
    let (reply, effects) = ask(&mut p, Command::Pause);
    assert_eq!(done(&reply), "paused");
    assert_eq!(engine(&effects), [&EngineCommand::TogglePause]);
    p.send(Msg::Engine(EngineEvent::Paused));
    assert_eq!(done(&ask(&mut p, Command::Pause).0), "already paused");
    let (reply, effects) = ask(&mut p, Command::PlayPause);
    assert_eq!(done(&reply), "playing");
    assert_eq!(engine(&effects), [&EngineCommand::TogglePause]);
    p.send(Msg::Engine(EngineEvent::Resumed));
    let (reply, effects) = ask(&mut p, Command::PlayPause);
    assert_eq!(done(&reply), "paused");
    assert_eq!(engine(&effects), [&EngineCommand::TogglePause]);
}

#[test]
fn next_prev_and_stop_move_through_the_queue_and_say_where_they_went() {
    let mut p = playing();
    let (reply, effects) = ask(&mut p, Command::Next);
    assert_eq!(done(&reply), "next: Ada Lin – Night Drive");
    assert!(
        matches!(engine(&effects)[..], [EngineCommand::Play { track, .. }] if track.path.as_path() == Path::new(NIGHT_DRIVE))
    );
    started(&mut p, NIGHT_DRIVE);
    let (reply, _) = ask(&mut p, Command::Prev);
    assert_eq!(done(&reply), "previous: Ada Lin – Awake");
    started(&mut p, AWAKE);
    p.send(Msg::Engine(EngineEvent::Position {
        path: AWAKE.into(),
        position_ms: 20_000,
        duration_ms: None,
    }));
    let (reply, effects) = ask(&mut p, Command::Prev);
    assert_eq!(done(&reply), "back to the start of Ada Lin – Awake");
    assert_eq!(engine(&effects), [&EngineCommand::Seek { ms: 0 }]);
    ask(&mut p, Command::Next);
    ask(&mut p, Command::Next);
    started(&mut p, SMALL_RAIN);
    let (reply, effects) = ask(&mut p, Command::Next);
    assert_eq!(error(&reply), "end of the queue: nothing to play next");
    assert!(effects.is_empty());
    let (reply, effects) = ask(&mut p, Command::Stop);
    assert_eq!(done(&reply), "stopped");
    assert_eq!(engine(&effects), [&EngineCommand::Stop]);
}

#[test]
fn seek_is_relative_or_absolute_and_kept_within_the_track() {
    let mut p = Player::new();
    let reply = ask(
        &mut p,
        Command::Seek {
            ms: 5_000,
            relative: true,
        },
    )
    .0;
    assert_eq!(error(&reply), "nothing is playing: no seek");
    let mut p = playing();
    let (reply, effects) = ask(
        &mut p,
        Command::Seek {
            ms: -15_000,
            relative: true,
        },
    );
    assert_eq!(done(&reply), "seeking to 0:00");
    assert_eq!(engine(&effects), [&EngineCommand::SeekBy { ms: -10_000 }]);
    let (reply, effects) = ask(
        &mut p,
        Command::Seek {
            ms: 90_000,
            relative: false,
        },
    );
    assert_eq!(done(&reply), "seeking to 1:30");
    assert_eq!(engine(&effects), [&EngineCommand::Seek { ms: 90_000 }]);
    let (_, effects) = ask(
        &mut p,
        Command::Seek {
            ms: 999_000,
            relative: false,
        },
    );
    assert_eq!(engine(&effects), [&EngineCommand::Seek { ms: 296_000 }]);
}

#[test]
fn volume_is_set_or_changed_in_percent_and_clamped() {
    let mut p = Player::new();
    let (reply, effects) = ask(
        &mut p,
        Command::Volume {
            percent: 40,
            relative: false,
        },
    );
    assert_eq!(done(&reply), "volume 40%");
    assert_eq!(engine(&effects), [&EngineCommand::SetVolume(0.4)]);
    assert_eq!(p.state.player.volume, 40);
    ask(
        &mut p,
        Command::Volume {
            percent: -15,
            relative: true,
        },
    );
    assert_eq!(p.state.player.volume, 25);
    let (reply, _) = ask(
        &mut p,
        Command::Volume {
            percent: 500,
            relative: true,
        },
    );
    assert_eq!(done(&reply), "volume 100%");
    ask(
        &mut p,
        Command::Volume {
            percent: -7,
            relative: false,
        },
    );
    assert_eq!(p.state.player.volume, 0);
}

#[test]
fn rate_applies_to_the_playing_track_not_the_selection() {
    let mut p = Player::new();
    let reply = ask(&mut p, Command::Rate { stars: 3 }).0;
    assert_eq!(error(&reply), "nothing to rate: nothing is playing");
    let mut p = playing();
    p.press("G"); // the library cursor on another row
    let (reply, effects) = ask(&mut p, Command::Rate { stars: 5 });
    assert_eq!(done(&reply), "rated Ada Lin – Awake 5 stars");
    assert_eq!(
        effects,
        [Effect::SaveRating {
            id: id(AWAKE),
            rating: Rating::new(5)
        }]
    );
    let (reply, _) = ask(&mut p, Command::Rate { stars: 0 });
    assert_eq!(done(&reply), "cleared the rating of Ada Lin – Awake");
    assert!(error(&ask(&mut p, Command::Rate { stars: 6 }).0).contains("0-5"));
}

#[test]
fn mood_sets_the_emotion_by_hand_and_auto_gives_it_back_to_the_camera() {
    let mut p = Player::new();
    let (reply, effects) = ask(
        &mut p,
        Command::Mood {
            label: "happy".into(),
        },
    );
    assert_eq!(done(&reply), "mood: happy");
    assert!(
        matches!(effects[0], Effect::EmotionChanged(_)),
        "{effects:?}"
    );
    let current = p.state.emotion.current.clone().expect("a reading");
    assert_eq!(
        (current.label(), current.source),
        ("happy", EmotionSource::Manual)
    );
    let reply = ask(
        &mut p,
        Command::Mood {
            label: "glad".into(),
        },
    )
    .0;
    assert!(
        error(&reply).starts_with("unknown mood \"glad\": one of angry"),
        "{reply:?}"
    );
    assert_eq!(
        p.state.emotion.current.as_ref().map(|r| r.label()),
        Some("happy")
    );
    let reply = ask(
        &mut p,
        Command::Mood {
            label: "auto".into(),
        },
    )
    .0;
    assert_eq!(
        done(&reply),
        "your emotion is cleared; the camera is off (c turns it on)"
    );
    assert_eq!(p.state.emotion.current, None);
    assert_eq!(p.state.reco.watch.smoothed, None);
}

#[test]
fn add_appends_to_the_queue_and_saves_it_and_sleep_sets_the_wind_down_timer() {
    let mut p = playing();
    let (reply, effects) = ask(
        &mut p,
        Command::Add {
            paths: vec![AWAKE.into()],
        },
    );
    assert_eq!(done(&reply), "added 1 track to the queue (4 in all)");
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::SaveQueue(q) if q.paths.len() == 4)));
    assert_eq!(p.state.queue.current, Some(0), "what plays is untouched");
    assert!(error(&ask(&mut p, Command::Add { paths: Vec::new() }).0).contains("nothing"));
    let (reply, effects) = ask(&mut p, Command::Sleep { minutes: Some(20) });
    assert_eq!(done(&reply), "sleep in 20 min");
    assert!(p.state.wind_down.is_some_and(|w| w.minutes == 20));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::TickAt(Some(_)))),
        "the timer's clock starts: {effects:?}"
    );
    let (reply, effects) = ask(&mut p, Command::Sleep { minutes: None });
    assert_eq!(done(&reply), "sleep timer off");
    assert!(p.state.wind_down.is_none());
    assert!(effects.contains(&Effect::TickAt(None)), "{effects:?}");
}

#[test]
fn files_from_the_command_line_replace_the_queue_and_the_first_plays() {
    let mut p = Player::new();
    let given = vec![PathBuf::from("/lists/evening.m3u")];
    let effects = p.send(Msg::FilesOpened {
        given: given.clone(),
        result: Ok(vec![NIGHT_DRIVE.into(), SMALL_RAIN.into()]),
        missing: 0,
    });
    assert!(
        matches!(engine(&effects)[..], [EngineCommand::Play { track, .. }] if track.path.as_path() == Path::new(NIGHT_DRIVE))
    );
    assert_eq!(p.state.queue.len(), 2);
    let pinned: Vec<bool> = p.state.queue.items.iter().map(|i| i.pinned).collect();
    assert_eq!(pinned, [false, true], "the order given is kept");
    assert_eq!(
        p.state.status.as_ref().map(|s| s.text.as_str()),
        Some("/lists/evening.m3u: 2 tracks")
    );
    let effects = p.send(Msg::FilesOpened {
        given: given.clone(),
        result: Err("cannot read playlist /lists/evening.m3u: gone".into()),
        missing: 0,
    });
    assert!(effects.is_empty());
    assert_eq!(p.state.queue.len(), 2, "the queue stays");
    let status = p.state.status.as_ref().unwrap();
    assert_eq!(status.level, StatusLevel::Error);
    assert!(status.text.contains("gone"));
    // Entries whose files are gone were left out by the reader: the status line says how many.
    p.send(Msg::FilesOpened {
        given: given.clone(),
        result: Ok(vec![SMALL_RAIN.into()]),
        missing: 2,
    });
    assert_eq!(
        p.state.status.as_ref().map(|s| s.text.as_str()),
        Some("/lists/evening.m3u: 1 track (2 entries whose files are gone left out)")
    );
    p.send(Msg::FilesOpened {
        given,
        result: Ok(Vec::new()),
        missing: 1,
    });
    let status = p.state.status.as_ref().unwrap();
    assert_eq!(status.level, StatusLevel::Error);
    assert_eq!(
        status.text,
        "nothing to play in the files given (1 entry whose file is gone left out)"
    );
}
