//! Configuration: `config.toml` in the XDG config dir (or `--config FILE`), every section
//! optional, with embedded defaults so mien runs with no file at all. Errors name the file and line.
//! Plain data: each subsystem converts its own section (`audio::EngineConfig::from_config`,
//! `vision::…::from_config`), so this module imports no other part of mien.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

/// The whole configuration, as read from TOML. Unknown keys are errors (typos should not be
/// silently ignored).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub library: LibraryConfig,
    #[serde(default)]
    pub playback: PlaybackConfig,
    #[serde(default)]
    pub ui: UiConfig,
    #[serde(default)]
    pub recommend: RecommendConfig,
    #[serde(default)]
    pub camera: CameraConfig,
    #[serde(default)]
    pub keys: KeysConfig,
}

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
    /// Start volume in percent, 0 to 100.
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
    /// Restore the previous queue and position on start.
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

/// `[keys]`: action name → a key string or an array of them, e.g. `next_track = "ctrl-n"`,
/// `play_pause = ["space", "p"]`, `top = "g g"`. Checked against the actions by the keymap,
/// which reports errors by line.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct KeysConfig {
    map: BTreeMap<String, Spanned<KeySpec>>,
    /// Line of each entry, filled in by `Config::parse` from the spans.
    #[serde(skip)]
    lines: BTreeMap<String, usize>,
}

/// One `[keys]` entry, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyEntry {
    pub action: String,
    pub keys: Vec<String>,
    /// 1-based line in the config file (0 if the config did not come from text).
    pub line: usize,
}

impl KeysConfig {
    /// The entries in file order.
    pub fn entries(&self) -> Vec<KeyEntry> {
        let mut entries: Vec<KeyEntry> = self
            .map
            .iter()
            .map(|(action, spec)| KeyEntry {
                action: action.clone(),
                keys: spec.get_ref().keys().to_vec(),
                line: self.lines.get(action).copied().unwrap_or(0),
            })
            .collect();
        entries.sort_by_key(|e| e.line);
        entries
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn locate(&mut self, text: &str) {
        self.lines = (self.map.iter())
            .map(|(k, v)| (k.clone(), line_col(text, v.span().start).0))
            .collect();
    }
}

/// The value of a `[keys]` entry: one key string or an array of them.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(
    untagged,
    expecting = "expected a key like \"ctrl-n\" or an array of keys"
)]
pub enum KeySpec {
    One(String),
    Many(Vec<String>),
}

impl KeySpec {
    pub fn keys(&self) -> &[String] {
        match self {
            KeySpec::One(key) => std::slice::from_ref(key),
            KeySpec::Many(keys) => keys,
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

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

impl Config {
    /// Reads `explicit` if given (it must exist), else `default_path` if it exists, else the
    /// defaults. Returns the config and the file it came from.
    pub fn load(
        explicit: Option<&Path>,
        default_path: Option<&Path>,
    ) -> Result<(Config, Option<PathBuf>), ConfigError> {
        let path = match (explicit, default_path) {
            (Some(p), _) => p,
            (None, Some(p)) if p.exists() => p,
            _ => return Ok((Config::default(), None)),
        };
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let config = Config::parse(&text, path)?;
        Ok((config, Some(path.to_path_buf())))
    }

    /// Parses TOML text; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        config.keys.locate(text);
        config.ui.theme_line = theme_line(text);
        Ok(config)
    }

    /// Library folders with `~` expanded.
    pub fn library_folders(&self) -> Vec<PathBuf> {
        self.library
            .folders
            .iter()
            .map(|p| expand_tilde(p))
            .collect()
    }
}

/// The line of `[ui] theme` in `text` (0 if not there). The text has parsed already.
fn theme_line(text: &str) -> usize {
    #[derive(Deserialize)]
    struct File {
        ui: Option<Ui>,
    }
    #[derive(Deserialize)]
    struct Ui {
        theme: Option<Spanned<String>>,
    }
    toml::from_str::<File>(text)
        .ok()
        .and_then(|f| f.ui?.theme)
        .map_or(0, |t| line_col(text, t.span().start).0)
}

/// 1-based line and column of byte offset `at` in `text`.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, column)
}

/// Expands a leading `~/` to the home directory.
pub fn expand_tilde(p: &Path) -> PathBuf {
    match (p.strip_prefix("~"), directories::BaseDirs::new()) {
        (Ok(rest), Some(base)) => base.home_dir().join(rest),
        _ => p.to_path_buf(),
    }
}

/// Where mien keeps its files by default: XDG config and data dirs.
pub struct DefaultPaths {
    pub config_file: Option<PathBuf>,
    /// User themes: `$XDG_CONFIG_HOME/mien/themes/`.
    pub themes_dir: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
}

impl DefaultPaths {
    pub fn discover() -> DefaultPaths {
        let dirs = directories::ProjectDirs::from("", "", "mien");
        DefaultPaths {
            config_file: dirs.as_ref().map(|d| d.config_dir().join("config.toml")),
            themes_dir: dirs.as_ref().map(|d| d.config_dir().join("themes")),
            data_dir: dirs.as_ref().map(|d| d.data_dir().to_path_buf()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_text_gives_defaults() {
        let c = Config::parse("", Path::new("c.toml")).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.playback.volume, 100);
    }

    #[test]
    fn sections_are_read() {
        let text =
            "[library]\nfolders = [\"/m\"]\n[playback]\nreplay_gain = \"album\"\nvolume = 70\n";
        let c = Config::parse(text, Path::new("c.toml")).unwrap();
        assert_eq!(c.library.folders, vec![PathBuf::from("/m")]);
        assert_eq!(c.playback.replay_gain, ReplayGainSetting::Album);
        assert_eq!(c.playback.volume, 70);
        assert!(c.playback.resume);
    }

    #[test]
    fn a_bad_value_names_file_line_and_column() {
        let text = "[playback]\nvolume = 70\nreplay_gain = \"loud\"\n";
        let err = Config::parse(text, Path::new("/etc/mien.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("/etc/mien.toml:3:"), "{err}");
        assert!(err.contains("loud") || err.contains("variant"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_its_line() {
        let err = Config::parse("[playback]\nvolum = 3\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.toml:2:1:"), "{err}");
        assert!(err.contains("volum"), "{err}");
    }

    #[test]
    fn ui_and_keys_sections_are_read_with_lines() {
        let text = "[ui]\ntheme = \"light\"\nart = false\n[keys]\nquit = \"ctrl-q\"\n\
                    play_pause = [\"space\", \"p\"]\n";
        let c = Config::parse(text, Path::new("c.toml")).unwrap();
        assert_eq!(c.ui.theme, "light");
        assert!(!c.ui.art && c.ui.mpris);
        assert!(c.ui.mouse, "the mouse is on by default");
        let off = Config::parse("[ui]\nmouse = false\n", Path::new("c.toml")).unwrap();
        assert!(!off.ui.mouse);
        let entries = c.keys.entries();
        assert_eq!(entries[0].action, "quit");
        assert_eq!(entries[0].keys, ["ctrl-q"]);
        assert_eq!(entries[0].line, 5);
        assert_eq!(entries[1].keys, ["space", "p"]);
        assert_eq!(entries[1].line, 6);
    }

    #[test]
    fn a_key_of_the_wrong_type_names_its_line() {
        let err = Config::parse("[keys]\n\nquit = 3\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.toml:3:"), "{err}");
        assert!(err.contains("array of keys"), "{err}");
    }

    #[test]
    fn the_recommend_section_is_read_and_defaults_to_reordering_without_auto() {
        let c = Config::parse(
            "[recommend]\nauto = true\nauto_min = 8\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert!(c.recommend.auto && c.recommend.reorder);
        assert_eq!(c.recommend.auto_min, 8);
        assert_eq!(Config::default().recommend, RecommendConfig::default());
        assert!(!RecommendConfig::default().auto);
    }

    #[test]
    fn the_playback_device_buffer_and_crossfade_are_read_and_checked() {
        let text = "[playback]\ndevice = \"pulseaudio:usb-dac\"\nbuffer_ms = 300\n\
                    crossfade_seconds = 4.5\n";
        let c = Config::parse(text, Path::new("c.toml")).unwrap();
        assert_eq!(c.playback.device.as_deref(), Some("pulseaudio:usb-dac"));
        assert_eq!(
            (c.playback.buffer_ms, c.playback.crossfade_seconds),
            (300, 4.5)
        );
        let d = PlaybackConfig::default();
        assert_eq!(
            (d.device, d.crossfade_seconds),
            (None, 0.0),
            "gapless by default"
        );
        let err = Config::parse("[playback]\ncrossfade_seconds = -1\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.toml:2:"), "{err}");
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }
}
