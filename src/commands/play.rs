//! `mien play FILE... [--seconds N]`: headless playback through the engine, with the play
//! history recorded in the store. The queue is the player's own (`app`): the files become the
//! queue of an `AppState`, every engine event goes through `app::update`, and of the effects it
//! returns this command performs the engine commands and the history records (no terminal, no
//! queue save, no recommender, no camera).

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{absolute, mmss, Context};
use crate::app::queue::QueueItem;
use crate::app::{update, Action, AppState, Effect, Msg};
use crate::audio::{Engine, EngineCommand, EngineEvent};
use crate::core::PlayRecord;
use crate::store::Store;

/// The player's queue logic without the player: what to tell the engine after each event.
struct Headless {
    state: AppState,
    /// Tracks that started playing.
    started: usize,
    /// Of those, tracks that stopped early because the file is damaged.
    damaged: usize,
    /// Whether the last event asked the engine for something (a failed track's successor).
    asked: bool,
}

/// What an event asks of this command.
#[derive(Debug, Default, PartialEq)]
struct Todo {
    engine: Vec<EngineCommand>,
    history: Vec<PlayRecord>,
}

impl Headless {
    /// A queue of `files`, with the catalogue's entries for those the store knows (their
    /// ReplayGain).
    fn new(files: Vec<PathBuf>, store: &Store) -> Headless {
        let known = files
            .iter()
            .filter_map(|p| store.track_by_path(p).ok().flatten())
            .collect();
        let mut state = AppState::new(known, Vec::new());
        state.queue.append(files.into_iter().map(QueueItem::new));
        Headless {
            state,
            started: 0,
            damaged: 0,
            asked: false,
        }
    }

    /// Starts the first track.
    fn start(&mut self) -> Todo {
        self.apply(Msg::Action(Action::PlayPause))
    }

    /// The engine's event through `update`.
    fn on_event(&mut self, ev: &EngineEvent) -> Todo {
        match ev {
            EngineEvent::TrackStarted { .. } => self.started += 1,
            EngineEvent::TrackEnded {
                failure: Some(_), ..
            } => self.damaged += 1,
            _ => {}
        }
        let todo = self.apply(Msg::Engine(ev.clone()));
        self.asked = !todo.engine.is_empty();
        todo
    }

    fn apply(&mut self, msg: Msg) -> Todo {
        let mut todo = Todo::default();
        for effect in update(&mut self.state, msg) {
            match effect {
                Effect::Engine(cmd) => todo.engine.push(cmd),
                Effect::RecordPlay(rec) => todo.history.push(rec),
                _ => {}
            }
        }
        todo
    }

    /// Whether every track has been tried: the current item is the last and none is preloaded.
    fn exhausted(&self) -> bool {
        let q = &self.state.queue;
        q.current.is_none_or(|c| c + 1 >= q.len()) && self.state.preloaded.is_none()
    }

    /// Whether to stop after `ev`: the engine went idle (it does only with nothing left to play;
    /// `update` asks for nothing more then), or every track failed (a failure that started the
    /// last track is not the end: that one is still to be tried).
    fn finished_after(&self, ev: &EngineEvent) -> bool {
        let failed = matches!(ev, EngineEvent::TrackFailed { .. });
        *ev == EngineEvent::Idle || failed && self.started == 0 && self.exhausted() && !self.asked
    }
}

/// `mien play FILE... [--seconds N]`.
pub fn run_files(ctx: &Context, files: &[PathBuf], seconds: Option<f64>) -> anyhow::Result<()> {
    let store = ctx.open_store()?;
    let files: Vec<PathBuf> = files.iter().map(|f| absolute(f)).collect();
    if files.is_empty() {
        anyhow::bail!("nothing to play");
    }
    let total = files.len();
    let mut player = Headless::new(files, &store);
    let (tx, rx) = mpsc::channel();
    let mut config = ctx.engine_config();
    config.loudness = Some(crate::loudness::lookup(store.clone()));
    let engine = Engine::spawn(config, tx)?;
    perform(&engine, &store, player.start());
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs_f64(s.max(0.0)));
    loop {
        let wait = deadline.map_or(Duration::from_secs(3600), |d| {
            d.saturating_duration_since(Instant::now())
        });
        let ev = match rx.recv_timeout(wait) {
            Ok(ev) => ev,
            Err(mpsc::RecvTimeoutError::Timeout) if deadline.is_some() => {
                engine.send(EngineCommand::Stop);
                drain_until_idle(&rx, &mut player, &store);
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        print(&ev);
        let todo = player.on_event(&ev);
        perform(&engine, &store, todo);
        if player.finished_after(&ev) {
            break;
        }
    }
    drop(engine);
    store.flush()?;
    if player.started == player.damaged {
        anyhow::bail!("none of the {total} tracks could be played");
    }
    Ok(())
}

/// One line per output opened and track started on stdout; one per track skipped (cannot be
/// opened) or failed (stopped early, damaged) on stderr.
fn print(ev: &EngineEvent) {
    match ev {
        EngineEvent::OutputOpened {
            description,
            fallback,
        } => match fallback {
            Some(why) => println!("audio: {description} — {why}"),
            None => println!("audio: {description}"),
        },
        EngineEvent::TrackStarted { path, duration_ms } => {
            println!(
                "playing {} ({})",
                path.display(),
                duration_ms.map_or("?:??".into(), mmss)
            );
        }
        EngineEvent::TrackFailed { path, reason } => {
            crate::logging::eprint_line(&format!("skipped {}: {reason}", path.display()));
        }
        EngineEvent::TrackEnded {
            path,
            failure: Some(reason),
            ..
        } => {
            crate::logging::eprint_line(&format!("failed {}: {reason}", path.display()));
        }
        _ => {}
    }
}

fn perform(engine: &Engine, store: &Store, todo: Todo) {
    for cmd in todo.engine {
        engine.send(cmd);
    }
    for rec in todo.history {
        if let Err(e) = store.record_play(&rec) {
            tracing::warn!(error = %e, "could not record play history");
        }
    }
}

/// After `Stop`: record the final `TrackEnded` before leaving (no more engine commands).
fn drain_until_idle(rx: &mpsc::Receiver<EngineEvent>, player: &mut Headless, store: &Store) {
    while let Ok(ev) = rx.recv_timeout(Duration::from_secs(2)) {
        let todo = player.on_event(&ev);
        for rec in todo.history {
            if let Err(e) = store.record_play(&rec) {
                tracing::warn!(error = %e, "could not record play history");
            }
        }
        if ev == EngineEvent::Idle {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::TrackRequest;
    use crate::core::PlayOutcome;

    fn player(files: &[&str]) -> (tempfile::TempDir, Headless) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store");
        let files = files.iter().map(PathBuf::from).collect();
        (dir, Headless::new(files, &store))
    }

    fn started(p: &str) -> EngineEvent {
        EngineEvent::TrackStarted {
            path: p.into(),
            duration_ms: None,
        }
    }

    fn failed(p: &str) -> EngineEvent {
        EngineEvent::TrackFailed {
            path: p.into(),
            reason: "corrupt".into(),
        }
    }

    fn play(p: &str) -> EngineCommand {
        EngineCommand::Play {
            track: TrackRequest::new(p),
            start_ms: 0,
        }
    }

    #[test]
    fn the_first_track_plays_and_each_start_preloads_the_following_one() {
        let (_dir, mut p) = player(&["/m/a", "/m/b"]);
        assert_eq!(p.start().engine, [play("/m/a")]);
        let todo = p.on_event(&started("/m/a"));
        let next = EngineCommand::SetNext(Some(TrackRequest::new("/m/b")));
        assert_eq!(todo.engine, [next]);
        assert_eq!(todo.history[0].outcome, PlayOutcome::Started);
        assert!(!p.exhausted());
        p.on_event(&started("/m/b"));
        assert!(p.exhausted());
        assert!(p.finished_after(&EngineEvent::Idle));
    }

    #[test]
    fn tracks_that_fail_are_stepped_past_and_all_failing_ends_the_run() {
        let (_dir, mut p) = player(&["/m/a", "/m/bad", "/m/c"]);
        p.start();
        p.on_event(&started("/m/a"));
        // The preloaded track fails: preload the one after it instead.
        let next = EngineCommand::SetNext(Some(TrackRequest::new("/m/c")));
        assert_eq!(p.on_event(&failed("/m/bad")).engine, [next]);

        // The last track fails while preloaded: the run ends when the one playing does (this
        // used to wait for ever, the queue's last item never having been current).
        let (_dir, mut p) = player(&["/m/a", "/m/bad"]);
        p.start();
        p.on_event(&started("/m/a"));
        assert_eq!(
            p.on_event(&failed("/m/bad")).engine,
            [EngineCommand::SetNext(None)]
        );
        assert!(!p.finished_after(&failed("/m/bad")), "a still plays");
        p.on_event(&EngineEvent::Idle);
        assert!(p.finished_after(&EngineEvent::Idle));

        // A failing first track: play the one after it.
        let (_dir, mut p) = player(&["/m/bad", "/m/c"]);
        p.start();
        assert_eq!(p.on_event(&failed("/m/bad")).engine, [play("/m/c")]);
        assert!(
            !p.finished_after(&failed("/m/bad")),
            "c is still to be tried"
        );
        assert!(!p.finished_after(&EngineEvent::Position {
            path: "/m/c".into(),
            position_ms: 0,
            duration_ms: None
        }));
        // ... and when it fails too, nothing is left and nothing played.
        assert!(p.on_event(&failed("/m/c")).engine.is_empty());
        assert!(p.finished_after(&failed("/m/c")));
    }
}
