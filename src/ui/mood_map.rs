//! The mood map (`M`): the library on the valence (x) / arousal (y) plane in braille, each
//! track a dot in its quadrant's colour (dimmer when its mood is uncertain), the listener's
//! smoothed emotion as a marker with its trail, the quadrant names at the corners, the cursor,
//! and beside it the tracks nearest the cursor. Below 60 columns the side list goes; below
//! 20×8 one line says the map needs more room.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Points};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::Theme;
use crate::app::mood_map::{nearest, NEAREST};
use crate::app::reco::track_mood;
use crate::app::state::AppState;
use crate::recommend::TrackMood;

/// Smallest area that gets a map; below, one line.
pub const MIN_W: u16 = 20;
pub const MIN_H: u16 = 8;
/// The side list's width, shown from [`SIDE_FROM`] columns.
const SIDE_W: u16 = 28;
const SIDE_FROM: u16 = 60;

/// The colour of a mood's quadrant; dimmer when uncertain.
pub fn quadrant_color(theme: &Theme, m: TrackMood) -> Color {
    let c = match (m.valence >= 0.0, m.arousal >= 0.0) {
        (true, true) => theme.quadrant_happy,
        (false, true) => theme.quadrant_tense,
        (false, false) => theme.quadrant_sad,
        (true, false) => theme.quadrant_calm,
    };
    if m.is_uncertain() {
        dimmer(c, theme)
    } else {
        c
    }
}

fn dimmer(c: Color, theme: &Theme) -> Color {
    match c {
        Color::Rgb(r, g, b) => {
            let d = |x: u8| (u16::from(x) * 11 / 20) as u8;
            Color::Rgb(d(r), d(g), d(b))
        }
        _ => theme.dim,
    }
}

/// The cell of the plane point (v, a) inside the canvas area `inner`, as braille drawing puts it.
pub fn cell_of(inner: Rect, v: f32, a: f32) -> Option<(u16, u16)> {
    if inner.width == 0 || inner.height == 0 {
        return None;
    }
    let (w, h) = (f64::from(inner.width) * 2.0, f64::from(inner.height) * 4.0);
    let x = ((f64::from(v).clamp(-1.0, 1.0) + 1.0) * (w - 1.0) / 2.0) as u16;
    let y = ((1.0 - f64::from(a).clamp(-1.0, 1.0)) * (h - 1.0) / 2.0) as u16;
    Some((inner.x + x / 2, inner.y + y / 4))
}

pub fn render(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    if area.width < MIN_W || area.height < MIN_H {
        let line = Line::from(Span::styled(
            "mood map: enlarge the terminal",
            Style::new().fg(theme.dim),
        ));
        let row = Rect::new(area.x, area.y, area.width, area.height.min(1));
        frame.render_widget(Paragraph::new(line), row);
        return;
    }
    let side_w = if area.width >= SIDE_FROM { SIDE_W } else { 0 };
    let [map, side] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(side_w)]).areas(area);
    let (v, a) = state.mood_map.cursor;
    let block = Block::bordered()
        .title(Span::styled(
            " mood map · valence → arousal ↑ ",
            Style::new().fg(theme.accent),
        ))
        .border_style(Style::new().fg(theme.accent));
    let inner = block.inner(map);
    let dots = track_dots(state, theme);
    let trail: Vec<(f64, f64)> = (state.mood_map.trail.iter())
        .map(|&(_, v, a)| (f64::from(v), f64::from(a)))
        .collect();
    let canvas = Canvas::default()
        .block(block)
        .marker(Marker::Braille)
        .x_bounds([-1.0, 1.0])
        .y_bounds([-1.0, 1.0])
        .paint(|ctx| {
            for (color, coords) in &dots {
                ctx.draw(&Points {
                    coords,
                    color: *color,
                });
            }
            ctx.layer();
            ctx.draw(&Points {
                coords: &trail,
                color: theme.dim,
            });
        });
    frame.render_widget(canvas, map);
    let buf = frame.buffer_mut();
    corners(buf, inner, theme);
    if let Some(l) = state.reco.watch.listener() {
        mark(buf, inner, l.valence, l.arousal, "●", theme.playing);
    }
    mark(buf, inner, v, a, "✚", theme.accent);
    if side_w > 0 {
        side_list(frame, side, state, theme);
    }
}

/// Track points grouped by colour (one `Points` shape each).
fn track_dots(state: &AppState, theme: &Theme) -> Vec<(Color, Vec<(f64, f64)>)> {
    let mut groups: Vec<(Color, Vec<(f64, f64)>)> = Vec::new();
    for t in state.catalogue.iter() {
        let Some(m) = track_mood(state, t.id) else {
            continue;
        };
        let c = quadrant_color(theme, m);
        let p = (f64::from(m.valence), f64::from(m.arousal));
        match groups.iter_mut().find(|(g, _)| *g == c) {
            Some((_, v)) => v.push(p),
            None => groups.push((c, vec![p])),
        }
    }
    groups
}

fn mark(buf: &mut Buffer, inner: Rect, v: f32, a: f32, symbol: &str, color: Color) {
    if let Some((x, y)) = cell_of(inner, v, a) {
        if let Some(cell) = buf.cell_mut((x, y)) {
            cell.set_symbol(symbol).set_fg(color);
        }
    }
}

fn corners(buf: &mut Buffer, inner: Rect, theme: &Theme) {
    let (l, r) = (inner.x, inner.right());
    let (t, b) = (inner.y, inner.bottom().saturating_sub(1));
    let labels = [
        ("tense", l, t, theme.quadrant_tense),
        ("happy", r.saturating_sub(5), t, theme.quadrant_happy),
        ("sad", l, b, theme.quadrant_sad),
        ("calm", r.saturating_sub(4), b, theme.quadrant_calm),
    ];
    for (text, x, y, color) in labels {
        buf.set_string(x, y, text, Style::new().fg(color));
    }
}

fn side_list(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let (v, a) = state.mood_map.cursor;
    let rows = usize::from(area.height.saturating_sub(4)).min(NEAREST);
    let mut lines: Vec<Line> = nearest(state, rows)
        .into_iter()
        .filter_map(|(id, m)| {
            let t = state.catalogue.get(id)?;
            Some(Line::from(vec![
                Span::styled("• ", Style::new().fg(quadrant_color(theme, m))),
                Span::raw(t.display_title()),
            ]))
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::from(Span::styled(
            "no tagged tracks yet",
            Style::new().fg(theme.dim),
        )));
    }
    lines.push(Line::from(Span::styled(
        "enter queue · J journey",
        Style::new().fg(theme.dim),
    )));
    let block = Block::bordered()
        .title(Span::styled(
            format!(" near {v:.1},{a:.1} "),
            Style::new().fg(theme.accent),
        ))
        .border_style(Style::new().fg(theme.border));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The journey picker: the named targets and the minutes.
pub fn picker(frame: &mut Frame, area: Rect, cursor: usize, minutes: u32, theme: &Theme) {
    use crate::recommend::journey::Target;
    // 36 inner cells: the widest line is the hint under the targets.
    let rect = super::help::centered(area, 38, Target::NAMED.len() as u16 + 4);
    if rect.width < 16 || rect.height < 4 {
        return;
    }
    frame.render_widget(ratatui::widgets::Clear, rect);
    let mut lines: Vec<Line> = (Target::NAMED.iter().enumerate())
        .map(|(i, (name, t))| {
            let p = t.point();
            let style = if i == cursor {
                Style::new().bg(theme.selection_bg).fg(theme.selection_fg)
            } else {
                Style::new().fg(quadrant_color(theme, p))
            };
            let text = format!(" {name:<8} {:>5.1},{:>5.1}", p.valence, p.arousal);
            Line::from(Span::styled(format!("{text:<36}"), style))
        })
        .collect();
    lines.push(Line::from(Span::styled(
        format!(" over {minutes} min  (h/l: ±5, enter: go)"),
        Style::new().fg(theme.dim),
    )));
    let block = Block::bordered()
        .title(Span::styled(
            " Journey toward… ",
            Style::new().fg(theme.accent),
        ))
        .border_style(Style::new().fg(theme.accent))
        .style(Style::new().bg(theme.background).fg(theme.foreground));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

#[cfg(test)]
#[path = "mood_map_tests.rs"]
mod tests;
