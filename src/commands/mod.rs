//! CLI subcommands (the edge of the program: anyhow errors with context). Each file implements
//! one subcommand on top of the composition root (`crate::root`) and the library, store and audio
//! layers.

mod bench;
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

use std::path::PathBuf;

use crate::cli::{BenchCommand, Command};

pub use crate::root::{absolute, Context};

pub use play::PlayDriver;

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
