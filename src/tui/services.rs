//! Starting the UI thread's subsystems (MPRIS, mood tagger, recommender, vision) on the
//! `Runtime`, each with a forwarder that turns its events into `UiEvent`s; and the commands the
//! runtime sends the vision thread.

use std::path::Path;
use std::sync::mpsc;

use super::effects::Runtime;
use super::UiEvent;
use crate::app::reco::RecoSettings;
use crate::app::state::{AppState, Msg};
use crate::mpris::Mpris;
use crate::recommend::Recommender;

impl Runtime {
    /// Registers on D-Bus for media keys; quietly does nothing without a session bus.
    pub fn start_mpris(&mut self) {
        let (req_tx, req_rx) = mpsc::channel();
        match Mpris::start(req_tx) {
            Ok(m) => {
                self.mpris = Some(m);
                super::forward(req_rx, self.tx.clone(), UiEvent::Mpris);
            }
            Err(e) => tracing::debug!(error = %e, "MPRIS not available"),
        }
    }

    /// Starts the low-priority mood tagger on the model shipped in `models/`, and hands it every
    /// track of the catalogue (it skips those already tagged).
    pub fn start_mood_tagger(&mut self) {
        // The stored tags are read off the UI thread too: they are large for a big library.
        let (store, ui) = (self.store.clone(), self.tx.clone());
        let _ = std::thread::Builder::new()
            .name("moods".into())
            .spawn(move || match store.moods() {
                Ok(moods) => {
                    let _ = ui.send(UiEvent::App(Msg::Moods(moods)));
                }
                Err(e) => tracing::warn!(error = %e, "cannot read mood tags"),
            });
        let (tx, rx) = mpsc::channel();
        let path = crate::mood::default_model_path();
        match crate::mood::MoodWorker::spawn(&path, self.store.clone(), tx) {
            Ok(w) => {
                w.tag_library();
                self.moods = Some(w);
                super::forward(rx, self.tx.clone(), |e| UiEvent::App(Msg::Mood(e)));
            }
            Err(e) => tracing::warn!(error = %e, "cannot start the mood tagger"),
        }
    }

    /// Starts the low-priority loudness meter and hands it the catalogue (it measures the tracks
    /// without ReplayGain tags that it has not measured yet).
    pub fn start_loudness(&mut self) {
        match crate::loudness::LoudnessWorker::spawn(self.store.clone()) {
            Ok(w) => {
                w.measure_library();
                self.loudness = Some(w);
            }
            Err(e) => tracing::warn!(error = %e, "cannot start the loudness meter"),
        }
    }

    /// Starts the recommender on the store (its event log and tables) and turns on the queue's
    /// recommendations in `state`. Without it the player works as before, with a status message.
    pub fn start_recommender(&mut self, state: &mut AppState, settings: RecoSettings) {
        match Recommender::start(&self.store, crate::core::now_ms()) {
            Ok(r) => {
                let (reply, answers) = mpsc::channel();
                super::forward(answers, self.tx.clone(), |r| {
                    UiEvent::App(Msg::RecoRanked(r))
                });
                self.reco = Some((r, reply));
                state.reco.enabled = true;
                state.reco.settings = settings;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot start the recommender");
                state.error(format!("recommendations are off: {e}"));
            }
        }
    }

    /// Starts the vision thread (idle, camera off) on the webcam of `[camera]`, or on the images
    /// of `--camera-file`; turns the camera on if `[camera] enabled`. Its readings and camera
    /// status come back as `Msg::Emotion` / `Msg::Camera`.
    pub fn start_vision(
        &mut self,
        state: &mut AppState,
        camera: &crate::config::CameraConfig,
        camera_file: Option<&Path>,
    ) {
        use crate::vision::service::{ModelPaths, VisionCommand, VisionService};
        use crate::vision::source::SourceSpec;
        let source = match camera_file {
            Some(p) => SourceSpec::Files(p.to_path_buf()),
            None => SourceSpec::Camera(camera.camera_settings()),
        };
        let models = ModelPaths {
            detector: crate::vision::weights::default_detector_path(),
            fer: crate::vision::weights::default_fer_path(),
        };
        state.emotion.lead_ms = camera.lead_ms();
        let (tx, rx) = mpsc::channel();
        match VisionService::spawn(source, models, camera.vision_settings(), tx) {
            Ok(v) => {
                super::forward(rx, self.tx.clone(), vision_event);
                if camera.enabled || camera_file.is_some() {
                    v.send(VisionCommand::Enable(true));
                    state.emotion.camera = crate::app::state::CameraState::Standby;
                }
                self.vision = Some(v);
            }
            Err(e) => tracing::warn!(error = %e, "cannot start the vision thread"),
        }
    }

    pub(super) fn vision_command(
        &mut self,
        state: &mut AppState,
        cmd: crate::vision::service::VisionCommand,
    ) {
        let sent = self.vision.as_ref().is_some_and(|v| v.send(cmd.clone()));
        if !sent && cmd != crate::vision::service::VisionCommand::Enable(false) {
            state.emotion.camera = crate::app::state::CameraState::Unavailable(
                "the vision thread is not running".into(),
            );
        }
    }
}

/// The vision thread's report as a UI message.
fn vision_event(e: crate::vision::service::VisionEvent) -> UiEvent {
    use crate::app::state::CameraState;
    use crate::vision::service::{CameraStatus, VisionEvent};
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
