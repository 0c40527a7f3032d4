//! The playback engine: symphonia decode → rubato resample → lock-free SPSC ring → output (a
//! sound device through cpal, or a wall-clock-paced null sink when no device works). The engine
//! runs on its own thread ("audio-engine"), takes `EngineCommand`s and sends `EngineEvent`s by
//! value.
//!
//! The engine holds two tracks: the one being decoded and the preloaded next one. When the first
//! ends, the next one's samples follow in the ring with no gap and no overlap (or, with a
//! crossfade set, overlap by that much, except between neighbours on one album). The owner of the
//! play queue (the UI, or `mien play`) answers `TrackStarted` with `SetNext`.
//!
//! Cost: the engine decodes in bursts into a one-second ring and sleeps until it is half empty,
//! reports the position once per shown second, and closes the device while stopped or paused.

mod codecs;
mod crossfade;
mod decode;
mod device;
mod engine;
pub mod file;
mod flow;
mod gain;
pub mod loudness;
pub mod open;
mod output;
mod pulse;
mod resample;
mod shared;
mod switch;
mod watch;

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::core::ReplayGain;

pub use codecs::codecs;
pub use crossfade::{gapless_neighbours, AlbumSlot};
pub use decode::{DecodeError, TrackDecoder};
pub use device::{list_devices, probe as probe_device, DeviceInfo};
pub use gain::{linear_gain, ReplayGainMode};
pub use output::{CaptureSink, OutputChoice, DEFAULT_BUFFER_MS};
pub use resample::Converter;

/// Where the engine finds a measured loudness for a track without ReplayGain tags (the
/// composition root wires it to the store's cache); called on the engine thread when a track is
/// opened, so it must be quick.
pub type LoudnessLookup = Arc<dyn Fn(&std::path::Path) -> Option<ReplayGain> + Send + Sync>;

/// A track to play: its file, the ReplayGain values from its tags, and its place on its album
/// (crossfades skip gapless neighbours).
#[derive(Clone, Debug, PartialEq)]
pub struct TrackRequest {
    pub path: PathBuf,
    pub replay_gain: ReplayGain,
    pub album: Option<AlbumSlot>,
}

impl TrackRequest {
    pub fn new(path: impl Into<PathBuf>) -> TrackRequest {
        TrackRequest {
            path: path.into(),
            replay_gain: ReplayGain::default(),
            album: None,
        }
    }

    /// The request for a catalogued track: its ReplayGain tags and its place on its album.
    pub fn for_track(track: &crate::core::Track) -> TrackRequest {
        let album = match (&track.album, track.track_no) {
            (Some(album), Some(no)) => Some(AlbumSlot {
                album: format!(
                    "{}\u{1f}{album}",
                    track.album_artist.as_deref().unwrap_or_default()
                ),
                disc: track.disc_no.unwrap_or(1),
                track: no,
            }),
            _ => None,
        };
        TrackRequest {
            path: track.path.clone(),
            replay_gain: track.replay_gain,
            album,
        }
    }
}

/// Commands to the engine thread. Sender: the queue owner (UI thread or `mien play`), and the
/// engine's own output machinery (`OutputCheck`); receiver: the engine thread. The thread exits
/// on `Shutdown`, which dropping the `Engine` handle sends.
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
    /// Look at the output now: sent by the device's error callback and the device watcher
    /// (others need not send it).
    OutputCheck,
    Shutdown,
}

/// Events from the engine thread. Sender: the engine thread; receiver: the queue owner. When the
/// receiver is dropped the engine keeps playing but its events are discarded.
#[derive(Clone, Debug, PartialEq)]
pub enum EngineEvent {
    /// The output in use, sent at start and whenever it changes (the device failed: the null
    /// output with `fallback` saying why; the device is back: `fallback` is `None`).
    OutputOpened {
        description: String,
        fallback: Option<String>,
    },
    /// The first sample of this track is being played.
    TrackStarted {
        path: PathBuf,
        duration_ms: Option<u64>,
    },
    /// Where the listener is in the playing track: when the whole second changes, and after a
    /// start, seek or resume.
    Position {
        path: PathBuf,
        position_ms: u64,
        duration_ms: Option<u64>,
    },
    /// The track stopped playing: `completed` when it played to its end, otherwise it was left
    /// (next, play, stop) at `position_ms`, or, with `failure` saying why, it ended early because
    /// the file is damaged (a decode error, or the stream ended well before its known length).
    TrackEnded {
        path: PathBuf,
        position_ms: u64,
        completed: bool,
        failure: Option<String>,
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
#[derive(Clone)]
pub struct EngineConfig {
    pub output: OutputChoice,
    pub replay_gain: ReplayGainMode,
    pub volume: f32,
    /// Crossfade length between tracks that are not album neighbours; 0: gapless joins only.
    pub crossfade_ms: u32,
    /// Measured loudness for tracks without ReplayGain tags.
    pub loudness: Option<LoudnessLookup>,
}

impl EngineConfig {
    /// The engine's settings from `[playback]`: output and device, ReplayGain mode, start
    /// volume, crossfade. No measured loudness (the caller adds its store's lookup).
    pub fn from_config(p: &crate::config::PlaybackConfig) -> EngineConfig {
        EngineConfig {
            output: match p.output {
                crate::config::OutputSetting::Auto => OutputChoice::Device {
                    name: p.device.clone(),
                    buffer_ms: p.buffer_ms,
                },
                crate::config::OutputSetting::Null => OutputChoice::Null {
                    rate: 44_100,
                    channels: 2,
                },
            },
            replay_gain: p.replay_gain.into(),
            volume: f32::from(p.volume.min(100)) / 100.0,
            crossfade_ms: (p.crossfade_seconds.min(60.0) * 1000.0) as u32,
            loudness: None,
        }
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            output: OutputChoice::default(),
            replay_gain: ReplayGainMode::Off,
            volume: 1.0,
            crossfade_ms: 0,
            loudness: None,
        }
    }
}

impl std::fmt::Debug for EngineConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineConfig")
            .field("output", &self.output)
            .field("replay_gain", &self.replay_gain)
            .field("volume", &self.volume)
            .field("crossfade_ms", &self.crossfade_ms)
            .field("loudness", &self.loudness.is_some())
            .finish()
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
        let wake = tx.clone();
        let thread = std::thread::Builder::new()
            .name("audio-engine".into())
            .spawn(move || engine::run(config, rx, wake, events, thread_shared))?;
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
