//! The lyrics' two helpers on the runtime: a short-lived `lyrics` thread that finds one track's
//! lyrics (an `.lrc` beside it, else its tags) and answers with `Msg::LyricsLoaded`, and the
//! `lyrics-timer` thread that delivers the one pending `Msg::LyricsTick` when the next line
//! starts. Both only perform: `app::lyrics` decides what to load and when to wake.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use super::UiEvent;
use crate::app::lyrics::LyricsWake;
use crate::app::state::Msg;

/// Commands for the `lyrics-timer` thread. Sender: the runtime (`LyricsTimer`); receiver: the
/// timer thread, which ends when the sender is dropped (with the runtime). Each command replaces
/// the pending wake-up (`None` cancels it).
type TimerCommand = Option<LyricsWake>;

/// The runtime's handle on the timer thread, started at the first wake-up asked for.
#[derive(Default)]
pub(super) struct LyricsTimer {
    tx: Option<Sender<TimerCommand>>,
}

impl LyricsTimer {
    /// Replaces the pending wake-up; starts the thread the first time. Fails only when the
    /// thread cannot start (the highlight then moves with the engine's positions only).
    pub(super) fn set(&mut self, wake: TimerCommand, ui: &Sender<UiEvent>) -> std::io::Result<()> {
        if let Some(tx) = &self.tx {
            if tx.send(wake.clone()).is_ok() {
                return Ok(());
            }
        }
        let (tx, rx) = mpsc::channel();
        let ui = ui.clone();
        std::thread::Builder::new()
            .name("lyrics-timer".into())
            .spawn(move || run_timer(rx, ui))?;
        let _ = tx.send(wake);
        self.tx = Some(tx);
        Ok(())
    }
}

fn run_timer(rx: Receiver<TimerCommand>, ui: Sender<UiEvent>) {
    let mut pending: Option<(Instant, LyricsWake)> = None;
    loop {
        let cmd = match &pending {
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some((due, _)) => rx.recv_timeout(due.saturating_duration_since(Instant::now())),
        };
        match cmd {
            Ok(wake) => {
                pending = wake.map(|w| (Instant::now() + Duration::from_millis(w.after_ms), w));
            }
            Err(RecvTimeoutError::Timeout) => {
                if let Some((_, w)) = pending.take() {
                    let msg = Msg::LyricsTick {
                        wake: w.wake,
                        position_ms: w.position_ms,
                    };
                    if ui.send(UiEvent::App(msg)).is_err() {
                        return;
                    }
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Finds `path`'s lyrics on a `lyrics` thread; what went wrong is logged there and reaches the
/// status line through `update`. When the thread cannot start, returns the answer to give
/// `update` instead (with that problem).
pub(super) fn load(path: PathBuf, ui: &Sender<UiEvent>) -> Option<Msg> {
    let tx = ui.clone();
    let for_error = path.clone();
    std::thread::Builder::new()
        .name("lyrics".into())
        .spawn(move || {
            let report = crate::library::lyrics::load(&path);
            for problem in &report.problems {
                tracing::warn!("lyrics not read: {problem}");
            }
            if let Some(l) = report.lyrics.as_ref().filter(|l| l.skipped > 0) {
                tracing::info!(
                    "lyrics {}: {} unreadable lines left out",
                    l.source.label(),
                    l.skipped
                );
            }
            let _ = tx.send(UiEvent::App(Msg::LyricsLoaded { path, report }));
        })
        .err()
        .map(|e| Msg::LyricsLoaded {
            path: for_error,
            report: crate::library::lyrics::LyricsReport {
                lyrics: None,
                problems: vec![format!("cannot start the lyrics thread: {e}")],
            },
        })
}
