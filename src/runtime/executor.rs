//! `Runtime`: the UI thread's hands. It turns each `UiEvent` into a `Msg` for `update` and
//! performs the effects `update` returns (engine commands; ratings, history and queue saves
//! through the store's writer thread; the recommender's events and rankings, vision commands).
//! It never writes the app state: what it learns while performing (a failed write, a saved
//! playlist) goes back to `update` as a message on the UI channel. The one-answer effects
//! (playlist, diary, cover art) are in `loaders.rs`, MPRIS publishing in `mpris_link.rs`,
//! starting the subsystem threads in `services.rs`.

use std::path::PathBuf;
use std::sync::mpsc::Sender;

use ratatui::layout::Rect;

use super::UiEvent;
use crate::app::keymap::Keymap;
use crate::app::keys::{key_to_msg, KeyState};
use crate::app::reco::RankRequest;
use crate::app::state::{AppState, CameraState, Effect, Msg, Status};
use crate::app::update;
use crate::audio::Engine;
use crate::mpris::Mpris;
use crate::recommend::{Ranked, RecoCommand, Recommender};
use crate::store::writer::{StoreWriter, WriteCommand, WriteReport};
use crate::store::Store;
use crate::terminal::{ArtView, TermEvent};
use crate::vision::service::{VisionCommand, VisionService};

pub struct Runtime {
    pub(super) store: Store,
    /// The durable writes (ratings, queue, history), on their own thread; answers arrive as
    /// messages. `None` only after `shutdown`.
    writer: Option<StoreWriter>,
    pub(super) engine: Engine,
    pub(super) data_dir: PathBuf,
    pub(super) tx: Sender<UiEvent>,
    pub(super) mpris: Option<Mpris>,
    /// The background mood tagger (none when its thread could not start).
    pub(super) moods: Option<crate::mood::MoodWorker>,
    /// The background loudness meter (none when its thread could not start), fed the same
    /// tracks as the mood tagger.
    pub(super) loudness: Option<crate::loudness::LoudnessWorker>,
    /// The recommender thread (none when it could not start) and the sender of the one reply
    /// channel for its rankings, forwarded to the UI as `Msg::RecoRanked`; the forwarder ends
    /// when this runtime (and so the sender) is dropped.
    pub(super) reco: Option<(Recommender, Sender<Ranked>)>,
    /// The vision thread (camera → face → emotion), once started.
    pub(super) vision: Option<VisionService>,
    /// The cover of the playing track as the terminal draws it.
    pub(super) art: ArtView,
    /// What was last published over MPRIS: (path, paused, volume).
    pub(super) published: Option<(Option<PathBuf>, bool, u8)>,
    /// The control socket's listener (`mien ctl`), once started; dropping it removes the socket.
    pub(super) control: Option<crate::control::ControlServer>,
    /// The thread that wakes the UI when the next line of lyrics starts.
    lyrics_timer: super::lyrics::LyricsTimer,
    /// The terminal's size as last reported, for the mouse's hit test.
    screen: Rect,
    /// When the loop should wake with `Msg::Tick` (`Effect::TickAt`), ms since the epoch.
    tick_at: Option<u64>,
}

impl Runtime {
    /// A runtime on `store` and `engine`; `picker` is the terminal's image protocol (`None`: no
    /// cover art). Answers to performed effects are sent on `tx`. Starts the store's writer
    /// thread and its forwarder; fails if they cannot start (nothing could be saved).
    pub fn new(
        store: Store,
        engine: Engine,
        picker: Option<crate::terminal::ImageDrawer>,
        data_dir: PathBuf,
        tx: Sender<UiEvent>,
    ) -> std::io::Result<Runtime> {
        let (reports_tx, reports) = std::sync::mpsc::channel();
        let writer = StoreWriter::spawn(store.clone(), reports_tx)?;
        super::forward(reports, tx.clone(), |r| UiEvent::App(written(r)))?;
        Ok(Runtime {
            store,
            writer: Some(writer),
            engine,
            data_dir,
            tx,
            mpris: None,
            moods: None,
            loudness: None,
            reco: None,
            vision: None,
            art: ArtView::new(picker),
            published: None,
            control: None,
            lyrics_timer: Default::default(),
            screen: Rect::default(),
            tick_at: None,
        })
    }

    /// The tick asked for has been sent (`update` asks for the next one if the timer goes on).
    pub fn clear_tick(&mut self) {
        self.tick_at = None;
    }

    /// The time the next tick is asked for.
    pub fn tick_at(&self) -> Option<u64> {
        self.tick_at
    }

    /// The album art's terminal state, for drawing.
    pub fn art(&mut self) -> &mut ArtView {
        &mut self.art
    }

    /// One event from the UI channel: its message through `update`, then the effects.
    pub fn handle(
        &mut self,
        state: &mut AppState,
        keymap: &Keymap,
        keys: &mut KeyState,
        ev: UiEvent,
    ) {
        let msg = match ev {
            UiEvent::Term(TermEvent::Key(k)) => key_to_msg(state, keymap, keys, k),
            UiEvent::Term(TermEvent::Resize { width, height }) => Some(self.resized(width, height)),
            UiEvent::Term(TermEvent::Mouse { event, at }) => {
                let kind = crate::app::mouse::MouseKind::from_event(event.kind);
                let shown = self.art.shown();
                let target =
                    crate::ui::hit::hit(self.screen, shown, state, event.column, event.row);
                kind.map(|kind| Msg::Mouse(crate::app::mouse::MouseInput { target, kind, at }))
            }
            UiEvent::App(m) => Some(m),
            UiEvent::Mpris(req) => Some(Msg::Remote(super::remote(req))),
            UiEvent::Art(path, img) => {
                self.art.arrived(path, img);
                None
            }
        };
        if let Some(m) = msg {
            self.apply(state, m);
        }
    }

    /// The terminal is now `width`×`height`: the size the mouse is hit-tested against, and the
    /// message that tells `update` the new list height.
    pub fn resized(&mut self, width: u16, height: u16) -> Msg {
        self.art.invalidate();
        self.screen = Rect::new(0, 0, width, height);
        Msg::Resize {
            list_rows: crate::ui::list_rows(self.screen),
            help_slots: crate::ui::help_slots(self.screen),
        }
    }

    /// `update(state, msg)`, then performs the effects it returns.
    pub fn apply(&mut self, state: &mut AppState, msg: Msg) {
        for effect in update(state, msg) {
            self.perform(effect);
        }
    }

    /// [`Runtime::apply`] for each message in turn.
    pub fn apply_all(&mut self, state: &mut AppState, msgs: Vec<Msg>) {
        for m in msgs {
            self.apply(state, m);
        }
    }

    /// Sends `update` a message from the runtime; it is handled on the loop's next turn.
    pub(super) fn answer(&self, msg: Msg) {
        // The receiver is the UI loop on this very thread: it is gone only after quitting.
        let _ = self.tx.send(UiEvent::App(msg));
    }

    fn perform(&mut self, effect: Effect) {
        match effect {
            Effect::Engine(cmd) => self.engine.send(cmd),
            // Durable first: the stars change only when `update` hears it was saved.
            Effect::SaveRating { id, rating } => self.write(WriteCommand::SetRating { id, rating }),
            Effect::RecordPlay(rec) => self.write(WriteCommand::RecordPlay(rec)),
            Effect::SaveQueue(q) => self.write(WriteCommand::SaveQueue(q)),
            Effect::WritePlaylist {
                name,
                replace,
                entries,
            } => self.write_playlist(name, replace, &entries),
            Effect::LoadArt(path) => self.load_art(path),
            // What the face shows is private: never in the log below trace level.
            Effect::EmotionChanged(r) => tracing::trace!(label = r.label(), "emotion reading"),
            Effect::TagMoods(tracks) => {
                if let Some(w) = &self.loudness {
                    w.measure(tracks.clone());
                }
                if let Some(w) = &self.moods {
                    w.tag(tracks);
                }
            }
            Effect::TagLibrary { roots } => {
                if let Some(w) = &self.loudness {
                    w.measure_library(&roots);
                }
                if let Some(w) = &self.moods {
                    w.tag_library(&roots);
                }
            }
            Effect::RecoEvent(event) => {
                if let Some((r, _)) = &self.reco {
                    let sent = r.sender().send(RecoCommand::Event { event, ack: None });
                    if sent.is_err() {
                        tracing::warn!("the recommender has stopped: event not logged");
                    }
                }
            }
            Effect::RecoRank(req) => self.rank(req),
            Effect::Reply { to, reply } => to.send(reply),
            Effect::RecordReading(r) => self.write(WriteCommand::RecordReading(r)),
            Effect::LoadDiary { days } => self.load_diary(days),
            Effect::LoadLyrics(path) => {
                if let Some(msg) = super::lyrics::load(path, &self.tx) {
                    self.answer(msg);
                }
            }
            Effect::LyricsWake(wake) => {
                if let Err(e) = self.lyrics_timer.set(wake, &self.tx) {
                    self.answer(Msg::Status(Status::error(format!(
                        "lyrics follow the position once a second: no timer thread: {e}"
                    ))));
                }
            }
            Effect::ListPlaylists => self.list_playlists(),
            Effect::DeletePlaylist(path) => self.delete_playlist(path),
            Effect::OpenSavedPlaylist { path, append } => self.open_saved_playlist(path, append),
            Effect::TickAt(at) => self.tick_at = at,
            Effect::Vision(cmd) => self.vision_command(cmd),
            Effect::ReloadCatalogue => {
                let (store, tx) = (self.store.clone(), self.tx.clone());
                let spawned =
                    std::thread::Builder::new()
                        .name("catalogue".into())
                        .spawn(move || match store.all_tracks() {
                            Ok(tracks) => {
                                let _ = tx.send(UiEvent::App(Msg::Catalogue(tracks)));
                            }
                            Err(e) => tracing::warn!(error = %e, "cannot reload the catalogue"),
                        });
                if let Err(e) = spawned {
                    self.answer(Msg::Status(Status::error(format!(
                        "the library changed but cannot be reloaded: no thread: {e}"
                    ))));
                }
            }
        }
    }

    fn write(&self, cmd: WriteCommand) {
        let sent = self.writer.as_ref().is_some_and(|w| w.send(cmd.clone()));
        if !sent {
            // The writer thread died (it only ends when dropped): say what was lost.
            self.answer(match cmd {
                WriteCommand::SetRating { id, .. } => Msg::RatingFailed {
                    id,
                    error: "the store's writer has stopped".into(),
                },
                _ => Msg::Status(Status::error("not saved: the store's writer has stopped")),
            });
        }
    }

    /// Sends a rank request; the answer arrives later as `Msg::RecoRanked` (never waited for).
    fn rank(&mut self, req: RankRequest) {
        let Some((r, reply)) = &self.reco else { return };
        let RankRequest {
            tag,
            candidates,
            listener,
            n,
        } = req;
        let sent = r.sender().send(RecoCommand::Rank {
            candidates,
            state: listener,
            n,
            tag,
            reply: reply.clone(),
        });
        if sent.is_err() {
            tracing::warn!("the recommender has stopped: no ranking");
        }
    }

    fn vision_command(&mut self, cmd: VisionCommand) {
        let sent = self.vision.as_ref().is_some_and(|v| v.send(cmd.clone()));
        if !sent && cmd != VisionCommand::Enable(false) {
            let why = "the vision thread is not running".to_string();
            self.answer(Msg::Camera(CameraState::Unavailable(why)));
        }
    }

    /// Writes `queue-<unix seconds>.m3u8` in the data dir's `playlists/`.
    /// Saves the queue and position for resume, waits for every write to be on disk, and stops
    /// the recommender (which checkpoints its tables).
    pub fn shutdown(&mut self, state: &AppState) {
        // No more requests: the socket goes first (its file is removed).
        self.control = None;
        self.write(WriteCommand::SaveQueue(state.saved_queue()));
        self.writer = None;
        self.reco = None;
        self.vision = None;
        let _ = self.store.flush();
    }
}

/// The store writer's report as a message.
fn written(report: WriteReport) -> Msg {
    match report {
        WriteReport::RatingSaved { id, rating } => Msg::RatingSaved { id, rating },
        WriteReport::RatingFailed { id, error } => Msg::RatingFailed { id, error },
        WriteReport::QueueNotSaved(e) => {
            Msg::Status(Status::error(format!("queue not saved: {e}")))
        }
        WriteReport::PlayNotRecorded(e) => {
            Msg::Status(Status::error(format!("history not saved: {e}")))
        }
        WriteReport::ReadingNotRecorded(e) => {
            Msg::Status(Status::error(format!("emotion reading not saved: {e}")))
        }
    }
}
