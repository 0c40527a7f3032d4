//! Background mood tagging: [`MoodWorker`] owns one low-priority thread (`mien-mood`) that tags
//! the tracks it is sent, skipping those whose cached mood in the store is still fresh, stores
//! each result and reports by value on a channel.
//!
//! Channels: the owner sends [`MoodCommand`]s (the player after a scan or a library change);
//! the thread sends [`MoodEvent`]s to the receiver given to [`MoodWorker::spawn`] (the UI
//! thread). Shutdown: [`MoodWorker`]'s `Drop` sends `Shutdown` and joins; the thread also ends
//! when the command sender is gone. A track being tagged finishes first (under a second).
//!
//! Priority: the thread sets its own nice value to 19 (Linux: nice is per thread). candle's
//! matrix products run on rayon's global pool, whose threads inherit the nice value of the thread
//! that first uses the pool; if something else in the process used it first, those threads run
//! at normal priority.

use std::collections::{HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvError, Sender, TryRecvError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Least time between two progress reports for tracks found already tagged.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

use super::{ModelFiles, Tagger};
use crate::core::{Track, TrackId};
use crate::store::{MoodRecord, Store};

/// What the owner asks of the tagging thread.
#[derive(Debug)]
pub enum MoodCommand {
    /// Tag these tracks (queued after any already waiting; duplicates are dropped).
    Tag(Vec<Track>),
    /// Tag every track of the catalogue in the store that lies in these library folders (none:
    /// every track), read on the tagging thread (so the owner never copies the catalogue).
    TagLibrary {
        roots: Vec<PathBuf>,
    },
    Shutdown,
}

/// What the tagging thread reports.
#[derive(Clone, Debug, PartialEq)]
pub enum MoodEvent {
    /// `done` of `total` queued tracks handled (tagged, failed or found fresh in the cache);
    /// sent after each track and once per command. `done == total`: idle.
    Progress { done: usize, total: usize },
    /// A track was tagged and its record stored.
    Tagged { id: TrackId, record: MoodRecord },
    /// A track could not be tagged (undecodable file, ...).
    Failed { path: PathBuf, reason: String },
    /// The model could not be loaded: the thread has ended and tags nothing.
    Unavailable { reason: String },
}

/// Handle on the tagging thread. See the module docs.
pub struct MoodWorker {
    commands: Sender<MoodCommand>,
    thread: Option<JoinHandle<()>>,
}

impl MoodWorker {
    /// Starts the thread; it loads the models (`files`) first.
    pub fn spawn(
        files: &ModelFiles,
        store: Store,
        events: Sender<MoodEvent>,
    ) -> std::io::Result<MoodWorker> {
        let (commands, rx) = mpsc::channel();
        let files = files.clone();
        let thread = std::thread::Builder::new()
            .name("mien-mood".into())
            .spawn(move || run(&files, &store, &rx, &events))?;
        Ok(MoodWorker {
            commands,
            thread: Some(thread),
        })
    }

    /// Queues the catalogue's tracks in the library folders `roots` (read from the store by the
    /// tagging thread; what other folders left in the store is not tagged).
    pub fn tag_library(&self, roots: &[PathBuf]) {
        let roots = roots.to_vec();
        let _ = self.commands.send(MoodCommand::TagLibrary { roots });
    }

    /// Queues tracks for tagging.
    pub fn tag(&self, tracks: Vec<Track>) {
        // A send fails only when the thread has ended (model unavailable): nothing to do.
        let _ = self.commands.send(MoodCommand::Tag(tracks));
    }
}

impl Drop for MoodWorker {
    fn drop(&mut self) {
        let _ = self.commands.send(MoodCommand::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(
    files: &ModelFiles,
    store: &Store,
    commands: &Receiver<MoodCommand>,
    events: &Sender<MoodEvent>,
) {
    lower_priority();
    let tagger = match Tagger::load(files) {
        Ok(t) => t,
        Err(e) => {
            let _ = events.send(MoodEvent::Unavailable {
                reason: e.to_string(),
            });
            return;
        }
    };
    let model = tagger.model_name();
    let mut queue: VecDeque<Track> = VecDeque::new();
    let mut queued: HashSet<TrackId> = HashSet::new();
    let (mut done, mut total) = (0, 0);
    let mut last_progress = Instant::now();
    loop {
        let command = if queue.is_empty() {
            (done, total) = (0, 0);
            commands
                .recv()
                .map_err(|RecvError| TryRecvError::Disconnected)
        } else {
            commands.try_recv()
        };
        match command {
            Ok(MoodCommand::Shutdown) | Err(TryRecvError::Disconnected) => return,
            Ok(command @ (MoodCommand::Tag(_) | MoodCommand::TagLibrary { .. })) => {
                let tracks = match command {
                    MoodCommand::Tag(tracks) => tracks,
                    MoodCommand::TagLibrary { roots } => {
                        store.library_tracks(&roots).unwrap_or_else(|e| {
                            tracing::warn!(error = %e, "cannot read the catalogue to tag it");
                            Vec::new()
                        })
                    }
                    MoodCommand::Shutdown => Vec::new(),
                };
                for t in tracks {
                    if queued.insert(t.id) {
                        queue.push_back(t);
                        total += 1;
                    }
                }
                let _ = events.send(MoodEvent::Progress { done, total });
                continue;
            }
            Err(TryRecvError::Empty) => {}
        }
        let Some(track) = queue.pop_front() else {
            continue;
        };
        queued.remove(&track.id);
        let tagged = tag_one(&tagger, &model, store, &track);
        done += 1;
        // Cache hits are fast: report them at most every PROGRESS_EVERY, so a library that is
        // already tagged costs a handful of redraws, not one per track.
        let report = tagged.is_some() || done == total || last_progress.elapsed() >= PROGRESS_EVERY;
        if let Some(event) = tagged {
            let _ = events.send(event);
        }
        if report {
            let _ = events.send(MoodEvent::Progress { done, total });
            last_progress = Instant::now();
        }
    }
}

/// Tags one track unless its cached mood is fresh; stores the result. `None`: cache hit.
fn tag_one(tagger: &Tagger, model: &str, store: &Store, track: &Track) -> Option<MoodEvent> {
    match store.fresh_mood(track.id, track.size, track.mtime_ns, model) {
        Ok(Some(_)) => return None,
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "unreadable cached mood: tagging again"),
    }
    match tagger.tag_file(&track.path) {
        Ok(result) => {
            let record = result.to_record(model, track.size, track.mtime_ns);
            if let Err(e) = store.set_mood(track.id, &record) {
                tracing::warn!(error = %e, path = %track.path.display(), "cannot cache the mood");
            }
            Some(MoodEvent::Tagged {
                id: track.id,
                record,
            })
        }
        Err(e) => {
            tracing::info!(error = %e, "cannot tag");
            Some(MoodEvent::Failed {
                path: track.path.clone(),
                reason: e.to_string(),
            })
        }
    }
}

/// Nice 19 for the calling thread (Linux applies `setpriority` to one thread).
fn lower_priority() {
    // SAFETY: plain syscalls on the calling thread's own id.
    let rc =
        unsafe { libc::setpriority(libc::PRIO_PROCESS as _, libc::gettid() as libc::id_t, 19) };
    if rc != 0 {
        tracing::warn!(error = %std::io::Error::last_os_error(), "cannot lower the mood thread's priority");
    }
}
