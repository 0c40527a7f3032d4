//! The help overlay, generated from the live keymap (so rebound keys show as bound).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::Theme;
use crate::app::state::AppState;

/// A rectangle of at most `w`×`h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let [_, mid, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(h.min(area.height)),
        Constraint::Fill(1),
    ])
    .areas(area);
    let [_, c, _] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(w.min(area.width)),
        Constraint::Fill(1),
    ])
    .areas(mid);
    c
}

/// Columns of bindings on an `area`-wide screen: two from 80 cells wide, so the whole table fits
/// a standard 80×24 terminal.
fn columns(area: Rect) -> u16 {
    if area.width >= 80 {
        2
    } else {
        1
    }
}

/// Bindings the overlay holds at once on an `area`-sized screen (inside its border, every
/// column), what `app::help` scrolls against.
pub fn slots(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(2)) * usize::from(columns(area))
}

pub fn render(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let rows = state.help.len() as u16;
    let columns = columns(area);
    let inner_w = area.width.saturating_sub(2);
    let room = inner_w / columns;
    let key_w = if room >= 44 { 14 } else { 11 };
    let per_col = rows.div_ceil(columns);
    // Each column as wide as its longest binding needs, where the screen has the room: the
    // first ones at most an equal share, the last what is left. So a wide terminal shows every
    // description whole (equal columns of at most 48 cells cut "auto mode: fill the queue from
    // th") and a narrow one cuts only the right column's longest.
    let need = |items: &[(String, String)]| -> u16 {
        let cells = (items.iter())
            .map(|(keys, what)| keys.chars().count().max(key_w as usize) + 1 + what.chars().count())
            .max()
            .unwrap_or(0);
        u16::try_from(cells).unwrap_or(u16::MAX)
    };
    let needs: Vec<u16> = if per_col + 2 > area.height {
        // Scrolling moves bindings between the columns: each may hold the longest.
        vec![need(&state.help); usize::from(columns)]
    } else {
        state
            .help
            .chunks(usize::from(per_col.max(1)))
            .map(need)
            .collect()
    };
    let mut widths = Vec::with_capacity(usize::from(columns));
    for c in 0..usize::from(columns) {
        let n = needs.get(c).copied().unwrap_or(0);
        let used: u16 = widths.iter().sum();
        let w = if c + 1 < usize::from(columns) {
            n.min(room)
        } else {
            n.min(inner_w.saturating_sub(used))
        };
        widths.push(w);
    }
    let rect = centered(area, widths.iter().sum::<u16>() + 2, per_col + 2);
    if rect.width < 10 || rect.height < 3 {
        return;
    }
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(Span::styled(
            " Keys · ? or esc closes ",
            Style::new().fg(theme.accent).add_modifier(Modifier::BOLD),
        ))
        .border_style(Style::new().fg(theme.accent))
        .style(Style::new().bg(theme.background).fg(theme.foreground));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let cols = Layout::horizontal(widths.iter().map(|w| Constraint::Length(*w))).split(inner);
    // What a short terminal cannot hold is said, not silently cut: the last row says how many
    // bindings are above and below, and the movement keys scroll (`app::help`).
    let fits = usize::from(inner.height) * cols.len();
    let all = state.help.len();
    let (start, shown, per_col) = if all > fits {
        let shown = fits.saturating_sub(1);
        let start = state
            .help_scroll
            .min(crate::app::help::max_scroll(all, fits));
        (start, shown, usize::from(inner.height))
    } else {
        (0, all, usize::from(per_col))
    };
    let visible = &state.help[start..(start + shown).min(all)];
    for (c, col) in cols.iter().enumerate() {
        let mut lines: Vec<Line> = visible
            .iter()
            .skip(c * per_col)
            .take(per_col)
            .map(|(keys, what)| {
                let keys = if keys.is_empty() {
                    "(unbound)"
                } else {
                    keys.as_str()
                };
                // A key longer than its cells starts the row; past the first column, a space
                // keeps it off the (cut) description on its left.
                let gap = match c > 0 && keys.chars().count() >= key_w as usize {
                    true => " ",
                    false => "",
                };
                Line::from(vec![
                    Span::styled(
                        format!("{gap}{keys:>key_w$} ", key_w = key_w as usize),
                        Style::new().fg(theme.accent),
                    ),
                    Span::raw(what.clone()),
                ])
            })
            .collect();
        if all > fits && c + 1 == cols.len() {
            let below = all - start - visible.len();
            let text = match (start, below) {
                (0, b) => format!("… {b} more below: ↓ or pgdn scrolls"),
                (a, 0) => format!("… {a} more above: ↑ or pgup scrolls"),
                (a, b) => format!("… {a} above, {b} below: ↑ ↓ scroll"),
            };
            lines.push(Line::styled(text, Style::new().fg(theme.dim)));
        }
        frame.render_widget(Paragraph::new(lines), *col);
    }
}
