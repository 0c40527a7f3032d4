//! Starting the UI thread's subsystems (MPRIS, mood tagger, loudness meter, recommender, vision) on the
//! `Runtime`, each with a forwarder that turns its events into `UiEvent`s. Each start returns
//! what `update` should hear about it (running, or why not): a thread that cannot start is a
//! message the listener sees, never a silent loss.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use super::executor::Runtime;
use super::{forward, UiEvent};
use crate::app::state::{CameraState, Msg, Status};
use crate::mood::MoodEvent;
use crate::mpris::Mpris;
use crate::recommend::{RecoCommand, Recommender};
use crate::vision::service::{VisionEvent, VisionService, VisionSettings};
use crate::vision::source::{CameraSettings, SourceSpec};

impl Runtime {
    /// Registers on D-Bus for media keys; quietly does nothing without a session bus.
    pub fn start_mpris(&mut self) -> Vec<Msg> {
        let (req_tx, req_rx) = mpsc::channel();
        match Mpris::start(req_tx) {
            Ok(m) => {
                if let Err(e) = forward(req_rx, self.tx.clone(), UiEvent::Mpris) {
                    let why = format!("media keys are off: cannot start their forwarder: {e}");
                    return vec![Msg::Status(Status::error(why))];
                }
                self.mpris = Some(m);
            }
            Err(e) => tracing::debug!(error = %e, "MPRIS not available"),
        }
        Vec::new()
    }

    /// Starts the low-priority mood tagger on the model shipped in `models/`, and hands it every
    /// track of the catalogue in the library folders `roots` (it skips those already tagged).
    pub fn start_mood_tagger(&mut self, roots: &[PathBuf]) -> Vec<Msg> {
        let off = |why: String| vec![Msg::Mood(MoodEvent::Unavailable { reason: why })];
        // The stored tags are read off the UI thread too: they are large for a big library.
        let (store, ui) = (self.store.clone(), self.tx.clone());
        let read = std::thread::Builder::new()
            .name("moods".into())
            .spawn(move || match store.moods() {
                Ok(moods) => {
                    let _ = ui.send(UiEvent::App(Msg::Moods(moods)));
                }
                Err(e) => tracing::warn!(error = %e, "cannot read mood tags"),
            });
        if let Err(e) = read {
            return off(format!("cannot start a thread to read the mood tags: {e}"));
        }
        let (tx, rx) = mpsc::channel();
        let files = crate::root::mood_models();
        let worker = match crate::mood::MoodWorker::spawn(&files, self.store.clone(), tx) {
            Ok(w) => w,
            Err(e) => return off(format!("cannot start the mood tagger: {e}")),
        };
        if let Err(e) = forward(rx, self.tx.clone(), |e| UiEvent::App(Msg::Mood(e))) {
            return off(format!("cannot start the mood tagger's forwarder: {e}"));
        }
        worker.tag_library(roots);
        self.moods = Some(worker);
        Vec::new()
    }

    /// Starts the low-priority loudness meter and hands it the catalogue's tracks in `roots` (it
    /// measures the tracks
    /// without ReplayGain tags that it has not measured yet). Without it, untagged tracks play
    /// at their own level, as with `replay_gain = "off"`.
    pub fn start_loudness(&mut self, roots: &[PathBuf]) -> Vec<Msg> {
        match crate::loudness::LoudnessWorker::spawn(self.store.clone()) {
            Ok(w) => {
                w.measure_library(roots);
                self.loudness = Some(w);
                Vec::new()
            }
            Err(e) => {
                let why = format!(
                    "untagged tracks are not levelled: cannot start the loudness meter: {e}"
                );
                vec![Msg::Status(Status::error(why))]
            }
        }
    }

    /// Starts the recommender on the store (its event log and tables). Without it the player
    /// works as before, with a status message.
    pub fn start_recommender(&mut self) -> Vec<Msg> {
        match Recommender::start(&self.store, crate::core::now_ms()) {
            Ok(r) => {
                let (reply, answers) = mpsc::channel();
                if let Err(e) = forward(answers, self.tx.clone(), |r| {
                    UiEvent::App(Msg::RecoRanked(r))
                }) {
                    return vec![Msg::RecoUnavailable(format!(
                        "cannot start its forwarder: {e}"
                    ))];
                }
                // What earlier journeys learnt, read from the log on the recommender's thread.
                let (memory, loaded) = mpsc::channel();
                let wrap = |m| UiEvent::App(Msg::JourneyMemoryLoaded(m));
                if forward(loaded, self.tx.clone(), wrap).is_ok() {
                    let _ = r
                        .sender()
                        .send(RecoCommand::JourneyMemory { reply: memory });
                }
                self.reco = Some((r, reply));
                vec![Msg::RecoStarted]
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot start the recommender");
                vec![Msg::RecoUnavailable(e.to_string())]
            }
        }
    }

    /// Starts the vision thread (idle, camera off) on the webcam of `[camera]`, or on the images
    /// of `--camera-file`. `update` then turns the camera on if it is allowed; its readings and
    /// camera status come back as `Msg::Emotion` / `Msg::Camera`.
    pub fn start_vision(
        &mut self,
        camera: &crate::config::CameraConfig,
        camera_file: Option<&Path>,
    ) -> Vec<Msg> {
        let source = match camera_file {
            Some(p) => SourceSpec::Files(p.to_path_buf()),
            None => SourceSpec::Camera(CameraSettings::from_config(camera)),
        };
        let models = crate::root::vision_models();
        let unavailable = |why: String| vec![Msg::Camera(CameraState::Unavailable(why))];
        let (tx, rx) = mpsc::channel();
        match VisionService::spawn(source, models, VisionSettings::from_config(camera), tx) {
            Ok(v) => {
                if let Err(e) = forward(rx, self.tx.clone(), vision_event) {
                    return unavailable(format!("cannot start the camera's forwarder: {e}"));
                }
                self.vision = Some(v);
                vec![Msg::VisionStarted]
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot start the vision thread");
                unavailable(format!("cannot start the vision thread: {e}"))
            }
        }
    }
}

/// The vision thread's report as a UI message.
fn vision_event(e: VisionEvent) -> UiEvent {
    use crate::vision::service::CameraStatus;
    UiEvent::App(match e {
        VisionEvent::Reading(r) => Msg::Emotion(r),
        VisionEvent::NoFace => Msg::Camera(CameraState::NoFace),
        VisionEvent::Status(s) => Msg::Camera(match s {
            CameraStatus::Off => CameraState::Off,
            CameraStatus::Standby => CameraState::Standby,
            CameraStatus::Capturing => CameraState::On,
            CameraStatus::Unavailable(why) => CameraState::Unavailable(why),
        }),
    })
}
