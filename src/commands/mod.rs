//! CLI subcommands (the edge of the program: anyhow errors with context). Each file implements
//! one subcommand on top of the composition root (`crate::root`) and the library, store and audio
//! layers.

mod ctl;
mod db;
mod diary;
mod doctor;
pub mod emotion;
mod export;
mod forget;
mod history;
mod journey;
mod listens;
mod play;
mod rate;
mod recommend;
mod scan;
pub mod tag;

use std::path::PathBuf;

use crate::cli::{DbCommand, ExportCommand, ProductCommand};

pub use crate::root::{absolute, Context};

/// `mien` (and `mien FILE...`): the interactive player; with files and a player already
/// running on this data dir, the files go to its queue instead (`ctl::hand_off`).
/// Returns the exit status (128 + a signal's number when a signal ended it).
pub fn player(ctx: &Context, files: Vec<PathBuf>) -> anyhow::Result<u8> {
    let files: Vec<PathBuf> = files.iter().map(|p| absolute(p)).collect();
    if let Some(code) = ctl::hand_off(ctx, &files)? {
        return Ok(code);
    }
    crate::runtime::run(ctx, files)
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
        ProductCommand::Export { output, what } => match what {
            None => export::export(ctx, output.as_deref()),
            Some(ExportCommand::Listens {
                since,
                format,
                output: to,
            }) => listens::run(ctx, since.as_deref(), format, to.or(output).as_deref()),
        },
        ProductCommand::Import { file } => export::import(ctx, &file),
        ProductCommand::Ctl { which } => ctl::run(ctx, which),
        ProductCommand::Diary { days, json } => diary::run(ctx, days, json),
        ProductCommand::Forget { last, reco } => forget::run(ctx, last, reco),
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
