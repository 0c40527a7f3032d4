//! `mien play FILE...`: headless playback through
//! the engine, with the play history recorded in the store. `PlayDriver` is the queue owner's
//! side of the engine protocol: it answers engine events with the next commands.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{absolute, mmss, Context};
use crate::audio::{Engine, EngineCommand, EngineEvent, TrackRequest};
use crate::core::{now_ms, PlayOutcome, PlayRecord, TrackId};
use crate::store::Store;

/// Walks a fixed list of tracks through the engine: plays the first, preloads each following
/// one when its predecessor starts, and steps past tracks that fail to open.
pub struct PlayDriver {
    queue: Vec<TrackRequest>,
    /// Index of the track the engine is playing (or was asked to play).
    current: usize,
    /// Index of the track handed to the engine with `SetNext`.
    preloaded: Option<usize>,
    pub failures: Vec<(PathBuf, String)>,
}

impl PlayDriver {
    pub fn new(queue: Vec<TrackRequest>) -> PlayDriver {
        PlayDriver {
            queue,
            current: 0,
            preloaded: None,
            failures: Vec::new(),
        }
    }

    /// The commands that start playback.
    pub fn start(&mut self) -> Vec<EngineCommand> {
        match self.queue.first() {
            Some(t) => vec![EngineCommand::Play {
                track: t.clone(),
                start_ms: 0,
            }],
            None => Vec::new(),
        }
    }

    /// The commands answering `ev`.
    pub fn on_event(&mut self, ev: &EngineEvent) -> Vec<EngineCommand> {
        match ev {
            EngineEvent::TrackStarted { path, .. } => {
                if let Some(i) = self.index_after(self.current, path) {
                    self.current = i;
                }
                self.preload_after(self.current)
            }
            EngineEvent::TrackFailed { path, reason } => {
                self.failures.push((path.clone(), reason.clone()));
                if self.preloaded.is_some_and(|i| self.queue[i].path == *path) {
                    let failed = self.preloaded.take().unwrap_or(self.current);
                    self.preload_after(failed)
                } else if self
                    .queue
                    .get(self.current)
                    .is_some_and(|t| t.path == *path)
                {
                    self.current += 1;
                    match self.queue.get(self.current) {
                        Some(t) => vec![EngineCommand::Play {
                            track: t.clone(),
                            start_ms: 0,
                        }],
                        None => Vec::new(),
                    }
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        }
    }

    /// Whether every track has been tried.
    pub fn exhausted(&self) -> bool {
        self.current + 1 >= self.queue.len() && self.preloaded.is_none()
    }

    fn preload_after(&mut self, i: usize) -> Vec<EngineCommand> {
        match self.queue.get(i + 1) {
            Some(t) => {
                self.preloaded = Some(i + 1);
                vec![EngineCommand::SetNext(Some(t.clone()))]
            }
            None => {
                self.preloaded = None;
                Vec::new()
            }
        }
    }

    /// The first queue index at or after `from` whose path is `path`.
    fn index_after(&self, from: usize, path: &Path) -> Option<usize> {
        (from..self.queue.len()).find(|&i| self.queue[i].path == path)
    }
}

/// `mien play FILE... [--seconds N]`.
pub fn run_files(ctx: &Context, files: &[PathBuf], seconds: Option<f64>) -> anyhow::Result<()> {
    let store = ctx.open_store()?;
    let queue: Vec<TrackRequest> = files
        .iter()
        .map(|f| request(&store, &absolute(f)))
        .collect();
    play_queue(ctx, &store, queue, seconds)
}

fn request(store: &Store, path: &Path) -> TrackRequest {
    match store.track_by_path(path).ok().flatten() {
        Some(t) => TrackRequest {
            path: path.to_path_buf(),
            ..TrackRequest::for_track(&t)
        },
        None => TrackRequest::new(path),
    }
}

fn play_queue(
    ctx: &Context,
    store: &Store,
    queue: Vec<TrackRequest>,
    seconds: Option<f64>,
) -> anyhow::Result<()> {
    if queue.is_empty() {
        anyhow::bail!("nothing to play");
    }
    let total = queue.len();
    let (tx, rx) = mpsc::channel();
    let mut config = ctx.engine_config();
    config.loudness = Some(crate::loudness::lookup(store.clone()));
    let engine = Engine::spawn(config, tx)?;
    let mut driver = PlayDriver::new(queue);
    for cmd in driver.start() {
        engine.send(cmd);
    }
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs_f64(s.max(0.0)));
    let mut started = 0usize;
    loop {
        let wait = deadline.map_or(Duration::from_secs(3600), |d| {
            d.saturating_duration_since(Instant::now())
        });
        let ev = match rx.recv_timeout(wait) {
            Ok(ev) => ev,
            Err(mpsc::RecvTimeoutError::Timeout) if deadline.is_some() => {
                engine.send(EngineCommand::Stop);
                drain_until_idle(&rx, store);
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        record(store, &ev);
        match &ev {
            EngineEvent::OutputOpened {
                description,
                fallback,
            } => match fallback {
                Some(why) => println!("audio: {description} — {why}"),
                None => println!("audio: {description}"),
            },
            EngineEvent::TrackStarted { path, duration_ms } => {
                started += 1;
                println!(
                    "playing {} ({})",
                    path.display(),
                    duration_ms.map_or("?:??".into(), mmss)
                );
            }
            EngineEvent::TrackFailed { path, reason } => {
                println!("skipped {}: {reason}", path.display());
            }
            _ => {}
        }
        for cmd in driver.on_event(&ev) {
            engine.send(cmd);
        }
        let failed_last = matches!(ev, EngineEvent::TrackFailed { .. }) && driver.exhausted();
        if (ev == EngineEvent::Idle || failed_last && started == 0) && driver.exhausted() {
            break;
        }
    }
    drop(engine);
    store.flush()?;
    if started == 0 {
        anyhow::bail!("none of the {total} tracks could be played");
    }
    Ok(())
}

/// After `Stop`: record the final `TrackEnded` before leaving.
fn drain_until_idle(rx: &mpsc::Receiver<EngineEvent>, store: &Store) {
    while let Ok(ev) = rx.recv_timeout(Duration::from_secs(2)) {
        record(store, &ev);
        if ev == EngineEvent::Idle {
            break;
        }
    }
}

/// Writes play starts and ends to the history.
fn record(store: &Store, ev: &EngineEvent) {
    let (path, outcome, position_ms) = match ev {
        EngineEvent::TrackStarted { path, .. } => (path, PlayOutcome::Started, 0),
        EngineEvent::TrackEnded {
            path,
            position_ms,
            completed,
        } => (
            path,
            if *completed {
                PlayOutcome::Completed
            } else {
                PlayOutcome::Skipped
            },
            *position_ms,
        ),
        _ => return,
    };
    let rec = PlayRecord {
        at_ms: now_ms(),
        track: TrackId::from_path(path),
        path: path.clone(),
        outcome,
        position_ms,
    };
    if let Err(e) = store.record_play(&rec) {
        tracing::warn!(error = %e, "could not record play history");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev_started(p: &str) -> EngineEvent {
        EngineEvent::TrackStarted {
            path: p.into(),
            duration_ms: None,
        }
    }

    #[test]
    fn driver_preloads_the_following_track_when_one_starts() {
        let mut d = PlayDriver::new(vec![TrackRequest::new("a"), TrackRequest::new("b")]);
        assert_eq!(
            d.start(),
            vec![EngineCommand::Play {
                track: TrackRequest::new("a"),
                start_ms: 0
            }]
        );
        assert_eq!(
            d.on_event(&ev_started("a")),
            vec![EngineCommand::SetNext(Some(TrackRequest::new("b")))]
        );
        assert!(d.on_event(&ev_started("b")).is_empty());
        assert!(d.exhausted());
    }

    #[test]
    fn driver_steps_past_tracks_that_fail() {
        let q = ["a", "bad", "c"].map(TrackRequest::new).to_vec();
        let mut d = PlayDriver::new(q);
        d.start();
        d.on_event(&ev_started("a"));
        let fail = EngineEvent::TrackFailed {
            path: "bad".into(),
            reason: "corrupt".into(),
        };
        assert_eq!(
            d.on_event(&fail),
            vec![EngineCommand::SetNext(Some(TrackRequest::new("c")))]
        );
        // A failing first track: play the one after it.
        let mut d = PlayDriver::new(["bad", "c"].map(TrackRequest::new).to_vec());
        d.start();
        assert_eq!(
            d.on_event(&fail),
            vec![EngineCommand::Play {
                track: TrackRequest::new("c"),
                start_ms: 0
            }]
        );
    }
}
