//! The engine thread's data path: decoding into the ring in bursts (`fill_ring`), the seams
//! between tracks, reading back what the listener has heard to report positions and track
//! changes at the moment they are heard, and how long the thread may sleep (`wait_time`).
//! Runs on the engine thread, as part of `EngineThread`.

use std::time::{Duration, Instant};

use ringbuf::traits::{Observer, Producer};

use super::engine::{EngineThread, Loaded};
use super::resample::Converter;
use super::EngineEvent;

/// Longest stretch of decoding before commands are looked at again.
const DECODE_SLICE: Duration = Duration::from_millis(20);
/// Once full, the ring is topped up again when it is down to this share of its capacity.
const LOW_WATER: f32 = 0.5;
/// Shortest sleep while something is due soon (a wake-up that finds it not yet due sleeps again).
const MIN_SLEEP: Duration = Duration::from_millis(5);

impl EngineThread {
    /// Decodes and pushes until the ring is full, the time slice is used, or nothing is left;
    /// then wakes an output that was resting.
    pub(super) fn fill_ring(&mut self) {
        self.fill_some();
        if self.wake_output && !self.shared.paused() {
            self.wake_output = false;
            self.output.resume();
        }
    }

    fn fill_some(&mut self) {
        if self.shared.paused() || self.output.is_closed() {
            return;
        }
        let began = Instant::now();
        let channels = self.output.channels;
        loop {
            if self.pending_off < self.pending.len() {
                let room = self.prod.vacant_len() / channels * channels;
                let take = room.min(self.pending.len() - self.pending_off);
                let n = self
                    .prod
                    .push_slice(&self.pending[self.pending_off..self.pending_off + take]);
                self.pending_off += n;
                self.pushed += n as u64;
                if n > 0 && self.current.is_some() {
                    // Only now can an empty ring mean the output starved.
                    self.shared.set_expecting(true);
                }
                if self.pending_off < self.pending.len() {
                    return; // ring full
                }
            }
            self.pending.clear();
            self.pending_off = 0;
            if self.current.is_none() {
                self.shared.set_expecting(false);
                return;
            }
            if began.elapsed() > DECODE_SLICE {
                return;
            }
            if self.fade.is_some() {
                self.fade_step();
            } else {
                self.decode_step();
            }
        }
    }

    /// Decodes one packet of `loaded` into `out` at the output's rate and channels, with its
    /// gain. Returns false at the end of the track (the converter's tail is then in `out`).
    pub(super) fn decode_into(&mut self, which: Which, out: &mut Vec<f32>) -> bool {
        let (rate, channels) = (self.output.rate, self.output.channels);
        let mut buf = std::mem::take(&mut self.dec_buf);
        buf.clear();
        let Some(loaded) = self.loaded_mut(which) else {
            self.dec_buf = buf;
            return false;
        };
        let (more, failed) = read_packet(loaded, &mut buf, rate, channels, out);
        self.dec_buf = buf;
        if let Some(reason) = failed {
            // The decoder keeps it as its damage: the track ends here, reported as failed when
            // the listener reaches the end of what was decoded.
            tracing::warn!(%reason, "decoding failed: the track ends early");
        }
        more
    }

    fn loaded_mut(&mut self, which: Which) -> Option<&mut Loaded> {
        match which {
            Which::Current => self.current.as_mut(),
            Which::Incoming => self.fade.as_mut().map(|f| &mut f.incoming),
        }
    }

    fn decode_step(&mut self) {
        let mut out = std::mem::take(&mut self.pending);
        let more = self.decode_into(Which::Current, &mut out);
        self.pending = out;
        if !more {
            self.finish_current();
            if let Some(next) = self.next.take() {
                self.begin_segment_at_seam(next);
            }
        } else {
            self.maybe_start_fade();
        }
    }

    /// The current track has been decoded to its end: its segment ends after what is queued,
    /// with the decoder's damage (if it ended early) to report when the listener gets there.
    pub(super) fn finish_current(&mut self) {
        let seam = self.pushed + (self.pending.len() - self.pending_off) as u64;
        let failure = self
            .current
            .take()
            .and_then(|c| c.dec.damage().map(str::to_string));
        if let Some(seg) = self.segments.iter_mut().rev().find(|s| s.end.is_none()) {
            seg.end = Some(seam);
            seg.failure = failure;
        }
    }

    /// The heard position in the front track, in milliseconds.
    pub(super) fn position_ms(&self) -> Option<u64> {
        let seg = self.segments.front()?;
        let heard = self.shared.heard().saturating_sub(seg.start);
        let frames = heard / self.output.channels as u64;
        Some(seg.offset_ms + frames * 1000 / u64::from(self.output.rate))
    }

    /// Emits track changes at the moment the listener reaches them, and the position whenever
    /// the whole second shown to the user changes.
    pub(super) fn report(&mut self) {
        let heard = self.shared.heard();
        while self.segments.len() >= 2 && heard >= self.segments[1].start {
            self.finish_front();
            if let Some(seg) = self.segments.front_mut() {
                seg.started = true;
                let ev = EngineEvent::TrackStarted {
                    path: seg.req.path.clone(),
                    duration_ms: seg.duration_ms,
                };
                self.last_second = None;
                let _ = self.events.send(ev);
            }
        }
        let ended = self.segments.len() == 1
            && self.current.is_none()
            && self.segments[0].end.is_some_and(|end| heard >= end);
        if ended {
            self.finish_front();
            self.shared.set_expecting(false);
            self.set_idle(true);
            self.emit(EngineEvent::Idle);
        }
        if self.shared.paused() {
            return;
        }
        if let (Some(seg), Some(pos)) = (self.segments.front(), self.position_ms()) {
            let second = pos / 1000;
            if self.last_second != Some(second) {
                self.emit(EngineEvent::Position {
                    path: seg.req.path.clone(),
                    position_ms: pos,
                    duration_ms: seg.duration_ms,
                });
                self.last_second = Some(second);
            }
        }
    }

    fn finish_front(&mut self) {
        let Some(seg) = self.segments.pop_front() else {
            return;
        };
        let frames =
            seg.end.unwrap_or(seg.start).saturating_sub(seg.start) / self.output.channels as u64;
        let position_ms = seg.offset_ms + frames * 1000 / u64::from(self.output.rate);
        self.emit(EngineEvent::TrackEnded {
            path: seg.req.path,
            position_ms,
            completed: seg.failure.is_none(),
            failure: seg.failure,
        });
    }

    /// How long the loop may sleep before something is due. `None`: until a command comes
    /// (paused, or nothing loaded); `Some(0)`: decode on.
    pub(super) fn wait_time(&self) -> Option<Duration> {
        let close = self
            .close_at
            .map(|t| t.saturating_duration_since(Instant::now()).max(MIN_SLEEP));
        if self.shared.paused() || (self.segments.is_empty() && self.current.is_none()) {
            return close;
        }
        let samples_per_ms =
            (u64::from(self.output.rate) * self.output.channels as u64) as f64 / 1000.0;
        let until = |sample: u64| {
            let ms = sample.saturating_sub(self.shared.heard()) as f64 / samples_per_ms;
            Duration::from_secs_f64(ms / 1000.0).max(MIN_SLEEP)
        };
        let ring_full = self.pending_off < self.pending.len();
        let mut due = Vec::with_capacity(4);
        if self.current.is_some() {
            if !ring_full {
                return Some(Duration::ZERO); // the decode slice ran out: go on
            }
            // Sleep until the ring is down to its low-water mark.
            let low = (self.prod.capacity().get() as f32 * LOW_WATER) as u64;
            let queued = self.prod.occupied_len() as u64;
            due.push(until(self.shared.heard() + queued.saturating_sub(low)));
        }
        if let Some(seg) = self.segments.get(1) {
            due.push(until(seg.start));
        }
        if let Some(end) = self.segments.front().and_then(|s| s.end) {
            due.push(until(end));
        }
        if let Some(pos) = self.position_ms() {
            let to_next_second = 1000 - pos % 1000;
            due.push(Duration::from_millis(to_next_second).max(MIN_SLEEP));
        }
        due.extend(close);
        due.into_iter().min()
    }
}

/// Which of the tracks being decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Which {
    Current,
    Incoming,
}

/// Reads one packet of `loaded` into `buf`, converts it (gain applied) and appends the result to
/// `out`. Returns whether more follows and, if reading failed, why.
fn read_packet(
    loaded: &mut Loaded,
    buf: &mut Vec<f32>,
    rate: u32,
    channels: usize,
    out: &mut Vec<f32>,
) -> (bool, Option<String>) {
    let (more, failed) = match loaded.dec.read(buf) {
        Ok(more) => (more, None),
        Err(e) => (false, Some(e.to_string())),
    };
    if !buf.is_empty() {
        if !loaded
            .conv
            .accepts(loaded.dec.rate(), loaded.dec.channels())
        {
            loaded.conv.finish(out);
            match Converter::new(loaded.dec.rate(), loaded.dec.channels(), rate, channels) {
                Ok(c) => loaded.conv = c,
                Err(e) => {
                    tracing::warn!(error = %e, "stream format changed and cannot be converted")
                }
            }
        }
        loaded.read_frames += (buf.len() / loaded.dec.channels().max(1)) as u64;
        if loaded.gain != 1.0 {
            for s in buf.iter_mut() {
                *s *= loaded.gain;
            }
        }
        loaded.conv.push(buf, out);
    }
    if !more {
        loaded.conv.finish(out);
    }
    (more, failed)
}
