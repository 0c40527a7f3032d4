//! The library browser and the queue: scrolling lists that build only the visible rows, so a
//! 100,000-track library draws as fast as a small one.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::Theme;
use crate::app::browser::Row;
use crate::app::state::{AppState, Pane};
use crate::core::mmss;

/// First visible row: whole pages, so the view does not jump while the cursor moves in a page.
pub fn scroll_offset(cursor: usize, height: usize) -> usize {
    cursor.checked_div(height).map_or(0, |page| page * height)
}

pub(super) fn pane_block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    let border = if focused { theme.accent } else { theme.border };
    let mut title_style = Style::new().fg(if focused {
        theme.accent
    } else {
        theme.foreground
    });
    if theme.bold && focused {
        title_style = title_style.add_modifier(Modifier::BOLD);
    }
    Block::bordered()
        .border_style(Style::new().fg(border))
        .title(Span::styled(format!(" {title} "), title_style))
}

fn selected_style(theme: &Theme, focused: bool) -> Style {
    if focused {
        Style::new().bg(theme.selection_bg).fg(theme.selection_fg)
    } else {
        Style::new().add_modifier(Modifier::UNDERLINED)
    }
}

/// Draws a pane's visible lines in its block, or `hint` (dimmed) when there are none.
fn draw_list(
    frame: &mut Frame,
    area: Rect,
    block: Block,
    lines: Vec<Line>,
    hint: &str,
    theme: &Theme,
) {
    let inner = block.inner(area);
    let empty = lines.is_empty();
    frame.render_widget(Paragraph::new(lines).block(block), area);
    if empty && inner.height > 0 {
        frame.render_widget(
            Paragraph::new(Span::styled(hint, Style::new().fg(theme.dim))),
            inner,
        );
    }
}

/// "1 track", "2 tracks".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn stars(n: u8) -> String {
    let n = usize::from(n.min(5));
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}

pub fn library(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let focused = state.focus == Pane::Library;
    let b = &state.browser;
    let block = pane_block(format!("{} · {}", b.title(), b.rows.len()), focused, theme);
    let inner = super::layout::inside_border(area);
    // The folder view names files as they lie on disk (its point: poor tags).
    let by_file = b.folders.is_some() && b.query.is_none();
    let h = inner.height as usize;
    let offset = scroll_offset(b.cursor, h);
    let playing = state.player.path.as_deref();
    let marker =
        |t: &crate::core::Track| match (playing == Some(t.path.as_path()), state.player.paused) {
            (true, true) => "⏸ ",
            (true, false) => "▶ ",
            _ => "  ",
        };
    let lines: Vec<Line> = b
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(h)
        .map(|(i, row)| {
            let mut line = match row {
                Row::Artist {
                    name,
                    albums,
                    tracks,
                } => Line::from(vec![
                    Span::raw(name.clone()),
                    Span::styled(
                        format!(
                            "  {} · {}",
                            count(*albums, "album"),
                            count(*tracks, "track")
                        ),
                        Style::new().fg(theme.dim),
                    ),
                ]),
                Row::Album {
                    name, year, tracks, ..
                } => Line::from(vec![
                    Span::raw(name.clone()),
                    Span::styled(
                        format!(
                            "  {}{}",
                            year.map(|y| format!("{y} · ")).unwrap_or_default(),
                            count(*tracks, "track")
                        ),
                        Style::new().fg(theme.dim),
                    ),
                ]),
                Row::Folder { name, tracks, .. } => Line::from(vec![
                    Span::styled("▸ ", Style::new().fg(theme.accent)),
                    Span::raw(format!("{name}/")),
                    Span::styled(
                        format!("  {}", count(*tracks, "track")),
                        Style::new().fg(theme.dim),
                    ),
                ]),
                Row::Track(id) => match state.catalogue.get(*id) {
                    Some(t) if by_file => file_line(t, marker(t), state, theme),
                    Some(t) => {
                        let mut spans = vec![
                            Span::styled(marker(t), Style::new().fg(theme.playing)),
                            Span::raw(t.display_title()),
                            Span::styled(
                                format!("  {}", t.display_artist()),
                                Style::new().fg(theme.dim),
                            ),
                            Span::styled(
                                format!("  {}", mmss(t.duration_ms)),
                                Style::new().fg(theme.dim),
                            ),
                        ];
                        if let Some(r) = state.rating(*id) {
                            spans.push(Span::styled(
                                format!("  {}", stars(r.stars())),
                                Style::new().fg(theme.rating),
                            ));
                        }
                        Line::from(spans)
                    }
                    None => Line::from("  (removed)"),
                },
            };
            if i == b.cursor {
                line = line.style(selected_style(theme, focused));
            }
            line
        })
        .collect();
    let hint = if b.query.is_some() {
        "no match"
    } else {
        "no tracks yet: scanning, or no music folder"
    };
    draw_list(frame, area, block, lines, hint, theme);
}

/// A track of the folder view: its file name, length and rating.
fn file_line<'a>(
    t: &crate::core::Track,
    marker: &'static str,
    state: &AppState,
    theme: &Theme,
) -> Line<'a> {
    let name = t.path.file_name().map_or_else(
        || t.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut spans = vec![
        Span::styled(marker, Style::new().fg(theme.playing)),
        Span::raw(name),
        Span::styled(
            format!("  {}", mmss(t.duration_ms)),
            Style::new().fg(theme.dim),
        ),
    ];
    if let Some(r) = state.rating(t.id) {
        spans.push(Span::styled(
            format!("  {}", stars(r.stars())),
            Style::new().fg(theme.rating),
        ));
    }
    Line::from(spans)
}

pub fn queue(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let focused = state.focus == Pane::Queue;
    let q = &state.queue;
    let mut title = format!("Queue · {} · repeat {}", q.len(), q.repeat.label());
    if state.reco.enabled && state.reco.settings.auto {
        title.push_str(" · auto");
    }
    let mut block = pane_block(title, focused, theme);
    // The recommender's reason for the next track, on the bottom border.
    let next = q.upcoming_start();
    if let Some(why) = (q.items.get(next)).and_then(|i| state.reco.explanations.get(&i.id)) {
        block = block.title_bottom(Span::styled(
            format!(" next: {why} "),
            Style::new().fg(theme.dim),
        ));
    }
    let inner = super::layout::inside_border(area);
    let h = inner.height as usize;
    let offset = scroll_offset(q.cursor, h);
    let lines: Vec<Line> = q
        .items
        .iter()
        .enumerate()
        .skip(offset)
        .take(h)
        .map(|(i, item)| {
            let is_current = q.current == Some(i);
            let marker = match (is_current, item.pinned) {
                (true, _) if state.player.paused => "⏸ ",
                (true, _) => "▶ ",
                (false, true) => "📌",
                (false, false) => "  ",
            };
            let marker_color = if is_current {
                theme.playing
            } else {
                theme.pinned
            };
            let (title, artist) = match state.catalogue.get(item.id) {
                Some(t) => (t.display_title(), t.display_artist().to_string()),
                None => (
                    item.path
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    String::new(),
                ),
            };
            let mut title_style = Style::new();
            if is_current {
                title_style = title_style.fg(theme.playing);
            } else if item.pinned {
                title_style = title_style.fg(theme.pinned);
            }
            let mut spans = vec![
                Span::styled(marker, Style::new().fg(marker_color)),
                Span::styled(format!("{:>3}. ", i + 1), Style::new().fg(theme.dim)),
                Span::styled(title, title_style),
                Span::styled(format!("  {artist}"), Style::new().fg(theme.dim)),
            ];
            // Why the recommender put it here (upcoming items it ranked).
            let upcoming = q.current.is_none_or(|c| i > c);
            if let Some(why) = state.reco.explanations.get(&item.id).filter(|_| upcoming) {
                spans.push(Span::styled(
                    format!(" · {why}"),
                    Style::new().fg(theme.dim).add_modifier(Modifier::ITALIC),
                ));
            }
            let mut line = Line::from(spans);
            if i == q.cursor {
                line = line.style(selected_style(theme, focused));
            }
            line
        })
        .collect();
    draw_list(
        frame,
        area,
        block,
        lines,
        "empty: e adds, enter plays",
        theme,
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn scroll_offset_moves_by_whole_pages() {
        assert_eq!(super::scroll_offset(0, 10), 0);
        assert_eq!(super::scroll_offset(9, 10), 0);
        assert_eq!(super::scroll_offset(10, 10), 10);
        assert_eq!(super::scroll_offset(5, 0), 0);
    }
}
