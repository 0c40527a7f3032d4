//! The mouse as `update` sees it: semantic targets (a library or queue row, a pane, a point of
//! the progress bar, a row of the playlist picker) decided by the ui layout's hit test on the
//! runtime's side, and what a click, a double-click or the wheel does to them. Pure: a
//! double-click is two clicks on one row within [`DOUBLE_CLICK`], timed by the arrival stamps
//! the messages carry.

use std::time::{Duration, Instant};

use crossterm::event::{MouseButton, MouseEventKind};

use super::playback;
use super::state::{AppState, Effect, Overlay, Pane, Remote};

/// Two clicks on the same row closer than this are a double-click.
pub const DOUBLE_CLICK: Duration = Duration::from_millis(400);
/// Rows one wheel step moves.
pub const WHEEL_ROWS: i64 = 3;

/// What is under the pointer, in the app's terms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MouseTarget {
    /// A row of the library list (an index into `browser.rows`).
    LibraryRow(usize),
    /// A row of the queue (an index into `queue.items`).
    QueueRow(usize),
    /// A pane away from its rows (its border, title or empty space).
    Pane(Pane),
    /// The progress bar, this far into the track (0.0..=1.0).
    Progress { fraction: f32 },
    /// A row of the saved-playlist picker.
    PickerRow(usize),
    /// Nothing that takes the mouse.
    Nothing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MouseKind {
    /// The left button went down.
    Click,
    WheelUp,
    WheelDown,
}

impl MouseKind {
    /// The kinds mien acts on; moves, drags, releases and other buttons are `None`.
    pub fn from_event(kind: MouseEventKind) -> Option<MouseKind> {
        match kind {
            MouseEventKind::Down(MouseButton::Left) => Some(MouseKind::Click),
            MouseEventKind::ScrollUp => Some(MouseKind::WheelUp),
            MouseEventKind::ScrollDown => Some(MouseKind::WheelDown),
            _ => None,
        }
    }
}

/// One mouse event: where, what, and when it arrived (the input thread's stamp).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MouseInput {
    pub target: MouseTarget,
    pub kind: MouseKind,
    pub at: Instant,
}

/// What `update` remembers between mouse events.
#[derive(Clone, Debug, Default)]
pub struct MouseState {
    /// The last single click (a double-click clears it, so a third click starts afresh).
    last_click: Option<(MouseTarget, Instant)>,
}

/// Applies one mouse event.
pub(super) fn mouse(state: &mut AppState, input: MouseInput) -> Vec<Effect> {
    state.prepare();
    let MouseInput { target, kind, at } = input;
    if state.overlay == Some(Overlay::Help) {
        // The wheel scrolls the help overlay wherever the pointer is; clicks do nothing.
        match kind {
            MouseKind::WheelUp => super::help::scroll(state, -WHEEL_ROWS),
            MouseKind::WheelDown => super::help::scroll(state, WHEEL_ROWS),
            MouseKind::Click => {}
        }
        return Vec::new();
    }
    if state.overlay == Some(Overlay::Messages) {
        match kind {
            MouseKind::WheelUp => super::messages::scroll(state, -WHEEL_ROWS),
            MouseKind::WheelDown => super::messages::scroll(state, WHEEL_ROWS),
            MouseKind::Click => {}
        }
        return Vec::new();
    }
    // Under an overlay only its own rows take the mouse (the hit test says `Nothing` elsewhere).
    if state.overlay.is_some() && !matches!(target, MouseTarget::PickerRow(_)) {
        return Vec::new();
    }
    match kind {
        MouseKind::WheelUp => wheel(state, target, -WHEEL_ROWS),
        MouseKind::WheelDown => wheel(state, target, WHEEL_ROWS),
        MouseKind::Click => return click(state, target, at),
    }
    Vec::new()
}

/// The wheel moves the selection of the pane under the pointer (not the focused one); the list
/// scrolls with it.
fn wheel(state: &mut AppState, target: MouseTarget, delta: i64) {
    let (cursor, len) = match target {
        MouseTarget::LibraryRow(_) | MouseTarget::Pane(Pane::Library) => {
            let len = state.browser.rows.len();
            (&mut state.browser.cursor, len)
        }
        MouseTarget::QueueRow(_) | MouseTarget::Pane(Pane::Queue) => {
            let len = state.queue.len();
            (&mut state.queue.cursor, len)
        }
        MouseTarget::PickerRow(_) => match state.overlay.as_mut() {
            Some(Overlay::Playlists { lists, cursor, .. }) => (cursor, lists.len()),
            _ => return,
        },
        MouseTarget::Progress { .. } | MouseTarget::Nothing => return,
    };
    *cursor = step(*cursor, delta, len);
}

fn step(cursor: usize, delta: i64, len: usize) -> usize {
    let max = len.saturating_sub(1) as i64;
    (cursor as i64).saturating_add(delta).clamp(0, max) as usize
}

fn click(state: &mut AppState, target: MouseTarget, at: Instant) -> Vec<Effect> {
    let is_row = matches!(
        target,
        MouseTarget::LibraryRow(_) | MouseTarget::QueueRow(_) | MouseTarget::PickerRow(_)
    );
    let double = is_row
        && state.mouse.last_click.is_some_and(|(last, when)| {
            last == target && at.saturating_duration_since(when) <= DOUBLE_CLICK
        });
    state.mouse.last_click = (is_row && !double).then_some((target, at));
    match target {
        MouseTarget::LibraryRow(i) if i < state.browser.rows.len() => {
            state.focus = Pane::Library;
            state.browser.cursor = i;
            if double {
                // As enter: a track plays now, an artist, album or folder opens.
                return super::selection::open(state);
            }
        }
        MouseTarget::QueueRow(i) if i < state.queue.len() => {
            state.focus = Pane::Queue;
            state.queue.cursor = i;
            if double {
                return playback::play_index(state, i, 0);
            }
        }
        MouseTarget::PickerRow(i) => {
            if let Some(Overlay::Playlists { lists, cursor, .. }) = state.overlay.as_mut() {
                if i < lists.len() {
                    *cursor = i;
                    if double {
                        return super::picker::choose(state, false);
                    }
                }
            }
        }
        MouseTarget::Pane(p) => state.focus = p,
        MouseTarget::Progress { fraction } => return seek(state, fraction),
        MouseTarget::LibraryRow(_) | MouseTarget::QueueRow(_) | MouseTarget::Nothing => {}
    }
    Vec::new()
}

/// A click on the progress bar: seek to that fraction of the playing track.
fn seek(state: &mut AppState, fraction: f32) -> Vec<Effect> {
    if state.player.path.is_none() {
        return Vec::new();
    }
    let total = (state.player.duration_ms)
        .or_else(|| state.playing_track().map(|t| t.duration_ms))
        .unwrap_or(0);
    if total == 0 {
        return Vec::new();
    }
    let ms = (f64::from(fraction.clamp(0.0, 1.0)) * total as f64).round() as u64;
    playback::remote(state, Remote::SeekTo(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_left_clicks_and_the_wheel_count() {
        use MouseEventKind as K;
        assert_eq!(
            MouseKind::from_event(K::Down(MouseButton::Left)),
            Some(MouseKind::Click)
        );
        assert_eq!(
            MouseKind::from_event(K::ScrollDown),
            Some(MouseKind::WheelDown)
        );
        for k in [
            K::Up(MouseButton::Left),
            K::Down(MouseButton::Right),
            K::Drag(MouseButton::Left),
            K::Moved,
            K::ScrollLeft,
        ] {
            assert_eq!(MouseKind::from_event(k), None, "{k:?}");
        }
    }

    #[test]
    fn the_wheel_stops_at_the_ends() {
        assert_eq!(step(1, -3, 10), 0);
        assert_eq!(step(8, 3, 10), 9);
        assert_eq!(step(0, 3, 0), 0);
    }
}
