//! The `mien` binary: parses arguments, sets up logging and dispatches to a subcommand.

use std::process::ExitCode;

use clap::Parser;

use mien::cli::Cli;
use mien::commands::{self, Context};
use mien::logging;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ctx = match Context::from_args(&cli.global) {
        Ok(ctx) => ctx,
        Err(e) => {
            eprintln!("mien: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    logging::install_panic_hook();
    match commands::run(&ctx, cli.command, cli.playlist) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            logging::eprint_line(&format!("mien: {}", one_line(&e)));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line.
fn one_line(e: &anyhow::Error) -> String {
    e.chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(": ")
}
