//! The control socket's listener (the `mien-control` thread): accepts `mien ctl` connections on
//! the data dir's socket, reads one request line from each, hands it to the UI thread as a
//! [`Request`] and writes back the [`Reply`] the UI thread sends. It owns the listening socket
//! and nothing of the player's state; it decides nothing.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::protocol::{self, Command, Reply, MAX_LINE_BYTES};
use super::{check_length, ControlError};

/// How long a client may take to send its request line: a stuck or silent client is dropped
/// after this, so it cannot hold up the next one.
pub const READ_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the listener waits for the UI thread's answer (it is busy at most a frame or two;
/// this covers a loaded machine).
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// One request from a client, for `update` (as `Msg::Remote(Remote::Control(..))`).
///
/// Channel (`Sender<Request>`): sent by the `mien-control` thread, one per connection; received
/// by the runtime's forwarder, which wraps it as a UI message. Shutdown: dropping the
/// [`ControlServer`] ends the thread and with it the sender; a gone receiver (the UI loop ended)
/// ends the thread at its next connection.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub command: Command,
    pub reply: ReplyTo,
}

/// Where the answer to one request goes: the waiting connection. `update` puts it in an effect
/// with the [`Reply`]; the runtime only sends it.
///
/// Channel (`Sender<Reply>`, one per request): sent once by the runtime performing
/// `Effect::Reply`; received by the `mien-control` thread, which writes it to the client. A
/// reply that never comes (dropped) or comes late is reported to the client as a timeout.
#[derive(Clone)]
pub struct ReplyTo {
    /// The request's number on this socket, for logs, tests and equality.
    pub id: u64,
    tx: Sender<Reply>,
}

impl ReplyTo {
    /// A reply channel for request `id` (the listener makes them; tests too).
    pub fn new(id: u64) -> (ReplyTo, mpsc::Receiver<Reply>) {
        let (tx, rx) = mpsc::channel();
        (ReplyTo { id, tx }, rx)
    }

    /// Sends the answer; a client that already gave up is no error.
    pub fn send(self, reply: Reply) {
        let _ = self.tx.send(reply);
    }
}

impl PartialEq for ReplyTo {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl std::fmt::Debug for ReplyTo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReplyTo({})", self.id)
    }
}

/// The listening socket and its thread. Dropping it stops the thread, joins it and removes the
/// socket file.
pub struct ControlServer {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    /// A socket left by a player that did not exit cleanly was removed at start.
    pub replaced_stale: bool,
}

impl ControlServer {
    /// Binds `path` (mode 0600) and starts the listener; requests go to `requests`. A socket file
    /// already there that nobody answers on (a player killed with SIGKILL) is stale and
    /// replaced; one that answers belongs to another player ([`ControlError::InUse`]); anything
    /// else at that path is left alone ([`ControlError::NotASocket`]).
    pub fn start(path: &Path, requests: Sender<Request>) -> Result<ControlServer, ControlError> {
        check_length(path)?;
        let replaced_stale = remove_stale(path)?;
        let listener = UnixListener::bind(path).map_err(|source| ControlError::Bind {
            path: path.to_path_buf(),
            source,
        })?;
        // The data dir is 0700 already; the socket itself is the user's only as well.
        let private = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        if let Err(source) = private {
            let _ = std::fs::remove_file(path);
            return Err(ControlError::Bind {
                path: path.to_path_buf(),
                source,
            });
        }
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("mien-control".into())
            .spawn(move || serve(listener, requests, &stopping))
            .map_err(|source| {
                let _ = std::fs::remove_file(path);
                ControlError::Thread(source)
            })?;
        Ok(ControlServer {
            path: path.to_path_buf(),
            stop,
            thread: Some(thread),
            replaced_stale,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ControlServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the blocking accept; the thread sees `stop` and ends.
        let woke = UnixStream::connect(&self.path).is_ok();
        if let Some(t) = self.thread.take() {
            if woke {
                let _ = t.join();
            }
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Removes a socket at `path` that nobody listens on; `true` if there was one.
fn remove_stale(path: &Path) -> Result<bool, ControlError> {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(false);
    };
    if !meta.file_type().is_socket() {
        return Err(ControlError::NotASocket {
            path: path.to_path_buf(),
        });
    }
    match UnixStream::connect(path) {
        Ok(_) => Err(ControlError::InUse {
            path: path.to_path_buf(),
        }),
        Err(_) => {
            tracing::info!(path = %path.display(), "removing a stale control socket");
            std::fs::remove_file(path).map_err(|source| ControlError::Bind {
                path: path.to_path_buf(),
                source,
            })?;
            Ok(true)
        }
    }
}

/// The `mien-control` thread: one connection at a time, one request per connection.
fn serve(listener: UnixListener, requests: Sender<Request>, stop: &AtomicBool) {
    let mut next_id = 0u64;
    for conn in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let stream = match conn {
            Ok(s) => s,
            Err(e) => {
                tracing::debug!(error = %e, "control socket: accept failed");
                continue;
            }
        };
        next_id += 1;
        if !answer(stream, next_id, &requests) {
            break;
        }
    }
}

/// Reads one request from `stream`, passes it on and writes the answer. `false` once the UI
/// thread is gone (the player is ending).
fn answer(stream: UnixStream, id: u64, requests: &Sender<Request>) -> bool {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
    let Ok(reader) = stream.try_clone() else {
        return true;
    };
    let mut line = String::new();
    let read = BufReader::new(reader.take(MAX_LINE_BYTES)).read_line(&mut line);
    let reply = match read {
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            Reply::error(format!(
                "no request line within {} s",
                READ_TIMEOUT.as_secs()
            ))
        }
        Err(e) => Reply::error(format!("cannot read the request: {e}")),
        Ok(_) if !line.ends_with('\n') => Reply::error(format!(
            "the request is not one line of at most {MAX_LINE_BYTES} bytes"
        )),
        Ok(_) => match protocol::decode_request(&line) {
            Err(e) => Reply::error(e.to_string()),
            Ok(command) => {
                let (reply, answers) = ReplyTo::new(id);
                if requests.send(Request { command, reply }).is_err() {
                    write_reply(stream, &Reply::error("the player is quitting"));
                    return false;
                }
                answers.recv_timeout(ANSWER_TIMEOUT).unwrap_or_else(|_| {
                    Reply::error(format!(
                        "the player did not answer within {} s",
                        ANSWER_TIMEOUT.as_secs()
                    ))
                })
            }
        },
    };
    write_reply(stream, &reply);
    true
}

fn write_reply(mut stream: UnixStream, reply: &Reply) {
    let line = protocol::encode_reply(reply);
    if let Err(e) = stream.write_all(line.as_bytes()) {
        tracing::debug!(error = %e, "control socket: the client left before the answer");
    }
}
