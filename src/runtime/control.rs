//! Starting the control socket's listener (`mien ctl`) on the `Runtime`: the `mien-control`
//! thread and its forwarder, which turns each request into `Msg::Remote(Remote::Control(..))`.
//! The answers leave through `Effect::Reply`, which the executor only sends.

use std::path::Path;
use std::sync::mpsc;

use super::executor::Runtime;
use super::{forward, UiEvent};
use crate::app::state::{Msg, Remote, Status};
use crate::control::{socket_path, ControlServer};

impl Runtime {
    /// Listens on `<data dir>/mien.sock` (replacing a stale socket a killed player left). The
    /// player owns the data dir's lock by now, so a socket that answers is another mien's;
    /// either way the player goes on, with remote control off and the reason on the status line.
    pub fn start_control(&mut self, data_dir: &Path) -> Vec<Msg> {
        let (tx, rx) = mpsc::channel();
        let off = |why: String| {
            vec![Msg::Status(Status::error(format!(
                "mien ctl is off: {why}"
            )))]
        };
        let server = match ControlServer::start(&socket_path(data_dir), tx) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "no control socket");
                return off(e.to_string());
            }
        };
        if server.replaced_stale {
            tracing::info!(path = %server.path().display(), "replaced a stale control socket");
        }
        if let Err(e) = forward(rx, self.tx.clone(), |r| {
            UiEvent::App(Msg::Remote(Remote::Control(r)))
        }) {
            return off(format!("cannot start its forwarder: {e}"));
        }
        self.control = Some(server);
        Vec::new()
    }
}
