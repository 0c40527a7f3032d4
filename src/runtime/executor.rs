//! `Runtime`: the UI thread's hands. It turns each `UiEvent` into a `Msg` for `update` and
//! performs the effects `update` returns (engine commands; ratings, history and queue saves
//! through the store's writer thread; playlists, cover art, the recommender's events and
//! rankings, vision commands), and
//! publishes the player's state over MPRIS. It never writes the app state: what it learns while
//! performing (a failed write, a saved playlist) goes back to `update` as a message on the UI
//! channel. Starting the subsystem threads is in `services.rs`.

use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::time::Duration;

use ratatui::layout::Rect;

use super::UiEvent;
use crate::app::keymap::Keymap;
use crate::app::keys::{key_to_msg, KeyState};
use crate::app::reco::RankRequest;
use crate::app::state::{AppState, CameraState, Effect, Msg, Remote, Status};
use crate::app::{update, Action};
use crate::audio::Engine;
use crate::library::art::{decode_cover, find_cover};
use crate::library::m3u::{write_m3u, PlaylistEntry};
use crate::mpris::{Mpris, MprisRequest, PlaybackStatus};
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
    art: ArtView,
    /// What was last published over MPRIS: (path, paused, volume).
    published: Option<(Option<PathBuf>, bool, u8)>,
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
            UiEvent::Mpris(req) => Some(Msg::Remote(remote(req))),
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
            Effect::WritePlaylist(entries) => self.write_playlist(&entries),
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
            Effect::TagLibrary => {
                if let Some(w) = &self.loudness {
                    w.measure_library();
                }
                if let Some(w) = &self.moods {
                    w.tag_library();
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
    fn write_playlist(&mut self, entries: &[PlaylistEntry]) {
        let dir = self.data_dir.join("playlists");
        let stamp = crate::core::now_ms() / 1000;
        let path = dir.join(format!("queue-{stamp}.m3u8"));
        let result = crate::core::private::private_dir(&dir)
            .map_err(|e| e.to_string())
            .and_then(|_| write_m3u(&path, entries).map_err(|e| e.to_string()));
        self.answer(Msg::Status(match result {
            Ok(()) => Status::info(format!("saved the queue to {}", path.display())),
            Err(e) => Status::error(format!("cannot save the queue: {e}")),
        }));
    }

    /// Builds the mood diary off the UI thread; the answer comes back as `Msg::DiaryLoaded`.
    fn load_diary(&mut self, days: u32) {
        let (store, tx) = (self.store.clone(), self.tx.clone());
        let spawned = std::thread::Builder::new()
            .name("diary".into())
            .spawn(move || {
                let result = crate::diary::load(&store, days, crate::core::now_ms())
                    .map_err(|e| e.to_string());
                let _ = tx.send(UiEvent::App(Msg::DiaryLoaded(result)));
            });
        if let Err(e) = spawned {
            self.answer(Msg::DiaryLoaded(Err(format!("no thread to read it: {e}"))));
        }
    }

    /// Finds and decodes the cover off the UI thread; the answer comes back as `UiEvent::Art`.
    fn load_art(&mut self, path: Option<PathBuf>) {
        if !self.art.want(path.as_deref()) {
            return;
        }
        let Some(path) = path else { return };
        let tx = self.tx.clone();
        let spawned = std::thread::Builder::new()
            .name("art".into())
            .spawn(move || {
                let img = find_cover(&path).and_then(|c| decode_cover(&c.bytes).ok());
                let _ = tx.send(UiEvent::Art(Some(path), img));
            });
        if let Err(e) = spawned {
            self.answer(Msg::Status(Status::error(format!(
                "cover art not shown: cannot start its thread: {e}"
            ))));
        }
    }

    /// Publishes track and playback state over MPRIS when they changed.
    pub fn after_update(&mut self, state: &AppState) {
        let Some(m) = self.mpris.as_mut() else { return };
        let key = (
            state.player.path.clone(),
            state.player.paused,
            state.player.volume,
        );
        if self.published.as_ref() == Some(&key) {
            return;
        }
        if self.published.as_ref().map(|p| &p.0) != Some(&key.0) {
            if let Some(t) = state.playing_track() {
                m.set_metadata(t, state.player.duration_ms.map(Duration::from_millis));
            }
        }
        let position = Duration::from_millis(state.player.position_ms);
        m.set_playback(match (&state.player.path, state.player.paused) {
            (None, _) => PlaybackStatus::Stopped,
            (Some(_), true) => PlaybackStatus::Paused { position },
            (Some(_), false) => PlaybackStatus::Playing { position },
        });
        m.set_volume(f64::from(state.player.volume) / 100.0);
        self.published = Some(key);
    }

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

/// A media controller's request in the app's terms.
pub fn remote(req: MprisRequest) -> Remote {
    use MprisRequest as M;
    let ms = |d: Duration| d.as_millis().min(i64::MAX as u128) as i64;
    match req {
        M::Play => Remote::Play,
        M::Pause => Remote::Pause,
        M::Toggle => Remote::Action(Action::PlayPause),
        M::Next => Remote::Action(Action::NextTrack),
        M::Previous => Remote::Action(Action::PrevTrack),
        M::Stop => Remote::Action(Action::Stop),
        M::Quit => Remote::Action(Action::Quit),
        M::SeekForward => Remote::Action(Action::SeekForward),
        M::SeekBackward => Remote::Action(Action::SeekBackward),
        M::SeekForwardBy(d) => Remote::SeekBy(ms(d)),
        M::SeekBackwardBy(d) => Remote::SeekBy(-ms(d)),
        M::SeekTo(d) => Remote::SeekTo(ms(d) as u64),
        M::SetVolume(v) => Remote::SetVolume(v as f32),
    }
}
