//! Remote control of a running player (`mien ctl`): the socket's place, its line-based JSON
//! protocol, the listener thread the player runs (`mien-control`) and the client. Below `app`,
//! so that `update` can answer requests and both the runtime and the commands can speak it.
//!
//! The socket is `<data dir>/mien.sock`: one per data dir, so `--data-dir` selects the player;
//! it sits beside the store's lock (only the lock's owner binds it) in a folder that is already
//! the user's alone (0700), and needs no `$XDG_RUNTIME_DIR` (absent under cron, ssh without
//! a login session, and some containers) nor a name derived from a hash. The cost is the
//! 107-byte limit of a socket's path: a longer data dir gets a clear "remote control is off"
//! (see [`check_length`]).

pub mod client;
pub mod format;
pub mod protocol;
pub mod server;

use std::path::{Path, PathBuf};

pub use protocol::{Command, Reply, StatusReport};
pub use server::{ControlServer, ReplyTo, Request};

/// The socket's file name in the data dir.
pub const SOCKET_NAME: &str = "mien.sock";

/// The longest socket path Linux accepts (`sun_path` is 108 bytes with its terminating NUL).
pub const MAX_SOCKET_PATH: usize = 107;

/// The control socket of the player on `data_dir`.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("the control socket's path {} is {len} bytes, longer than the {MAX_SOCKET_PATH} a Unix socket allows: use a shorter --data-dir", path.display())]
    PathTooLong { path: PathBuf, len: usize },
    #[error("another mien player answers on {}", path.display())]
    InUse { path: PathBuf },
    #[error("{} is not a socket: move it away", path.display())]
    NotASocket { path: PathBuf },
    #[error("cannot listen on {}: {source}", path.display())]
    Bind {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the control thread: {0}")]
    Thread(#[source] std::io::Error),
}

/// Refuses a socket path longer than `sun_path` holds (the system would say only "invalid
/// argument").
pub fn check_length(path: &Path) -> Result<(), ControlError> {
    let len = path.as_os_str().len();
    if len > MAX_SOCKET_PATH {
        return Err(ControlError::PathTooLong {
            path: path.to_path_buf(),
            len,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
