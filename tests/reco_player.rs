//! The recommender in the player, headless: the real `runtime::Runtime` (null audio output, a store in
//! a temp dir, the recommender thread) is fed the messages the player's subsystems would send.
//! Player events reach the event log on disk, and a track start reorders the not-pinned upcoming
//! queue items by the recommender's answer, with explanations. No sound card, camera or network.

mod common;

use common::runtime::Harness;

use std::path::Path;

use common::{id, tracks, AWAKE, FAR_AWAY, MORNING, NIGHT_DRIVE, SMALL_RAIN};
use mien::app::queue::QueueItem;
use mien::app::reco::RecoSettings;
use mien::app::{Action, AppState, Msg};
use mien::audio::EngineEvent;
use mien::core::{now_ms, EmotionReading, TrackId};
use mien::recommend::{RecoStore, Signal};
use mien::store::{MoodRecord, Store};

fn mood(valence: f32, arousal: f32) -> MoodRecord {
    MoodRecord {
        size: 1_000,
        mtime_ns: 0,
        model: "musicnn-msd".into(),
        tags: Vec::new(),
        valence,
        arousal,
        label: String::new(),
        confidence: 1.0,
        tagged_at_ms: 0,
    }
}

/// A player on `store` with Awake playing and, after it, Night Drive, Far Away (pinned), Small
/// Rain and Morning. Morning sounds sad; the other upcoming tracks are bright and energetic.
fn player(store: &Store, dir: &Path) -> Harness {
    let mut state = AppState::new(tracks(), Vec::new());
    for p in [AWAKE, NIGHT_DRIVE, FAR_AWAY, SMALL_RAIN, MORNING] {
        state.queue.append([QueueItem::new(p.into())]);
    }
    state.queue.items[2].pinned = true;
    state.queue.current = Some(0);
    let mut h = Harness::new(store, dir, state);
    h.send(Msg::Moods(vec![
        (id(AWAKE), mood(0.0, 0.0)),
        (id(NIGHT_DRIVE), mood(0.9, 0.9)),
        (id(FAR_AWAY), mood(0.9, 0.9)),
        (id(SMALL_RAIN), mood(0.8, 0.9)),
        (id(MORNING), mood(-0.7, -0.4)),
    ]));
    h.state.reco.settings = RecoSettings::default();
    let started = h.rt.start_recommender();
    h.rt.apply_all(&mut h.state, started);
    assert!(h.state.reco.enabled, "the recommender starts on the store");
    h
}

fn titles(state: &AppState) -> Vec<TrackId> {
    state.queue.items.iter().map(|i| i.id).collect()
}

#[test]
fn a_track_start_reorders_the_unpinned_upcoming_tracks_and_player_events_reach_the_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    let mut h = player(&store, dir.path());

    // The listener says they are sad; then Awake starts.
    h.send(Msg::Emotion(EmotionReading::manual(4, now_ms())));
    h.send(Msg::Engine(EngineEvent::TrackStarted {
        path: AWAKE.into(),
        duration_ms: Some(296_000),
    }));
    let reordered = h.pump_until(|s| s.queue.items[1].id == id(MORNING));
    assert!(
        reordered,
        "Morning (sad) should come next for a sad listener: {:?}",
        titles(&h.state)
    );
    assert_eq!(
        h.state.queue.items[0].id,
        id(AWAKE),
        "the playing track stays"
    );
    assert_eq!(
        h.state.queue.items[2].id,
        id(FAR_AWAY),
        "the pinned track stays"
    );
    assert!(h.state.queue.items[2].pinned);
    assert_eq!(h.state.queue.current, Some(0));
    let why = h
        .state
        .reco
        .explanations
        .get(&id(MORNING))
        .expect("an explanation");
    assert!(why.contains("sad"), "{why}");

    // Skipped at 30%, then rated 5 stars (through the store, as the rating key does).
    h.send(Msg::Engine(EngineEvent::TrackEnded {
        path: AWAKE.into(),
        position_ms: 88_800,
        completed: false,
        failure: None,
    }));
    h.send(Msg::Action(Action::Rate5));
    let rated = h.pump_until(|s| s.ratings.contains_key(&id(AWAKE)));
    assert!(rated, "the store answers the rating and the stars change");
    h.rt.shutdown(&h.state);
    drop(h);

    // What the player logged is in the store, and the model learned it.
    let (reco, model) = RecoStore::open(&store).expect("reopen the recommender's tables");
    let log: Vec<_> = reco
        .events_from(0)
        .expect("the log")
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let signals: Vec<(TrackId, Signal)> = log.iter().map(|e| (e.track, e.signal)).collect();
    assert!(
        signals.iter().any(|(_, s)| *s == Signal::EmotionSeen),
        "{signals:?}"
    );
    assert!(
        signals.contains(&(id(AWAKE), Signal::Started)),
        "{signals:?}"
    );
    assert!(
        signals.contains(&(id(AWAKE), Signal::Rated { stars: 5 })),
        "{signals:?}"
    );
    let finished = log
        .iter()
        .find_map(|e| match e.signal {
            Signal::Finished { heard, skipped, .. } if e.track == id(AWAKE) => {
                Some((heard, skipped))
            }
            _ => None,
        })
        .expect("a finished event");
    assert!(
        finished.1 && (finished.0 - 0.3).abs() < 1e-3,
        "{finished:?}"
    );
    let started = log
        .iter()
        .find(|e| e.signal == Signal::Started)
        .expect("start");
    assert_eq!(
        started.listener.map(|l| l.valence),
        Some(-0.7),
        "sad at the start"
    );
    assert_eq!(
        started.mood.map(|m| m.valence),
        Some(0.0),
        "Awake's tagged mood"
    );
    assert_eq!(model.items.get(&id(AWAKE)).map(|s| s.rating), Some(5));
}

#[test]
fn auto_mode_fills_a_short_queue_from_the_library() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    let mut h = player(&store, dir.path());
    h.state.reco.settings.auto_min = 6;
    h.send(Msg::Action(Action::ToggleAuto));
    assert!(h.state.reco.settings.auto);
    // 4 upcoming, 6 wanted: the one library track not queued (Paper Boats) is added.
    let filled = h.pump_until(|s| s.queue.len() == 6);
    assert!(filled, "{:?}", titles(&h.state));
    assert_eq!(h.state.queue.items[5].id, id(common::PAPER_BOATS));
    assert!(!h.state.queue.items[5].pinned);
    assert!(h
        .state
        .reco
        .explanations
        .contains_key(&id(common::PAPER_BOATS)));
    h.rt.shutdown(&h.state);
}
