//! Drawing the player on ratatui's `TestBackend` and reading the screen back as text, shared by
//! the rendering tests.

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::text::Span;
use ratatui::Terminal;

use super::Player;
use mien::ui::Theme;

/// Draws one frame of `player` at `w`×`h` with the default theme and returns the buffer.
pub fn draw(player: &Player, w: u16, h: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    let theme = Theme::default();
    terminal
        .draw(|f| mien::ui::render(f, &player.state, &theme))
        .expect("draw");
    terminal.backend().buffer().clone()
}

/// The buffer's text, one `String` per row, styles ignored. The cell hidden behind a wide
/// character (which a terminal does not print) is skipped, so rows read as they look.
pub fn lines(buffer: &Buffer) -> Vec<String> {
    let area = buffer.area;
    (0..area.height)
        .map(|y| {
            let mut row = String::new();
            let mut hidden = 0;
            for x in 0..area.width {
                if hidden > 0 {
                    hidden -= 1;
                    continue;
                }
                let symbol = buffer[(x, y)].symbol();
                hidden = Span::raw(symbol).width().saturating_sub(1);
                row.push_str(symbol);
            }
            row
        })
        .collect()
}

/// The whole screen of `player` at `w`×`h` as one string, rows ending in newlines.
pub fn screen(player: &Player, w: u16, h: u16) -> String {
    lines(&draw(player, w, h))
        .into_iter()
        .map(|l| l + "\n")
        .collect()
}

/// The row of the screen that contains `needle`, if any.
pub fn row_with(buffer: &Buffer, needle: &str) -> Option<usize> {
    lines(buffer).iter().position(|l| l.contains(needle))
}

/// The row that shows `needle`; panics with the screen when none does.
#[track_caller]
pub fn assert_shows(buffer: &Buffer, needle: &str) -> usize {
    row_with(buffer, needle).unwrap_or_else(|| {
        panic!(
            "{needle:?} is not on the screen:\n{}",
            lines(buffer).join("\n")
        )
    })
}
