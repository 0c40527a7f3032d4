//! The mood diary's full-pane view (`Y`): one row per day with a sparkline of the hourly
//! valence and the plays and skips, under it (when there is room) the plays of each hour (a
//! digit, in the error colour where something was skipped), a bar chart of the plays per day
//! beside them, and "what lifted you" below. Fits 80×24; narrower drops the bar chart, then the
//! sparklines; lower drops the hourly plays rows, then the oldest days, then the list.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Paragraph, Sparkline};
use ratatui::Frame;

use super::Theme;
use crate::app::state::AppState;
use crate::diary::{Day, Diary};

/// Columns of a day row before the sparkline ("Tue 12-01 ").
const DATE_W: u16 = 10;
/// The 24 hourly cells.
const SPARK_W: u16 = 24;
/// "     12     3  +0.21" (plays, skips, mean valence) after the sparkline.
const COUNTS_W: u16 = 20;
/// The bar chart beside the rows, when it fits.
const CHART_W: u16 = 23;

pub fn render(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let d = &state.diary;
    let days = d.data.as_ref().map_or(0, |x| x.span_days);
    let title = if days > 0 {
        format!(" mood diary · last {days} days ")
    } else {
        " mood diary ".to_string()
    };
    let block = Block::bordered()
        .border_style(Style::new().fg(theme.accent))
        .title(Span::styled(
            title,
            Style::new().fg(theme.accent).add_modifier(Modifier::BOLD),
        ))
        .title_bottom(Span::styled(
            " Y, q or esc close ",
            Style::new().fg(theme.dim),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width < 12 || inner.height == 0 {
        return;
    }
    let dim = Style::new().fg(theme.dim);
    let Some(diary) = &d.data else {
        let text = match (&d.error, d.loading) {
            (Some(e), _) => Span::styled(
                format!("cannot read the diary: {e}"),
                Style::new().fg(theme.error),
            ),
            (None, true) => Span::styled("reading the diary…", dim),
            (None, false) => Span::styled("no diary yet", dim),
        };
        frame.render_widget(Paragraph::new(Line::from(text)), inner);
        return;
    };
    let avail = inner.height.saturating_sub(1) as usize;
    let wanted = 1 + diary.lifted.len().max(1);
    let lifted_min = if avail >= 5 { wanted.min(3) } else { 0 };
    let day_rows = avail.saturating_sub(lifted_min).min(diary.days.len());
    let shown = &diary.days[diary.days.len() - day_rows..];
    let spark = inner.width >= DATE_W + SPARK_W + COUNTS_W;
    let per_day = if spark && avail >= 2 * day_rows + lifted_min {
        2
    } else {
        1
    };
    let chart = inner.width >= DATE_W + SPARK_W + COUNTS_W + CHART_W && day_rows >= 4;
    let rows_w = if chart {
        inner.width - CHART_W
    } else {
        inner.width
    };
    let head = if spark {
        format!(
            "{:w$}0h    6h    12h   18h     plays skips  mood",
            "day",
            w = DATE_W as usize
        )
    } else {
        "day        plays skips  mood".to_string()
    };
    frame.render_widget(
        Paragraph::new(Span::styled(head, dim)),
        Rect::new(inner.x, inner.y, rows_w, 1),
    );
    for (i, day) in shown.iter().enumerate() {
        let y = inner.y + 1 + (i * per_day) as u16;
        day_row(frame, Rect::new(inner.x, y, rows_w, 1), day, spark, theme);
        if per_day == 2 {
            plays_row(frame, Rect::new(inner.x, y + 1, rows_w, 1), day, theme);
        }
    }
    let rows_h = (day_rows * per_day) as u16;
    if chart {
        plays_chart(
            frame,
            Rect::new(inner.x + rows_w, inner.y, CHART_W, rows_h.min(12) + 1),
            shown,
            theme,
        );
    }
    let top = inner.y + 1 + rows_h;
    let left = inner.bottom().saturating_sub(top);
    if left > 0 {
        lifted(
            frame,
            Rect::new(inner.x, top, inner.width, left),
            diary,
            theme,
        );
    }
}

/// "Tue 12-01" style short date from `YYYY-MM-DD`.
fn short_date(date: &str) -> &str {
    date.get(5..).unwrap_or(date)
}

fn day_row(frame: &mut Frame, area: Rect, day: &Day, spark: bool, theme: &Theme) {
    let counts = format!(
        "  {:>5} {:>5}  {}",
        day.plays,
        day.skips,
        day.valence
            .map_or("  ·  ".to_string(), |v| format!("{v:+.2}"))
    );
    let date = format!("{:w$}", short_date(&day.date), w = DATE_W as usize);
    let style = Style::new().fg(theme.foreground);
    if !spark {
        frame.render_widget(
            Paragraph::new(Line::styled(format!("{date}{counts}"), style)),
            area,
        );
        return;
    }
    frame.render_widget(Paragraph::new(Line::styled(date, style)), area);
    // Valence −1..1 as 1..=9, so even the lowest hour shows a cell; no reading is "·".
    let data: Vec<Option<u64>> = day
        .hours
        .iter()
        .map(|h| {
            h.valence
                .map(|v| ((v.clamp(-1.0, 1.0) + 1.0) * 4.0).round() as u64 + 1)
        })
        .collect();
    let cells = Sparkline::default()
        .data(&data)
        .max(9)
        .absent_value_symbol("·")
        .absent_value_style(Style::new().fg(theme.dim))
        .style(Style::new().fg(theme.gauge));
    frame.render_widget(cells, Rect::new(area.x + DATE_W, area.y, SPARK_W, 1));
    let rest = Rect::new(
        area.x + DATE_W + SPARK_W,
        area.y,
        area.width.saturating_sub(DATE_W + SPARK_W),
        1,
    );
    frame.render_widget(Paragraph::new(Line::styled(counts, style)), rest);
}

/// The plays of each hour as digits (`+` from 10), in the error colour where one was skipped.
fn plays_row(frame: &mut Frame, area: Rect, day: &Day, theme: &Theme) {
    if day.plays + day.skips == 0 {
        return;
    }
    let mut spans = vec![Span::styled(
        format!("{:>w$}", "played ", w = DATE_W as usize),
        Style::new().fg(theme.dim),
    )];
    spans.extend(day.hours.iter().map(|h| {
        let c = match h.plays {
            0 if h.skips > 0 => "0".to_string(),
            0 => " ".to_string(),
            n @ 1..=9 => n.to_string(),
            _ => "+".to_string(),
        };
        let fg = if h.skips > 0 { theme.error } else { theme.dim };
        Span::styled(c, Style::new().fg(fg))
    }));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn plays_chart(frame: &mut Frame, area: Rect, days: &[Day], theme: &Theme) {
    let bars: Vec<Bar> = days
        .iter()
        .map(|d| {
            Bar::default()
                .value(u64::from(d.plays))
                .label(Line::from(d.date.get(8..).unwrap_or("").to_string()))
                .style(Style::new().fg(theme.accent))
        })
        .collect();
    let n = days.len().max(1) as u16;
    let width = (area.width.saturating_sub(2) / n)
        .saturating_sub(1)
        .clamp(1, 3);
    let chart = BarChart::default()
        .block(
            Block::bordered()
                .border_style(Style::new().fg(theme.border))
                .title(" plays per day "),
        )
        .data(BarGroup::default().bars(&bars))
        .bar_width(width)
        .bar_gap(1)
        .value_style(Style::new().fg(theme.background).bg(theme.accent))
        .label_style(Style::new().fg(theme.dim));
    frame.render_widget(chart, area);
}

fn lifted(frame: &mut Frame, area: Rect, diary: &Diary, theme: &Theme) {
    let r = &diary.lift_rule;
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "what lifted you · valence up ≥{:.2} in the {} min after it started, ≥{} times",
            r.min_rise, r.window_minutes, r.min_times
        ),
        Style::new().fg(theme.accent).add_modifier(Modifier::BOLD),
    ))];
    if diary.lifted.is_empty() {
        lines.push(Line::styled(
            "  nothing yet: it needs readings around the plays (camera on, or m)",
            Style::new().fg(theme.dim),
        ));
    }
    for l in &diary.lifted {
        let name = if l.artist.is_empty() {
            l.title.clone()
        } else {
            format!("{} — {}", l.title, l.artist)
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:>3}× of {:<3}", l.times, l.heard),
                Style::new().fg(theme.rating),
            ),
            Span::styled(
                format!("{:+.2}  ", l.mean_rise),
                Style::new().fg(theme.gauge),
            ),
            Span::styled(name, Style::new().fg(theme.foreground)),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
