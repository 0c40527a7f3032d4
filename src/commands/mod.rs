//! CLI subcommands (the edge of the program: anyhow errors with context). Each file implements
//! one subcommand on top of the library, store and audio layers.

mod bench;
mod bench_loudness;
mod bench_reco;
mod bench_vision;
mod doctor;
mod emotion;
mod eval_fer;
mod eval_library;
mod eval_reco;
mod history;
mod play;
mod rate;
mod recommend;
mod scan;
mod tag;
mod tag_load;

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::cli::{BenchCommand, Command, GlobalArgs};
use crate::config::{Config, DefaultPaths};
use crate::store::Store;

pub use play::PlayDriver;

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
}

impl Context {
    /// Reads the config, resolves the data dir and library folders, and starts logging.
    pub fn from_args(args: &GlobalArgs) -> anyhow::Result<Context> {
        let defaults = DefaultPaths::discover();
        let (config, config_path) =
            Config::load(args.config.as_deref(), defaults.config_file.as_deref())?;
        let data_dir = match (&args.data_dir, defaults.data_dir) {
            (Some(d), _) => d.clone(),
            (None, Some(d)) => d,
            (None, None) => anyhow::bail!("no home directory found: pass --data-dir DIR"),
        };
        let log_path = crate::logging::init(&data_dir, args.verbose)
            .with_context(|| format!("cannot write the log in {}", data_dir.display()))?;
        let library = if !args.library.is_empty() {
            args.library.clone()
        } else if !config.library.folders.is_empty() {
            config.library_folders()
        } else {
            vec![bundled_library()]
        };
        let library = library.iter().map(|p| absolute(p)).collect();
        Ok(Context {
            config,
            config_path,
            data_dir,
            library,
            camera_file: args.camera_file.as_deref().map(absolute),
            library_given: !args.library.is_empty(),
            log_path: Some(log_path),
        })
    }

    /// Engine settings from `[playback]`: output and device, ReplayGain mode, start volume,
    /// crossfade.
    pub fn engine_config(&self) -> crate::audio::EngineConfig {
        let p = &self.config.playback;
        crate::audio::EngineConfig {
            output: match p.output {
                crate::config::OutputSetting::Auto => crate::audio::OutputChoice::Device {
                    name: p.device.clone(),
                    buffer_ms: p.buffer_ms,
                },
                crate::config::OutputSetting::Null => crate::audio::OutputChoice::Null {
                    rate: 44_100,
                    channels: 2,
                },
            },
            replay_gain: p.replay_gain,
            volume: f32::from(p.volume.min(100)) / 100.0,
            crossfade_ms: (p.crossfade_seconds.min(60.0) * 1000.0) as u32,
            loudness: None,
        }
    }

    /// Opens the store in the data dir.
    pub fn open_store(&self) -> anyhow::Result<Store> {
        Store::open(&self.data_dir)
            .with_context(|| format!("cannot open the database in {}", self.data_dir.display()))
    }
}

/// The library shipped with mien: `library/` beside Cargo.toml, else `./library`.
pub fn bundled_library() -> PathBuf {
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("library");
    if beside.is_dir() {
        beside
    } else {
        PathBuf::from("library")
    }
}

/// The canonical path if the file exists, else the path made absolute, so that track ids (hashes
/// of paths) are the same however a file was named on the command line.
pub fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| std::path::absolute(p).unwrap_or(p.to_path_buf()))
}

/// Runs a subcommand; `None` starts the interactive player (with `playlist` if given).
pub fn run(
    ctx: &Context,
    command: Option<Command>,
    playlist: Option<PathBuf>,
) -> anyhow::Result<()> {
    match command {
        None => crate::tui::run(ctx, playlist.map(|p| absolute(&p))),
        Some(Command::Scan { json }) => scan::run(ctx, json),
        Some(Command::Play { files, seconds }) => play::run_files(ctx, &files, seconds),
        Some(Command::Doctor { json }) => doctor::run(ctx, json),
        Some(Command::Rate { file, stars }) => rate::run(ctx, &file, stars),
        Some(Command::History { json, limit }) => history::run(ctx, json, limit),
        Some(Command::Recommend { emotion, n, json }) => {
            recommend::run(ctx, emotion.as_deref(), n, json)
        }
        Some(Command::EvalReco {
            json,
            tracks,
            listeners,
            seed,
        }) => eval_reco::run(ctx, json, tracks, listeners, seed),
        Some(Command::Tag {
            files,
            json,
            model,
            patches,
        }) => tag::run(
            ctx,
            &files,
            json,
            model.as_deref(),
            patches.map(usize::from),
        ),
        Some(Command::Emotion {
            images,
            json,
            explain,
            vision,
        }) => emotion::run(&images, json, explain.as_deref(), &vision),
        Some(Command::EvalFer { data, json, vision }) => eval_fer::run(&data, json, &vision),
        Some(Command::Bench { which }) => match which {
            BenchCommand::Vision {
                frames,
                runs,
                json,
                vision,
            } => bench_vision::vision(frames.as_deref(), runs, json, &vision),
            BenchCommand::Scan { files, json } => bench::scan(ctx, files, json),
            BenchCommand::Reco {
                events,
                candidates,
                commit_every,
                json,
            } => bench_reco::reco(events, candidates, commit_every, json),
            BenchCommand::Movielens { inter, json } => bench_reco::movielens(&inter, json),
            BenchCommand::Play {
                file,
                seconds,
                json,
                tag_dir,
            } => bench::play(ctx, &file, seconds, json, tag_dir.as_deref()),
            BenchCommand::Startup { tracks, json } => bench::startup(tracks, json),
            BenchCommand::Loudness { files, json } => bench_loudness::run(&files, json),
        },
    }
}

pub use crate::core::mmss;

#[cfg(test)]
mod tests {
    #[test]
    fn mmss_formats_minutes_and_seconds() {
        assert_eq!(super::mmss(0), "0:00");
        assert_eq!(super::mmss(61_999), "1:01");
        assert_eq!(super::mmss(3_600_000), "60:00");
    }
}
