//! The emotion panel: the listener's current emotion as 7 bars, valence and arousal, and a
//! sparkline of valence over the recent readings; and the manual mood picker.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Sparkline};
use ratatui::Frame;

use super::help::centered;
use super::Theme;
use crate::app::state::{AppState, CameraState};
use crate::core::{EmotionSource, EMOTIONS};

pub fn render(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let panel = &state.emotion;
    let camera = match &panel.camera {
        CameraState::Off => "camera off".to_string(),
        CameraState::Standby => "camera ready".to_string(),
        CameraState::On => "● camera on".to_string(),
        CameraState::NoFace => "● camera on · no face".to_string(),
        CameraState::Unavailable(why) => format!("no camera: {why}"),
    };
    // While the camera captures, the title says so whatever else it shows.
    let rec = match &panel.camera {
        CameraState::On => "● ",
        CameraState::NoFace => "● no face · ",
        _ => "",
    };
    let title = match &panel.current {
        Some(r) => {
            let source = if r.source == EmotionSource::Manual {
                "manual"
            } else {
                "camera"
            };
            let full = format!(
                " {rec}{} · v{:+.1} a{:+.1} · {source} ",
                r.label(),
                r.valence,
                r.arousal
            );
            if full.chars().count() + 2 <= area.width as usize {
                full
            } else {
                format!(" {rec}{} v{:+.1} a{:+.1} ", r.label(), r.valence, r.arousal)
            }
        }
        // The reason is in the panel: the title keeps to what fits a narrow panel.
        None if matches!(panel.camera, CameraState::Unavailable(_)) => " mood · no camera ".into(),
        None => format!(" mood · {camera} "),
    };
    let block = Block::bordered()
        .border_style(Style::new().fg(theme.border))
        .title(Span::styled(title, Style::new().fg(theme.accent)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width < 12 {
        return;
    }
    let Some(reading) = &panel.current else {
        let lines = vec![
            Line::from(Span::styled(camera, Style::new().fg(theme.dim))),
            Line::from(Span::styled(
                "m: tell mien your mood",
                Style::new().fg(theme.dim),
            )),
        ];
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    };
    let bar_w = inner.width.saturating_sub(14) as usize;
    let top = reading.top();
    let lines: Vec<Line> = EMOTIONS
        .iter()
        .enumerate()
        .take(inner.height.saturating_sub(1).max(1) as usize)
        .map(|(i, name)| {
            let p = reading.probs[i].clamp(0.0, 1.0);
            let filled = (p * bar_w as f32).round() as usize;
            let mut label = Style::new().fg(theme.foreground);
            if i == top {
                label = label.add_modifier(Modifier::BOLD);
            }
            Line::from(vec![
                Span::styled(format!("{name:8} "), label),
                Span::styled("█".repeat(filled), Style::new().fg(theme.emotion_color(i))),
                Span::styled("·".repeat(bar_w - filled), Style::new().fg(theme.dim)),
                Span::styled(format!("{:>4.0}%", p * 100.0), Style::new().fg(theme.dim)),
            ])
        })
        .collect();
    let bars_h = lines.len() as u16;
    frame.render_widget(
        Paragraph::new(lines),
        Rect::new(inner.x, inner.y, inner.width, bars_h.min(inner.height)),
    );
    if inner.height > bars_h {
        // Valence history, shifted from [-1, 1] to [0, 20].
        let data: Vec<u64> = panel
            .history
            .iter()
            .map(|r| ((r.valence + 1.0) * 10.0).round() as u64)
            .collect();
        let spark = Sparkline::default()
            .data(&data)
            .max(20)
            .style(Style::new().fg(theme.gauge));
        frame.render_widget(spark, Rect::new(inner.x, inner.y + bars_h, inner.width, 1));
    }
}

/// The manual mood picker: the 7 classes, the cursor on one.
pub fn picker(frame: &mut Frame, area: Rect, cursor: usize, theme: &Theme) {
    let rect = centered(area, 30, EMOTIONS.len() as u16 + 2);
    if rect.width < 12 || rect.height < 3 {
        return;
    }
    frame.render_widget(Clear, rect);
    let lines: Vec<Line> = EMOTIONS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let style = if i == cursor {
                Style::new().bg(theme.selection_bg).fg(theme.selection_fg)
            } else {
                Style::new().fg(theme.emotion_color(i))
            };
            Line::from(Span::styled(format!(" {name:<26}"), style))
        })
        .collect();
    let block = Block::bordered()
        .title(Span::styled(
            " How do you feel? ",
            Style::new().fg(theme.accent),
        ))
        .border_style(Style::new().fg(theme.accent))
        .style(Style::new().bg(theme.background).fg(theme.foreground));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
