//! The wind-down timer through `update`, with injected time: the journey toward sleep, the fade
//! steps, the stop with the queue saved, the volume restored, `T`'s cycle.

use super::*;
use crate::app::state::Msg;
use crate::app::test_library::{self, path};
use crate::app::update;
use crate::core::EmotionReading;

const T0: u64 = 1_700_000_000_000;

fn volumes(effects: &[Effect]) -> Vec<f32> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Engine(EngineCommand::SetVolume(v)) => Some(*v),
            _ => None,
        })
        .collect()
}

fn tick_at(effects: &[Effect]) -> Option<Option<u64>> {
    effects.iter().rev().find_map(|e| match e {
        Effect::TickAt(at) => Some(*at),
        _ => None,
    })
}

/// The grid library, a track playing at 1:00, volume 80, a happy listener.
fn playing() -> AppState {
    let mut s = test_library::state();
    s.queue
        .append([crate::app::queue::QueueItem::new(path(6, 5))]);
    s.queue.current = Some(0);
    s.player.path = Some(path(6, 5));
    s.player.position_ms = 60_000;
    s.player.volume = 80;
    update(&mut s, Msg::Emotion(EmotionReading::manual(3, T0)));
    s
}

#[test]
fn the_timer_turns_the_queue_into_a_journey_toward_sleep_after_the_current_track() {
    let mut s = playing();
    let fx = update(
        &mut s,
        Msg::SetSleepTimer {
            minutes: Some(30),
            now_ms: T0,
        },
    );
    assert_eq!(s.queue.current, Some(0), "the playing track goes on");
    assert_eq!(s.queue.items[0].path, path(6, 5));
    assert!(s.queue.len() >= 8, "{}", s.queue.len());
    let last = s.queue.items.last().unwrap().id;
    let m = crate::app::reco::track_mood(&s, last).unwrap();
    assert!(m.arousal <= -0.5, "ends calm: {m:?}");
    assert!(s.reco.explanations[&s.queue.items[1].id].contains("toward sleep"));
    assert!(fx.iter().any(|e| matches!(e, Effect::SaveQueue(_))));
    // The first tick is at the next whole minute left: the status line counts minutes.
    assert_eq!(tick_at(&fx), Some(Some(T0 + 60_000)));
    assert_eq!(status(&s).as_deref(), Some("sleep 30 min"));
}

#[test]
fn the_last_two_minutes_fade_the_volume_in_steps_then_playback_stops_and_the_queue_is_saved() {
    let mut s = playing();
    update(
        &mut s,
        Msg::SetSleepTimer {
            minutes: Some(15),
            now_ms: T0,
        },
    );
    let end = T0 + 15 * 60_000;
    // Before the fade: no volume change, the next tick at the fade's start at the latest.
    let fx = update(
        &mut s,
        Msg::Tick {
            now_ms: end - 150_000,
        },
    );
    assert!(volumes(&fx).is_empty());
    assert_eq!(tick_at(&fx), Some(Some(end - FADE_MS)));
    assert_eq!(status(&s).as_deref(), Some("sleep 3 min"));
    let mut last = f32::INFINITY;
    let mut steps = 0;
    let mut now = end - FADE_MS;
    while now < end {
        let fx = update(&mut s, Msg::Tick { now_ms: now });
        let v = volumes(&fx);
        assert_eq!(v.len(), 1, "one volume step per tick");
        assert!(v[0] <= last && v[0] <= 0.8 + 1e-6, "{} after {last}", v[0]);
        last = v[0];
        steps += 1;
        let Some(Some(next)) = tick_at(&fx) else {
            panic!("the fade goes on ticking")
        };
        assert!(next > now && next - now <= FADE_TICK_MS);
        now = next;
    }
    assert_eq!(steps, (FADE_MS / FADE_TICK_MS) as usize);
    assert!(last < 0.001, "silent at the end: {last}");
    assert!(status(&s).unwrap().starts_with("fading"));
    s.player.volume = 3; // what the engine reported back during the fade
    s.player.position_ms = 42_000;
    let fx = update(&mut s, Msg::Tick { now_ms: end });
    let saved = fx.iter().position(
        |e| matches!(e, Effect::SaveQueue(q) if q.position_ms == 42_000 && q.current == Some(0)),
    );
    let stop = fx
        .iter()
        .position(|e| *e == Effect::Engine(EngineCommand::Stop));
    assert!(
        saved.unwrap() < stop.unwrap(),
        "saved before the stop: {fx:?}"
    );
    assert_eq!(
        volumes(&fx),
        [0.8],
        "the listener's volume comes back for the next start"
    );
    assert_eq!(s.player.volume, 80);
    assert_eq!(
        tick_at(&fx),
        Some(None),
        "no more ticks: the idle player sleeps"
    );
    assert!(s.wind_down.is_none() && s.journey.active.is_none());
    assert!(update(&mut s, Msg::Tick { now_ms: end + 500 }).is_empty());
    // The engine's report of the stopped track: recorded as stopped by the timer, not as a
    // skip, and nothing for the recommender to learn from.
    s.reco.enabled = true;
    let ended = |s: &mut AppState, path| {
        update(
            s,
            Msg::Engine(crate::audio::EngineEvent::TrackEnded {
                path,
                position_ms: 42_000,
                completed: false,
                failure: None,
            }),
        )
    };
    let fx = ended(&mut s, path(6, 5));
    let outcomes: Vec<&crate::core::PlayOutcome> = (fx.iter())
        .filter_map(|e| match e {
            Effect::RecordPlay(r) => Some(&r.outcome),
            _ => None,
        })
        .collect();
    assert_eq!(outcomes, [&crate::core::PlayOutcome::Stopped], "{fx:?}");
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::RecoEvent(_))),
        "{fx:?}"
    );
    assert!(s.timer_stopped.is_none());
    // A later stop by the listener is a skip again.
    let fx = ended(&mut s, path(6, 5));
    assert!(fx.iter().any(|e| matches!(e,
        Effect::RecordPlay(r) if r.outcome == crate::core::PlayOutcome::Skipped)));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::RecoEvent(_))),
        "{fx:?}"
    );
}

#[test]
fn t_cycles_through_the_spans_and_off_and_turning_off_mid_fade_restores_the_volume() {
    let mut s = playing();
    let mut seen = Vec::new();
    for _ in 0..5 {
        update(&mut s, Msg::Action(crate::app::Action::CycleSleepTimer));
        seen.push(s.wind_down.map(|w| w.minutes));
    }
    assert_eq!(seen, [Some(15), Some(30), Some(45), Some(60), None]);
    update(
        &mut s,
        Msg::SetSleepTimer {
            minutes: Some(15),
            now_ms: T0,
        },
    );
    update(
        &mut s,
        Msg::Tick {
            now_ms: T0 + 14 * 60_000,
        },
    );
    let fx = update(&mut s, Msg::Remote(crate::app::Remote::SetSleepTimer(None)));
    assert_eq!(volumes(&fx), [0.8]);
    assert_eq!(tick_at(&fx), Some(None));
    assert!(s.wind_down.is_none());
}

/// `playing()` with two pinned tracks (as `p` or enter on an album's track leaves them) and one
/// the recommender put there.
fn playing_with_pinned() -> AppState {
    let mut s = playing();
    let item = |i, j, pinned| crate::app::queue::QueueItem {
        pinned,
        ..crate::app::queue::QueueItem::new(path(i, j))
    };
    s.queue
        .append([item(6, 6, true), item(0, 6, false), item(5, 6, true)]);
    s
}

#[test]
fn the_timer_keeps_the_pinned_tracks_first_and_plans_the_rest_of_the_span_after_them() {
    let mut s = playing_with_pinned();
    let set = |minutes| Msg::SetSleepTimer {
        minutes: Some(minutes),
        now_ms: T0,
    };
    update(&mut s, set(30));
    let paths: Vec<_> = s.queue.items.iter().map(|i| i.path.clone()).collect();
    assert_eq!(
        paths[..3],
        [path(6, 5), path(6, 6), path(5, 6)],
        "{paths:?}"
    );
    assert!(
        !paths[3..].contains(&path(0, 6)),
        "the unpinned pick is replaced"
    );
    assert!(!paths[3..].contains(&path(6, 6)) && !paths[3..].contains(&path(5, 6)));
    // 30 minutes, 6 of them pinned: the journey gets the other 24 (3-minute tracks).
    let steps = s.journey.active.as_ref().unwrap().steps.clone();
    assert_eq!(steps.len(), paths.len() - 3);
    assert!((6..=9).contains(&steps.len()), "{}", steps.len());
    assert_eq!(
        s.reco.explanations[&steps[0]],
        format!("step 1/{} toward sleep", steps.len())
    );
    let text = &s.status.as_ref().unwrap().text;
    assert!(
        text.contains(
            "steps toward sleep after this track and your 2 pinned tracks, then a fade-out"
        ),
        "{text}"
    );

    // Pinned tracks that fill the span: no journey, the queue as it was, the timer still runs.
    let mut s = playing_with_pinned();
    let before: Vec<_> = s.queue.items.iter().map(|i| i.path.clone()).collect();
    update(&mut s, set(6));
    assert!(s.journey.active.is_none() && s.wind_down.is_some());
    let after: Vec<_> = s.queue.items.iter().map(|i| i.path.clone()).collect();
    assert_eq!(after, before);
    let said: Vec<&str> = s.messages.log.iter().map(|m| m.text.as_str()).collect();
    assert!(
        said.iter()
            .any(|m| m.contains("this track and your 2 pinned tracks fill the span")),
        "{said:?}"
    );
}

#[test]
fn turning_the_timer_off_ends_its_journey_toward_sleep_and_keeps_the_queue() {
    let mut s = playing();
    update(
        &mut s,
        Msg::SetSleepTimer {
            minutes: Some(30),
            now_ms: T0,
        },
    );
    assert!(s.journey.active.is_some());
    let queued: Vec<_> = s.queue.items.iter().map(|i| i.path.clone()).collect();
    update(&mut s, Msg::Remote(crate::app::Remote::SetSleepTimer(None)));
    assert!(s.journey.active.is_none(), "no longer led toward sleep");
    assert_eq!(journey::progress(&s), None);
    let now: Vec<_> = s.queue.items.iter().map(|i| i.path.clone()).collect();
    assert_eq!(now, queued, "the queue itself is kept");
    assert!(
        !s.queue.items.iter().any(|i| s
            .reco
            .explanations
            .get(&i.id)
            .is_some_and(|w| w.contains("toward sleep"))),
        "no stale \"step k/n toward sleep\" on the queue"
    );
    assert!(s
        .status
        .as_ref()
        .is_some_and(|m| m.text.contains("journey toward sleep ends")));
}

#[test]
fn the_fade_is_even_and_ends_at_silence() {
    assert_eq!(fade_factor(FADE_MS), 1.0);
    assert_eq!(fade_factor(FADE_MS * 2), 1.0);
    assert!((fade_factor(FADE_MS / 2) - 0.25).abs() < 1e-6);
    assert_eq!(fade_factor(0), 0.0);
}

#[test]
fn the_journey_toward_sleep_starts_after_what_is_left_of_the_playing_track() {
    let planned = |s: &AppState| -> u64 {
        let steps = &s.journey.active.as_ref().unwrap().steps;
        steps.iter().map(|id| journey::length_ms(s, *id)).sum()
    };
    // A 12-minute piece at 2:00 (the engine's length): 10 of the 30 minutes are its own.
    let mut s = playing();
    s.player.duration_ms = Some(12 * 60_000);
    s.player.position_ms = 2 * 60_000;
    update(
        &mut s,
        Msg::SetSleepTimer {
            minutes: Some(30),
            now_ms: T0,
        },
    );
    let ms = planned(&s);
    assert!(
        (15 * 60_000..=23 * 60_000).contains(&ms),
        "the steps fill the 20 minutes after it: {ms} ms"
    );
    // A piece that outlasts the span: no journey, only the fade; the message says why.
    let mut s = playing();
    s.player.duration_ms = Some(40 * 60_000);
    let before: Vec<_> = s.queue.items.iter().map(|i| i.path.clone()).collect();
    update(
        &mut s,
        Msg::SetSleepTimer {
            minutes: Some(15),
            now_ms: T0,
        },
    );
    assert!(s.journey.active.is_none() && s.wind_down.is_some());
    let after: Vec<_> = s.queue.items.iter().map(|i| i.path.clone()).collect();
    assert_eq!(after, before);
    let said: Vec<&str> = s.messages.log.iter().map(|m| m.text.as_str()).collect();
    assert!(
        said.contains(
            &"sleep in 15 min: the rest of this track fills the span: no journey, only a fade-out"
        ),
        "{said:?}"
    );
}

#[test]
fn with_the_recommender_on_the_timer_says_what_it_planned_once_the_scores_come() {
    let mut s = playing();
    s.reco.enabled = true;
    let fx = update(
        &mut s,
        Msg::SetSleepTimer {
            minutes: Some(30),
            now_ms: T0,
        },
    );
    let text = |s: &AppState| s.status.as_ref().unwrap().text.clone();
    assert_eq!(text(&s), "sleep in 30 min: planning the way toward sleep…");
    let Some(Effect::RecoRank(req)) = fx.iter().find(|e| matches!(e, Effect::RecoRank(_))) else {
        panic!("the journey asks for the scores first: {fx:?}")
    };
    let tracks = (req.candidates.iter())
        .map(|c| crate::recommend::Recommendation {
            track: c.track,
            score: 0.5,
            reason: crate::recommend::Reason::Explore,
            mood_word: None,
        })
        .collect();
    let answer = crate::recommend::Ranked {
        tag: req.tag,
        tracks,
    };
    update(&mut s, Msg::RecoRanked(answer));
    let n = s.journey.active.as_ref().unwrap().steps.len();
    assert_eq!(
        text(&s),
        format!("sleep in 30 min: {n} steps toward sleep after this track, then a fade-out")
    );
}

#[test]
fn the_playing_track_counts_even_when_its_queue_item_was_removed() {
    let mut s = playing_with_pinned();
    s.focus = crate::app::Pane::Queue;
    s.queue.cursor = 0;
    update(&mut s, Msg::Action(crate::app::Action::QueueRemove));
    assert_eq!(
        s.queue.current, None,
        "the track plays on outside the queue"
    );
    update(
        &mut s,
        Msg::SetSleepTimer {
            minutes: Some(30),
            now_ms: T0,
        },
    );
    let steps = s.journey.active.as_ref().unwrap().steps.clone();
    let playing = crate::core::TrackId::from_path(&path(6, 5));
    assert!(!steps.contains(&playing), "the playing track is not a step");
    let text = &s.status.as_ref().unwrap().text;
    assert!(
        text.contains("after this track and your 2 pinned tracks"),
        "{text}"
    );
}
