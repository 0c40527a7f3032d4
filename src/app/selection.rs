//! What the keys do to the selection of the focused pane: move it, open it, queue it (at the
//! end, now or next), move a queue item by hand, and rate it (or the playing track).

use super::action::Action;
use super::browser::Row;
use super::playback;
use super::queue::QueueItem;
use super::reco;
use super::state::{AppState, Effect, Pane};
use crate::core::text::counted;
use crate::core::{Rating, TrackId};
use std::collections::HashSet;

pub(super) fn move_cursor(state: &mut AppState, delta: i64) {
    let (len_lib, len_queue) = (state.browser.rows.len(), state.queue.len());
    let (cursor, len) = match state.focus {
        Pane::Library => (&mut state.browser.cursor, len_lib),
        Pane::Queue => (&mut state.queue.cursor, len_queue),
    };
    let max = len.saturating_sub(1) as i64;
    *cursor = (*cursor as i64).saturating_add(delta).clamp(0, max) as usize;
}

pub(super) fn open(state: &mut AppState) -> Vec<Effect> {
    match state.focus {
        Pane::Library => match state.browser.rows.get(state.browser.cursor) {
            Some(Row::Track(_)) => play_from_here(state),
            Some(_) => {
                state.browser.open();
                Vec::new()
            }
            None => Vec::new(),
        },
        Pane::Queue if state.queue.cursor < state.queue.len() => {
            playback::play_index(state, state.queue.cursor, 0)
        }
        Pane::Queue => Vec::new(),
    }
}

/// Queue items for the library selection.
fn selection(state: &AppState) -> Vec<QueueItem> {
    queue_items(state, &state.browser.selected_tracks(&state.catalogue))
}

/// Queue items for these catalogue tracks, in order (a track the catalogue lacks is left out).
fn queue_items(state: &AppState, ids: &[TrackId]) -> Vec<QueueItem> {
    (ids.iter())
        .filter_map(|&id| state.catalogue.get(id))
        .map(|t| QueueItem::new(t.path.clone()))
        .collect()
}

pub(super) fn enqueue(state: &mut AppState) {
    if state.focus != Pane::Library {
        return;
    }
    let items = selection(state);
    let n = items.len();
    state.queue.append(items);
    state.info(format!("added {} to the queue", counted(n, "track")));
}

pub(super) fn play_now(state: &mut AppState) -> Vec<Effect> {
    if state.focus == Pane::Queue {
        return open(state);
    }
    let items = selection(state);
    if items.is_empty() {
        return Vec::new();
    }
    let at = state.queue.insert_next(items);
    playback::play_index(state, at, 0)
}

/// `enter` on a track: it plays now and the rest of its album (or folder) follows, in the
/// browser's order (`Browser::from_here`). Those tracks leave the upcoming items (all of the
/// queue when nothing is current) first, so that playing from another track of an album already
/// queued does not queue it twice. The followers are pinned, as `p`'s are: the listener chose
/// them and their order, so the recommender does not reorder the album (it still reorders the
/// rest of the queue).
fn play_from_here(state: &mut AppState) -> Vec<Effect> {
    let ids = state.browser.from_here();
    let wanted: HashSet<TrackId> = ids.iter().copied().collect();
    let upcoming = state.queue.upcoming_start();
    for i in (upcoming..state.queue.len()).rev() {
        if wanted.contains(&state.queue.items[i].id) {
            state.queue.remove(i);
        }
    }
    let items = QueueItem::in_order(queue_items(state, &ids).into_iter().map(|i| i.path));
    let Some(first) = items.first().map(|i| i.id) else {
        return Vec::new();
    };
    let n = items.len();
    let at = state.queue.insert_next(items);
    if n > 1 {
        let album = state.catalogue.get(first).map(super::browser::album_key);
        let more = counted(n - 1, "more track");
        match (album, state.browser.folders.is_some()) {
            (Some(album), false) => state.info(format!("then {more} of {album}")),
            _ => state.info(format!("then {more} of this folder")),
        }
    }
    playback::play_index(state, at, 0)
}

pub(super) fn play_next(state: &mut AppState) -> Vec<Effect> {
    if state.focus != Pane::Library {
        return Vec::new();
    }
    let mut items = selection(state);
    for i in &mut items {
        i.pinned = true;
    }
    let n = items.len();
    let ids: Vec<TrackId> = items.iter().map(|i| i.id).collect();
    state.queue.insert_next(items);
    state.info(format!("{} will play next", counted(n, "track")));
    let mut effects = playback::refresh_next(state);
    for id in ids {
        effects.extend(reco::moved_by_hand(state, id, true));
    }
    effects
}

/// `K`/`J` in the queue: the edit, and the recommender learns that the listener placed it.
pub(super) fn move_by_hand(state: &mut AppState, a: Action) -> Vec<Effect> {
    let before = state.queue.cursor;
    let id = state.queue.items.get(before).map(|i| i.id);
    let mut effects = playback::queue_edit(state, a);
    if let (Some(id), true) = (id, state.queue.cursor != before) {
        effects.extend(reco::moved_by_hand(state, id, a == Action::QueueMoveUp));
    }
    effects
}

/// The track a rating key applies to: the selected track in the focused pane, else the one
/// playing.
fn rating_target(state: &AppState) -> Option<TrackId> {
    let selected = match state.focus {
        Pane::Library => match state.browser.rows.get(state.browser.cursor) {
            Some(Row::Track(id)) => Some(*id),
            _ => None,
        },
        Pane::Queue => state.queue.items.get(state.queue.cursor).map(|i| i.id),
    };
    selected.or_else(|| state.player.path.as_deref().map(TrackId::from_path))
}

pub(super) fn rate(state: &mut AppState, stars: u8) -> Vec<Effect> {
    match rating_target(state) {
        Some(id) => vec![Effect::SaveRating {
            id,
            rating: Rating::new(stars),
        }],
        None => {
            state.info("nothing to rate: select or play a track");
            Vec::new()
        }
    }
}
