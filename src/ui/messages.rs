//! The messages view (`H`): every message the status line was given this session, newest first,
//! each with its time, in the error colour for errors; long ones wrap. Drawn over the panes.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::Theme;
use crate::app::state::{AppState, StatusLevel};

pub fn render(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let log = &state.messages.log;
    let block = Block::bordered()
        .border_style(Style::new().fg(theme.accent))
        .title(Span::styled(
            format!(" messages · {} ", log.len()),
            Style::new().fg(theme.accent).add_modifier(Modifier::BOLD),
        ))
        .title_bottom(Span::styled(
            " esc or q closes ",
            Style::new().fg(theme.dim),
        ));
    frame.render_widget(Clear, area);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let dim = Style::new().fg(theme.dim);
    if log.is_empty() {
        let none = Span::styled("no messages yet this session", dim);
        frame.render_widget(Paragraph::new(Line::from(none)), inner);
        return;
    }
    let lines: Vec<Line> = (log.iter().rev().skip(state.messages.scroll))
        .map(|m| {
            let color = match m.level {
                StatusLevel::Info => theme.info,
                StatusLevel::Error => theme.error,
            };
            let mut spans = vec![
                Span::styled(format!("{} ", m.clock), dim),
                Span::styled(m.text.clone(), Style::new().fg(color)),
            ];
            if m.repeats > 0 {
                spans.push(Span::styled(format!(" ×{}", m.repeats + 1), dim));
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::state::Status;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    fn screen(state: &AppState, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
        let theme = Theme::default();
        t.draw(|f| render(f, f.area(), state, &theme))
            .expect("draw");
        let buf = t.backend().buffer();
        (0..h)
            .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
            .collect()
    }

    #[test]
    fn newest_first_with_time_repeats_and_wrapping() {
        let mut s = AppState::new(Vec::new(), Vec::new());
        assert!(screen(&s, 40, 5).contains("no messages yet"));
        s.set_status_at(Status::info("2 tracks queued (1 entry left out)"), 0);
        s.set_status_at(Status::info("sorted by title"), 10_000);
        s.set_status_at(Status::info("sorted by title"), 11_000);
        let long = "no sound device: playing silently until it is back (ALSA lib pcm.c)";
        s.set_status_at(Status::error(long), 20_000);
        let out = screen(&s, 40, 8);
        let rows: Vec<&str> = out.lines().collect();
        assert!(rows[0].contains("messages · 3"), "{out}");
        assert!(rows[1].contains("no sound device"), "{out}");
        // The long one wraps onto the next row instead of being cut.
        assert!(rows[2].contains("back"), "{out}");
        assert!(out.contains("sorted by title ×2"), "{out}");
        let first = out.find("sorted").unwrap_or(0);
        assert!(
            out.find("2 tracks queued").is_some_and(|i| i > first),
            "{out}"
        );
        // Scrolled by one: the newest is off the top.
        s.messages.scroll = 1;
        assert!(!screen(&s, 40, 8).contains("no sound device"));
    }
}
