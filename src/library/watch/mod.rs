//! The folder watcher: turns debounced filesystem events under the music folders into catalogue
//! updates and [`LibraryEvent`]s. Runs on its own thread, "library-watch" (notify and the
//! debouncer run their own threads behind it).

mod changes;

use super::scan::scan_cancellable;
use super::service::LibraryEvent;
use super::walk::normalize_root;
use super::LibraryError;
use crate::store::Store;
use notify_debouncer_full::notify::event::{AccessKind, AccessMode, EventKind};
use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Quiet time after the last event on a path before it is handled.
const DEBOUNCE: Duration = Duration::from_millis(300);
/// How often the roots are checked for having disappeared or come back.
const ROOT_CHECK_EVERY: Duration = Duration::from_secs(1);

/// What reaches the watcher thread. Sent by the debouncer's handler (`Fs`) and by
/// [`LibraryWatcher`]'s drop (`Stop`); received by the watcher thread, which exits on `Stop` or
/// when every sender is gone.
enum WatchInput {
    Fs(DebounceEventResult),
    Stop,
}

/// A running watcher over the music folders. Each change is written to the store and reported as
/// a [`LibraryEvent`]. A root that disappears (deleted or unmounted) gives one
/// [`LibraryEvent::Warning`] and keeps its tracks; when it comes back it is watched again and
/// rescanned ([`LibraryEvent::ScanFinished`]). Roots missing at spawn are not reported (the scan
/// before the watcher already did) but are waited for the same way. Dropping it stops the thread
/// and joins it.
pub struct LibraryWatcher {
    input: Sender<WatchInput>,
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl LibraryWatcher {
    /// Starts watching `roots` recursively. Fails only if no watcher can be created at all; a root
    /// that cannot be watched is a [`LibraryEvent::Warning`].
    pub fn spawn(
        store: Store,
        roots: Vec<PathBuf>,
        events: Sender<LibraryEvent>,
    ) -> Result<LibraryWatcher, LibraryError> {
        let (input, inputs) = mpsc::channel();
        let fs_input = input.clone();
        let debouncer = new_debouncer(DEBOUNCE, Some(DEBOUNCE), move |result| {
            let _ = fs_input.send(WatchInput::Fs(result));
        })
        .map_err(LibraryError::WatcherInit)?;
        let cancel = Arc::new(AtomicBool::new(false));
        let roots = roots
            .iter()
            .map(|r| (normalize_root(r), RootState::Missing))
            .collect();
        let mut state = WatchState {
            store,
            events,
            debouncer,
            roots,
            cancel: cancel.clone(),
            alive: true,
        };
        state.check_roots(false);
        let thread = std::thread::Builder::new()
            .name("library-watch".into())
            .spawn(move || state.run(inputs))
            .map_err(|source| LibraryError::Thread {
                name: "library-watch",
                source,
            })?;
        Ok(LibraryWatcher {
            input,
            cancel,
            thread: Some(thread),
        })
    }
}

impl Drop for LibraryWatcher {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
        let _ = self.input.send(WatchInput::Stop);
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("library watcher thread panicked");
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RootState {
    Watched,
    /// Not there (or not a folder); watched again once it appears.
    Missing,
    /// There, but watching it failed; retried after it has gone missing and come back.
    Failed,
}

/// Everything the watcher thread owns.
struct WatchState {
    store: Store,
    events: Sender<LibraryEvent>,
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    roots: Vec<(PathBuf, RootState)>,
    cancel: Arc<AtomicBool>,
    /// False once the event receiver is gone; the thread then exits.
    alive: bool,
}

impl WatchState {
    fn run(mut self, inputs: Receiver<WatchInput>) {
        let mut last_check = Instant::now();
        while self.alive {
            match inputs.recv_timeout(ROOT_CHECK_EVERY) {
                Ok(WatchInput::Fs(Ok(events))) => {
                    let mut paths = Vec::new();
                    let mut seen = HashSet::new();
                    for event in events {
                        if relevant(&event.kind) {
                            paths.extend(
                                event
                                    .event
                                    .paths
                                    .into_iter()
                                    .filter(|p| seen.insert(p.clone())),
                            );
                        }
                    }
                    for path in paths {
                        self.reconcile(&path);
                    }
                }
                Ok(WatchInput::Fs(Err(errors))) => {
                    for error in errors {
                        tracing::warn!(%error, "file watcher error");
                    }
                    self.check_roots(true);
                }
                Ok(WatchInput::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {}
            }
            if last_check.elapsed() >= ROOT_CHECK_EVERY {
                last_check = Instant::now();
                self.check_roots(true);
            }
        }
    }

    fn send(&mut self, event: LibraryEvent) {
        if self.alive && self.events.send(event).is_err() {
            self.alive = false;
        }
    }

    fn store_failed(&mut self, error: impl std::fmt::Display) {
        tracing::warn!(%error, "library store error in watcher");
        self.send(LibraryEvent::Warning(format!("library store: {error}")));
    }

    fn lose_root(&mut self, i: usize) {
        let root = self.roots[i].0.clone();
        let _ = self.debouncer.unwatch(&root);
        self.roots[i].1 = RootState::Missing;
        if !root.is_dir() {
            self.send(LibraryEvent::Warning(format!(
                "music folder {} is no longer available (deleted or unmounted); \
                 its tracks are kept until it comes back",
                root.display()
            )));
        }
    }

    /// Notices roots that disappeared or came back. `rescan` says whether a root that (re)appears
    /// is scanned (not at spawn, where the service has just scanned).
    fn check_roots(&mut self, rescan: bool) {
        for i in 0..self.roots.len() {
            let (root, state) = self.roots[i].clone();
            let exists = root.is_dir();
            match (state, exists) {
                (RootState::Watched, false) => self.lose_root(i),
                (RootState::Failed, false) => self.roots[i].1 = RootState::Missing,
                (RootState::Missing, true) => {
                    // Now that it exists its canonical form is known; use it from here on.
                    let root = normalize_root(&root);
                    self.roots[i].0 = root.clone();
                    match self.debouncer.watch(&root, RecursiveMode::Recursive) {
                        Ok(()) => {
                            self.roots[i].1 = RootState::Watched;
                            if rescan {
                                self.rescan_root(&root);
                            }
                        }
                        Err(source) => {
                            self.roots[i].1 = RootState::Failed;
                            let error = LibraryError::Watch { path: root, source };
                            self.send(LibraryEvent::Warning(error.to_string()));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn rescan_root(&mut self, root: &Path) {
        tracing::info!(root = %root.display(), "music folder is back; rescanning it");
        match scan_cancellable(
            &self.store,
            &[root.to_path_buf()],
            &mut |_| {},
            &self.cancel,
        ) {
            Ok(report) => self.send(LibraryEvent::ScanFinished(report)),
            Err(LibraryError::Cancelled) => {}
            Err(e) => self.send(LibraryEvent::Warning(format!(
                "rescan of {}: {e}",
                root.display()
            ))),
        }
    }
}

/// Whether an event can change the catalogue: everything but reads and opens (a close after
/// writing counts).
fn relevant(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}
