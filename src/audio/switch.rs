//! Output switches on the engine thread: a device that fails (server killed, device unplugged)
//! is replaced by the null sink at the same position, and the device watcher brings it back
//! when it works again; a device is closed while nothing plays (stopped or paused) and opened
//! again when playback goes on, so that a resting player costs nothing, client or server.

use std::time::{Duration, Instant};

use super::engine::EngineThread;
use super::output::{Output, OutputChoice};
use super::watch::Watcher;
use super::EngineEvent;

/// Extra time a device gets after its buffer should have played out, before it is closed.
const CLOSE_MARGIN: Duration = Duration::from_millis(100);

impl EngineThread {
    pub(super) fn announce_output(&self) {
        self.emit(EngineEvent::OutputOpened {
            description: self.output.description.clone(),
            fallback: self.output.fallback_reason.clone(),
        });
    }

    /// How long the device may still be playing what it was given.
    pub(super) fn device_buffer(&self) -> Duration {
        match &self.choice {
            OutputChoice::Device { buffer_ms, .. } if *buffer_ms > 0 => {
                Duration::from_millis(u64::from(*buffer_ms)) + CLOSE_MARGIN
            }
            // The host's default buffer can be two seconds (PulseAudio).
            OutputChoice::Device { .. } => Duration::from_secs(2) + CLOSE_MARGIN,
            _ => Duration::ZERO,
        }
    }

    /// Runs the watcher exactly while the null sink stands in for the device.
    pub(super) fn sync_watcher(&mut self) {
        let standing_in = self.output.fallback_reason.is_some() && self.choice.is_device();
        match (&self.watcher, standing_in) {
            (None, true) => {
                let name = match &self.choice {
                    OutputChoice::Device { name, .. } => name.clone(),
                    _ => None,
                };
                self.watcher = Watcher::spawn(name, self.device_lost, self.wake.clone());
            }
            (Some(_), false) => self.watcher = None,
            _ => {}
        }
        self.device_lost = false;
    }

    /// Replaces the output with a newly opened one for `choice` (standing in for the device
    /// because of `why`, if given), announcing it when it differs from the old one. The ring is
    /// new: callers restart what was playing.
    fn replace_output(&mut self, choice: &OutputChoice, why: Option<String>) {
        let old = (
            self.output.description.clone(),
            self.output.fallback_reason.clone(),
        );
        let (mut output, prod) = Output::open(choice, &self.shared, Some(self.wake.clone()));
        if why.is_some() {
            output.fallback_reason = why;
        }
        let format_changed =
            (output.rate, output.channels) != (self.output.rate, self.output.channels);
        self.output = output;
        self.prod = prod;
        self.pushed = 0;
        if (
            self.output.description.clone(),
            self.output.fallback_reason.clone(),
        ) != old
        {
            self.announce_output();
        }
        self.sync_watcher();
        if format_changed {
            // The preloaded track was converted for the old format.
            if let Some(n) = self.next.take() {
                self.set_next(n.req);
            }
        }
    }

    /// Opens the device again if it was closed while resting (before a track starts).
    pub(super) fn ensure_output(&mut self) {
        self.close_at = None;
        if self.output.is_closed() {
            let choice = self.choice.clone();
            self.replace_output(&choice, None);
        }
    }

    /// Closes a device stream now; what it held and had not played yet counts as not heard.
    pub(super) fn close_device(&mut self) {
        if self.output.is_null() || self.output.is_closed() {
            return;
        }
        self.output.measure_before_close(&self.shared);
        let heard = self.shared.heard();
        self.output.close();
        self.shared.rewind_to(heard);
    }

    /// Closes an idle device once its buffer has played out.
    pub(super) fn close_if_due(&mut self) {
        if self.close_at.is_some_and(|t| Instant::now() >= t) {
            self.close_at = None;
            if self.segments.is_empty() && self.current.is_none() {
                self.close_device();
            }
        }
    }

    /// Opens `choice` (or the configured output) and carries on with the playing track and the
    /// one after it from where the listener is, without telling the owner a track started.
    pub(super) fn reopen_at_position(&mut self, choice: Option<OutputChoice>, why: Option<String>) {
        let resume = self.segments.front().map(|s| s.req.clone());
        let at = self.position_ms().unwrap_or(0);
        let following = self.segments.get(1).map(|s| s.req.clone());
        let next = self.next.take().map(|n| n.req);
        self.flush();
        let choice = choice.unwrap_or_else(|| self.choice.clone());
        self.replace_output(&choice, why);
        if let Some(req) = resume {
            self.start(req, at, false);
            if let Some(n) = following.or(next) {
                self.set_next(n);
            }
        } else if let Some(n) = next {
            self.set_next(n);
        }
    }

    /// After each batch: the device failed (switch to the null sink and let the watcher try
    /// it), or the watcher found it working again (switch back).
    pub(super) fn check_output(&mut self) {
        let failed = self.shared.take_failed();
        if failed && !self.output.is_null() && !self.output.is_closed() {
            tracing::warn!("the sound device failed; playing to the null output");
            self.device_lost = true;
            let stand_in = self.choice.stand_in();
            let why = "the sound device stopped working".to_string();
            self.reopen_at_position(Some(stand_in), Some(why));
        }
        if self.watcher.as_ref().is_some_and(|w| w.device_back()) {
            self.watcher = None;
            self.reopen_at_position(None, None);
            if self.shared.resting() {
                self.close_device();
            }
        }
    }
}
