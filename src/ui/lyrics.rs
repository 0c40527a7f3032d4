//! The lyrics view, in the library pane's place: synced lyrics with the line sung at the state's
//! position highlighted on the middle row and the lines around it; unsynced lyrics as text
//! scrolled by the listener; or, plainly, why there are none. Pure.

use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::Theme;
use crate::app::action::Action;
use crate::app::lyrics::LyricsLoad;
use crate::app::state::{AppState, Pane};
use crate::library::lyrics::{current_line, LyricsBody};

pub fn render(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let l = &state.lyrics;
    let title = match &l.loaded {
        LyricsLoad::Ready(lyrics) => match &lyrics.body {
            LyricsBody::Synced(_) => format!("lyrics · {}", lyrics.source.label()),
            LyricsBody::Unsynced(_) => format!("lyrics · {} · unsynced", lyrics.source.label()),
        },
        _ => "lyrics".to_string(),
    };
    let focused = state.focus == Pane::Library;
    let mut block = super::lists::pane_block(title, focused, theme);
    // How to leave the view, with the keys as bound (the help's own entry for it).
    let toggle = Action::ToggleLyrics.describe();
    if let Some((keys, _)) = (state.help.iter()).find(|(k, what)| what == toggle && !k.is_empty()) {
        block = block.title_bottom(Span::styled(
            format!(" {keys} closes "),
            Style::new().fg(theme.dim),
        ));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.area() == 0 {
        return;
    }
    let (width, height) = (usize::from(inner.width), usize::from(inner.height));
    let dim = Style::new().fg(theme.dim);
    let lines: Vec<Line> = match &l.loaded {
        LyricsLoad::Nothing => vec![Line::styled("nothing playing", dim)],
        LyricsLoad::Loading => vec![Line::styled("looking for lyrics…", dim)],
        LyricsLoad::Missing => {
            let mut v = vec![
                Line::styled("no lyrics for this track", dim),
                Line::default(),
            ];
            let hint = "mien reads a .lrc file of the same name beside it, or lyrics in its tags";
            v.extend(wrap(hint, width).into_iter().map(|r| Line::styled(r, dim)));
            v
        }
        LyricsLoad::Failed(why) => wrap(&format!("no lyrics: {why}"), width)
            .into_iter()
            .map(|r| Line::styled(r, Style::new().fg(theme.error)))
            .collect(),
        LyricsLoad::Ready(lyrics) => match &lyrics.body {
            LyricsBody::Synced(synced) => {
                let current = current_line(synced, state.player.position_ms);
                let texts = synced.iter().map(|s| s.text.as_str());
                centred(texts, current, width, height, theme)
            }
            LyricsBody::Unsynced(text) => {
                let rows: Vec<String> = text.iter().flat_map(|t| wrap(t, width)).collect();
                let top = l.scroll.min(rows.len().saturating_sub(height));
                let style = Style::new().fg(theme.foreground);
                rows.into_iter()
                    .skip(top)
                    .take(height)
                    .map(|r| Line::styled(r, style))
                    .collect()
            }
        },
    };
    frame.render_widget(Paragraph::new(lines).alignment(Alignment::Center), inner);
}

/// The rows of `texts`, wrapped to `width`, placed so that the first row of line `current` (of
/// line 0 before the first line starts) is on the middle row; sung lines dimmed, the current one
/// highlighted.
fn centred<'a>(
    texts: impl Iterator<Item = &'a str>,
    current: Option<usize>,
    width: usize,
    height: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut rows: Vec<(usize, String)> = Vec::new();
    let mut anchor = 0;
    for (i, text) in texts.enumerate() {
        if Some(i) == current {
            anchor = rows.len();
        }
        rows.extend(wrap(text, width).into_iter().map(|r| (i, r)));
    }
    let mut now = Style::new().fg(theme.playing);
    if theme.bold {
        now = now.add_modifier(Modifier::BOLD);
    }
    let style = |i: usize| match current {
        Some(c) if i == c => now,
        Some(c) if i < c => Style::new().fg(theme.dim),
        _ => Style::new().fg(theme.foreground),
    };
    // Row `anchor` goes to the middle; rows before the text's start are blank.
    let first = anchor as i64 - (height / 2) as i64;
    (first..first + height as i64)
        .map(
            |r| match usize::try_from(r).ok().and_then(|r| rows.get(r)) {
                Some((i, text)) => Line::styled(text.clone(), style(*i)),
                None => Line::default(),
            },
        )
        .collect()
}

/// `text` broken into rows of at most `width` columns, at spaces where it can be (a word wider
/// than the row is cut); an empty text is one empty row.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let cols = |s: &str| Span::raw(s).width();
    let mut rows = Vec::new();
    let mut row = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        loop {
            let need = if row.is_empty() { 0 } else { 1 } + cols(&word);
            if cols(&row) + need <= width {
                if !row.is_empty() {
                    row.push(' ');
                }
                row.push_str(&word);
                break;
            }
            if !row.is_empty() {
                rows.push(std::mem::take(&mut row));
                continue;
            }
            // A word wider than the row: cut it at the width.
            let mut cut = String::new();
            let mut rest = word.chars().peekable();
            while let Some(&c) = rest.peek() {
                if cols(&cut) + cols(c.encode_utf8(&mut [0; 4])) > width && !cut.is_empty() {
                    break;
                }
                cut.push(c);
                rest.next();
            }
            rows.push(cut);
            word = rest.collect();
            if word.is_empty() {
                break;
            }
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::lyrics::{LyricLine, Lyrics, LyricsSource};
    use ratatui::backend::TestBackend;
    use ratatui::buffer::Buffer;
    use ratatui::Terminal;

    fn state_with(body: LyricsBody, position_ms: u64) -> AppState {
        let mut state = AppState::new(Vec::new(), Vec::new());
        state.player.path = Some("/m/song.flac".into());
        state.player.position_ms = position_ms;
        state.lyrics.shown = true;
        state.lyrics.loaded = LyricsLoad::Ready(Lyrics {
            body,
            source: LyricsSource::File("/m/song.lrc".into()),
            skipped: 0,
        });
        state
    }

    fn song() -> LyricsBody {
        let line = |at_ms, text: &str| LyricLine {
            at_ms,
            text: text.into(),
        };
        LyricsBody::Synced(vec![
            line(1_000, "one"),
            line(2_000, "two"),
            line(3_000, "three"),
            line(4_000, "four"),
            line(5_000, "five"),
        ])
    }

    fn draw(state: &AppState, w: u16, h: u16) -> Buffer {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        let theme = Theme::default();
        t.draw(|f| render(f, f.area(), state, &theme))
            .expect("draw");
        t.backend().buffer().clone()
    }

    fn rows(b: &Buffer) -> Vec<String> {
        (0..b.area.height)
            .map(|y| {
                (0..b.area.width)
                    .map(|x| b[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect()
    }

    /// The row showing `word` and whether it is drawn in the highlight colour.
    fn find(b: &Buffer, word: &str) -> (usize, bool) {
        let rows = rows(b);
        let y = rows
            .iter()
            .position(|r| r.split_whitespace().any(|w| w.trim_matches('│') == word))
            .unwrap_or_else(|| panic!("{word} not shown:\n{}", rows.join("\n")));
        let x = rows[y].find(word).expect("x");
        let x = rows[y][..x].chars().count() as u16;
        (y, b[(x, y as u16)].fg == Theme::default().playing)
    }

    #[test]
    fn the_line_sung_at_the_position_is_highlighted_on_the_middle_row() {
        // 7 rows: border, 5 inside (middle: row 3), border.
        for (pos, word, above, below) in [
            (3_000, "three", "two", "four"),
            (3_999, "three", "two", "four"),
            (4_000, "four", "three", "five"),
        ] {
            let b = draw(&state_with(song(), pos), 30, 7);
            assert_eq!(find(&b, word), (3, true), "at {pos} ms");
            assert_eq!(find(&b, above), (2, false), "at {pos} ms");
            assert_eq!(find(&b, below), (4, false), "at {pos} ms");
        }
    }

    #[test]
    fn before_the_first_line_nothing_is_highlighted_and_after_the_last_it_stays() {
        let b = draw(&state_with(song(), 0), 30, 7);
        assert_eq!(
            find(&b, "one"),
            (3, false),
            "the first line waits in the middle"
        );
        assert_eq!(find(&b, "two"), (4, false));
        let b = draw(&state_with(song(), 900_000), 30, 7);
        assert_eq!(find(&b, "five"), (3, true));
        assert_eq!(find(&b, "four"), (2, false));
        assert!(
            rows(&b)[4].trim_matches(['│', ' ']).is_empty(),
            "nothing after the last"
        );
    }

    #[test]
    fn unsynced_lyrics_scroll_and_stop_at_the_end() {
        let text: Vec<String> = (1..=10).map(|i| format!("row{i}")).collect();
        let mut state = state_with(LyricsBody::Unsynced(text), 0);
        let b = draw(&state, 20, 5);
        assert_eq!(find(&b, "row1"), (1, false));
        state.lyrics.scroll = 2;
        assert_eq!(find(&draw(&state, 20, 5), "row3"), (1, false));
        state.lyrics.scroll = 1_000;
        let b = draw(&state, 40, 5);
        assert_eq!(find(&b, "row10"), (3, false), "the last page, not past it");
        assert!(rows(&b)[0].contains("unsynced"));
    }

    #[test]
    fn no_lyrics_is_said_plainly_and_tiny_areas_do_not_panic() {
        let mut state = state_with(song(), 0);
        state.lyrics.loaded = LyricsLoad::Missing;
        let b = draw(&state, 40, 6);
        assert!(
            rows(&b)[1].contains("no lyrics for this track"),
            "{:?}",
            rows(&b)
        );
        state.lyrics.loaded = LyricsLoad::Failed("/m/song.lrc: not UTF-8".into());
        assert!(rows(&draw(&state, 40, 6))[1].contains("no lyrics: /m/song.lrc"));
        for (w, h) in [(0, 0), (1, 1), (2, 2), (3, 3), (5, 1)] {
            draw(&state_with(song(), 2_500), w, h);
        }
    }

    #[test]
    fn long_lines_wrap_at_spaces_and_long_words_are_cut() {
        assert_eq!(wrap("the quick brown fox", 9), ["the quick", "brown fox"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(wrap("日本語の歌", 4), ["日本", "語の", "歌"]);
    }
}
