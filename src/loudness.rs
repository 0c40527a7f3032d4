//! Background loudness measurement: [`LoudnessWorker`] owns one low-priority thread
//! (`mien-loudness`, nice 19) that measures the EBU R128 loudness of the tracks it is sent which
//! have no ReplayGain tags and no fresh measurement in the store, and stores each result. The
//! engine reads the results through [`lookup`] when it opens a track (tags win).
//!
//! Channels: the owner sends [`LoudnessCommand`]s (the player at start and after library
//! changes); the thread reports nothing (the store is the result). Shutdown: the worker's `Drop`
//! sends `Shutdown` and joins; the thread also ends when the sender is gone. A track being
//! measured finishes first (a few hundred ms for a long track: docs/BENCHMARKS.md).

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvError, Sender, TryRecvError};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::audio::loudness::measure;
use crate::audio::LoudnessLookup;
use crate::core::{now_ms, ReplayGain, Track, TrackId};
use crate::store::{LoudnessRecord, Store};

/// What the owner asks of the loudness thread.
#[derive(Debug)]
pub enum LoudnessCommand {
    /// Measure these tracks (after any already waiting; duplicates are dropped).
    Measure(Vec<Track>),
    /// Measure every track of the catalogue in these library folders (none: every track), read
    /// from the store on the worker's thread.
    MeasureLibrary {
        roots: Vec<PathBuf>,
    },
    Shutdown,
}

/// Handle on the loudness thread. See the module docs.
pub struct LoudnessWorker {
    commands: Sender<LoudnessCommand>,
    thread: Option<JoinHandle<()>>,
}

impl LoudnessWorker {
    pub fn spawn(store: Store) -> std::io::Result<LoudnessWorker> {
        let (commands, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("mien-loudness".into())
            .spawn(move || run(&store, &rx))?;
        Ok(LoudnessWorker {
            commands,
            thread: Some(thread),
        })
    }

    /// Queues the catalogue's tracks in the library folders `roots`.
    pub fn measure_library(&self, roots: &[PathBuf]) {
        let roots = roots.to_vec();
        let _ = self
            .commands
            .send(LoudnessCommand::MeasureLibrary { roots });
    }

    pub fn measure(&self, tracks: Vec<Track>) {
        let _ = self.commands.send(LoudnessCommand::Measure(tracks));
    }
}

impl Drop for LoudnessWorker {
    fn drop(&mut self) {
        let _ = self.commands.send(LoudnessCommand::Shutdown);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Whether a track needs measuring: no ReplayGain tag of its own.
fn untagged(t: &Track) -> bool {
    t.replay_gain.track_gain_db.is_none() && t.replay_gain.album_gain_db.is_none()
}

fn run(store: &Store, commands: &Receiver<LoudnessCommand>) {
    nice_19();
    let mut queue: VecDeque<Track> = VecDeque::new();
    let mut queued: HashSet<TrackId> = HashSet::new();
    loop {
        let command = if queue.is_empty() {
            commands
                .recv()
                .map_err(|RecvError| TryRecvError::Disconnected)
        } else {
            commands.try_recv()
        };
        let tracks = match command {
            Ok(LoudnessCommand::Shutdown) | Err(TryRecvError::Disconnected) => return,
            Ok(LoudnessCommand::Measure(tracks)) => tracks,
            Ok(LoudnessCommand::MeasureLibrary { roots }) => {
                store.library_tracks(&roots).unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "cannot read the catalogue to measure loudness");
                    Vec::new()
                })
            }
            Err(TryRecvError::Empty) => Vec::new(),
        };
        for t in tracks.into_iter().filter(untagged) {
            if queued.insert(t.id) {
                queue.push_back(t);
            }
        }
        if let Some(t) = queue.pop_front() {
            queued.remove(&t.id);
            measure_one(store, &t);
        }
    }
}

/// Measures one track unless a fresh measurement is stored; stores the result.
fn measure_one(store: &Store, t: &Track) {
    match store.fresh_loudness(t.id, t.size, t.mtime_ns) {
        Ok(Some(_)) => return,
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "unreadable stored loudness: measuring again"),
    }
    match measure(&t.path) {
        Ok(l) => {
            let record = LoudnessRecord {
                size: t.size,
                mtime_ns: t.mtime_ns,
                integrated_lufs: l.integrated_lufs,
                gain_db: l.gain_db(),
                peak: l.peak,
                measured_at_ms: now_ms(),
            };
            if let Err(e) = store.set_loudness(t.id, &record) {
                tracing::warn!(error = %e, path = %t.path.display(), "cannot store the loudness");
            }
        }
        Err(e) => tracing::info!(error = %e, "cannot measure loudness"),
    }
}

/// The engine's view of the stored measurements: the ReplayGain values for a file whose stored
/// loudness was measured from it as it is now (one `stat` and one store read per opened track).
pub fn lookup(store: Store) -> LoudnessLookup {
    Arc::new(move |path: &Path| {
        let meta = std::fs::metadata(path).ok()?;
        let (size, mtime_ns) = crate::core::file_stamp(&meta);
        let r = store
            .fresh_loudness(TrackId::from_path(path), size, mtime_ns)
            .ok()??;
        Some(ReplayGain {
            track_gain_db: r.gain_db,
            track_peak: Some(r.peak),
            ..ReplayGain::default()
        })
    })
}

/// Nice 19 for the calling thread (Linux applies `setpriority` to one thread).
fn nice_19() {
    // SAFETY: plain syscalls on the calling thread's own id.
    let tid = unsafe { libc::gettid() };
    if unsafe { libc::setpriority(libc::PRIO_PROCESS as _, tid as libc::id_t, 19) } != 0 {
        let e = std::io::Error::last_os_error();
        tracing::warn!(error = %e, "cannot lower the loudness thread's priority");
    }
}
