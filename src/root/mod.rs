//! The composition root: what both the CLI subcommands and the player open first, in one place —
//! the config file, the data dir and its log, the store, the library folders, the model files,
//! and the player's first state. Runs on the main thread at start-up; nothing below
//! `commands`/the runtime imports it.

pub mod files;
mod player;

use std::path::{Path, PathBuf};

use crate::cli::GlobalArgs;
use crate::config::{Config, DefaultPaths};
use crate::store::Store;

pub use player::{initial_state, keymap, themes, PlayerSetup};

/// Everything a subcommand needs from the command line and the config file.
pub struct Context {
    pub config: Config,
    pub config_path: Option<PathBuf>,
    pub data_dir: PathBuf,
    /// Library folders in effect: `--library`, else the config's, else the bundled `library/`.
    pub library: Vec<PathBuf>,
    /// `--camera-file PATH`: the player's frames come from these images instead of the webcam.
    pub camera_file: Option<PathBuf>,
    /// `--library` was given (`eval-reco` then uses that library instead of a generated one).
    pub library_given: bool,
    pub log_path: Option<PathBuf>,
    /// User themes: `themes/` beside the config file in effect, else the XDG config dir's
    /// `mien/themes/` (whether or not a config file exists).
    pub themes_dir: Option<PathBuf>,
    /// Why the config file could not be used, where the context was made with
    /// [`Context::from_args_despite_config`] (`mien doctor`): the defaults are in effect.
    pub config_error: Option<crate::config::ConfigError>,
}

impl Context {
    /// Reads the config, resolves the data dir and library folders, and starts logging.
    pub fn from_args(args: &GlobalArgs) -> anyhow::Result<Context> {
        let defaults = DefaultPaths::discover();
        let loaded = Config::load(args.config.as_deref(), defaults.config_file.as_deref())?;
        Context::with_config(args, defaults, loaded, None)
    }

    /// As [`Context::from_args`], but a config file that cannot be read or parsed leaves the
    /// defaults in effect and its error in `config_error`, so that `mien doctor` still checks
    /// everything else and names the file and line among its checks.
    pub fn from_args_despite_config(args: &GlobalArgs) -> anyhow::Result<Context> {
        let defaults = DefaultPaths::discover();
        match Config::load(args.config.as_deref(), defaults.config_file.as_deref()) {
            Ok(loaded) => Context::with_config(args, defaults, loaded, None),
            Err(e) => {
                let path = Some(e.path().to_path_buf());
                Context::with_config(args, defaults, (Config::default(), path), Some(e))
            }
        }
    }

    fn with_config(
        args: &GlobalArgs,
        defaults: DefaultPaths,
        (config, config_path): (Config, Option<PathBuf>),
        config_error: Option<crate::config::ConfigError>,
    ) -> anyhow::Result<Context> {
        let data_dir = match (&args.data_dir, defaults.data_dir) {
            (Some(d), _) => d.clone(),
            (None, Some(d)) => d,
            (None, None) => anyhow::bail!("no home directory found: pass --data-dir DIR"),
        };
        // Without a log mien still runs (e.g. `mien doctor` on a read-only data dir says what
        // is wrong with it); the reason is said once.
        let log_path = match crate::logging::init(&data_dir, args.verbose) {
            Ok(path) => Some(path),
            Err(e) => {
                let _ = crate::logging::init_without_file();
                crate::logging::eprint_line(&format!(
                    "mien: warning: no log: cannot write {}: {}",
                    data_dir.join("mien.log").display(),
                    crate::core::io_reason(&e)
                ));
                None
            }
        };
        let library = if !args.library.is_empty() {
            args.library.clone()
        } else if !config.library.folders.is_empty() {
            config.library_folders()
        } else {
            vec![crate::assets::library_dir()]
        };
        let library = library.iter().map(|p| absolute(p)).collect();
        let themes_dir = match &config_path {
            Some(p) => p.parent().map(|d| d.join("themes")),
            None => defaults.themes_dir,
        };
        Ok(Context {
            config,
            config_path,
            data_dir,
            library,
            camera_file: args.camera_file.as_deref().map(absolute),
            library_given: !args.library.is_empty(),
            themes_dir,
            log_path,
            config_error,
        })
    }

    /// Engine settings from `[playback]`.
    pub fn engine_config(&self) -> crate::audio::EngineConfig {
        crate::audio::EngineConfig::from_config(&self.config.playback)
    }

    /// Opens the store in the data dir; what recovery did (a damaged database rebuilt from the
    /// journal) is one line on stderr.
    pub fn open_store(&self) -> anyhow::Result<Store> {
        let (store, recovery) = self.open_store_reporting()?;
        if let Some(r) = recovery {
            tracing::warn!("{r}");
            crate::logging::eprint_line(&format!("mien: {r}"));
        }
        Ok(store)
    }

    /// The store for a command that only reads the listener's data, or `None` while a running
    /// player holds it: the caller then reads the journal, which holds the same data (said on
    /// stderr unless `quiet`, as stdout may be a document).
    pub fn open_store_or_journal(&self, quiet: bool) -> anyhow::Result<Option<Store>> {
        match self.open_store() {
            Ok(store) => Ok(Some(store)),
            Err(e)
                if matches!(
                    e.downcast_ref(),
                    Some(crate::store::StoreError::InUse { .. })
                ) =>
            {
                if !quiet {
                    crate::logging::eprint_line(
                        "mien: a player has the database open: reading its journal (tracks named \
                         by file)",
                    );
                }
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Opens the store in the data dir, returning what recovery did for the caller to show.
    /// The store's errors name the database's path themselves.
    pub fn open_store_reporting(&self) -> anyhow::Result<(Store, Option<crate::store::Recovery>)> {
        Ok(Store::open_reporting(&self.data_dir)?)
    }
}

/// The canonical path if the file exists, else the path made absolute, so that track ids (hashes
/// of paths) are the same however a file was named on the command line.
pub fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| std::path::absolute(p).unwrap_or(p.to_path_buf()))
}

/// The mood tagger's model files (`models/musicnn-msd.safetensors`, `models/mood-head.json`).
pub fn mood_models() -> crate::mood::ModelFiles {
    crate::mood::ModelFiles::shipped()
}

/// The vision thread's model files in `models/`.
pub fn vision_models() -> crate::vision::service::ModelPaths {
    crate::vision::service::ModelPaths {
        detector: crate::vision::weights::default_detector_path(),
        fer: crate::vision::weights::default_fer_path(),
    }
}
