//! The vision thread (`mien-vision`): owns the frame source, the detector + emotion pipeline and
//! the smoother; samples frames while asked to, and reports by value.
//!
//! Channels: [`VisionCommand`]s go in over an `mpsc` channel; the sender is whoever holds the
//! [`VisionService`] handle (the UI thread's runtime in the player). The thread sends
//! [`VisionEvent`]s to the receiver given to [`VisionService::spawn`] (forwarded to the UI thread
//! as `Msg::Emotion` / `Msg::Camera`). Shutdown: [`VisionCommand::Shutdown`], or every command
//! sender dropped; dropping the handle sends `Shutdown` and joins. The camera is released before
//! the thread ends, and whenever no sampling is due (LED off between samples).
//!
//! Sampling: a window of `sample` seconds after each `TrackChanged` (or `SampleFor`), at
//! `sample_hz` frames per second, plus the optional continuous mode at `continuous_hz`, which
//! keeps the camera open. The models are loaded on the first frame, on this thread. A camera
//! that fails ends the window; continuous mode retries every [`RETRY`].

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::pipeline::{Classifier, Pipeline};
use super::smooth::{SmoothConfig, Smoothed, Smoother};
use super::source::{FrameSource, SourceSpec};
use super::weights::{load_detector, load_fer, WeightsError};
use crate::core::{now_ms, EmotionReading};

/// How long continuous mode waits before opening a camera that failed again.
pub const RETRY: Duration = Duration::from_secs(10);

/// What the owner asks of the vision thread.
#[derive(Clone, Debug, PartialEq)]
pub enum VisionCommand {
    /// Allow the camera (true) or forbid it (false: sampling stops, the camera is released).
    /// Enabling starts one sampling window.
    Enable(bool),
    /// A track started: sample for the configured window.
    TrackChanged,
    /// Sample for this long from now (the player sends it `lead_seconds` before a track ends).
    SampleFor(Duration),
    /// Continuous sampling at this many frames per second (0: off).
    Continuous(f32),
    Shutdown,
}

/// The camera as the listener should see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CameraStatus {
    /// Not allowed (the default).
    Off,
    /// Allowed, released until the next sampling window.
    Standby,
    /// Open and capturing (LED on).
    Capturing,
    /// The camera or the models failed; the reason.
    Unavailable(String),
}

/// What the vision thread reports.
#[derive(Clone, Debug, PartialEq)]
pub enum VisionEvent {
    /// A smoothed reading (one per frame with a face).
    Reading(EmotionReading),
    /// No face for a while (once, until a face is seen again).
    NoFace,
    Status(CameraStatus),
}

/// The model files the thread loads (on its first frame).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelPaths {
    pub detector: PathBuf,
    pub fer: PathBuf,
}

/// Sampling and smoothing settings (from `[camera]`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VisionSettings {
    /// Window sampled after each track change.
    pub sample: Duration,
    /// Frames per second within a window.
    pub sample_hz: f32,
    /// Continuous mode's frames per second (0: off).
    pub continuous_hz: f32,
    /// Classify each face with its mirror image too.
    pub flip_tta: bool,
    pub smooth: SmoothConfig,
}

impl VisionSettings {
    /// Sampling window and continuous rate from `[camera]` (each capped: an hour, 30 Hz).
    pub fn from_config(camera: &crate::config::CameraConfig) -> VisionSettings {
        VisionSettings {
            sample: Duration::from_secs_f32(camera.sample_seconds.min(3600.0)),
            continuous_hz: camera.continuous_hz.min(30.0),
            ..Default::default()
        }
    }
}

impl Default for VisionSettings {
    fn default() -> Self {
        VisionSettings {
            sample: Duration::from_secs(6),
            sample_hz: 4.0,
            continuous_hz: 0.0,
            // The single pass: the shipped model's mirrored pass costs ~2.8 ms per face,
            // over the 2 ms budget, for half a point (models/FER.md, "Stage 5").
            flip_tta: false,
            smooth: SmoothConfig::default(),
        }
    }
}

/// Handle on the vision thread. See the module docs.
pub struct VisionService {
    commands: Sender<VisionCommand>,
    thread: Option<JoinHandle<()>>,
}

impl VisionService {
    /// Starts the thread, idle and with the camera off until `Enable(true)`.
    pub fn spawn(
        source: SourceSpec,
        models: ModelPaths,
        settings: VisionSettings,
        events: Sender<VisionEvent>,
    ) -> std::io::Result<VisionService> {
        let (commands, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("mien-vision".into())
            .spawn(move || {
                let worker = Worker {
                    spec: source,
                    models,
                    settings,
                    events,
                    source: None,
                    pipeline: None,
                    smoother: Smoother::new(settings.smooth),
                    enabled: false,
                    window_until: None,
                    continuous_hz: settings.continuous_hz,
                    last_frame: None,
                    retry_at: None,
                    status: CameraStatus::Off,
                };
                worker.run(&rx)
            })?;
        Ok(VisionService {
            commands,
            thread: Some(thread),
        })
    }

    /// Queues a command; false if the thread has ended.
    pub fn send(&self, command: VisionCommand) -> bool {
        self.commands.send(command).is_ok()
    }
}

impl Drop for VisionService {
    fn drop(&mut self) {
        let _ = self.commands.send(VisionCommand::Shutdown);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Worker {
    spec: SourceSpec,
    models: ModelPaths,
    settings: VisionSettings,
    events: Sender<VisionEvent>,
    source: Option<Box<dyn FrameSource>>,
    pipeline: Option<Pipeline>,
    smoother: Smoother,
    enabled: bool,
    window_until: Option<Instant>,
    continuous_hz: f32,
    last_frame: Option<Instant>,
    retry_at: Option<Instant>,
    status: CameraStatus,
}

impl Worker {
    fn run(mut self, rx: &Receiver<VisionCommand>) {
        loop {
            let command = match self.next_frame_in() {
                None => rx.recv().unwrap_or(VisionCommand::Shutdown),
                Some(wait) => match rx.recv_timeout(wait) {
                    Ok(c) => c,
                    Err(RecvTimeoutError::Timeout) => {
                        self.sample();
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => VisionCommand::Shutdown,
                },
            };
            if command == VisionCommand::Shutdown {
                break;
            }
            self.command(command);
        }
        if let Some(mut s) = self.source.take() {
            s.close();
        }
    }

    fn command(&mut self, command: VisionCommand) {
        let now = Instant::now();
        match command {
            VisionCommand::Enable(on) if on != self.enabled => {
                self.enabled = on;
                self.smoother.reset(now_ms());
                self.retry_at = None;
                if on {
                    self.window_until = Some(now + self.settings.sample);
                    self.set_status(CameraStatus::Standby);
                } else {
                    self.window_until = None;
                    self.release();
                    self.set_status(CameraStatus::Off);
                }
            }
            VisionCommand::Enable(_) | VisionCommand::Shutdown => {}
            VisionCommand::TrackChanged => self.extend_window(now + self.settings.sample),
            VisionCommand::SampleFor(d) => self.extend_window(now + d),
            VisionCommand::Continuous(hz) => {
                self.continuous_hz = if hz.is_finite() { hz.max(0.0) } else { 0.0 }
            }
        }
    }

    fn extend_window(&mut self, until: Instant) {
        if self.enabled {
            self.window_until = Some(self.window_until.map_or(until, |u| u.max(until)));
            self.retry_at = None;
        }
    }

    /// Time until the next frame is due; `None` when none is (the camera is then released).
    fn next_frame_in(&mut self) -> Option<Duration> {
        let now = Instant::now();
        let in_window = self.enabled && self.window_until.is_some_and(|u| now < u);
        let continuous = self.enabled && self.continuous_hz > 0.0;
        if !in_window {
            self.window_until = None;
        }
        let mut hz = 0f32;
        if in_window {
            hz = self.settings.sample_hz.max(0.1);
        }
        if continuous && self.retry_at.is_none_or(|r| now >= r) {
            hz = hz.max(self.continuous_hz);
        }
        if hz <= 0.0 {
            self.release();
            if self.enabled && self.status == CameraStatus::Capturing {
                self.set_status(CameraStatus::Standby);
            }
            return match self.retry_at {
                Some(r) if continuous => Some(r.saturating_duration_since(now)),
                _ => None,
            };
        }
        let period = Duration::from_secs_f32(1.0 / hz);
        Some(match self.last_frame {
            Some(last) => (last + period).saturating_duration_since(now),
            None => Duration::ZERO,
        })
    }

    fn release(&mut self) {
        if let Some(s) = self.source.as_mut() {
            s.close();
        }
    }

    fn set_status(&mut self, status: CameraStatus) {
        if status != self.status {
            self.status = status.clone();
            let _ = self.events.send(VisionEvent::Status(status));
        }
    }

    /// `why`: a few words for the panel; `detail`: the full error, for the log.
    fn fail(&mut self, why: String, detail: &dyn std::fmt::Display) {
        tracing::warn!("camera: {detail}");
        self.release();
        self.window_until = None;
        self.retry_at = Some(Instant::now() + RETRY);
        self.set_status(CameraStatus::Unavailable(why));
    }

    /// Loads what is missing, takes one frame and reports what it showed.
    fn sample(&mut self) {
        self.last_frame = Some(Instant::now());
        if self.pipeline.is_none() {
            let loaded = load_detector(&self.models.detector).and_then(|detector| {
                let fer = load_fer(&self.models.fer)?;
                Ok((detector, fer))
            });
            match loaded {
                Ok((detector, fer)) => match Classifier::new(fer, self.settings.flip_tta) {
                    Ok(c) => self.pipeline = Some(Pipeline::new(detector, c)),
                    Err(e) => return self.fail("emotion model invalid".into(), &e),
                },
                Err(e) => {
                    let what = match &e {
                        WeightsError::Missing { path } | WeightsError::Read { path, .. } => {
                            format!("model {} missing", file_name(path))
                        }
                        WeightsError::Invalid { path, .. } => {
                            format!("model {} invalid", file_name(path))
                        }
                    };
                    return self.fail(what, &e);
                }
            }
        }
        if self.source.is_none() {
            match self.spec.build() {
                Ok(s) => self.source = Some(s),
                Err(e) => return self.fail(e.short(), &e),
            }
        }
        let frame = match self.source.as_mut().map(|s| s.frame()) {
            Some(Ok(f)) => f,
            Some(Err(e)) => return self.fail(e.short(), &e),
            None => return,
        };
        self.retry_at = None;
        self.set_status(CameraStatus::Capturing);
        let at = now_ms();
        let Some(pipeline) = self.pipeline.as_ref() else {
            return;
        };
        let smoothed = match pipeline.run(&frame) {
            Ok(r) => match r.largest {
                Some(face) => self.smoother.face(face.classification.probs, at),
                None => self.smoother.no_face(at),
            },
            Err(e) => {
                tracing::warn!("vision pipeline: {e}");
                return;
            }
        };
        let event = match smoothed {
            Smoothed::Reading(r) => VisionEvent::Reading(r),
            Smoothed::NoFace => VisionEvent::NoFace,
            Smoothed::Unchanged => return,
        };
        let _ = self.events.send(event);
    }
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy()
        .into_owned()
}
