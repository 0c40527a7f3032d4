//! The input thread: reads the terminal's key and resize events and sends them to the UI thread
//! (which maps keys to messages with `app::keys`).

use std::sync::mpsc::Sender;
use std::thread;

use crossterm::event::{Event, KeyEventKind};

use super::UiEvent;

/// Reads terminal events and sends them on. Ends when the UI's receiver is gone (after quit the
/// thread may stay blocked in `read` until the process exits, which is harmless).
pub fn spawn(tx: Sender<UiEvent>) {
    let _ = thread::Builder::new()
        .name("input".into())
        .spawn(move || loop {
            let ev = match crossterm::event::read() {
                Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => UiEvent::Key(k),
                Ok(Event::Resize(_, _)) => UiEvent::Resize,
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "terminal input failed");
                    break;
                }
            };
            if tx.send(ev).is_err() {
                break;
            }
        });
}
