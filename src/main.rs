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
    // `mien doctor` is what a listener runs when something is wrong: a broken config file is
    // one of its checks, not a reason not to run the others.
    let doctor = matches!(
        cli.command,
        Some(Command::Product(mien::cli::ProductCommand::Doctor { .. }))
    );
    let context = if doctor {
        Context::from_args_despite_config(&cli.global)
    } else {
        Context::from_args(&cli.global)
    };
    let ctx = match context {
        Ok(ctx) => ctx,
        Err(e) => {
            eprintln!("mien: {}", one_line(&e));
            return ExitCode::FAILURE;
        }
    };
    logging::install_panic_hook();
    let run = std::panic::AssertUnwindSafe(|| match cli.command {
        None => commands::player(&ctx, cli.files),
        Some(Command::Product(c)) => commands::run(&ctx, c).map(|()| 0),
        Some(Command::Eval(c)) => eval::run(&ctx, c).map(|()| 0),
    });
    // The unwinding has already run every destructor (the store flushed and closed).
    let result = match std::panic::catch_unwind(run) {
        Ok(result) => result,
        // The reader closed our stdout (`mien tag --json | head`): quiet, and the status a
        // shell gives a process that SIGPIPE ended (128 + 13).
        Err(payload) if logging::is_broken_pipe(&*payload) => return ExitCode::from(141),
        Err(payload) => std::panic::resume_unwind(payload),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // The same closed pipe met by a `writeln!(out, ..)?` instead of a `println!`.
        Err(e) if broken_pipe(&e) => ExitCode::from(141),
        Err(e) => {
            logging::eprint_line(&format!("mien: {}", one_line(&e)));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, each said once: a cause whose text the message before
/// it already contains (errors that quote their source) is left out, and so is Rust's
/// " (os error N)" after the system's own words.
fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain().map(|c| without_os_error(&c.to_string())) {
        if !parts.last().is_some_and(|last| last.contains(&cause)) {
            parts.push(cause);
        }
    }
    parts.join(": ")
}

/// Whether `e` (or one of its causes) is a write to a pipe whose reader has gone.
fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `text` without every " (os error N)".
fn without_os_error(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" (os error ") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + " (os error ".len()..];
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && tail[digits..].starts_with(')') {
            rest = &tail[digits + 1..];
        } else {
            out.push_str(" (os error ");
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_says_each_cause_once_without_os_error_numbers() {
        let io = std::io::Error::from_raw_os_error(21);
        let e = anyhow::Error::new(io).context("/tmp: cannot read: Is a directory (os error 21)");
        assert_eq!(one_line(&e), "/tmp: cannot read: Is a directory");
        let e = anyhow::anyhow!("plain").context("outer");
        assert_eq!(one_line(&e), "outer: plain");
        assert_eq!(without_os_error("a (os error x) b"), "a (os error x) b");
    }

    #[test]
    fn a_closed_pipe_is_found_under_context() {
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(broken_pipe(
            &anyhow::Error::new(pipe).context("cannot write to stdout")
        ));
        let other = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert!(!broken_pipe(&anyhow::Error::new(other).context("x")));
        assert!(!broken_pipe(&anyhow::anyhow!("Broken pipe")));
    }
}
