//! Evaluations and benchmarks, apart from the product code they measure: `mien eval-reco`
//! (simulated listeners, the protocol, a real library's catalogue), `mien eval-fer`,
//! `mien eval-mood` (the mood model on labelled music, and the dumps its head is fitted on), and
//! `mien bench` (scan, start-up, playback CPU, loudness metering, recommender speed, MovieLens-100k, vision speed).
//! The edge of the program like `commands`, whose helpers it may reuse; numbers and the commands
//! that reproduce them are in docs/BENCHMARKS.md and docs/RECOMMENDER.md.

mod bench;
mod bench_loudness;
mod bench_reco;
mod bench_vision;
mod fer;
mod journey;
pub mod mood;
pub mod movielens;
mod reco;
mod reco_library;
pub mod reco_protocol;
pub mod simulate;
mod tag_load;

use crate::cli::{BenchCommand, EvalCommand};
use crate::root::Context;

/// Runs one evaluation or benchmark.
pub fn run(ctx: &Context, command: EvalCommand) -> anyhow::Result<()> {
    match command {
        EvalCommand::EvalReco {
            json,
            tracks,
            listeners,
            seed,
        } => reco::run(ctx, json, tracks, listeners, seed),
        EvalCommand::EvalJourney {
            json,
            runs,
            minutes,
            tracks,
            seed,
        } => journey::run(ctx, json, runs, minutes, tracks, seed),
        EvalCommand::EvalFer { data, json, vision } => fer::run(&data, json, &vision),
        EvalCommand::EvalMood {
            labels,
            json,
            dump,
            models,
        } => mood::run(&labels, json, dump.as_deref(), &models),
        EvalCommand::Bench { which } => match which {
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
