//! Asking the recommender for a ranking and applying its answer (the player's side, with
//! `app::reco`): the not-pinned upcoming items are the candidates; the answer reorders them with
//! [`crate::recommend::reorder`], auto mode appends tracks from the library, and each ranked
//! track's explanation is kept for the queue pane.

use std::collections::HashSet;

use super::playback;
use super::queue::QueueItem;
use super::reco::{catalogued_mood, track_mood, RankRequest, EXPLAINED_AHEAD};
use super::state::{AppState, Effect};
use crate::core::TrackId;
use crate::recommend::score::Reason;
use crate::recommend::{reorder, Candidate, Ranked};

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
pub(super) fn request_ranking(state: &mut AppState) -> Vec<Effect> {
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
    // Only what plays after the current track moves (after the removed playing item too).
    let order = reorder(&keys, q.upcoming_start().checked_sub(1), &ranking);
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
