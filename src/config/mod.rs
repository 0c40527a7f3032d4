//! Configuration: `config.toml` in the XDG config dir (or `--config FILE`), every section
//! optional, with embedded defaults so mien runs with no file at all. Errors name the file and line.
//! Plain data: each subsystem converts its own section (`audio::EngineConfig::from_config`,
//! `vision::…::from_config`), so this module imports no other part of mien.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

mod keys;
mod sections;

pub use keys::{KeyEntry, KeySpec, KeysConfig};
pub use sections::{
    CameraConfig, LibraryConfig, OutputSetting, PlaybackConfig, RecommendConfig, ReplayGainSetting,
    UiConfig, DEFAULT_BUFFER_MS,
};

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

impl ConfigError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ConfigError::Read { path, .. } | ConfigError::Parse { path, .. } => path,
        }
    }
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
