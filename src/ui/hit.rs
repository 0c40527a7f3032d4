//! The mouse's hit test: which pane, row or progress-bar point a terminal cell is, computed with
//! the very layout functions `render` draws with (`layout`, the lists' borders and scroll
//! offsets, the now-playing text area, the picker's rectangle), so a click always lands on what
//! is drawn there. Pure; the runtime calls it with the screen size and where the cover was
//! drawn, and sends `update` the answer.

use ratatui::layout::{Position, Rect};

use super::layout::{inside_border, layout, now_playing_text, progress_bar};
use super::lists::scroll_offset;
use crate::app::mouse::MouseTarget;
use crate::app::state::{AppState, Overlay, Pane};

/// What is at cell (`column`, `row`) of a `screen`-sized terminal showing `state`, with the cover
/// drawn at `art` (`None`: no cover shown).
pub fn hit(
    screen: Rect,
    art: Option<Rect>,
    state: &AppState,
    column: u16,
    row: u16,
) -> MouseTarget {
    let p = Position::new(column, row);
    if !screen.contains(p) {
        return MouseTarget::Nothing;
    }
    match &state.overlay {
        Some(Overlay::Playlists { lists, cursor, .. }) => {
            let at = super::picker::row_at(screen, lists.len(), *cursor, p);
            return at.map_or(MouseTarget::Nothing, MouseTarget::PickerRow);
        }
        // Help and the mood picker cover the screen's middle: nothing under them takes clicks.
        Some(_) => return MouseTarget::Nothing,
        None => {}
    }
    let areas = layout(screen);
    let lists = [
        (
            areas.library,
            Pane::Library,
            state.browser.cursor,
            state.browser.rows.len(),
        ),
        (
            areas.queue,
            Pane::Queue,
            state.queue.cursor,
            state.queue.len(),
        ),
    ];
    for (area, pane, cursor, len) in lists {
        let Some(area) = area.filter(|a| a.contains(p)) else {
            continue;
        };
        return match list_row(area, cursor, len, p) {
            Some(i) if pane == Pane::Library => MouseTarget::LibraryRow(i),
            Some(i) => MouseTarget::QueueRow(i),
            None => MouseTarget::Pane(pane),
        };
    }
    if let Some(np) = areas.now_playing.filter(|a| a.contains(p)) {
        let (left, right, _, _) = super::now_playing::progress_labels(state);
        let bar = progress_bar(now_playing_text(np, art), left.len(), right.len());
        if let Some(bar) = bar.filter(|b| b.contains(p)) {
            // The middle of the cell clicked.
            let fraction = (f32::from(p.x - bar.x) + 0.5) / f32::from(bar.width);
            return MouseTarget::Progress { fraction };
        }
    }
    MouseTarget::Nothing
}

/// The list row at `p` in a list pane `area` with its cursor at `cursor` and `len` rows.
fn list_row(area: Rect, cursor: usize, len: usize, p: Position) -> Option<usize> {
    let inner = inside_border(area);
    if !inner.contains(p) {
        return None;
    }
    let i = scroll_offset(cursor, usize::from(inner.height)) + usize::from(p.y - inner.y);
    (i < len).then_some(i)
}
