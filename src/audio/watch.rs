//! The device watcher: while the null sink stands in for the sound device (the server was
//! killed, the device unplugged or not there at start), a thread ("audio-watch") tries the device
//! now and then, opening it and playing a moment of silence; once that works it sets a flag and
//! wakes the engine with `EngineCommand::OutputCheck`, and ends. Dropping the `Watcher` (the
//! engine has its device again, or is shutting down) tells the thread to end; it is not joined,
//! so the engine never waits for a probe.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::EngineCommand;

/// How long a probe plays silence before the device counts as working.
const LISTEN: Duration = Duration::from_millis(300);
/// Time between tries: often for a minute after a device was lost (a restarting server, a
/// replugged DAC), else seldom (no device at start: a try costs a few ms).
const SOON: Duration = Duration::from_secs(1);
const LATER: Duration = Duration::from_secs(10);
/// How long the watcher tries every `SOON` before slowing down.
const SOON_FOR: Duration = Duration::from_secs(60);

pub(super) struct Watcher {
    stop: Arc<AtomicBool>,
    back: Arc<AtomicBool>,
}

impl Watcher {
    /// Starts watching for `device` (`None`: the default device), often at first if it was
    /// `lost` while playing. `None` if no thread could start.
    pub(super) fn spawn(
        device: Option<String>,
        lost: bool,
        wake: Sender<EngineCommand>,
    ) -> Option<Watcher> {
        let stop = Arc::new(AtomicBool::new(false));
        let back = Arc::new(AtomicBool::new(false));
        let (t_stop, t_back) = (Arc::clone(&stop), Arc::clone(&back));
        let spawned = std::thread::Builder::new()
            .name("audio-watch".into())
            .spawn(move || {
                let began = Instant::now();
                while !t_stop.load(Ordering::Acquire) {
                    let wait = if lost && began.elapsed() < SOON_FOR {
                        SOON
                    } else {
                        LATER
                    };
                    std::thread::park_timeout(wait);
                    if t_stop.load(Ordering::Acquire) {
                        return;
                    }
                    match super::device::probe(device.as_deref(), LISTEN) {
                        Ok(what) => {
                            tracing::info!(device = %what, "the sound device is back");
                            t_back.store(true, Ordering::Release);
                            let _ = wake.send(EngineCommand::OutputCheck);
                            return;
                        }
                        Err(why) => tracing::debug!(%why, "sound device still unavailable"),
                    }
                }
            });
        match spawned {
            Ok(_) => Some(Watcher { stop, back }),
            Err(e) => {
                tracing::warn!(error = %e, "cannot start the device watcher");
                None
            }
        }
    }

    /// The device worked when last tried.
    pub(super) fn device_back(&self) -> bool {
        self.back.load(Ordering::Acquire)
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}
