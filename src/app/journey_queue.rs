//! What a running journey (`app::journey`) does to the queue: how long the tracks ahead of its
//! steps play (the rest of the playing track, the pinned items) and putting the planned steps
//! after them, explained.

use super::playback;
use super::queue::QueueItem;
use super::state::{AppState, Effect};
use crate::core::text::counted;
use crate::core::TrackId;
use crate::recommend::journey::{Plan, UNKNOWN_DURATION_MS};

/// What plays before a journey's steps: the rest of the playing track (when the journey follows
/// it) and the tracks the listener pinned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Ahead {
    pub playing: bool,
    pub pinned: usize,
}

impl Ahead {
    /// "the rest of this track fills", "this track and your 2 pinned tracks fill", ...
    pub fn what(self) -> String {
        match (self.playing, self.pinned) {
            (true, 0) => "the rest of this track fills".to_string(),
            (true, n) => format!("this track and your {} fill", counted(n, "pinned track")),
            (false, n) => format!("your {} fill", counted(n, "pinned track")),
        }
    }

    /// " after this track", " after your 2 pinned tracks", or nothing.
    pub fn after(self) -> String {
        let pinned = counted(self.pinned, "pinned track");
        match (self.playing, self.pinned) {
            (false, 0) => String::new(),
            (true, 0) => " after this track".to_string(),
            (true, _) => format!(" after this track and your {pinned}"),
            (false, _) => format!(" after your {pinned}"),
        }
    }
}

/// The upcoming items the listener pinned, in queue order, and how long they play (a track of
/// unknown length counts as [`UNKNOWN_DURATION_MS`]).
pub(super) fn pinned_ahead(state: &AppState) -> (Vec<TrackId>, u64) {
    let next = state.queue.upcoming_start();
    let ids: Vec<TrackId> = (state.queue.items.iter().skip(next))
        .filter(|i| i.pinned)
        .map(|i| i.id)
        .collect();
    let ms = ids.iter().map(|id| length_ms(state, *id)).sum();
    (ids, ms)
}

/// How long a track plays, as the planner counts it: its catalogue length, or
/// [`UNKNOWN_DURATION_MS`] when that is unknown.
pub(super) fn length_ms(state: &AppState, id: TrackId) -> u64 {
    match state.catalogue.get(id).map_or(0, |t| t.duration_ms) {
        0 => UNKNOWN_DURATION_MS,
        ms => ms,
    }
}

/// What is left of the playing track: its length (the engine's, else the planner's) less the
/// position; 0 when nothing plays.
pub(super) fn current_left_ms(state: &AppState) -> u64 {
    // The engine's track, which plays on even when the listener removed its queue item.
    let Some(path) = &state.player.path else {
        return 0;
    };
    let length = (state.player.duration_ms.filter(|ms| *ms > 0))
        .unwrap_or_else(|| length_ms(state, TrackId::from_path(path)));
    length.saturating_sub(state.player.position_ms)
}

/// Whole minutes of `span_ms` left after `pinned_ms`; `None` under one.
pub(super) fn minutes_left(span_ms: u64, pinned_ms: u64) -> Option<u32> {
    let left = span_ms.saturating_sub(pinned_ms) / 60_000;
    (left >= 1).then(|| u32::try_from(left).unwrap_or(u32::MAX))
}

/// Replaces the items after the current one with the plan's steps, explained; the items the
/// listener pinned stay, in their order, ahead of the steps (a pinned step stays a step).
pub(super) fn put_in_queue(state: &mut AppState, p: &Plan) -> Vec<Effect> {
    let keep = state.queue.upcoming_start();
    let pinned: Vec<QueueItem> = (state.queue.items.drain(keep..))
        .filter(|i| i.pinned)
        .collect();
    let Some(j) = state.journey.active.as_mut() else {
        state.queue.items.extend(pinned);
        return Vec::new();
    };
    j.steps
        .retain(|t| j.played.contains(t) || pinned.iter().any(|i| i.id == *t));
    j.steps.extend(p.steps.iter().map(|s| s.track));
    state.queue.items.extend(pinned);
    for s in &p.steps {
        if let Some(t) = state.catalogue.get(s.track) {
            state.queue.items.push(QueueItem::new(t.path.clone()));
        }
    }
    let (total, name) = (j.steps.len(), j.to.name());
    for (k, t) in j.steps.iter().enumerate() {
        if !j.played.contains(t) {
            let why = format!("step {}/{total} toward {name}", k + 1);
            state.reco.explanations.insert(*t, why);
        }
    }
    state.queue.clamp_cursor();
    playback::refresh_next(state)
}
