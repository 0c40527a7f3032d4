//! The client side of the control socket (`mien ctl`, and `mien FILE...` handing files to a
//! running player): connect, send one request line, read one reply line. Runs on the caller's
//! thread.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::protocol::{self, Command, Reply, MAX_LINE_BYTES};
use super::server::ANSWER_TIMEOUT;

/// Why a request got no reply.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Nothing listens on the socket: no socket file, or one a killed player left behind.
    #[error("no mien player is running on this data dir (nothing listens on {})", path.display())]
    NotRunning { path: PathBuf },
    #[error("cannot reach the player on {}: {source}", path.display())]
    Connect {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the player on {} did not answer: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the player's answer is not understood: {0}")]
    Protocol(#[from] protocol::ProtocolError),
}

/// Connects to the player on `path`; [`ClientError::NotRunning`] when none listens.
pub fn connect(path: &Path) -> Result<UnixStream, ClientError> {
    super::check_length(path).map_err(|e| ClientError::Connect {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()),
    })?;
    UnixStream::connect(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused => {
            ClientError::NotRunning {
                path: path.to_path_buf(),
            }
        }
        _ => ClientError::Connect {
            path: path.to_path_buf(),
            source,
        },
    })
}

/// Sends `command` to the player on `path` and returns its reply.
pub fn request(path: &Path, command: &Command) -> Result<Reply, ClientError> {
    let stream = connect(path)?;
    exchange(stream, command).map_err(|source| ClientError::Io {
        path: path.to_path_buf(),
        source,
    })?
}

fn exchange(
    mut stream: UnixStream,
    command: &Command,
) -> std::io::Result<Result<Reply, ClientError>> {
    stream.set_write_timeout(Some(Duration::from_secs(2)))?;
    // The player answers within its own timeout; a little more here so that its word arrives.
    stream.set_read_timeout(Some(ANSWER_TIMEOUT + Duration::from_secs(5)))?;
    stream.write_all(protocol::encode_request(command).as_bytes())?;
    let mut line = String::new();
    BufReader::new((&stream).take(MAX_LINE_BYTES)).read_line(&mut line)?;
    if line.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "it closed the connection",
        ));
    }
    Ok(protocol::decode_reply(&line).map_err(ClientError::from))
}
