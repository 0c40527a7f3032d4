//! The `mien` binary: parses arguments, sets up logging and dispatches: the player, a product
//! subcommand (`commands`) or an evaluation/benchmark (`eval`).

use std::process::ExitCode;

use clap::Parser;

use mien::cli::{Cli, Command};
use mien::logging;
use mien::root::Context;
use mien::{commands, eval};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.command.is_none() && std::env::var_os("RAYON_NUM_THREADS").is_none() {
        // The player's model work (mood tagging, the camera's detector and emotion model) runs
        // beside the audio and UI threads: one thread each keeps a core free for them, and on 2
        // loaded cores one thread was also faster (docs/BENCHMARKS.md, vision). Set before any
        // thread starts; candle reads it when it first sizes its pool.
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
    let ctx = match Context::from_args(&cli.global) {
        Ok(ctx) => ctx,
        Err(e) => {
            eprintln!("mien: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    logging::install_panic_hook();
    let result = match cli.command {
        None => commands::player(&ctx, cli.playlist),
        Some(Command::Product(c)) => commands::run(&ctx, c).map(|()| 0),
        Some(Command::Eval(c)) => eval::run(&ctx, c).map(|()| 0),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            logging::eprint_line(&format!("mien: {}", one_line(&e)));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, each said once: a cause whose text the message before
/// it already contains (errors that quote their source) is left out.
fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain().map(|c| c.to_string()) {
        if !parts.last().is_some_and(|last| last.contains(&cause)) {
            parts.push(cause);
        }
    }
    parts.join(": ")
}
