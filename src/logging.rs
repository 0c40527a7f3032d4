//! Logging and the terminal's stderr: tracing goes to `mien.log` in the data dir, and file
//! descriptor 2 is pointed at that log too, so that messages printed by C libraries (ALSA, v4l2)
//! can never reach, and corrupt, the terminal. mien's own one-line errors go to the terminal's
//! original stderr, kept as a duplicate descriptor.

use std::fs::File;
use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use tracing_subscriber::EnvFilter;

/// The terminal's stderr, saved before fd 2 was redirected.
static TERMINAL_STDERR: OnceLock<Mutex<File>> = OnceLock::new();

/// Starts logging to `data_dir/mien.log` at a level set by `verbosity` (0 = info, 1 = debug,
/// 2+ = trace; `RUST_LOG` overrides) and redirects fd 2 into the log. Returns the log's path.
pub fn init(data_dir: &Path, verbosity: u8) -> std::io::Result<PathBuf> {
    crate::core::private::private_dir(data_dir)?;
    let path = data_dir.join("mien.log");
    let file = crate::core::private::private_file(&path, true)?;
    redirect_stderr(&file)?;
    let level = match verbosity {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let writer = Mutex::new(file);
    // A second init (tests) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    Ok(path)
}

/// When the log cannot be written (a read-only data dir): no log, and fd 2 pointed at
/// `/dev/null` instead, so that C libraries still cannot write over the terminal. mien's own
/// errors still reach the terminal through [`eprint_line`].
pub fn init_without_file() -> std::io::Result<()> {
    let null = File::options().write(true).open("/dev/null")?;
    redirect_stderr(&null)
}

fn redirect_stderr(log: &File) -> std::io::Result<()> {
    if TERMINAL_STDERR.get().is_some() {
        return Ok(());
    }
    // SAFETY: dup and dup2 on valid descriptors; the duplicate is owned by the File we create.
    unsafe {
        let saved = libc::dup(2);
        if saved < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let _ = TERMINAL_STDERR.set(Mutex::new(File::from_raw_fd(saved)));
        if libc::dup2(log.as_raw_fd(), 2) < 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Writes one line to the terminal's stderr (the real one, even after fd 2 was redirected).
pub fn eprint_line(msg: &str) {
    match TERMINAL_STDERR.get().and_then(|m| m.lock().ok()) {
        Some(mut f) => {
            let _ = writeln!(f, "{msg}");
        }
        None => eprintln!("{msg}"),
    }
}

/// Writes text without a newline to the terminal's stderr (progress bars).
pub fn eprint_raw(msg: &str) {
    match TERMINAL_STDERR.get().and_then(|m| m.lock().ok()) {
        Some(mut f) => {
            let _ = f.write_all(msg.as_bytes());
            let _ = f.flush();
        }
        None => {
            let mut e = std::io::stderr();
            let _ = e.write_all(msg.as_bytes());
            let _ = e.flush();
        }
    }
}

/// Whether the terminal's stderr is a terminal (progress bars only make sense there).
pub fn stderr_is_terminal() -> bool {
    let fd = TERMINAL_STDERR
        .get()
        .and_then(|m| m.lock().ok().map(|f| f.as_raw_fd()))
        .unwrap_or(2);
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(fd) == 1 }
}

/// Whether a panic's payload is `println!` failing because stdout is a closed pipe (`mien tag
/// --json | head`): not an internal error, but the reader having what it wanted. Rust ignores
/// SIGPIPE, so the write fails and `println!` panics; `main` turns that into a quiet exit.
pub fn is_broken_pipe(payload: &(dyn std::any::Any + Send)) -> bool {
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("");
    text.starts_with("failed printing to stdout") && text.contains("Broken pipe")
}

/// A panic hook that logs the panic and reports it on the terminal's real stderr (except a
/// closed stdout pipe, `is_broken_pipe`). The TUI adds terminal restoration in front of it.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if is_broken_pipe(info.payload()) {
            tracing::debug!("stdout closed by its reader: {info}");
            return;
        }
        tracing::error!("panic: {info}");
        eprint_line(&format!("mien: internal error: {info}"));
        if TERMINAL_STDERR.get().is_none() {
            previous(info);
        }
    }));
}
