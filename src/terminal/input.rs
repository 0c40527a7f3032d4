//! The input thread ("input"): reads the terminal's key, mouse and resize events and sends them
//! to the UI thread, which maps keys to messages with `app::keys` and hit-tests the mouse with
//! `ui::hit`.

use std::sync::mpsc::Sender;
use std::thread;

use std::time::Instant;

use crossterm::event::{Event, KeyEvent, KeyEventKind, MouseEvent};

use crate::app::mouse::MouseKind;

/// What the terminal reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TermEvent {
    /// A key press or repeat (releases are dropped).
    Key(KeyEvent),
    /// The terminal's new size in cells.
    Resize { width: u16, height: u16 },
    /// A left click or a wheel step (moves, drags and releases are dropped here, so that they
    /// cost no redraw), stamped when it was read: double-clicks are timed from these stamps.
    Mouse { event: MouseEvent, at: Instant },
}

/// Starts the input thread. Channel: the thread sends each event, wrapped by `wrap`, on `tx`;
/// the UI loop receives it. Shutdown: the thread ends when the receiver is gone (after quit it
/// may stay blocked in `read` until the process exits, which is harmless) or when reading the
/// terminal fails (logged). A thread that cannot start is an error: the UI would never hear a
/// key.
pub fn spawn<T: Send + 'static>(tx: Sender<T>, wrap: fn(TermEvent) -> T) -> std::io::Result<()> {
    thread::Builder::new()
        .name("input".into())
        .spawn(move || loop {
            let ev = match crossterm::event::read() {
                Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => TermEvent::Key(k),
                Ok(Event::Resize(width, height)) => TermEvent::Resize { width, height },
                Ok(Event::Mouse(event)) if MouseKind::from_event(event.kind).is_some() => {
                    TermEvent::Mouse {
                        event,
                        at: Instant::now(),
                    }
                }
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "terminal input failed");
                    break;
                }
            };
            if tx.send(wrap(ev)).is_err() {
                break;
            }
        })
        .map(drop)
}
