//! The library service: owns the "library" thread, which scans the music folders at start and on
//! request, then keeps the catalogue current through the watcher, reporting everything as
//! [`LibraryEvent`]s.

use super::report::{ScanProgress, ScanReport};
use super::scan::scan_cancellable;
use super::watch::LibraryWatcher;
use super::LibraryError;
use crate::core::Track;
use crate::store::Store;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

/// What the library reports, by value. Sent by the "library" thread (scans) and the
/// "library-watch" thread (changes); received by whoever passed the `Sender` to
/// [`LibraryService::spawn`], normally the UI thread. Dropping the receiver makes both threads
/// exit at their next send.
#[derive(Clone, Debug)]
pub enum LibraryEvent {
    ScanProgress(ScanProgress),
    /// A scan ended; its report covers the roots scanned: all of them for the service's scans,
    /// one for the watcher's scan of a folder that (re)appeared. When the first one arrives the
    /// watcher is already running.
    ScanFinished(ScanReport),
    TrackAdded(Track),
    TrackUpdated(Track),
    TrackRemoved(PathBuf),
    /// An audio file that cannot be played, and why.
    Skipped {
        path: PathBuf,
        reason: String,
    },
    /// Something the user should know that stops nothing (a music folder gone, a store error).
    Warning(String),
}

/// Requests to the library thread. Sent by [`LibraryService`]; received by the "library" thread,
/// which exits on `Shutdown` or once the service (the only sender) is dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LibraryCommand {
    /// Scan every root again (queued requests are merged into one scan).
    Rescan,
    Shutdown,
}

/// Handle to the library thread. Dropping it (or [`LibraryService::shutdown`]) cancels a scan in
/// progress, stops the watcher and joins the thread.
pub struct LibraryService {
    commands: Sender<LibraryCommand>,
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl LibraryService {
    /// Starts the "library" thread: an initial scan of `roots` (progress, then `ScanFinished`),
    /// then the watcher. If the thread cannot be started, a `Warning` is sent and the service does
    /// nothing.
    pub fn spawn(
        store: Store,
        roots: Vec<PathBuf>,
        events: Sender<LibraryEvent>,
    ) -> LibraryService {
        let (commands, inbox) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let worker = LibraryThread {
            store,
            roots,
            events: events.clone(),
            cancel: cancel.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("library".into())
            .spawn(move || worker.run(inbox));
        let thread = match thread {
            Ok(thread) => Some(thread),
            Err(source) => {
                let error = LibraryError::Thread {
                    name: "library",
                    source,
                };
                tracing::error!(%error);
                let _ = events.send(LibraryEvent::Warning(error.to_string()));
                None
            }
        };
        LibraryService {
            commands,
            cancel,
            thread,
        }
    }

    /// Asks for a full rescan; returns at once.
    pub fn rescan(&self) {
        let _ = self.commands.send(LibraryCommand::Rescan);
    }

    /// Stops the thread and waits for it.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
        let _ = self.commands.send(LibraryCommand::Shutdown);
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("library thread panicked");
            }
        }
    }
}

impl Drop for LibraryService {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What the "library" thread owns.
struct LibraryThread {
    store: Store,
    roots: Vec<PathBuf>,
    events: Sender<LibraryEvent>,
    /// Set by the service on shutdown, or here when the event receiver is gone.
    cancel: Arc<AtomicBool>,
}

impl LibraryThread {
    fn run(self, inbox: Receiver<LibraryCommand>) {
        let report = self.scan();
        if self.cancel.load(Ordering::Relaxed) {
            return;
        }
        let _watcher = match LibraryWatcher::spawn(
            self.store.clone(),
            self.roots.clone(),
            self.events.clone(),
        ) {
            Ok(watcher) => Some(watcher),
            Err(e) => {
                tracing::warn!(error = %e, "library watcher not started");
                self.send(LibraryEvent::Warning(e.to_string()));
                None
            }
        };
        if let Some(report) = report {
            self.send(LibraryEvent::ScanFinished(report));
        }
        while !self.cancel.load(Ordering::Relaxed) {
            match inbox.recv() {
                Ok(LibraryCommand::Rescan) => {
                    // Merge queued requests; a queued shutdown wins.
                    if inbox.try_iter().any(|c| c == LibraryCommand::Shutdown) {
                        break;
                    }
                    if let Some(report) = self.scan() {
                        self.send(LibraryEvent::ScanFinished(report));
                    }
                }
                Ok(LibraryCommand::Shutdown) | Err(_) => break,
            }
        }
        // `_watcher` drops here: its thread is stopped and joined.
    }

    /// Runs one scan, sending progress; `None` if it was cancelled or failed (then a warning).
    fn scan(&self) -> Option<ScanReport> {
        let mut progress = |p: ScanProgress| self.send(LibraryEvent::ScanProgress(p));
        match scan_cancellable(&self.store, &self.roots, &mut progress, &self.cancel) {
            Ok(report) => {
                tracing::info!(
                    tracks = report.tracks,
                    skipped = report.skipped.len(),
                    seconds = report.seconds,
                    "library scan finished"
                );
                Some(report)
            }
            Err(LibraryError::Cancelled) => None,
            Err(e) => {
                tracing::warn!(error = %e, "library scan failed");
                self.send(LibraryEvent::Warning(format!("library scan failed: {e}")));
                None
            }
        }
    }

    /// Sends an event; a gone receiver cancels everything and ends the thread.
    fn send(&self, event: LibraryEvent) {
        if self.events.send(event).is_err() {
            self.cancel.store(true, Ordering::Relaxed);
        }
    }
}
