//! The listener and the client together on a real socket in a temp dir, with a stand-in for the
//! UI thread that answers each request.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::client::{self, ClientError};
use super::protocol::{Command, Reply};
use super::*;

/// A server on a fresh temp dir whose "UI thread" answers `Done("<cmd> #<id>")`.
fn serving(dir: &Path) -> (ControlServer, std::thread::JoinHandle<usize>) {
    let (tx, rx) = mpsc::channel::<Request>();
    let server = ControlServer::start(&socket_path(dir), tx).unwrap();
    let ui = std::thread::spawn(move || {
        let mut n = 0;
        for req in rx {
            n += 1;
            let text = format!("{:?} #{}", req.command, req.reply.id);
            req.reply.send(Reply::done(text));
        }
        n
    });
    (server, ui)
}

#[test]
fn a_request_reaches_the_ui_thread_and_its_answer_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let (server, ui) = serving(dir.path());
    let path = socket_path(dir.path());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "socket mode {mode:o}");
    assert!(!server.replaced_stale);
    let reply = client::request(&path, &Command::Next).unwrap();
    assert_eq!(reply, Reply::done("Next #1"));
    let reply = client::request(&path, &Command::Rate { stars: 3 }).unwrap();
    assert_eq!(reply, Reply::done("Rate { stars: 3 } #2"));
    drop(server);
    assert!(
        !path.exists(),
        "the socket is removed when the server stops"
    );
    assert_eq!(ui.join().unwrap(), 2, "the sender ended with the server");
}

#[test]
fn with_no_player_the_client_says_none_is_running() {
    let dir = tempfile::tempdir().unwrap();
    let path = socket_path(dir.path());
    let err = client::request(&path, &Command::Status).unwrap_err();
    assert!(matches!(err, ClientError::NotRunning { .. }), "{err:?}");
    // A socket file nobody listens on (a killed player's) reads the same.
    drop(UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    let err = client::request(&path, &Command::Status).unwrap_err();
    assert!(matches!(err, ClientError::NotRunning { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "no mien player is running on this data dir (nothing listens on {})",
            path.display()
        )
    );
}

#[test]
fn a_stale_socket_is_replaced_and_a_live_one_or_another_file_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = socket_path(dir.path());
    drop(UnixListener::bind(&path).unwrap()); // what a SIGKILL leaves behind
    let (server, _ui) = serving(dir.path());
    assert!(server.replaced_stale);
    assert!(client::request(&path, &Command::Play).is_ok());

    let (tx, _rx) = mpsc::channel();
    let err = ControlServer::start(&path, tx).err().expect("in use");
    assert!(matches!(err, ControlError::InUse { .. }), "{err:?}");
    assert!(
        client::request(&path, &Command::Play).is_ok(),
        "still served"
    );
    drop(server);

    std::fs::write(&path, "notes").unwrap();
    let (tx, _rx) = mpsc::channel();
    let err = ControlServer::start(&path, tx).err().expect("not a socket");
    assert!(matches!(err, ControlError::NotASocket { .. }), "{err:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "notes");
}

#[test]
fn a_silent_client_is_dropped_after_the_read_timeout_and_the_next_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, _ui) = serving(dir.path());
    let path = socket_path(dir.path());
    let start = Instant::now();
    let mut silent = UnixStream::connect(&path).unwrap();
    silent.write_all(b"{\"v\": 1, ").unwrap(); // half a line, then nothing
    let mut answer = String::new();
    silent.read_to_string(&mut answer).unwrap();
    let waited = start.elapsed();
    assert!(answer.contains("no request line within 2 s"), "{answer}");
    assert!(
        waited >= Duration::from_millis(1_900) && waited < Duration::from_secs(10),
        "{waited:?}"
    );
    assert!(client::request(&path, &Command::Stop).is_ok());
}

#[test]
fn a_bad_line_gets_an_error_reply_not_silence() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, _ui) = serving(dir.path());
    let path = socket_path(dir.path());
    for (line, want) in [
        ("hello\n", "not a JSON request line"),
        ("{\"v\": 9, \"cmd\": \"next\"}\n", "protocol version 9"),
        ("{\"v\": 1, \"cmd\": \"fly\"}\n", "unknown variant `fly`"),
    ] {
        let mut s = UnixStream::connect(&path).unwrap();
        s.write_all(line.as_bytes()).unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let reply = protocol::decode_reply(&answer).unwrap();
        assert!(
            matches!(&reply, Reply::Error { message } if message.contains(want)),
            "{line}: {reply:?}"
        );
    }
}

#[test]
fn a_socket_path_too_long_for_sun_path_is_refused_by_name() {
    let long = PathBuf::from(format!("/tmp/{}/mien.sock", "d".repeat(120)));
    let (tx, _rx) = mpsc::channel();
    let err = ControlServer::start(&long, tx).err().expect("too long");
    assert!(
        matches!(err, ControlError::PathTooLong { len: 135, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("use a shorter --data-dir"),
        "{err}"
    );
    assert!(check_length(&PathBuf::from("/".repeat(107))).is_ok());
}
