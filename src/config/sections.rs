//! The plain sections of `config.toml` (`[library]`, `[playback]`, `[ui]`, `[recommend]`,
//! `[camera]`) with their defaults, and the range checks their numbers get while parsing (an
//! out-of-range value is an error at its line).

use std::path::PathBuf;

use serde::Deserialize;

/// `[recommend]`: how the recommender acts on the queue (docs/RECOMMENDER.md).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecommendConfig {
    /// Reorder the not-pinned upcoming tracks after each track start and on marked mood changes.
    pub reorder: bool,
    /// Start in auto mode (the queue is filled from the library; `A` toggles it).
    pub auto: bool,
    /// Auto mode keeps at least this many tracks ahead (1 to 1000).
    #[serde(deserialize_with = "auto_min")]
    pub auto_min: usize,
}

impl Default for RecommendConfig {
    fn default() -> Self {
        RecommendConfig {
            reorder: true,
            auto: false,
            auto_min: 5,
        }
    }
}

/// `[camera]`: the webcam, off unless enabled (`c` toggles it while mien runs). It is opened
/// only while sampling: from `lead_seconds` before a track ends to `sample_seconds` after the
/// next one starts, and continuously at
/// `continuous_hz` frames per second if that is above 0 (the camera then stays on).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CameraConfig {
    pub enabled: bool,
    /// Device index (0: `/dev/video0` on Linux), 0 to 63.
    #[serde(deserialize_with = "camera_index")]
    pub device: u32,
    /// Frame size asked of the camera, 16 to 7680 by 16 to 4320.
    #[serde(deserialize_with = "frame_width")]
    pub width: u32,
    #[serde(deserialize_with = "frame_height")]
    pub height: u32,
    /// 1 to 240.
    #[serde(deserialize_with = "fps")]
    pub fps: u32,
    /// 0 to 600 s each.
    #[serde(deserialize_with = "seconds_0_600")]
    pub sample_seconds: f32,
    #[serde(deserialize_with = "seconds_0_600")]
    pub lead_seconds: f32,
    /// 0 to 30 frames a second.
    #[serde(deserialize_with = "continuous_hz")]
    pub continuous_hz: f32,
}

impl Default for CameraConfig {
    fn default() -> Self {
        CameraConfig {
            enabled: false,
            device: 0,
            width: 640,
            height: 480,
            fps: 30,
            sample_seconds: 6.0,
            lead_seconds: 3.0,
            continuous_hz: 0.0,
        }
    }
}

impl CameraConfig {
    /// How long before a track's end sampling starts, in milliseconds (at most an hour).
    pub fn lead_ms(&self) -> u64 {
        (self.lead_seconds.min(3600.0) * 1000.0) as u64
    }
}

/// A number read from the file, checked to lie in `lo..=hi` (the error, at the value's line,
/// says the range).
fn within<'de, D, T>(d: D, lo: T, hi: T) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + PartialOrd + std::fmt::Display + Copy,
{
    let v = T::deserialize(d)?;
    if !(v >= lo && v <= hi) {
        // NaN fails both comparisons, so it lands here too.
        return Err(serde::de::Error::custom(format!(
            "must be from {lo} to {hi} (got {v})"
        )));
    }
    Ok(v)
}

/// Declares `fn NAME(d) -> T` for `deserialize_with`: the number is read as `$via` (i64 or f64,
/// so that a negative or huge value gets the range message too, not a type error) and checked to
/// lie in `lo..=hi`, which `T` holds.
macro_rules! ranged {
    ($($name:ident: $t:ty as $via:ty = $lo:expr, $hi:expr;)*) => {$(
        fn $name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
            within::<D, $via>(d, $lo, $hi).map(|v| v as $t)
        }
    )*};
}

ranged! {
    auto_min: usize as i64 = 1, 1000;
    camera_index: u32 as i64 = 0, 63;
    frame_width: u32 as i64 = 16, 7680;
    frame_height: u32 as i64 = 16, 4320;
    fps: u32 as i64 = 1, 240;
    seconds_0_600: f32 as f64 = 0.0, 600.0;
    continuous_hz: f32 as f64 = 0.0, 30.0;
    volume: u8 as i64 = 0, 100;
    buffer_ms: u32 as i64 = 0, 10_000;
    crossfade_seconds: f32 as f64 = 0.0, 30.0;
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryConfig {
    /// Music folders; `~` expands to the home directory. Empty: the bundled `library/`.
    #[serde(default)]
    pub folders: Vec<PathBuf>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlaybackConfig {
    /// Which ReplayGain tag values to apply: `off`, `track` or `album`.
    pub replay_gain: ReplayGainSetting,
    /// Start volume in percent, 0 to 100 (with `resume`, once a session has saved its own, that
    /// one).
    #[serde(deserialize_with = "volume")]
    pub volume: u8,
    /// `auto` (sound device, null output if none works) or `null` (always silent).
    pub output: OutputSetting,
    /// The sound device by name (`mien doctor` lists them); unset: the default one.
    pub device: Option<String>,
    /// The device buffer in milliseconds (0: the sound server's default), at most 10 s.
    #[serde(deserialize_with = "buffer_ms")]
    pub buffer_ms: u32,
    /// Crossfade between tracks that are not neighbours on one album; 0: gapless only; at most
    /// 30 s.
    #[serde(deserialize_with = "crossfade_seconds")]
    pub crossfade_seconds: f32,
    /// Restore the previous queue and position on start, and the volume and repeat mode.
    pub resume: bool,
}

/// The device buffer when `[playback] buffer_ms` is not given (docs/BENCHMARKS.md: why 600 ms).
pub const DEFAULT_BUFFER_MS: u32 = 600;

impl Default for PlaybackConfig {
    fn default() -> Self {
        PlaybackConfig {
            replay_gain: ReplayGainSetting::Off,
            volume: 100,
            output: OutputSetting::Auto,
            device: None,
            buffer_ms: DEFAULT_BUFFER_MS,
            crossfade_seconds: 0.0,
            resume: true,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// Theme name: a built-in (`default`, `light`, `high-contrast`) or a file in the themes dir.
    pub theme: String,
    /// Show album art where the terminal can draw images.
    pub art: bool,
    /// Offer MPRIS (media keys, desktop widgets) on Linux.
    pub mpris: bool,
    /// Inside tmux, turn on the pane's `allow-passthrough` so that album art can use the outer
    /// terminal's image protocol. Off: mien never changes tmux's settings and draws covers with
    /// half blocks there.
    pub tmux_passthrough: bool,
    /// Take the mouse: click selects, double-click plays, the wheel scrolls, a click on the
    /// progress bar seeks. Off: the terminal keeps the mouse (its own selection and scrolling).
    pub mouse: bool,
    /// Line of `theme` in the config file (0: not set there), for error messages.
    #[serde(skip)]
    pub theme_line: usize,
}

impl Default for UiConfig {
    fn default() -> Self {
        UiConfig {
            theme: "default".into(),
            art: true,
            mpris: true,
            tmux_passthrough: false,
            mouse: true,
            theme_line: 0,
        }
    }
}

/// `replay_gain`: `album` falls back to the track value when a file has no album gain, and
/// `track` to the album value (the engine applies it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplayGainSetting {
    #[default]
    Off,
    Track,
    Album,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputSetting {
    #[default]
    Auto,
    Null,
}
