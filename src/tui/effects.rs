//! `Runtime`: the UI thread's hands. It routes each `UiEvent` to `update`, performs the effects
//! `update` returns (engine commands, durable ratings, history, queue saves, playlists, cover
//! art, the recommender's events and rankings), and publishes the player's state over MPRIS.
//! Starting the subsystem threads is in `services.rs`.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use ratatui::layout::{Rect, Size};
use ratatui_image::picker::Picker;
use ratatui_image::Resize;

use super::input::{key_to_msg, KeyState};
use super::UiEvent;
use crate::app::keymap::Keymap;
use crate::app::queue::QueueItem;
use crate::app::reco::RankRequest;
use crate::app::state::{AppState, Effect, Msg};
use crate::app::{update, Action};
use crate::audio::{Engine, EngineCommand};
use crate::library::art::{decode_cover, find_cover};
use crate::library::m3u::{read_m3u, write_m3u, PlaylistEntry};
use crate::mpris::{Mpris, MprisRequest, PlaybackStatus};
use crate::recommend::{Ranked, RecoCommand, Recommender};
use crate::store::Store;

pub struct Runtime {
    pub(super) store: Store,
    pub(super) engine: Engine,
    pub(super) picker: Option<Picker>,
    pub(super) data_dir: PathBuf,
    pub(super) tx: Sender<UiEvent>,
    pub(super) mpris: Option<Mpris>,
    /// The background mood tagger (none when its thread could not start).
    pub(super) moods: Option<crate::mood::MoodWorker>,
    /// The background loudness meter, fed the same tracks as the mood tagger.
    pub(super) loudness: Option<crate::loudness::LoudnessWorker>,
    /// The recommender thread (none when it could not start) and the sender of the one reply
    /// channel for its rankings, forwarded to the UI as `Msg::RecoRanked`; the forwarder ends
    /// when this runtime (and so the sender) is dropped.
    pub(super) reco: Option<(Recommender, Sender<Ranked>)>,
    /// The vision thread (camera → face → emotion), once started.
    pub(super) vision: Option<crate::vision::service::VisionService>,
    /// The decoded cover of the playing track, kept to re-fit it after a resize.
    pub(super) art_image: Option<image::DynamicImage>,
    pub(super) art_path: Option<PathBuf>,
    pub(super) art_rect: Option<Rect>,
    /// What was last published over MPRIS: (path, paused, stopped).
    pub(super) published: Option<(Option<PathBuf>, bool, u8)>,
}

impl Runtime {
    pub fn new(
        store: Store,
        engine: Engine,
        picker: Option<Picker>,
        data_dir: PathBuf,
        tx: Sender<UiEvent>,
    ) -> Runtime {
        Runtime {
            store,
            engine,
            picker,
            data_dir,
            tx,
            mpris: None,
            moods: None,
            loudness: None,
            reco: None,
            vision: None,
            art_image: None,
            art_path: None,
            art_rect: None,
            published: None,
        }
    }

    /// Replaces the queue with a playlist's tracks and starts the first.
    pub fn open_playlist(&mut self, state: &mut AppState, path: &Path) {
        match read_m3u(path) {
            Ok(list) => {
                let n = list.entries.len();
                state.queue.clear();
                state
                    .queue
                    .append(list.entries.into_iter().map(QueueItem::new));
                state.info(format!("playlist {}: {n} tracks", path.display()));
                let effects = crate::app::update(state, Msg::Action(Action::PlayPause));
                self.perform_all(state, effects);
            }
            Err(e) => state.error(e.to_string()),
        }
    }

    pub fn handle(
        &mut self,
        state: &mut AppState,
        keymap: &Keymap,
        keys: &mut KeyState,
        ev: UiEvent,
    ) {
        let msg = match ev {
            UiEvent::Key(k) => key_to_msg(state, keymap, keys, k),
            UiEvent::Resize => {
                self.art_rect = None; // re-fit on the next draw
                None
            }
            UiEvent::App(m) => Some(m),
            UiEvent::Mpris(req) => self.mpris_request(req, state),
            UiEvent::Art(path, img) => {
                if path == self.art_path {
                    self.art_image = img;
                    self.art_rect = None;
                }
                None
            }
        };
        if let Some(m) = msg {
            let effects = update(state, m);
            self.perform_all(state, effects);
        }
    }

    fn mpris_request(&mut self, req: MprisRequest, state: &AppState) -> Option<Msg> {
        let playing = state.player.path.is_some() && !state.player.paused;
        match req {
            MprisRequest::Action(a) => Some(Msg::Action(a)),
            MprisRequest::Play if !playing => Some(Msg::Action(Action::PlayPause)),
            MprisRequest::Pause if playing => Some(Msg::Action(Action::PlayPause)),
            MprisRequest::Play | MprisRequest::Pause => None,
            MprisRequest::SeekForwardBy(d) => {
                self.engine.send(EngineCommand::SeekBy {
                    ms: d.as_millis() as i64,
                });
                None
            }
            MprisRequest::SeekBackwardBy(d) => {
                self.engine.send(EngineCommand::SeekBy {
                    ms: -(d.as_millis() as i64),
                });
                None
            }
            MprisRequest::SeekTo(d) => {
                self.engine.send(EngineCommand::Seek {
                    ms: d.as_millis() as u64,
                });
                None
            }
            MprisRequest::SetVolume(v) => {
                self.engine.send(EngineCommand::SetVolume(v as f32));
                None
            }
        }
    }

    fn perform_all(&mut self, state: &mut AppState, effects: Vec<Effect>) {
        for e in effects {
            self.perform(state, e);
        }
    }

    fn perform(&mut self, state: &mut AppState, effect: Effect) {
        match effect {
            Effect::Engine(cmd) => self.engine.send(cmd),
            Effect::SaveRating { id, rating } => {
                // Durable first; only then do the stars change.
                let msg = match self.store.set_rating(id, rating) {
                    Ok(()) => Msg::RatingSaved { id, rating },
                    Err(e) => Msg::RatingFailed {
                        id,
                        error: e.to_string(),
                    },
                };
                let more = update(state, msg);
                self.perform_all(state, more);
            }
            Effect::RecordPlay(rec) => {
                if let Err(e) = self.store.record_play(&rec) {
                    state.error(format!("history not saved: {e}"));
                }
            }
            Effect::SaveQueue(q) => {
                if let Err(e) = self.store.save_queue(&q) {
                    state.error(format!("queue not saved: {e}"));
                }
            }
            Effect::WritePlaylist => self.write_playlist(state),
            Effect::LoadArt(path) => self.load_art(path),
            Effect::EmotionChanged(r) => tracing::debug!(label = r.label(), "emotion reading"),
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
            Effect::Vision(cmd) => self.vision_command(state, cmd),
            Effect::ReloadCatalogue => {
                let (store, tx) = (self.store.clone(), self.tx.clone());
                let _ = std::thread::Builder::new()
                    .name("catalogue".into())
                    .spawn(move || match store.all_tracks() {
                        Ok(tracks) => {
                            let _ = tx.send(UiEvent::App(Msg::Catalogue(tracks)));
                        }
                        Err(e) => tracing::warn!(error = %e, "cannot reload the catalogue"),
                    });
            }
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

    fn write_playlist(&mut self, state: &mut AppState) {
        let dir = self.data_dir.join("playlists");
        let stamp = crate::core::now_ms() / 1000;
        let path = dir.join(format!("queue-{stamp}.m3u8"));
        let entries: Vec<PlaylistEntry> = state
            .queue
            .items
            .iter()
            .map(|i| match state.catalogue.get(i.id) {
                Some(t) => PlaylistEntry::from(t),
                None => PlaylistEntry {
                    path: i.path.clone(),
                    duration_ms: None,
                    artist: None,
                    title: None,
                },
            })
            .collect();
        let result = std::fs::create_dir_all(&dir)
            .map_err(|e| e.to_string())
            .and_then(|_| write_m3u(&path, &entries).map_err(|e| e.to_string()));
        match result {
            Ok(()) => state.info(format!("saved the queue to {}", path.display())),
            Err(e) => state.error(format!("cannot save the queue: {e}")),
        }
    }

    /// Finds and decodes the cover off the UI thread; the answer comes back as `UiEvent::Art`.
    fn load_art(&mut self, path: Option<PathBuf>) {
        if path == self.art_path {
            return;
        }
        self.art_path = path.clone();
        self.art_image = None;
        self.art_rect = None;
        let (Some(path), Some(_)) = (path, self.picker.as_ref()) else {
            return;
        };
        let tx = self.tx.clone();
        let _ = std::thread::Builder::new()
            .name("art".into())
            .spawn(move || {
                let img = find_cover(&path).and_then(|c| decode_cover(&c.bytes).ok());
                let _ = tx.send(UiEvent::Art(Some(path), img));
            });
    }

    /// Prepares the cover for the art pane of a `width`×`height` screen (again only when the
    /// image or the pane changed).
    pub fn fit_art(&mut self, state: &mut AppState, width: u16, height: u16) {
        let area = crate::ui::layout(Rect::new(0, 0, width, height)).art;
        let (Some(picker), Some(img), Some(area)) = (&self.picker, &self.art_image, area) else {
            state.art = None;
            self.art_rect = None;
            return;
        };
        if self.art_rect == Some(area) && state.art.is_some() {
            return;
        }
        state.art = picker
            .new_protocol(
                img.clone(),
                Size::new(area.width, area.height),
                Resize::Fit(None),
            )
            .ok();
        self.art_rect = Some(area);
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

    /// Saves the queue and position for resume, and stops the recommender (which checkpoints
    /// its tables).
    pub fn shutdown(&mut self, state: &AppState) {
        if let Err(e) = self.store.save_queue(&state.saved_queue()) {
            tracing::warn!(error = %e, "queue not saved on quit");
        }
        self.reco = None;
        self.vision = None;
        let _ = self.store.flush();
    }
}
