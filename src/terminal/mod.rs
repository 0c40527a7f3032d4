//! The terminal, apart from the runtime that drives it: raw mode, the alternate screen and (with
//! `[ui] mouse`) mouse capture while mien runs (all restored on quit, on error and on panic:
//! ratatui's init installs a panic hook that restores the screen before the message, and ours
//! turns the mouse off first), drawing a frame, the input thread (`input`) and the album
//! art's image protocol state (`art`). Knows `ui` and the app state it draws, nothing above.

mod art;
pub mod input;

pub use art::{ArtView, ImageDrawer};
pub use input::TermEvent;

use ratatui::DefaultTerminal;
use std::time::Duration;

use ratatui_image::picker::cap_parser::QueryStdioOptions;
use ratatui_image::picker::Picker;

use crate::app::state::AppState;
use crate::ui::{layout, render_with_art, Theme};

pub struct Terminal {
    inner: DefaultTerminal,
    /// Mouse capture is on (turned off again on drop and on a panic).
    mouse: bool,
}

/// Mouse reporting of button presses, releases and the wheel (xterm mode 1000) with SGR
/// coordinates (1006, any width): no motion events (crossterm's `EnableMouseCapture` also asks
/// for every move, which would wake the UI thread for nothing). `DisableMouseCapture` undoes it.
struct EnableClicks;

impl crossterm::Command for EnableClicks {
    fn write_ansi(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        f.write_str("\x1b[?1000h\x1b[?1006h")
    }
}

/// Turns mouse capture off (what every exit path does when it was on).
fn release_mouse() {
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
}

impl Terminal {
    /// Enters raw mode and the alternate screen, and takes the mouse if `mouse`. Fails with a
    /// clear message when stdout is not a terminal.
    pub fn enter(mouse: bool) -> anyhow::Result<Terminal> {
        use std::io::IsTerminal;
        if !std::io::stdout().is_terminal() {
            anyhow::bail!("the player needs a terminal (stdout is not one); for scripts use `mien play FILE...`");
        }
        let inner = ratatui::try_init()?;
        // ratatui's hook restores the terminal on any panic; a panic in a helper thread (e.g. the
        // D-Bus thread) must not tear the screen down under a UI that keeps running.
        let restore_and_report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            if thread.name() == Some("main") {
                if mouse {
                    release_mouse();
                }
                restore_and_report(info);
            } else {
                tracing::error!("panic in thread {:?}: {info}", thread.name());
            }
        }));
        let mut term = Terminal {
            inner,
            mouse: false,
        };
        if mouse {
            // On error the drop restores the screen; the mouse was not taken.
            crossterm::execute!(std::io::stdout(), EnableClicks)?;
            term.mouse = true;
        }
        Ok(term)
    }

    /// The size in cells.
    pub fn size(&self) -> std::io::Result<(u16, u16)> {
        let size = self.inner.size()?;
        Ok((size.width, size.height))
    }

    /// Fits the album art to the current layout, then draws a frame.
    pub fn draw(
        &mut self,
        state: &AppState,
        theme: &Theme,
        art: &mut ArtView,
    ) -> std::io::Result<()> {
        let size = self.inner.size()?;
        let area = layout(ratatui::layout::Rect::new(0, 0, size.width, size.height)).art;
        let art = art.fit(area);
        self.inner.draw(|f| render_with_art(f, state, theme, art))?;
        Ok(())
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if self.mouse {
            release_mouse();
        }
        ratatui::restore();
    }
}

/// How to draw images in this terminal. Terminals known to speak an image protocol (kitty,
/// WezTerm, iTerm2, foot, Ghostty, Konsole, mlterm) are asked which one, with a short timeout;
/// everywhere else mien draws half blocks without asking, because an unanswered query costs
/// seconds at start-up and its reader thread would swallow key presses. Inside tmux it also draws
/// half blocks, unless `tmux_passthrough` (`[ui] tmux_passthrough`) allows asking through tmux,
/// which turns on the pane's `allow-passthrough`: mien changes no tmux setting otherwise. Must run
/// after raw mode is on and before the input thread starts.
pub fn image_picker(tmux_passthrough: bool) -> ImageDrawer {
    let env = |k: &str| std::env::var(k).unwrap_or_default().to_lowercase();
    let (term, program) = (env("TERM"), env("TERM_PROGRAM"));
    let in_tmux = !env("TMUX").is_empty()
        || term.starts_with("screen")
        || term.starts_with("tmux")
        || program == "tmux";
    let capable = ["kitty", "wezterm", "foot", "ghostty", "mlterm"]
        .iter()
        .any(|t| term.contains(t))
        || ["iterm.app", "wezterm", "ghostty"].contains(&program.as_str())
        || !env("KITTY_WINDOW_ID").is_empty()
        || !env("KONSOLE_VERSION").is_empty();
    if in_tmux && !tmux_passthrough || !in_tmux && !capable {
        return ImageDrawer::HalfBlocks;
    }
    let options = QueryStdioOptions {
        timeout: Duration::from_millis(500),
        ..QueryStdioOptions::default()
    };
    match Picker::from_query_stdio_with_options(options) {
        Ok(p) => ImageDrawer::Protocol(p),
        Err(e) => {
            tracing::debug!(error = %e, "terminal image query failed; using half blocks");
            ImageDrawer::HalfBlocks
        }
    }
}
