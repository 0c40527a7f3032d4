//! Now playing: title, artist, album, a progress bar with elapsed/total, volume, state, rating,
//! mood tags, the output in use, and the cover art when the terminal can show it.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;
use ratatui_image::protocol::Protocol;
use ratatui_image::Image;

use super::Theme;
use crate::app::state::AppState;
use crate::core::mmss;

pub fn render(
    frame: &mut Frame,
    area: Rect,
    art: Option<(&Protocol, Rect)>,
    state: &AppState,
    theme: &Theme,
) {
    let p = &state.player;
    let (icon, word) = match (&p.path, p.paused) {
        (None, _) => ("■", "stopped"),
        (Some(_), true) => ("⏸", "paused"),
        (Some(_), false) => ("▶", "playing"),
    };
    let block = Block::bordered()
        .border_style(Style::new().fg(theme.border))
        .title(Span::styled(
            format!(" {icon} {word} "),
            Style::new().fg(theme.playing),
        ));
    frame.render_widget(block, area);
    if let Some((proto, art_rect)) = art {
        frame.render_widget(Image::new(proto), art_rect);
    }
    let text_area = super::layout::now_playing_text(area, art.map(|(_, r)| r));
    let track = state.playing_track();
    let title_style = if theme.bold {
        Style::new().add_modifier(Modifier::BOLD)
    } else {
        Style::new()
    };
    let mut lines = Vec::new();
    match track {
        Some(t) => {
            lines.push(Line::from(Span::styled(
                t.display_title(),
                title_style.fg(theme.foreground),
            )));
            let mut second = vec![Span::styled(
                t.display_artist().to_string(),
                Style::new().fg(theme.accent),
            )];
            if let Some(album) = &t.album {
                second.push(Span::styled(
                    format!(" — {album}"),
                    Style::new().fg(theme.dim),
                ));
            }
            if let Some(y) = t.year {
                second.push(Span::styled(format!(" ({y})"), Style::new().fg(theme.dim)));
            }
            lines.push(Line::from(second));
        }
        None => {
            let what = p
                .path
                .as_ref()
                .map_or("nothing playing".to_string(), |p| p.display().to_string());
            lines.push(Line::from(Span::styled(what, Style::new().fg(theme.dim))));
            lines.push(Line::default());
        }
    }
    lines.push(progress_line(state, text_area.width, theme));
    let mut info = vec![Span::styled(
        format!("vol {}%", p.volume),
        Style::new().fg(theme.dim),
    )];
    info.push(Span::styled(
        format!(" · repeat {}", state.queue.repeat.label()),
        Style::new().fg(theme.dim),
    ));
    if let Some(t) = track {
        let stars = state.rating(t.id).map_or(0, |r| r.stars());
        let s = usize::from(stars);
        info.push(Span::raw("  "));
        info.push(Span::styled(
            format!("{}{}", "★".repeat(s), "☆".repeat(5 - s)),
            Style::new().fg(theme.rating),
        ));
    }
    lines.push(Line::from(info));
    lines.push(mood_line(state, track.map(|t| t.id), theme));
    if let Some(why) = &p.output_warning {
        lines.push(Line::from(Span::styled(
            format!("silent output: {why}"),
            Style::new().fg(theme.error),
        )));
    }
    frame.render_widget(Paragraph::new(lines), text_area);
}

/// The progress line's labels, elapsed and total (`1:23`, `4:56`), and the two numbers in ms.
pub(super) fn progress_labels(state: &AppState) -> (String, String, u64, u64) {
    let p = &state.player;
    let track = state.playing_track();
    let total = p.duration_ms.or(track.map(|t| t.duration_ms)).unwrap_or(0);
    (mmss(p.position_ms), mmss(total), p.position_ms, total)
}

/// `1:23 ━━━━━━────── 4:56`, fitted to `width` (`layout::progress_bar` says where the bar is).
fn progress_line(state: &AppState, width: u16, theme: &Theme) -> Line<'static> {
    let (left, right, pos, total) = progress_labels(state);
    let bar_w = super::layout::progress_bar_width(width, left.len(), right.len());
    let filled = if total == 0 {
        0
    } else {
        ((pos.min(total) as u128 * bar_w as u128) / total as u128) as usize
    };
    Line::from(vec![
        Span::raw(format!("{left} ")),
        Span::styled("━".repeat(filled), Style::new().fg(theme.gauge)),
        Span::styled("─".repeat(bar_w - filled), Style::new().fg(theme.dim)),
        Span::raw(format!(" {right}")),
    ])
}

/// `mood: calm/peaceful · chillout 41% · Mellow 33%` (`mood: uncertain · ...` below the
/// confidence threshold), or why there is none.
fn mood_line(state: &AppState, id: Option<crate::core::TrackId>, theme: &Theme) -> Line<'static> {
    let dim = Style::new().fg(theme.dim);
    let Some(record) = id.and_then(|id| state.moods.get(&id)) else {
        let why = match (&state.moods_unavailable, id) {
            (Some(_), _) => "mood: tagging is off",
            (None, Some(_)) => "mood: not tagged yet",
            (None, None) => "",
        };
        return Line::from(Span::styled(why, dim));
    };
    let mut top: Vec<&(String, f32)> = record.tags.iter().collect();
    top.sort_by(|a, b| b.1.total_cmp(&a.1));
    let tags: Vec<String> = top
        .iter()
        .take(3)
        .map(|(t, p)| format!("{t} {:.0}%", p * 100.0))
        .collect();
    // A mood the tagger is unsure of is not named (its quadrant would be a guess).
    let (label, style) = if record.confidence < crate::core::MOOD_UNCERTAIN_BELOW {
        ("uncertain".to_string(), dim)
    } else {
        (record.label.clone(), Style::new().fg(theme.accent))
    };
    Line::from(vec![
        Span::styled("mood: ", dim),
        Span::styled(label, style),
        Span::styled(format!(" · {}", tags.join(" · ")), dim),
    ])
}
