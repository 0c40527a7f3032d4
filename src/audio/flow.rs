//! The engine thread's data path: decoding into the ring (`fill_ring`), the seams between
//! tracks, and reading back what the output has played to report positions and track changes
//! at the moment they are heard. Runs on the engine thread, as part of `EngineThread`.

use std::time::Instant;

use ringbuf::traits::{Observer, Producer};

use super::engine::{EngineThread, DECODE_SLICE, REPORT_EVERY};
use super::resample::Converter;
use super::EngineEvent;

impl EngineThread {
    /// Decodes and pushes until the ring is full, the time slice is used, or nothing is left.
    pub(super) fn fill_ring(&mut self) {
        if self.shared.paused() {
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
            self.decode_step();
        }
    }

    fn decode_step(&mut self) {
        let Some(cur) = self.current.as_mut() else {
            return;
        };
        self.dec_buf.clear();
        let more = match cur.dec.read(&mut self.dec_buf) {
            Ok(more) => more,
            Err(e) => {
                let _ = self.events.send(EngineEvent::TrackFailed {
                    path: cur.req.path.clone(),
                    reason: e.to_string(),
                });
                false
            }
        };
        if !self.dec_buf.is_empty() {
            if !cur.conv.accepts(cur.dec.rate(), cur.dec.channels()) {
                cur.conv.finish(&mut self.pending);
                match Converter::new(
                    cur.dec.rate(),
                    cur.dec.channels(),
                    self.output.rate,
                    self.output.channels,
                ) {
                    Ok(c) => cur.conv = c,
                    Err(e) => {
                        tracing::warn!(error = %e, "stream format changed and cannot be converted")
                    }
                }
            }
            if cur.gain != 1.0 {
                for s in &mut self.dec_buf {
                    *s *= cur.gain;
                }
            }
            cur.conv.push(&self.dec_buf, &mut self.pending);
        }
        if !more {
            cur.conv.finish(&mut self.pending);
            let seam = self.pushed + self.pending.len() as u64;
            if let Some(seg) = self.segments.back_mut() {
                seg.end = Some(seam);
            }
            self.current = None;
            if let Some(next) = self.next.take() {
                self.begin_segment_at_seam(next);
            }
        }
    }

    pub(super) fn position_ms(&self) -> Option<u64> {
        let seg = self.segments.front()?;
        let played = self.shared.popped().saturating_sub(seg.start);
        let frames = played / self.output.channels as u64;
        Some(seg.offset_ms + frames * 1000 / u64::from(self.output.rate))
    }

    /// Emits track changes at the moment the output reaches them, and periodic positions.
    pub(super) fn report(&mut self) {
        let played = self.shared.popped();
        while self.segments.len() >= 2 && played >= self.segments[1].start {
            self.finish_front();
            if let Some(seg) = self.segments.front_mut() {
                seg.started = true;
                let ev = EngineEvent::TrackStarted {
                    path: seg.req.path.clone(),
                    duration_ms: seg.duration_ms,
                };
                self.last_report = Instant::now() - REPORT_EVERY;
                let _ = self.events.send(ev);
            }
        }
        let ended = self.segments.len() == 1
            && self.current.is_none()
            && self.segments[0].end.is_some_and(|end| played >= end);
        if ended {
            self.finish_front();
            self.shared.set_expecting(false);
            self.set_idle(true);
            self.emit(EngineEvent::Idle);
        }
        if self.last_report.elapsed() >= REPORT_EVERY && !self.shared.paused() {
            if let (Some(seg), Some(pos)) = (self.segments.front(), self.position_ms()) {
                self.emit(EngineEvent::Position {
                    path: seg.req.path.clone(),
                    position_ms: pos,
                    duration_ms: seg.duration_ms,
                });
                self.last_report = Instant::now();
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
            completed: true,
        });
    }
}
