//! A mood journey in the player, through `update`: the picker and the map start one, the queue
//! gets the plan with "step k/n toward …", steps are logged as `JourneyStep`, readings moving
//! against the plan re-plan the rest, and the recommender's scores feed the plan.

use super::*;
use crate::app::keymap::Keymap;
use crate::app::keys::{key_to_msg, KeyState};
use crate::app::state::{Msg, Overlay};
use crate::app::test_library::{self, id, path};
use crate::app::{update, Action};
use crate::audio::EngineCommand;
use crate::core::{EmotionReading, EmotionSource};
use crate::recommend::journey::replan as plan_rest;
use crate::recommend::{Reason, Recommendation};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Now: the picker and the map start journeys at the real time, so readings follow it.
fn t0() -> u64 {
    crate::core::now_ms()
}

fn reading(v: f32, a: f32, at_ms: u64) -> EmotionReading {
    let mut r = EmotionReading::from_probs(
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
        EmotionSource::Camera,
        at_ms,
    );
    (r.valence, r.arousal) = (v, a);
    r
}

fn played(fx: &[Effect]) -> Option<std::path::PathBuf> {
    fx.iter().find_map(|e| match e {
        Effect::Engine(EngineCommand::Play { track, .. }) => Some(track.path.clone()),
        _ => None,
    })
}

fn started(s: &mut AppState, p: std::path::PathBuf) -> Vec<Effect> {
    update(
        s,
        Msg::Engine(EngineEvent::TrackStarted {
            path: p,
            duration_ms: Some(180_000),
        }),
    )
}

fn journey_steps(fx: &[Effect]) -> Vec<ListenEvent> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::RecoEvent(ev) if matches!(ev.signal, Signal::JourneyStep { .. }) => Some(*ev),
            _ => None,
        })
        .collect()
}

/// The grid library, a sad listener (sad: −0.7, −0.4), the journey picker on "calm".
fn sad_listener() -> AppState {
    let mut s = test_library::state();
    update(&mut s, Msg::Emotion(reading(-0.7, -0.4, t0())));
    s
}

#[test]
fn the_picker_starts_a_journey_whose_first_step_matches_the_listener_and_plays_now() {
    let mut s = sad_listener();
    update(&mut s, Msg::Action(Action::Journey));
    assert!(matches!(
        s.overlay,
        Some(Overlay::JourneyPicker {
            cursor: 3,
            minutes: 20
        })
    ));
    let fx = update(&mut s, Msg::Action(Action::Open));
    assert!(s.overlay.is_none());
    let j = s.journey.active.as_ref().expect("a journey runs");
    assert_eq!(j.to, Target::Calm);
    let n = s.queue.len();
    assert!((6..=8).contains(&n), "20 min of 3-minute tracks: {n}");
    // The first step is the grid's track nearest the sad listener, and it plays.
    assert_eq!(s.queue.items[0].path, path(1, 2));
    assert_eq!(played(&fx), Some(path(1, 2)));
    let last = s.queue.items[n - 1].id;
    let m = track_mood(&s, last).unwrap();
    assert!(Target::Calm.reached_by(ListenerMood {
        valence: m.valence,
        arousal: m.arousal
    }));
    assert_eq!(
        s.reco.explanations[&s.queue.items[2].id],
        format!("step 3/{n} toward calm")
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::SaveQueue(_))));
}

#[test]
fn without_a_mood_a_journey_says_how_to_give_one() {
    let mut s = test_library::state();
    update(&mut s, Msg::Action(Action::Journey));
    let fx = update(&mut s, Msg::Action(Action::Open));
    assert!(fx.is_empty() && s.journey.active.is_none());
    assert!(s.status.unwrap().text.contains("set it with m"));
    // With the recommender on as well: at once, not after "planning…" and its scores.
    let mut s = test_library::state();
    s.reco.enabled = true;
    update(&mut s, Msg::Action(Action::Journey));
    let fx = update(&mut s, Msg::Action(Action::Open));
    assert!(fx.is_empty() && !active(&s), "{fx:?}");
    let said: Vec<&str> = s.messages.log.iter().map(|m| m.text.as_str()).collect();
    assert!(!said.iter().any(|m| m.contains("planning")), "{said:?}");
    assert!(s.status.unwrap().text.contains("set it with m"));
}

#[test]
fn a_step_that_ends_is_logged_with_how_the_listener_moved_and_remembered() {
    let t0_ = t0();
    let mut s = sad_listener();
    s.reco.enabled = true;
    // With the recommender on, the journey first asks for the library's scores.
    let fx = start(&mut s, Target::Calm, 20, true, t0());
    let Some(Effect::RecoRank(req)) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!(req.candidates.len(), 49);
    // Score every track, the grid's (2, 2) — near the path — far above the rest.
    let tracks = req
        .candidates
        .iter()
        .map(|c| Recommendation {
            track: c.track,
            score: if c.track == id(2, 2) { 3.0 } else { 0.5 },
            reason: Reason::Explore,
            mood_word: None,
        })
        .collect();
    let fx = update(
        &mut s,
        Msg::RecoRanked(Ranked {
            tag: req.tag,
            tracks,
        }),
    );
    assert!(s.journey.active.is_some());
    assert!(
        s.queue.items.iter().any(|i| i.id == id(2, 2)),
        "the favourite is on the way"
    );
    let first = played(&fx).unwrap();
    let fx = started(&mut s, first.clone());
    assert!(
        fx.iter().all(|e| !matches!(e, Effect::RecoRank(_))),
        "the recommender leaves a journey's order alone"
    );
    update(&mut s, Msg::Emotion(reading(-0.5, -0.45, t0_ + 100_000)));
    let second = s.queue.items[1].path.clone();
    let fx = started(&mut s, second);
    let ev = journey_steps(&fx);
    assert_eq!(ev.len(), 1, "{fx:?}");
    assert_eq!(ev[0].track, TrackId::from_path(&first));
    let Signal::JourneyStep {
        valence_change,
        arousal_change,
        toward_target,
        reached,
    } = ev[0].signal
    else {
        unreachable!()
    };
    assert!((valence_change - 0.2).abs() < 1e-5 && (arousal_change + 0.05).abs() < 1e-5);
    assert!(toward_target && !reached);
    assert_eq!(s.journey.memory.steps_seen(), 1);
}

#[test]
fn moving_against_the_plan_re_plans_the_rest_from_where_the_listener_is() {
    let t0_ = t0();
    let mut s = sad_listener();
    update(&mut s, Msg::Action(Action::Journey));
    update(&mut s, Msg::Action(Action::Down)); // focus
    update(&mut s, Msg::Action(Action::Up)); // calm
    update(&mut s, Msg::Action(Action::Up)); // sad
    update(&mut s, Msg::Action(Action::Up)); // tense
    update(&mut s, Msg::Action(Action::Up)); // happy
    let fx = update(&mut s, Msg::Action(Action::Open));
    assert_eq!(s.journey.active.as_ref().unwrap().to, Target::Happy);
    started(&mut s, played(&fx).unwrap());
    let before: Vec<TrackId> = s.queue.items.iter().map(|i| i.id).collect();
    s.player.position_ms = 60_000; // 2 of the step's 3 minutes are left
                                   // The plan lifts valence and arousal; both fall over 50 s (by 0.3 and 0.2).
    let mut fx = Vec::new();
    for i in 0..=10u64 {
        let r = reading(
            -0.7 - 0.03 * i as f32,
            -0.4 - 0.02 * i as f32,
            t0_ + 40_000 + i * 5_000,
        );
        fx.extend(update(&mut s, Msg::Emotion(r)));
    }
    let j = s.journey.active.as_ref().unwrap();
    assert_eq!(j.replans, 1);
    assert!(s.status.as_ref().unwrap().text.contains("re-planned"));
    assert_eq!(s.queue.items[0].id, before[0], "the playing step stays");
    // The rest is the planner's from the last reading, after the step that keeps playing.
    // It fired on a reading that had fallen (by 0.15 at least) and planned from there.
    let k = ((-0.7 - j.from.valence) / 0.03).round() as u64;
    assert!((5..=10).contains(&k), "{:?}", j.from);
    assert!((j.from.arousal - (-0.4 - 0.02 * k as f32)).abs() < 1e-5);
    let last_at = t0_ + 40_000 + k * 5_000;
    // The new steps take the span after the rest of the playing step.
    let minutes = ((j.ends_ms.saturating_sub(last_at) - 120_000) / 60_000) as u32;
    let playing = track_mood(&s, before[0]);
    let avoid: std::collections::HashSet<TrackId> = [before[0]].into();
    let tracks = journey_tracks(&s, &j.taste);
    let memory = &s.journey.memory;
    let expected = plan_rest(&tracks, j.from, playing, j.to, minutes, memory, &avoid);
    let rest: Vec<TrackId> = s.queue.items[1..].iter().map(|i| i.id).collect();
    let planned: Vec<TrackId> = expected.steps.iter().map(|s| s.track).collect();
    assert_eq!(rest, planned);
    assert_ne!(s.queue.items[1].id, before[1]);
    let ids: std::collections::HashSet<TrackId> = s.queue.items.iter().map(|i| i.id).collect();
    assert_eq!(ids.len(), s.queue.len(), "no repeats after the re-plan");
    assert!(fx.iter().any(|e| matches!(e, Effect::SaveQueue(_))));
    // Readings that follow the plan change nothing.
    let mut s = sad_listener();
    let t = t0();
    start(&mut s, Target::Happy, 20, true, t);
    for i in 0..=10u64 {
        update(
            &mut s,
            Msg::Emotion(reading(
                -0.7 + 0.03 * i as f32,
                -0.4,
                t + 40_000 + i * 5_000,
            )),
        );
    }
    assert_eq!(s.journey.active.as_ref().unwrap().replans, 0);
}

fn key(s: &AppState, keymap: &Keymap, keys: &mut KeyState, code: KeyCode) -> Option<Msg> {
    let mods = if matches!(code, KeyCode::Char(c) if c.is_ascii_uppercase()) {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    key_to_msg(s, keymap, keys, KeyEvent::new(code, mods))
}

#[test]
fn the_open_map_takes_hjkl_and_enter_and_j_starts_a_journey_to_its_cursor() {
    let mut s = sad_listener();
    let keymap = Keymap::vim_defaults();
    let mut keys = KeyState::default();
    let mut press = |s: &mut AppState, code| {
        if let Some(m) = key(s, &keymap, &mut keys, code) {
            update(s, m);
        }
    };
    press(&mut s, KeyCode::Char('M'));
    assert!(s.mood_map.open);
    assert_eq!(s.mood_map.cursor, (-0.7, -0.4), "it opens on the listener");
    for c in ['l', 'l', 'l', 'l', 'l', 'k', 'j', 'j'] {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Right);
    let (v, a) = s.mood_map.cursor;
    assert!(
        (v - -0.1).abs() < 1e-5 && (a - -0.5).abs() < 1e-5,
        "{v},{a}"
    );
    assert!(s.player.path.is_none(), "l did not seek, nothing plays");
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.queue.len(), crate::app::mood_map::NEAREST);
    assert_eq!(
        s.queue.items[0].id,
        id(3, 1),
        "(0, -0.6) is nearest -0.1,-0.5"
    );
    press(&mut s, KeyCode::Char('J'));
    assert!(!s.mood_map.open);
    let j = s.journey.active.as_ref().unwrap();
    assert_eq!(
        j.to,
        Target::Point {
            valence: v,
            arousal: a
        }
    );
    press(&mut s, KeyCode::Char('M'));
    press(&mut s, KeyCode::Esc);
    assert!(!s.mood_map.open);
}

#[test]
fn at_each_step_the_rest_follows_the_latest_camera_reading_and_a_manual_mood_leaves_it() {
    let t = t0();
    let mut s = sad_listener();
    let fx = start(&mut s, Target::Happy, 20, true, t);
    started(&mut s, played(&fx).unwrap());
    let before: Vec<TrackId> = s.queue.items.iter().map(|i| i.id).collect();
    // The listener barely moved during the first step (a slow follower) ...
    update(&mut s, Msg::Emotion(reading(-0.7, -0.35, t + 170_000)));
    let second = s.queue.items[1].path.clone();
    let fx = started(&mut s, second);
    // ... so the steps after the second are planned again from there, without a message.
    let j = s.journey.active.as_ref().unwrap();
    assert_eq!(j.replans, 0);
    assert!((j.from.arousal + 0.35).abs() < 1e-5, "{:?}", j.from);
    assert_eq!(
        &s.queue.items[..2].iter().map(|i| i.id).collect::<Vec<_>>(),
        &before[..2]
    );
    let after: Vec<TrackId> = s.queue.items.iter().map(|i| i.id).collect();
    assert_ne!(after, before, "the rest was planned again");
    let ids: std::collections::HashSet<TrackId> = after.iter().copied().collect();
    assert_eq!(ids.len(), after.len(), "no repeats");
    assert!(fx.iter().any(|e| matches!(e, Effect::SaveQueue(_))));
    assert!(!s
        .status
        .as_ref()
        .is_some_and(|m| m.text.contains("re-planned")));

    // A manual mood: nothing reads the listener, so the plan stands.
    let mut s = test_library::state();
    update(&mut s, Msg::Emotion(EmotionReading::manual(4, t))); // sad
    let fx = start(&mut s, Target::Happy, 20, true, t);
    started(&mut s, played(&fx).unwrap());
    let before: Vec<TrackId> = s.queue.items.iter().map(|i| i.id).collect();
    let second = s.queue.items[1].path.clone();
    started(&mut s, second);
    let after: Vec<TrackId> = s.queue.items.iter().map(|i| i.id).collect();
    assert_eq!(after, before);
}

#[test]
fn a_re_plan_keeps_what_the_listener_pinned_during_the_journey_ahead_of_the_new_steps() {
    let t = t0();
    let mut s = sad_listener();
    let fx = start(&mut s, Target::Happy, 20, true, t);
    started(&mut s, played(&fx).unwrap());
    // The listener puts a track next by hand (as `p` does) ...
    let mine = crate::app::queue::QueueItem {
        pinned: true,
        ..crate::app::queue::QueueItem::new(path(0, 0))
    };
    s.queue.insert_next(vec![mine]);
    // ... and moves against the plan, which re-plans the rest.
    for i in 0..=10u64 {
        let r = reading(
            -0.7 - 0.03 * i as f32,
            -0.4 - 0.02 * i as f32,
            t + 40_000 + i * 5_000,
        );
        update(&mut s, Msg::Emotion(r));
    }
    let j = s.journey.active.as_ref().unwrap();
    assert_eq!(j.replans, 1, "moving against the plan re-plans");
    assert_eq!(
        s.queue.items[1].path,
        path(0, 0),
        "the pinned track still plays next"
    );
    assert!(s.queue.items[1].pinned);
    let ids: Vec<TrackId> = s.queue.items.iter().map(|i| i.id).collect();
    assert_eq!(ids.iter().filter(|i| **i == id(0, 0)).count(), 1);
    assert!(
        !j.steps.contains(&id(0, 0)),
        "it is the listener's, not a step"
    );
    let last = *ids.last().unwrap();
    assert!(j.steps.contains(&last));
}

#[test]
fn a_journey_longer_than_the_library_can_fill_says_how_long_it_plays() {
    let mut s = sad_listener();
    start(&mut s, Target::Calm, 600, true, t0());
    let steps = s.journey.active.as_ref().unwrap().steps.clone();
    let ms: u64 = steps.iter().map(|t| length_ms(&s, *t)).sum();
    assert!(ms < 450 * 60_000, "{ms}");
    let text = s.status.as_ref().unwrap().text.clone();
    assert!(
        text.contains(&format!(
            ", {} of 600 min: few tagged tracks lie on the way (the upcoming queue is replaced)",
            crate::core::mmss(ms)
        )),
        "{text}"
    );
    // One the library fills says nothing of the kind.
    let mut s = sad_listener();
    start(&mut s, Target::Calm, 20, true, t0());
    let text = s.status.as_ref().unwrap().text.clone();
    assert!(
        text.starts_with("journey toward calm") && !text.contains("few tagged"),
        "{text}"
    );
}
