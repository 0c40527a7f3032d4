//! MPRIS media keys and desktop "now playing" over the D-Bus session bus (souvlaki). [`Mpris`]
//! lives on the UI thread, which publishes state through it; souvlaki's own D-Bus thread turns
//! incoming calls into [`MprisRequest`]s for the UI thread.

use crate::core::Track;
use souvlaki::{
    MediaControlEvent, MediaControls, MediaMetadata, MediaPlayback, MediaPosition, PlatformConfig,
    SeekDirection,
};
use std::os::unix::net::{SocketAddr, UnixStream};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// What a desktop media controller asks of the player, in MPRIS's own terms (the UI thread
/// turns each into a message for `update`).
///
/// Channel: sent by souvlaki's D-Bus thread (from the handler [`Mpris::start`] attaches), received
/// by the UI thread. Shutdown: dropping [`Mpris`] stops that thread and drops its sender; if the
/// UI's receiver is gone first, sends fail and the handler ignores them.
#[derive(Clone, Debug, PartialEq)]
pub enum MprisRequest {
    /// Start or resume playback; nothing when already playing.
    Play,
    /// Pause; nothing when already paused or stopped.
    Pause,
    /// Play if paused or stopped, else pause.
    Toggle,
    Next,
    Previous,
    Stop,
    /// Quit the player.
    Quit,
    /// Seek by the player's own step (the seek keys' step).
    SeekForward,
    SeekBackward,
    /// Seek by an exact amount from the current position.
    SeekForwardBy(Duration),
    SeekBackwardBy(Duration),
    /// Seek to this position in the current track.
    SeekTo(Duration),
    /// Set the volume, linear, clamped to 0.0..=1.0. The UI must publish the volume it applied
    /// with [`Mpris::set_volume`].
    SetVolume(f64),
}

/// The playback state to publish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaybackStatus {
    Playing { position: Duration },
    Paused { position: Duration },
    Stopped,
}

#[derive(Debug, thiserror::Error)]
pub enum MprisError {
    #[error("no D-Bus session bus reachable (address {address})")]
    NoSessionBus { address: String },
    #[error("cannot start media controls: {0}")]
    Controls(#[source] souvlaki::Error),
}

/// The player's MPRIS presence: registered while this value lives, on the bus name
/// `org.mpris.MediaPlayer2.mien.instance<pid>` (the MPRIS form for one of several instances, so a
/// second mien never collides with the first). Dropping it unregisters and joins souvlaki's thread.
#[derive(Debug)]
pub struct Mpris {
    controls: MediaControls,
}

impl Mpris {
    /// Registers on the session bus and forwards requests to `requests`. Returns an error, without
    /// starting anything, when no session bus is reachable (CI, containers, SSH sessions); callers
    /// log it at debug level and run without media keys.
    ///
    /// souvlaki connects on its own thread and panics there if the connection fails after this
    /// check (e.g. the bus refuses authentication): the panic is confined to that thread, later
    /// `set_*` calls fail quietly, but a process-wide panic hook still sees it.
    pub fn start(requests: Sender<MprisRequest>) -> Result<Mpris, MprisError> {
        // souvlaki's thread panics rather than reporting a failed connection: check first.
        let address = session_bus_address();
        if !address_reachable(&address) {
            return Err(MprisError::NoSessionBus { address });
        }
        let dbus_name = format!("mien.instance{}", std::process::id());
        let config = PlatformConfig {
            dbus_name: &dbus_name,
            display_name: "mien",
            hwnd: None,
        };
        let mut controls = MediaControls::new(config).map_err(MprisError::Controls)?;
        controls
            .attach(move |event| {
                if let Some(request) = map_event(event) {
                    if requests.send(request).is_err() {
                        tracing::debug!("MPRIS request dropped: the UI has stopped listening");
                    }
                }
            })
            .map_err(MprisError::Controls)?;
        Ok(Mpris { controls })
    }

    /// Publishes the current track. `duration` is the decoder's figure when known, else the
    /// track's own.
    pub fn set_metadata(&mut self, track: &Track, duration: Option<Duration>) {
        let title = track.display_title();
        let duration = duration
            .or_else(|| (track.duration_ms > 0).then(|| Duration::from_millis(track.duration_ms)));
        let metadata = MediaMetadata {
            title: Some(&title),
            artist: track.artist.as_deref().or(track.album_artist.as_deref()),
            album: track.album.as_deref(),
            cover_url: None,
            duration,
        };
        quietly("metadata", self.controls.set_metadata(metadata));
    }

    /// Publishes play/pause/stop and the position. Call it on every state change and after seeks;
    /// controllers read the position when they need it, so per-frame updates are not needed.
    pub fn set_playback(&mut self, status: PlaybackStatus) {
        let playback = match status {
            PlaybackStatus::Playing { position } => MediaPlayback::Playing {
                progress: Some(MediaPosition(position)),
            },
            PlaybackStatus::Paused { position } => MediaPlayback::Paused {
                progress: Some(MediaPosition(position)),
            },
            PlaybackStatus::Stopped => MediaPlayback::Stopped,
        };
        quietly("playback", self.controls.set_playback(playback));
    }

    /// Publishes the volume, linear 0.0..=1.0.
    pub fn set_volume(&mut self, volume: f64) {
        quietly("volume", self.controls.set_volume(volume.clamp(0.0, 1.0)));
    }
}

fn quietly(what: &str, result: Result<(), souvlaki::Error>) {
    if let Err(e) = result {
        tracing::debug!(error = %e, "cannot publish MPRIS {what}");
    }
}

/// The request an MPRIS event stands for; `None` for those a terminal player does not serve
/// (raise, shuffle, open URI) and for meaningless values (zero seek, non-finite volume).
pub fn map_event(event: MediaControlEvent) -> Option<MprisRequest> {
    use MediaControlEvent as E;
    Some(match event {
        E::Play => MprisRequest::Play,
        E::Pause => MprisRequest::Pause,
        E::Toggle => MprisRequest::Toggle,
        E::Next => MprisRequest::Next,
        E::Previous => MprisRequest::Previous,
        E::Stop => MprisRequest::Stop,
        E::Quit => MprisRequest::Quit,
        E::Seek(SeekDirection::Forward) => MprisRequest::SeekForward,
        E::Seek(SeekDirection::Backward) => MprisRequest::SeekBackward,
        E::SeekBy(_, by) if by.is_zero() => return None,
        E::SeekBy(SeekDirection::Forward, by) => MprisRequest::SeekForwardBy(by),
        E::SeekBy(SeekDirection::Backward, by) => MprisRequest::SeekBackwardBy(by),
        E::SetPosition(MediaPosition(at)) => MprisRequest::SeekTo(at),
        E::SetVolume(v) if v.is_finite() => MprisRequest::SetVolume(v.clamp(0.0, 1.0)),
        _ => return None,
    })
}

/// The session bus address as zbus resolves it: `DBUS_SESSION_BUS_ADDRESS`, else
/// `$XDG_RUNTIME_DIR/bus`, else `/run/user/<euid>/bus`.
fn session_bus_address() -> String {
    match std::env::var("DBUS_SESSION_BUS_ADDRESS") {
        Ok(address) if !address.is_empty() => address,
        _ => {
            let runtime_dir = std::env::var("XDG_RUNTIME_DIR").unwrap_or_else(|_| {
                // SAFETY: geteuid has no preconditions and cannot fail.
                format!("/run/user/{}", unsafe { libc::geteuid() })
            });
            format!("unix:path={runtime_dir}/bus")
        }
    }
}

/// Whether any of the `;`-separated D-Bus addresses is plausibly reachable: a `unix:path=` or
/// (Linux) `unix:abstract=` socket must accept a connection; other transports are trusted.
fn address_reachable(addresses: &str) -> bool {
    addresses
        .split(';')
        .filter(|a| !a.is_empty())
        .any(|address| {
            let Some(("unix", params)) = address.split_once(':') else {
                return true;
            };
            let param = |key: &str| {
                params
                    .split(',')
                    .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                    .map(unescape)
            };
            if let Some(path) = param("path") {
                return UnixStream::connect(path).is_ok();
            }
            #[cfg(target_os = "linux")]
            if let Some(name) = param("abstract") {
                use std::os::linux::net::SocketAddrExt;
                return SocketAddr::from_abstract_name(name)
                    .and_then(|a| UnixStream::connect_addr(&a))
                    .is_ok();
            }
            true
        })
}

/// Undoes D-Bus address escaping (`%XX`); a broken escape is kept as written.
fn unescape(value: &str) -> String {
    let mut out = Vec::with_capacity(value.len());
    let mut rest = value.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        let hex = tail.get(..2).and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) if b == b'%' => {
                out.push(byte);
                rest = &tail[2..];
            }
            _ => {
                out.push(b);
                rest = tail;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn every_media_event_maps_to_its_request() {
        use MediaControlEvent as E;
        use MprisRequest as R;
        let s = Duration::from_secs(3);
        let cases = [
            (E::Play, Some(R::Play)),
            (E::Pause, Some(R::Pause)),
            (E::Toggle, Some(R::Toggle)),
            (E::Next, Some(R::Next)),
            (E::Previous, Some(R::Previous)),
            (E::Stop, Some(R::Stop)),
            (E::Quit, Some(R::Quit)),
            (E::Seek(SeekDirection::Forward), Some(R::SeekForward)),
            (E::Seek(SeekDirection::Backward), Some(R::SeekBackward)),
            (
                E::SeekBy(SeekDirection::Forward, s),
                Some(R::SeekForwardBy(s)),
            ),
            (
                E::SeekBy(SeekDirection::Backward, s),
                Some(R::SeekBackwardBy(s)),
            ),
            (E::SeekBy(SeekDirection::Backward, Duration::ZERO), None),
            (E::SetPosition(MediaPosition(s)), Some(R::SeekTo(s))),
            (E::SetVolume(0.25), Some(R::SetVolume(0.25))),
            (E::SetVolume(1.7), Some(R::SetVolume(1.0))),
            (E::SetVolume(-1.0), Some(R::SetVolume(0.0))),
            (E::SetVolume(f64::NAN), None),
            (E::Raise, None),
            (E::SetShuffle(true), None),
            (E::OpenUri("file:///a.mp3".into()), None),
        ];
        for (event, expected) in cases {
            assert_eq!(map_event(event.clone()), expected, "{event:?}");
        }
    }

    #[test]
    fn unix_socket_addresses_count_only_when_something_listens() {
        let dir = tempfile::tempdir().expect("temp dir");
        let socket = dir.path().join("bus");
        let address = format!("unix:path={}", socket.display());
        assert!(!address_reachable(&address));
        let _listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind");
        assert!(address_reachable(&address));
        assert!(address_reachable(&format!(
            "unix:path=/nonexistent/x;{address}"
        )));
        assert!(address_reachable("tcp:host=localhost,port=1"));
        assert!(!address_reachable(""));
        assert_eq!(unescape("/a%20b%2"), "/a b%2");
    }

    #[test]
    fn start_without_a_session_bus_fails_quickly_instead_of_panicking() {
        let (done_tx, done_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let (requests, _rx) = mpsc::channel();
            let started = Mpris::start(requests).map(drop).map_err(|e| e.to_string());
            let _ = done_tx.send(started);
        });
        let started = done_rx
            .recv_timeout(Duration::from_secs(5))
            .expect("Mpris::start returned within 5 s");
        if !address_reachable(&session_bus_address()) {
            let message = started.expect_err("no session bus here, so start must fail");
            assert!(message.contains("no D-Bus session bus"), "{message}");
        }
    }
}
