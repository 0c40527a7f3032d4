//! The playback engine: symphonia decode → rubato resample → lock-free SPSC ring → output (cpal,
//! or a wall-clock-paced null sink when no device works). The engine runs on its own thread
//! ("audio-engine"), takes `EngineCommand`s and sends `EngineEvent`s by value.
//!
//! The engine holds two tracks: the one being decoded and the preloaded next one. When the first
//! ends, the next one's samples follow in the ring with no gap and no overlap. The owner of the
//! play queue (the UI, or `mien play`) answers `TrackStarted` with `SetNext`.

mod decode;
mod engine;
mod flow;
mod gain;
pub mod open;
mod output;
mod resample;
mod shared;

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::core::ReplayGain;

pub use decode::{DecodeError, TrackDecoder};
pub use gain::{linear_gain, ReplayGainMode};
pub use output::{probe_sound_card, CaptureSink, OutputChoice};
pub use resample::Converter;

/// A track to play: its file and the ReplayGain values from its tags.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackRequest {
    pub path: PathBuf,
    pub replay_gain: ReplayGain,
}

impl TrackRequest {
    pub fn new(path: impl Into<PathBuf>) -> TrackRequest {
        TrackRequest {
            path: path.into(),
            replay_gain: ReplayGain::default(),
        }
    }
}

/// Commands to the engine thread. Sender: the queue owner (UI thread or `mien play`); receiver:
/// the engine thread. The thread exits on `Shutdown` or when every sender is dropped.
#[derive(Clone, Debug, PartialEq)]
pub enum EngineCommand {
    /// Play this track now from `start_ms`, dropping whatever was playing.
    Play {
        track: TrackRequest,
        start_ms: u64,
    },
    /// The track to play after the current one (`None` clears it). It is opened at once, so the
    /// join is gapless and a corrupt file is reported before its turn.
    SetNext(Option<TrackRequest>),
    /// Jump to the preloaded next track now (or stop if there is none).
    Next,
    Pause,
    Resume,
    TogglePause,
    /// Seek the playing track to an absolute position.
    Seek {
        ms: u64,
    },
    /// Seek relative to the current position (negative: back).
    SeekBy {
        ms: i64,
    },
    /// Volume 0.0 to 1.0, applied at once.
    SetVolume(f32),
    SetReplayGain(ReplayGainMode),
    Stop,
    Shutdown,
}

/// Events from the engine thread. Sender: the engine thread; receiver: the queue owner. When the
/// receiver is dropped the engine keeps playing but its events are discarded.
#[derive(Clone, Debug, PartialEq)]
pub enum EngineEvent {
    /// The output in use; `fallback` says why the sound card is not used, if it is not.
    OutputOpened {
        description: String,
        fallback: Option<String>,
    },
    /// The first sample of this track is being played.
    TrackStarted {
        path: PathBuf,
        duration_ms: Option<u64>,
    },
    /// Where playback is in the playing track (a few times a second while playing).
    Position {
        path: PathBuf,
        position_ms: u64,
        duration_ms: Option<u64>,
    },
    /// The track stopped playing: `completed` when it played to its end, otherwise it was left
    /// (next, play, stop) at `position_ms`.
    TrackEnded {
        path: PathBuf,
        position_ms: u64,
        completed: bool,
    },
    /// A track could not be played (corrupt, unsupported, unreadable). The engine moves on to the
    /// preloaded next track if there is one; the owner should `SetNext` past it otherwise.
    TrackFailed {
        path: PathBuf,
        reason: String,
    },
    Paused,
    Resumed,
    /// Nothing is left to play.
    Idle,
    VolumeChanged(f32),
}

/// Engine settings fixed at start.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub output: OutputChoice,
    pub replay_gain: ReplayGainMode,
    pub volume: f32,
}

impl EngineConfig {
    /// The engine's settings from `[playback]`: output, ReplayGain mode, start volume.
    pub fn from_config(p: &crate::config::PlaybackConfig) -> EngineConfig {
        EngineConfig {
            output: match p.output {
                crate::config::OutputSetting::Auto => OutputChoice::Auto,
                crate::config::OutputSetting::Null => OutputChoice::Null {
                    rate: 44_100,
                    channels: 2,
                },
            },
            replay_gain: p.replay_gain.into(),
            volume: f32::from(p.volume.min(100)) / 100.0,
        }
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            output: OutputChoice::Auto,
            replay_gain: ReplayGainMode::Off,
            volume: 1.0,
        }
    }
}

/// Handle to the engine thread. Dropping it shuts the thread down and joins it.
pub struct Engine {
    commands: Sender<EngineCommand>,
    shared: Arc<shared::Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Engine {
    /// Starts the engine thread; its events go to `events`.
    pub fn spawn(config: EngineConfig, events: Sender<EngineEvent>) -> std::io::Result<Engine> {
        let (tx, rx): (Sender<EngineCommand>, Receiver<EngineCommand>) = mpsc::channel();
        let shared = Arc::new(shared::Shared::new(config.volume));
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("audio-engine".into())
            .spawn(move || engine::run(config, rx, events, thread_shared))?;
        Ok(Engine {
            commands: tx,
            shared,
            thread: Some(thread),
        })
    }

    /// Sends a command; a stopped engine ignores it.
    pub fn send(&self, cmd: EngineCommand) {
        if self.commands.send(cmd).is_err() {
            tracing::warn!("audio engine has stopped; command ignored");
        }
    }

    /// A sender for other threads (e.g. a key handler) to command the engine directly.
    pub fn sender(&self) -> Sender<EngineCommand> {
        self.commands.clone()
    }

    /// Output callbacks that found the ring empty while audio was expected (buffer underruns).
    pub fn underruns(&self) -> u64 {
        self.shared.underruns()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.commands.send(EngineCommand::Shutdown);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
