//! The status line: the search being typed, else background work as a gauge, else the last
//! message (errors in the error colour, then how many went by unread), else a short hint; on the
//! right, a journey's step and the sleep timer's time left.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::Theme;
use crate::app::state::{AppState, StatusLevel};

/// " · 2 more: H" while messages went by unread (`app::messages`).
fn missed_hint(state: &AppState) -> Option<String> {
    let n = state.messages.missed;
    if n == 0 {
        return None;
    }
    Some(match &state.messages_key {
        Some(k) => format!(" · {n} more: {k}"),
        None => format!(" · {n} more"),
    })
}

pub fn render(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let line = if let Some(p) = &state.save_prompt {
        let hint_style = match p.problem {
            Some(_) => Style::new().fg(theme.error),
            None => Style::new().fg(theme.dim),
        };
        Line::from(vec![
            Span::styled("save the queue as: ", Style::new().fg(theme.accent)),
            Span::raw(p.text.clone()),
            Span::raw("▏ "),
            Span::styled(p.hint(), hint_style),
        ])
    } else if let Some(q) = &state.search_input {
        Line::from(vec![
            Span::styled("/", Style::new().fg(theme.accent)),
            Span::raw(q.clone()),
            Span::raw("▏"),
        ])
    } else if let Some(p) = &state.progress {
        let width = 20usize;
        let filled = (p.done * width)
            .checked_div(p.total)
            .unwrap_or(0)
            .min(width);
        Line::from(vec![
            Span::styled(format!("{} ", p.label), Style::new().fg(theme.info)),
            Span::styled("█".repeat(filled), Style::new().fg(theme.gauge)),
            Span::styled("░".repeat(width - filled), Style::new().fg(theme.dim)),
            Span::styled(
                format!(" {}/{}", p.done, p.total),
                Style::new().fg(theme.dim),
            ),
        ])
    } else if let Some(s) = &state.status {
        let color = match s.level {
            StatusLevel::Info => theme.info,
            StatusLevel::Error => theme.error,
        };
        let mut spans = vec![Span::styled(s.text.clone(), Style::new().fg(color))];
        if let Some(hint) = missed_hint(state) {
            spans.push(Span::styled(hint, Style::new().fg(theme.dim)));
        }
        Line::from(spans)
    } else if let Some(hint) = missed_hint(state) {
        let hint = hint.trim_start_matches(" · ").to_string();
        Line::from(Span::styled(hint, Style::new().fg(theme.dim)))
    } else {
        Line::from(Span::styled(
            "? help · / search · enter play · space pause · q quit",
            Style::new().fg(theme.dim),
        ))
    };
    // The journey's step and the sleep timer's time left, on the right.
    let right: Vec<String> = [
        crate::app::journey::progress(state),
        crate::app::wind_down::status(state),
    ]
    .into_iter()
    .flatten()
    .collect();
    let right = right.join(" · ");
    let w = right.chars().count() as u16;
    if w == 0 || w + 10 > area.width {
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let left = Rect::new(area.x, area.y, area.width - w - 1, area.height);
    frame.render_widget(Paragraph::new(line), left);
    let span = Span::styled(right, Style::new().fg(theme.accent));
    frame.render_widget(
        Paragraph::new(Line::from(span)),
        Rect::new(area.right() - w, area.y, w, area.height),
    );
}
