//! The saved-playlist picker (`O`): asking the runtime for the list of saved playlists, the
//! overlay's keys (enter replaces the queue and plays, `e` appends, `d` twice deletes), and what
//! the loaded playlist does to the queue. The files are read and deleted off the UI thread
//! (`Effect::ListPlaylists`, `Effect::OpenSavedPlaylist`, `Effect::DeletePlaylist`), answered by
//! `Msg::PlaylistsListed`, `Msg::SavedPlaylistOpened` and `Msg::PlaylistDeleted`.

use std::path::Path;

use super::action::Action;
use super::playback;
use super::queue::QueueItem;
use super::state::{AppState, Effect, Overlay};
use crate::library::playlist::{OpenedPlaylist, SavedPlaylist};

/// `O`: list the saved playlists (the overlay opens when the list arrives).
pub(super) fn open(state: &mut AppState) -> Vec<Effect> {
    state.info("reading the saved playlists…");
    vec![Effect::ListPlaylists]
}

/// The list arrived: the overlay opens on it, or the status line says why not.
pub(super) fn listed(state: &mut AppState, result: Result<Vec<SavedPlaylist>, String>) {
    match result {
        Ok(lists) if lists.is_empty() => {
            state.info("no saved playlists yet: w saves the queue as one");
        }
        Ok(lists) => {
            state.status = None;
            state.overlay = Some(Overlay::Playlists {
                lists,
                cursor: 0,
                deleting: false,
            });
        }
        Err(e) => state.error(e),
    }
}

/// A key while the picker is open.
pub(super) fn action(state: &mut AppState, a: Action) -> Vec<Effect> {
    let Some(Overlay::Playlists {
        lists,
        cursor,
        deleting,
    }) = state.overlay.as_mut()
    else {
        return Vec::new();
    };
    let last = lists.len().saturating_sub(1);
    let armed = std::mem::take(deleting);
    match a {
        Action::Up => *cursor = cursor.saturating_sub(1),
        Action::Down => *cursor = (*cursor + 1).min(last),
        Action::Top => *cursor = 0,
        Action::Bottom => *cursor = last,
        Action::Open | Action::PlayNow => return choose(state, false),
        Action::Enqueue => return choose(state, true),
        Action::QueueRemove if armed => {
            if let Some(chosen) = lists.get(*cursor) {
                return vec![Effect::DeletePlaylist(chosen.path.clone())];
            }
        }
        Action::QueueRemove => {
            if let Some(chosen) = lists.get(*cursor) {
                let name = chosen.name.clone();
                *deleting = true;
                state.info(format!(
                    "delete the playlist {name}? d again deletes its file, any other key keeps it"
                ));
            }
        }
        Action::Back | Action::Quit | Action::OpenPlaylists | Action::ToggleHelp => {
            state.overlay = None;
        }
        _ => {}
    }
    Vec::new()
}

/// A saved playlist's file was deleted (or not): it leaves the picker's list.
pub(super) fn deleted(state: &mut AppState, path: &Path, result: Result<(), String>) {
    let name = stem(path);
    if let Err(e) = result {
        state.error(format!("cannot delete the playlist {name}: {e}"));
        return;
    }
    state.info(format!("deleted the playlist {name}"));
    if let Some(Overlay::Playlists { lists, cursor, .. }) = state.overlay.as_mut() {
        lists.retain(|l| l.path != path);
        *cursor = (*cursor).min(lists.len().saturating_sub(1));
        if lists.is_empty() {
            state.overlay = None;
        }
    }
}

fn stem(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// Opens the selected playlist: replaces the queue (and plays), or appends to it.
pub(super) fn choose(state: &mut AppState, append: bool) -> Vec<Effect> {
    let Some(Overlay::Playlists { lists, cursor, .. }) = state.overlay.as_ref() else {
        return Vec::new();
    };
    let Some(chosen) = lists.get(*cursor).cloned() else {
        return Vec::new();
    };
    if let Err(why) = &chosen.tracks {
        // The overlay stays: another playlist may be chosen.
        state.error(format!("cannot open playlist {}: {why}", chosen.name));
        return Vec::new();
    }
    state.overlay = None;
    vec![Effect::OpenSavedPlaylist {
        path: chosen.path,
        append,
    }]
}

/// A saved playlist was read (or not) for the queue.
pub(super) fn opened(
    state: &mut AppState,
    path: &Path,
    append: bool,
    result: Result<OpenedPlaylist, String>,
) -> Vec<Effect> {
    let name = stem(path);
    let opened = match result {
        Ok(o) => o,
        Err(e) => {
            state.error(format!("cannot open playlist {name}: {e}"));
            return Vec::new();
        }
    };
    let mut left_out = Vec::new();
    if opened.missing > 0 {
        left_out.push(format!("{} missing", opened.missing));
    }
    if opened.skipped > 0 {
        left_out.push(format!("{} not local files or bad lines", opened.skipped));
    }
    let note = if left_out.is_empty() {
        String::new()
    } else {
        format!(" (left out: {})", left_out.join(", "))
    };
    let n = opened.paths.len();
    if n == 0 {
        state.error(format!("playlist {name}: no track to play{note}"));
        return Vec::new();
    }
    let tracks = if n == 1 { "track" } else { "tracks" };
    if append {
        state
            .queue
            .append(opened.paths.into_iter().map(QueueItem::new));
        state.info(format!("added {n} {tracks} from {name}{note}"));
        let mut effects = playback::refresh_next(state);
        effects.push(Effect::SaveQueue(state.saved_queue()));
        return effects;
    }
    // Played, a playlist keeps the order the listener saved it in (`QueueItem::in_order`; the
    // recommender reorders only the unpinned, `x` unpins).
    state.queue.clear();
    state.queue.append(QueueItem::in_order(opened.paths));
    let effects = playback::play_index(state, 0, 0);
    state.info(format!("playing {name}: {n} {tracks}{note}"));
    effects
}
