//! Unit tests of `app::reco`: the event mapping, reordering that keeps pins, auto-fill, and the
//! re-ranking on a marked emotion change. States are driven through `update`, as in the player.

use std::path::PathBuf;

use super::*;
use crate::app::queue::QueueItem;
use crate::app::state::Msg;
use crate::app::{update, Action, Pane};
use crate::audio::{EngineCommand, EngineEvent};
use crate::core::Track;
use crate::recommend::{Ranked, Reason, Recommendation};

fn track(n: u64) -> Track {
    let path = PathBuf::from(format!("/music/t{n}.wav"));
    let mut t = crate::app::test_library::wav_track(path, format!("T{n}"), 100_000);
    t.artist = Some("A".into());
    t.album = Some("B".into());
    t.track_no = Some(n as u32);
    t
}

fn path(n: u64) -> PathBuf {
    track(n).path
}

fn id(n: u64) -> TrackId {
    track(n).id
}

/// Tracks 0..10 in the catalogue, 0..6 queued with 0 current, 3 pinned, recommender on.
fn state() -> AppState {
    let mut s = AppState::new((0..10).map(track).collect(), Vec::new());
    s.queue.append((0..6).map(|n| QueueItem::new(path(n))));
    s.queue.items[3].pinned = true;
    s.queue.current = Some(0);
    s.player.path = Some(path(0));
    s.reco.enabled = true;
    s
}

fn started(n: u64) -> Msg {
    Msg::Engine(EngineEvent::TrackStarted {
        path: path(n),
        duration_ms: Some(100_000),
    })
}

fn events(effects: &[Effect]) -> Vec<ListenEvent> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::RecoEvent(ev) => Some(*ev),
            _ => None,
        })
        .collect()
}

fn requests(effects: &[Effect]) -> Vec<RankRequest> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::RecoRank(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

fn answer(tag: u64, order: &[u64]) -> Ranked {
    Ranked {
        tag,
        tracks: order
            .iter()
            .map(|n| Recommendation {
                track: id(*n),
                score: 1.0,
                reason: Reason::Explore,
                mood_word: Some("calm"),
            })
            .collect(),
    }
}

fn queue_ids(s: &AppState) -> Vec<TrackId> {
    s.queue.items.iter().map(|i| i.id).collect()
}

#[test]
fn with_the_recommender_off_the_player_sends_it_nothing() {
    let mut s = state();
    s.reco.enabled = false;
    let effects = update(&mut s, started(0));
    assert!(events(&effects).is_empty() && requests(&effects).is_empty());
}

#[test]
fn a_track_start_is_logged_and_ranks_the_not_pinned_upcoming_items() {
    let mut s = state();
    let effects = update(&mut s, started(0));
    let ev = events(&effects);
    assert_eq!(ev.len(), 1);
    assert_eq!((ev[0].track, ev[0].signal), (id(0), Signal::Started));
    let req = requests(&effects);
    assert_eq!(req.len(), 1, "no fill: auto mode is off");
    let asked: Vec<TrackId> = req[0].candidates.iter().map(|c| c.track).collect();
    assert_eq!(asked, [id(1), id(2), id(4), id(5)], "3 is pinned, 0 plays");
}

#[test]
fn the_answer_reorders_around_the_pin_tells_the_engine_and_keeps_the_explanations() {
    let mut s = state();
    let tag = requests(&update(&mut s, started(0)))[0].tag;
    s.queue.cursor = 2; // on t2
    let effects = update(&mut s, Msg::RecoRanked(answer(tag, &[5, 2, 4, 1])));
    assert_eq!(queue_ids(&s), [id(0), id(5), id(2), id(3), id(4), id(1)]);
    assert_eq!(s.queue.current, Some(0));
    assert!(s.queue.items[3].pinned);
    assert_eq!(s.queue.cursor, 2, "the cursor stays on the same track");
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Engine(EngineCommand::SetNext(Some(r))) if r.path == path(5)
    )));
    assert!(matches!(effects.last(), Some(Effect::SaveQueue(_))));
    assert_eq!(
        s.reco.explanations.get(&id(5)).map(String::as_str),
        Some("calm, something new to try")
    );
}

#[test]
fn after_the_playing_item_is_removed_only_what_followed_it_is_reordered() {
    let mut s = state();
    update(&mut s, started(0));
    let tag = requests(&update(&mut s, started(1)))[0].tag;
    assert_eq!(s.queue.current, Some(1));
    s.focus = Pane::Queue;
    s.queue.cursor = 1;
    update(&mut s, Msg::Action(Action::QueueRemove)); // t1, playing, leaves the queue
    assert_eq!(queue_ids(&s), [id(0), id(2), id(3), id(4), id(5)]);
    update(&mut s, Msg::RecoRanked(answer(tag, &[5, 0, 2, 4])));
    assert_eq!(
        queue_ids(&s),
        [id(0), id(5), id(3), id(2), id(4)],
        "t0 was played before it and stays; the pinned t3 stays"
    );
}

#[test]
fn an_answer_to_an_older_request_is_dropped() {
    let mut s = state();
    let old = requests(&update(&mut s, started(0)))[0].tag;
    let _newer = requests(&update(&mut s, started(0)))[0].tag;
    let before = queue_ids(&s);
    assert!(update(&mut s, Msg::RecoRanked(answer(old, &[5, 4, 2, 1]))).is_empty());
    assert_eq!(queue_ids(&s), before);
}

#[test]
fn a_skip_logs_the_fraction_heard_and_the_valence_change_over_the_track() {
    let mut s = state();
    update(&mut s, Msg::Emotion(EmotionReading::manual(4, 1))); // sad
    update(&mut s, started(0));
    update(&mut s, Msg::Emotion(EmotionReading::manual(3, 2))); // happy
    let effects = update(
        &mut s,
        Msg::Engine(EngineEvent::TrackEnded {
            path: path(0),
            position_ms: 25_000,
            completed: false,
            failure: None,
        }),
    );
    let ev = events(&effects);
    let Signal::Finished {
        heard,
        skipped,
        valence_change: Some(dv),
    } = ev[0].signal
    else {
        panic!("not a finished event with a valence change: {ev:?}");
    };
    assert!(skipped && (heard - 0.25).abs() < 1e-6);
    assert!((dv - (0.8 - -0.7)).abs() < 1e-5, "sad → happy: {dv}");
    assert_eq!(
        ev[0].listener.map(|l| l.valence),
        Some(-0.7),
        "the emotion at the start"
    );
}

#[test]
fn starting_the_track_that_just_ended_again_is_a_replay_but_repeat_one_is_not() {
    let mut s = state();
    update(&mut s, started(0));
    let ended = Msg::Engine(EngineEvent::TrackEnded {
        path: path(0),
        position_ms: 100_000,
        completed: true,
        failure: None,
    });
    update(&mut s, ended);
    let signals: Vec<Signal> = events(&update(&mut s, started(0)))
        .iter()
        .map(|e| e.signal)
        .collect();
    assert_eq!(signals, [Signal::Started, Signal::Replayed]);
    s.queue.repeat = Repeat::One;
    update(
        &mut s,
        Msg::Engine(EngineEvent::TrackEnded {
            path: path(0),
            position_ms: 100_000,
            completed: true,
            failure: None,
        }),
    );
    assert_eq!(events(&update(&mut s, started(0))).len(), 1);
}

#[test]
fn ratings_and_moves_by_hand_are_logged() {
    let mut s = state();
    let ev = events(&update(
        &mut s,
        Msg::RatingSaved {
            id: id(2),
            rating: Rating::new(5),
        },
    ));
    assert_eq!(ev[0].signal, Signal::Rated { stars: 5 });
    s.focus = Pane::Queue;
    s.queue.cursor = 2;
    let ev = events(&update(&mut s, Msg::Action(Action::QueueMoveUp)));
    assert_eq!(ev.len(), 1);
    assert_eq!(
        (ev[0].track, ev[0].signal),
        (id(2), Signal::MovedByHand { toward_front: true })
    );
    assert!(s.queue.items[1].pinned, "a moved item is pinned");
}

#[test]
fn auto_mode_fills_the_queue_from_the_library_when_it_runs_low() {
    let mut s = state();
    s.queue.current = Some(4); // only t5 is left
    s.reco.settings.auto_min = 3;
    let effects = update(&mut s, Msg::Action(Action::ToggleAuto));
    assert!(s.reco.settings.auto);
    let req = requests(&effects);
    let fill = req.last().expect("a fill request");
    let asked: Vec<TrackId> = fill.candidates.iter().map(|c| c.track).collect();
    assert_eq!(asked.len(), 4, "the 4 tracks not in the queue");
    assert!(asked.iter().all(|t| !queue_ids(&s).contains(t)));
    let mut reply = answer(fill.tag, &[9, 7, 8, 6]);
    reply.tracks[0].reason = Reason::JustPlayed;
    let effects = update(&mut s, Msg::RecoRanked(reply));
    assert_eq!(&queue_ids(&s)[6..], [id(7), id(8)], "t9 was just played");
    assert!(!s.queue.items[6].pinned);
    assert!(s.reco.explanations.contains_key(&id(7)));
    assert!(matches!(effects.last(), Some(Effect::SaveQueue(_))));
}

#[test]
fn auto_mode_asks_for_nothing_more_when_enough_is_queued() {
    let mut s = state();
    s.reco.settings.auto = true;
    s.reco.settings.auto_min = 3;
    assert_eq!(
        requests(&update(&mut s, started(0))).len(),
        1,
        "reorder only"
    );
}

#[test]
fn a_marked_emotion_change_logs_the_reading_and_reranks_a_small_one_does_not() {
    let mut s = state();
    update(&mut s, started(0));
    let effects = update(&mut s, Msg::Emotion(EmotionReading::manual(4, 10)));
    assert_eq!(
        effects[0],
        Effect::EmotionChanged(EmotionReading::manual(4, 10))
    );
    assert_eq!(events(&effects)[0].signal, Signal::EmotionSeen);
    assert_eq!(requests(&effects).len(), 1);
    // A camera reading close to it, a minute later: no re-rank.
    let mut probs = [0.0; 7];
    probs[4] = 0.9;
    probs[6] = 0.1;
    let near = EmotionReading::from_probs(probs, crate::core::EmotionSource::Camera, 70_000);
    let effects = update(&mut s, Msg::Emotion(near));
    let effects: Vec<_> = effects
        .into_iter()
        .filter(|e| !matches!(e, Effect::RecordReading(_)))
        .collect();
    assert_eq!(
        effects.len(),
        1,
        "only the panel's EmotionChanged (and the diary's reading): {effects:?}"
    );
}
