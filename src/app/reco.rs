//! The player's side of the recommender (issue 6), pure like the rest of `update`: turns what
//! happens in the player (a track started, finished or skipped, replayed, rated, moved by hand;
//! emotion readings) into [`ListenEvent`]s for the log, decides when to ask for a ranking (after
//! each track start, on a marked emotion change, and in auto mode when fewer than `auto_min`
//! tracks are left), and applies the answers: the not-pinned upcoming items are reordered with
//! [`crate::recommend::reorder`], auto mode appends tracks from the library, and the explanation
//! of each ranked track is kept for the queue pane. The runtime performs the effects
//! ([`Effect::RecoEvent`], [`Effect::RecoRank`]) and answers with [`super::Msg::RecoRanked`].

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;

use super::mood_watch::MoodWatch;
use super::playback;
use super::queue::{QueueItem, Repeat};
use super::state::{AppState, Effect};
use crate::audio::EngineEvent;
use crate::core::{now_ms, EmotionReading, Rating, TrackId};
use crate::recommend::score::Reason;
use crate::recommend::{reorder, Candidate, ListenEvent, ListenerMood, Ranked, Signal, TrackMood};

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
    next_tag: u64,
    pending_reorder: Option<u64>,
    pending_fill: Option<u64>,
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
fn catalogued_mood(state: &AppState, t: &crate::core::Track) -> Option<TrackMood> {
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

/// Turns auto mode on or off; on, the queue is filled at once if it is short.
pub fn toggle_auto(state: &mut AppState) -> Vec<Effect> {
    if !state.reco.enabled {
        state.error("auto mode needs the recommender, which is not running");
        return Vec::new();
    }
    let s = &mut state.reco.settings;
    s.auto = !s.auto;
    if s.auto {
        let n = s.auto_min;
        state.info(format!(
            "auto mode on: at least {n} tracks ahead, picked from the library"
        ));
        request_ranking(state)
    } else {
        state.info("auto mode off");
        Vec::new()
    }
}

/// Indices of the items that play after the current one (all items when none is current).
fn upcoming(state: &AppState) -> std::ops::Range<usize> {
    let start = state.queue.upcoming_start();
    start.min(state.queue.len())..state.queue.len()
}

fn candidate(state: &AppState, track: TrackId) -> Candidate {
    Candidate {
        track,
        mood: track_mood(state, track),
    }
}

/// The rankings to ask for now: the not-pinned upcoming items (to reorder), and in auto mode,
/// when fewer than `auto_min` items are upcoming, the library's other tracks (to fill).
fn request_ranking(state: &mut AppState) -> Vec<Effect> {
    // A mood journey's order is its plan.
    if super::journey::active(state) {
        return Vec::new();
    }
    let listener = state.reco.watch.listener();
    let mut effects = Vec::new();
    let movable: Vec<Candidate> = upcoming(state)
        .filter(|&i| !state.queue.items[i].pinned)
        .map(|i| candidate(state, state.queue.items[i].id))
        .collect();
    if state.reco.settings.reorder && !movable.is_empty() {
        let tag = next_tag(state);
        state.reco.pending_reorder = Some(tag);
        effects.push(Effect::RecoRank(RankRequest {
            tag,
            n: movable.len(),
            candidates: movable,
            listener,
        }));
    }
    let ahead = upcoming(state).len();
    let settings = state.reco.settings;
    if settings.auto && ahead < settings.auto_min {
        let queued: HashSet<TrackId> = state.queue.items.iter().map(|i| i.id).collect();
        let candidates: Vec<Candidate> = state
            .catalogue
            .iter()
            .filter(|t| !queued.contains(&t.id))
            .map(|t| Candidate {
                track: t.id,
                mood: catalogued_mood(state, t),
            })
            .collect();
        if !candidates.is_empty() {
            let tag = next_tag(state);
            state.reco.pending_fill = Some(tag);
            effects.push(Effect::RecoRank(RankRequest {
                tag,
                // A few spare in case some were just played.
                n: (settings.auto_min - ahead + 5).min(candidates.len()),
                candidates,
                listener,
            }));
        }
    }
    effects
}

fn next_tag(state: &mut AppState) -> u64 {
    state.reco.next_tag += 1;
    state.reco.next_tag
}

fn explain(state: &AppState, r: &crate::recommend::Recommendation) -> String {
    let title = |id: TrackId| {
        state
            .catalogue
            .get(id)
            .map_or_else(|| "a track".to_string(), |t| t.display_title())
    };
    r.explain(&title)
}

/// The recommender's answer: reorder or fill, as the request with this tag asked. Answers to
/// older requests (superseded by a newer one) are dropped.
pub fn ranked(state: &mut AppState, answer: Ranked) -> Vec<Effect> {
    if !state.reco.enabled {
        return Vec::new();
    }
    if let Some(effects) = super::journey::ranked(state, &answer) {
        return effects;
    }
    let changed = if state.reco.pending_reorder == Some(answer.tag) {
        state.reco.pending_reorder = None;
        apply_order(state, &answer)
    } else if state.reco.pending_fill == Some(answer.tag) {
        state.reco.pending_fill = None;
        fill(state, &answer)
    } else {
        return Vec::new();
    };
    if !changed {
        return Vec::new();
    }
    let mut effects = playback::refresh_next(state);
    effects.push(Effect::SaveQueue(state.saved_queue()));
    effects
}

/// Reorders the not-pinned upcoming items by the ranking and keeps the explanations of the
/// first [`EXPLAINED_AHEAD`] upcoming ones; `true` if the queue changed.
fn apply_order(state: &mut AppState, answer: &Ranked) -> bool {
    let q = &mut state.queue;
    let keys: Vec<(TrackId, bool)> = q.items.iter().map(|i| (i.id, i.pinned)).collect();
    let ranking: Vec<TrackId> = answer.tracks.iter().map(|r| r.track).collect();
    let order = reorder(&keys, q.current, &ranking);
    let changed = order.iter().enumerate().any(|(k, &i)| k != i);
    if changed {
        let cursor_item = order.iter().position(|&i| i == q.cursor);
        q.items = order.iter().map(|&i| q.items[i].clone()).collect();
        if let Some(c) = cursor_item {
            q.cursor = c;
        }
    }
    let ahead: HashSet<TrackId> = upcoming(state)
        .take(EXPLAINED_AHEAD)
        .map(|i| state.queue.items[i].id)
        .collect();
    let explained: Vec<(TrackId, String)> = answer
        .tracks
        .iter()
        .filter(|r| ahead.contains(&r.track))
        .map(|r| (r.track, explain(state, r)))
        .collect();
    state.reco.explanations.retain(|id, _| ahead.contains(id));
    state.reco.explanations.extend(explained);
    changed
}

/// Appends the best tracks the listener has not just heard until `auto_min` are upcoming.
fn fill(state: &mut AppState, answer: &Ranked) -> bool {
    let settings = state.reco.settings;
    let ahead = upcoming(state).len();
    if !settings.auto || ahead >= settings.auto_min {
        return false;
    }
    let queued: HashSet<TrackId> = state.queue.items.iter().map(|i| i.id).collect();
    let picks: Vec<(QueueItem, String)> = answer
        .tracks
        .iter()
        .filter(|r| r.reason != Reason::JustPlayed && !queued.contains(&r.track))
        .filter_map(|r| {
            let t = state.catalogue.get(r.track)?;
            Some((QueueItem::new(t.path.clone()), explain(state, r)))
        })
        .take(settings.auto_min - ahead)
        .collect();
    if picks.is_empty() {
        return false;
    }
    for (item, why) in picks {
        state.reco.explanations.insert(item.id, why);
        state.queue.items.push(item);
    }
    true
}

#[cfg(test)]
#[path = "reco_tests.rs"]
mod tests;
