//! The player's side of the recommender (issue 6), pure like the rest of `update`: turns what
//! happens in the player (a track started, finished or skipped, replayed, rated, moved by hand;
//! emotion readings) into [`ListenEvent`]s for the log, decides when to ask for a ranking (after
//! each track start, on a marked emotion change, and in auto mode when fewer than `auto_min`
//! tracks are left); `app::reco_rank` asks and applies the answers (the not-pinned upcoming
//! items reordered, auto mode's tracks appended, the explanations kept). The runtime performs
//! the effects ([`Effect::RecoEvent`], [`Effect::RecoRank`]) and answers with
//! [`super::Msg::RecoRanked`].

use std::collections::{HashMap, VecDeque};
use std::path::Path;

use super::mood_watch::MoodWatch;
use super::queue::Repeat;
use super::reco_rank::request_ranking;
pub use super::reco_rank::{ranked, toggle_auto};
use super::state::{AppState, Effect};
use crate::audio::EngineEvent;
use crate::core::{now_ms, EmotionReading, Rating, TrackId};
use crate::recommend::{Candidate, ListenEvent, ListenerMood, Signal, TrackMood};

/// A track started again within this long of its end (not by repeat-one) counts as replayed.
pub const REPLAY_WINDOW_MS: u64 = 10 * 60 * 1000;
/// Upcoming tracks whose explanation is kept (the queue pane shows at most a screenful).
pub const EXPLAINED_AHEAD: usize = 50;

/// `[recommend]` in the config, as the UI thread uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecoSettings {
    /// Reorder the not-pinned upcoming items after each track start and on marked emotion changes.
    pub reorder: bool,
    /// Auto mode: keep at least `auto_min` upcoming tracks, filled from the library.
    pub auto: bool,
    pub auto_min: usize,
}

impl RecoSettings {
    pub fn from_config(r: &crate::config::RecommendConfig) -> RecoSettings {
        RecoSettings {
            reorder: r.reorder,
            auto: r.auto,
            auto_min: r.auto_min.max(1),
        }
    }
}

impl Default for RecoSettings {
    fn default() -> Self {
        RecoSettings {
            reorder: true,
            auto: false,
            auto_min: 5,
        }
    }
}

/// A ranking the runtime should ask the recommender for; the answer comes back with `tag`.
#[derive(Clone, Debug, PartialEq)]
pub struct RankRequest {
    pub tag: u64,
    pub candidates: Vec<Candidate>,
    pub listener: Option<ListenerMood>,
    pub n: usize,
}

/// A track that started, as the log needs it when it ends.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Started {
    track: TrackId,
    listener: Option<ListenerMood>,
}

/// The recommender's part of the UI state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecoState {
    /// The recommender thread runs (`Msg::RecoStarted`); until then nothing here produces
    /// effects.
    pub enabled: bool,
    pub settings: RecoSettings,
    /// The short explanation of each upcoming track the recommender placed.
    pub explanations: HashMap<TrackId, String>,
    pub watch: MoodWatch,
    /// The last few tracks started (gapless playback may start the next before the last ends).
    started: VecDeque<Started>,
    /// The track that ended last, and when.
    last_ended: Option<(TrackId, u64)>,
    pub(super) next_tag: u64,
    pub(super) pending_reorder: Option<u64>,
    pub(super) pending_fill: Option<u64>,
}

/// The mood the tagger found for a track, if its record matches the file as catalogued.
/// (A track no longer catalogued keeps its last tags.)
pub fn track_mood(state: &AppState, id: TrackId) -> Option<TrackMood> {
    match state.catalogue.get(id) {
        Some(t) => catalogued_mood(state, t),
        None => state
            .moods
            .get(&id)
            .map(|r| TrackMood::tagged(r.valence, r.arousal, r.confidence)),
    }
}

/// `track_mood` for a catalogued track at hand (one lookup fewer, for whole-library scans).
pub(super) fn catalogued_mood(state: &AppState, t: &crate::core::Track) -> Option<TrackMood> {
    let record = state.moods.get(&t.id)?;
    (t.size == record.size && t.mtime_ns == record.mtime_ns)
        .then(|| TrackMood::tagged(record.valence, record.arousal, record.confidence))
}

fn event_at(state: &AppState, at_ms: u64, track: TrackId, signal: Signal) -> Effect {
    Effect::RecoEvent(ListenEvent {
        at_ms,
        track,
        signal,
        listener: state.reco.watch.listener(),
        // The log keeps the point only (its fixed encoding has no confidence).
        mood: track_mood(state, track).map(|m| TrackMood::new(m.valence, m.arousal)),
    })
}

/// Log entries and re-ranking after the engine's track events.
pub fn engine_event(state: &mut AppState, ev: &EngineEvent) -> Vec<Effect> {
    if !state.reco.enabled {
        return Vec::new();
    }
    let now = now_ms();
    match ev {
        EngineEvent::TrackStarted { path, .. } => track_started(state, path, now),
        // A damaged file that stopped early says nothing about the listener's taste.
        EngineEvent::TrackEnded {
            path,
            position_ms,
            completed,
            failure: None,
        } => track_ended(state, path, *position_ms, *completed, now),
        _ => Vec::new(),
    }
}

fn track_started(state: &mut AppState, path: &Path, now: u64) -> Vec<Effect> {
    let track = TrackId::from_path(path);
    let mut effects = vec![event_at(state, now, track, Signal::Started)];
    let replayed = state.reco.last_ended.is_some_and(|(t, at)| {
        t == track
            && now.saturating_sub(at) <= REPLAY_WINDOW_MS
            && state.queue.repeat != Repeat::One
    });
    if replayed {
        effects.push(event_at(state, now, track, Signal::Replayed));
    }
    let listener = state.reco.watch.listener();
    let r = &mut state.reco;
    r.started.push_back(Started { track, listener });
    while r.started.len() > 4 {
        r.started.pop_front();
    }
    r.watch.rerank_at(now);
    effects.extend(request_ranking(state));
    effects
}

fn track_ended(
    state: &mut AppState,
    path: &Path,
    position_ms: u64,
    completed: bool,
    now: u64,
) -> Vec<Effect> {
    let track = TrackId::from_path(path);
    let duration = state
        .catalogue
        .get(track)
        .map(|t| t.duration_ms)
        .filter(|d| *d > 0)
        .or(state.player.duration_ms)
        .unwrap_or(0);
    let heard = if completed {
        1.0
    } else if duration > 0 {
        (position_ms as f32 / duration as f32).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let r = &mut state.reco;
    let start = r
        .started
        .iter()
        .rposition(|s| s.track == track)
        .and_then(|i| r.started.remove(i));
    let listener_at_start = start.and_then(|s| s.listener);
    let valence_change = match (listener_at_start, r.watch.listener()) {
        (Some(before), Some(after)) => Some(after.valence - before.valence),
        _ => None,
    };
    r.last_ended = Some((track, now));
    vec![Effect::RecoEvent(ListenEvent {
        at_ms: now,
        track,
        signal: Signal::Finished {
            heard,
            skipped: !completed,
            valence_change,
        },
        // The emotion at the start of the track (the model credits the policy that chose it).
        listener: listener_at_start.or(state.reco.watch.listener()),
        mood: track_mood(state, track),
    })]
}

/// A new emotion reading: logged and re-ranked on a marked change (see `mood_watch`).
pub fn emotion(state: &mut AppState, reading: &EmotionReading) -> Vec<Effect> {
    let marked = state.reco.watch.observe(reading);
    if !state.reco.enabled || !marked {
        return Vec::new();
    }
    let track = state
        .player
        .path
        .as_deref()
        .map_or(TrackId(0), TrackId::from_path);
    let mut effects = vec![event_at(state, reading.at_ms, track, Signal::EmotionSeen)];
    effects.extend(request_ranking(state));
    effects
}

/// A rating the store has saved.
pub fn rated(state: &AppState, id: TrackId, rating: Option<Rating>) -> Vec<Effect> {
    match rating {
        Some(r) if state.reco.enabled => {
            vec![event_at(
                state,
                now_ms(),
                id,
                Signal::Rated { stars: r.stars() },
            )]
        }
        _ => Vec::new(),
    }
}

/// The listener placed a track by hand (moved it up or down, or put it next).
pub fn moved_by_hand(state: &AppState, id: TrackId, toward_front: bool) -> Vec<Effect> {
    if !state.reco.enabled {
        return Vec::new();
    }
    vec![event_at(
        state,
        now_ms(),
        id,
        Signal::MovedByHand { toward_front },
    )]
}

#[cfg(test)]
#[path = "reco_tests.rs"]
mod tests;
