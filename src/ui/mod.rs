//! Pure rendering: `render(frame, &state, &theme)` draws the whole screen from the state and
//! writes nothing else (`render_with_art` adds the cover the terminal prepared). One file per pane; `layout` decides what fits.

mod diary;
mod emotion;
mod help;
pub mod hit;
mod layout;
mod lists;
mod lyrics;
mod messages;
mod mood_map;
mod now_playing;
mod picker;
mod status;
pub mod theme;

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Block;
use ratatui::Frame;
use ratatui_image::protocol::Protocol;

use crate::app::state::{AppState, Overlay};

pub use help::slots as help_slots;
pub use layout::{layout, list_rows, Areas};
pub use theme::Theme;

/// Draws one frame. Never panics, whatever the terminal size (0×0 included).
pub fn render(frame: &mut Frame, state: &AppState, theme: &Theme) {
    render_with_art(frame, state, theme, None);
}

/// [`render`] with the album art the terminal prepared for the art pane (`layout(..).art`).
pub fn render_with_art(
    frame: &mut Frame,
    state: &AppState,
    theme: &Theme,
    art: Option<(&Protocol, Rect)>,
) {
    let area = frame.area();
    frame.render_widget(
        Block::new().style(Style::new().bg(theme.background).fg(theme.foreground)),
        area,
    );
    let areas = layout(area);
    if state.overlay == Some(Overlay::Diary) {
        // A full-pane view: the panes (and the cover art) give it their room.
        let body = Rect::new(area.x, area.y, area.width, area.height.saturating_sub(1));
        diary::render(frame, body, state, theme);
        if let Some(a) = areas.status {
            status::render(frame, a, state, theme);
        }
        return;
    }
    if let Some(a) = areas.library {
        if state.lyrics.shown {
            lyrics::render(frame, a, state, theme);
        } else {
            lists::library(frame, a, state, theme);
        }
    }
    if let Some(a) = areas.queue {
        lists::queue(frame, a, state, theme);
    }
    if let Some(a) = areas.now_playing {
        now_playing::render(frame, a, art, state, theme);
    }
    if let Some(a) = areas.emotion {
        emotion::render(frame, a, state, theme);
    }
    if let Some(a) = areas.status {
        status::render(frame, a, state, theme);
    }
    if state.mood_map.open {
        // A full-pane view: everything above the status line.
        let body = Rect::new(area.x, area.y, area.width, area.height.saturating_sub(1));
        frame.render_widget(ratatui::widgets::Clear, body);
        mood_map::render(frame, body, state, theme);
    }
    match &state.overlay {
        Some(Overlay::Help) => help::render(frame, area, state, theme),
        Some(Overlay::Messages) => {
            // A full-pane view over the panes, the status line below it.
            let body = Rect::new(area.x, area.y, area.width, area.height.saturating_sub(1));
            messages::render(frame, body, state, theme)
        }
        Some(Overlay::MoodPicker { cursor }) => emotion::picker(frame, area, *cursor, theme),
        Some(Overlay::Playlists {
            lists,
            cursor,
            deleting,
        }) => picker::render(frame, area, lists, *cursor, *deleting, theme),
        Some(Overlay::JourneyPicker { cursor, minutes }) => {
            mood_map::picker(frame, area, *cursor, *minutes, theme)
        }
        // The diary is a full-pane view, drawn in the panes' place.
        Some(Overlay::Diary) | None => {}
    }
}
