//! CLI subcommands (the edge of the program: anyhow errors with context). Each file implements
//! one subcommand on top of the composition root (`crate::root`) and the library, store and audio
//! layers.

mod db;
mod doctor;
pub mod emotion;
mod export;
mod history;
mod journey;
mod play;
mod rate;
mod recommend;
mod scan;
pub mod tag;

use std::path::PathBuf;

use crate::cli::{DbCommand, ProductCommand};

pub use crate::root::{absolute, Context};

/// `mien` (and `mien PLAYLIST.m3u`): the interactive player.
/// Returns the exit status (128 + a signal's number when a signal ended it).
pub fn player(ctx: &Context, playlist: Option<PathBuf>) -> anyhow::Result<u8> {
    crate::runtime::run(ctx, playlist.map(|p| absolute(&p)))
}

/// Runs one of the product's subcommands.
pub fn run(ctx: &Context, command: ProductCommand) -> anyhow::Result<()> {
    match command {
        ProductCommand::Scan { json } => scan::run(ctx, json),
        ProductCommand::Play { files, seconds } => play::run_files(ctx, &files, seconds),
        ProductCommand::Doctor { json } => doctor::run(ctx, json),
        ProductCommand::Rate { file, stars } => rate::run(ctx, &file, stars),
        ProductCommand::History { json, limit } => history::run(ctx, json, limit),
        ProductCommand::Recommend { emotion, n, json } => {
            recommend::run(ctx, emotion.as_deref(), n, json)
        }
        ProductCommand::Tag {
            files,
            json,
            models,
        } => tag::run(ctx, &files, json, &models),
        ProductCommand::Emotion {
            images,
            json,
            explain,
            vision,
        } => emotion::run(&images, json, explain.as_deref(), &vision),
        ProductCommand::Db { which } => match which {
            DbCommand::Check { json } => db::check(ctx, json),
            DbCommand::Rebuild => db::rebuild(ctx),
        },
        ProductCommand::Export { output } => export::export(ctx, output.as_deref()),
        ProductCommand::Import { file } => export::import(ctx, &file),
        ProductCommand::Journey {
            to,
            from,
            minutes,
            json,
        } => journey::run(ctx, &to, from.as_deref(), minutes, json),
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
