//! The saved-playlist picker overlay (`O`): name, track count and date of each playlist in the
//! data dir's `playlists/`, newest first; where it goes is `picker_rect`, shared with the hit
//! test.

use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::help::centered;
use super::lists::scroll_offset;
use super::Theme;
use crate::library::playlist::SavedPlaylist;

/// The overlay's rectangle for `n` playlists on an `area`-sized screen.
pub fn picker_rect(area: Rect, n: usize) -> Rect {
    let h = (n as u16)
        .saturating_add(2)
        .min(area.height.saturating_sub(2));
    centered(area, 72.min(area.width.saturating_sub(4)), h.max(3))
}

/// The playlist under `p` (an index into the list), if any.
pub fn row_at(area: Rect, n: usize, cursor: usize, p: Position) -> Option<usize> {
    let inner = super::layout::inside_border(picker_rect(area, n));
    if !inner.contains(p) {
        return None;
    }
    let i = scroll_offset(cursor, usize::from(inner.height)) + usize::from(p.y - inner.y);
    (i < n).then_some(i)
}

/// `2026-12-01 15:34` (UTC) from seconds since the epoch.
fn date(secs: u64) -> String {
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = crate::core::civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        rest / 3600,
        rest / 60 % 60
    )
}

pub fn render(
    frame: &mut Frame,
    area: Rect,
    lists: &[SavedPlaylist],
    cursor: usize,
    deleting: bool,
    theme: &Theme,
) {
    let rect = picker_rect(area, lists.len());
    if rect.width < 20 || rect.height < 3 {
        return;
    }
    frame.render_widget(Clear, rect);
    let (title, colour) = match lists.get(cursor) {
        Some(l) if deleting => (
            format!(
                " Delete {}? d again deletes it · any other key keeps it ",
                l.name
            ),
            theme.error,
        ),
        _ => (
            " Saved playlists · enter plays · e adds · d deletes · esc closes ".to_string(),
            theme.accent,
        ),
    };
    let block = Block::bordered()
        .title(Span::styled(
            title,
            Style::new().fg(colour).add_modifier(Modifier::BOLD),
        ))
        .border_style(Style::new().fg(colour))
        .style(Style::new().bg(theme.background).fg(theme.foreground));
    let inner = super::layout::inside_border(rect);
    frame.render_widget(block, rect);
    let h = usize::from(inner.height);
    let name_w = usize::from(inner.width).saturating_sub(32).max(8);
    let lines: Vec<Line> = (lists.iter().enumerate())
        .skip(scroll_offset(cursor, h))
        .take(h)
        .map(|(i, l)| {
            let (count, count_style) = match &l.tracks {
                Ok(1) => ("1 track".to_string(), Style::new().fg(theme.dim)),
                Ok(n) => (format!("{n} tracks"), Style::new().fg(theme.dim)),
                Err(_) => ("unreadable".to_string(), Style::new().fg(theme.error)),
            };
            let name: String = l.name.chars().take(name_w).collect();
            let mut line = Line::from(vec![
                Span::raw(format!("{name:<name_w$}")),
                Span::styled(format!(" {count:>12}"), count_style),
                Span::styled(
                    format!("  {}", date(l.modified_s)),
                    Style::new().fg(theme.dim),
                ),
            ]);
            if i == cursor {
                line = line.style(Style::new().bg(theme.selection_bg).fg(theme.selection_fg));
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_utc_minutes() {
        assert_eq!(super::date(0), "1970-01-01 00:00");
        assert_eq!(super::date(1_796_139_000), "2026-12-01 15:30");
    }
}
