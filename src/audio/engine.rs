//! The engine thread's loop and commands: owns the decoders, the resamplers, the ring's producer
//! and the output, and the list of tracks whose samples are in flight (`Segment`). The data path
//! (decoding into the ring, reporting what has been heard, when to wake) is in `flow.rs`; output
//! switches (device lost and back, closing the device while resting) in `switch.rs`; crossfades
//! in `crossfade.rs`.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Instant;

use ringbuf::HeapProd;

use super::crossfade::Fade;
use super::decode::TrackDecoder;
use super::gain::{linear_gain, ReplayGainMode};
use super::output::{Output, OutputChoice};
use super::resample::Converter;
use super::shared::Shared;
use super::watch::Watcher;
use super::{EngineCommand, EngineConfig, EngineEvent, LoudnessLookup, TrackRequest};

/// A track opened for decoding.
pub(super) struct Loaded {
    pub(super) req: TrackRequest,
    pub(super) dec: TrackDecoder,
    pub(super) conv: Converter,
    pub(super) gain: f32,
    /// Frames of the file (at its own rate) decoded so far, counted from its start.
    pub(super) read_frames: u64,
}

/// A track whose samples are (or will be) in the ring, from sample index `start` on.
pub(super) struct Segment {
    pub(super) req: TrackRequest,
    pub(super) start: u64,
    pub(super) offset_ms: u64,
    pub(super) duration_ms: Option<u64>,
    /// Sample index one past its last sample, once decoding has finished.
    pub(super) end: Option<u64>,
    pub(super) started: bool,
    /// Why decoding ended early (a damaged or truncated file), once it has.
    pub(super) failure: Option<String>,
}

pub(super) struct EngineThread {
    pub(super) choice: OutputChoice,
    pub(super) rg_mode: ReplayGainMode,
    pub(super) loudness: Option<LoudnessLookup>,
    pub(super) crossfade_ms: u32,
    pub(super) events: Sender<EngineEvent>,
    /// The engine's own command sender, for the device's error callback and the watcher.
    pub(super) wake: Sender<EngineCommand>,
    pub(super) shared: Arc<Shared>,
    pub(super) output: Output,
    pub(super) prod: HeapProd<f32>,
    /// Tries the device while the null sink stands in for it.
    pub(super) watcher: Option<Watcher>,
    /// The device just failed while in use (the watcher then tries it often for a while).
    pub(super) device_lost: bool,
    /// When to close a device left idle (after its buffer has played out).
    pub(super) close_at: Option<Instant>,
    pub(super) current: Option<Loaded>,
    pub(super) next: Option<Loaded>,
    /// A crossfade in progress from `current` into the track it holds.
    pub(super) fade: Option<Fade>,
    pub(super) segments: VecDeque<Segment>,
    pub(super) pushed: u64,
    pub(super) pending: Vec<f32>,
    pub(super) pending_off: usize,
    pub(super) dec_buf: Vec<f32>,
    /// The whole second last reported as the position (`None`: report at the next look).
    pub(super) last_second: Option<u64>,
    /// Wake the output after the next fill (a track started after idle time).
    pub(super) wake_output: bool,
}

pub(super) fn run(
    config: EngineConfig,
    commands: Receiver<EngineCommand>,
    wake: Sender<EngineCommand>,
    events: Sender<EngineEvent>,
    shared: Arc<Shared>,
) {
    let (output, prod) = Output::open(&config.output, &shared, Some(wake.clone()));
    let mut e = EngineThread {
        choice: config.output,
        rg_mode: config.replay_gain,
        loudness: config.loudness,
        crossfade_ms: config.crossfade_ms,
        events,
        wake,
        shared,
        output,
        prod,
        watcher: None,
        device_lost: false,
        close_at: None,
        current: None,
        next: None,
        fade: None,
        segments: VecDeque::new(),
        pushed: 0,
        pending: Vec::new(),
        pending_off: 0,
        dec_buf: Vec::new(),
        last_second: None,
        wake_output: false,
    };
    e.announce_output();
    e.sync_watcher();
    e.set_idle(true);
    loop {
        let first = match e.wait_time() {
            None => commands.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(t) => commands.recv_timeout(t),
        };
        let mut batch = match first {
            Ok(cmd) => vec![cmd],
            Err(RecvTimeoutError::Timeout) => Vec::new(),
            Err(RecvTimeoutError::Disconnected) => break,
        };
        batch.extend(commands.try_iter());
        if batch.contains(&EngineCommand::Shutdown) {
            break;
        }
        for cmd in batch {
            e.handle(cmd);
        }
        e.check_output();
        e.fill_ring();
        e.report();
        e.close_if_due();
    }
}

impl EngineThread {
    pub(super) fn emit(&self, ev: EngineEvent) {
        let _ = self.events.send(ev);
    }

    fn handle(&mut self, cmd: EngineCommand) {
        match cmd {
            EngineCommand::Play { track, start_ms } => {
                self.leave_playing();
                self.next = None;
                self.ensure_output();
                self.start(track, start_ms, true);
            }
            EngineCommand::SetNext(None) => self.next = None,
            EngineCommand::SetNext(Some(req)) => self.set_next(req),
            EngineCommand::Next => self.skip_to_next(),
            EngineCommand::Pause => self.set_paused(true),
            EngineCommand::Resume => self.set_paused(false),
            EngineCommand::TogglePause => self.set_paused(!self.shared.paused()),
            EngineCommand::Seek { ms } => self.seek(ms),
            EngineCommand::SeekBy { ms } => {
                let now = self.position_ms().unwrap_or(0) as i64;
                self.seek((now + ms).max(0) as u64);
            }
            EngineCommand::SetVolume(v) => {
                self.shared.set_volume(v);
                self.emit(EngineEvent::VolumeChanged(self.shared.volume()));
            }
            EngineCommand::SetReplayGain(mode) => self.rg_mode = mode,
            EngineCommand::Stop => {
                self.leave_playing();
                self.next = None;
                self.set_idle(true);
                self.emit(EngineEvent::Idle);
            }
            // Looked at after every batch (`check_output`).
            EngineCommand::OutputCheck | EngineCommand::Shutdown => {}
        }
    }

    pub(super) fn load(&self, mut req: TrackRequest) -> Result<Loaded, String> {
        let dec = TrackDecoder::open(&req.path).map_err(|e| e.to_string())?;
        let conv = Converter::new(
            dec.rate(),
            dec.channels(),
            self.output.rate,
            self.output.channels,
        )
        .map_err(|e| e.to_string())?;
        let untagged =
            req.replay_gain.track_gain_db.is_none() && req.replay_gain.album_gain_db.is_none();
        if untagged && self.rg_mode != ReplayGainMode::Off {
            // Tagged values win; a measured loudness stands in for missing tags.
            if let Some(measured) = self.loudness.as_ref().and_then(|l| l(&req.path)) {
                req.replay_gain = measured;
            }
        }
        let gain = linear_gain(&req.replay_gain, self.rg_mode);
        Ok(Loaded {
            req,
            dec,
            conv,
            gain,
            read_frames: 0,
        })
    }

    /// Drops everything queued for output and forgets the in-flight tracks.
    pub(super) fn flush(&mut self) {
        // The ring first, so that nothing old reaches the device after the device's flush.
        self.shared.discard_until(self.pushed);
        self.output.flush_device();
        self.pending.clear();
        self.pending_off = 0;
        self.segments.clear();
        self.current = None;
        self.fade = None;
        self.shared.set_expecting(false);
    }

    /// Reports the playing track as left where it is, then flushes.
    fn leave_playing(&mut self) {
        if let Some(pos) = self.position_ms() {
            if let Some(seg) = self.segments.front().filter(|s| s.started) {
                self.emit(EngineEvent::TrackEnded {
                    path: seg.req.path.clone(),
                    position_ms: pos,
                    completed: false,
                    failure: None,
                });
            }
        }
        self.flush();
    }

    /// Opens and starts `req` at `start_ms`; `announce`: tell the owner (not when only the
    /// output changed under a playing track).
    pub(super) fn start(&mut self, req: TrackRequest, start_ms: u64, announce: bool) {
        match self.load(req.clone()) {
            Ok(loaded) => self.start_loaded(loaded, start_ms, announce),
            Err(reason) => {
                self.emit(EngineEvent::TrackFailed {
                    path: req.path,
                    reason,
                });
            }
        }
    }

    fn start_loaded(&mut self, mut loaded: Loaded, start_ms: u64, announce: bool) {
        let mut offset_ms = 0;
        if start_ms > 0 {
            match loaded.dec.seek(start_ms) {
                Ok(landed) => offset_ms = landed,
                Err(e) => self.emit(EngineEvent::TrackFailed {
                    path: loaded.req.path.clone(),
                    reason: e.to_string(),
                }),
            }
        }
        loaded.read_frames = offset_ms * u64::from(loaded.dec.rate()) / 1000;
        let duration_ms = loaded.dec.duration_ms();
        if announce {
            self.emit(EngineEvent::TrackStarted {
                path: loaded.req.path.clone(),
                duration_ms,
            });
        }
        self.segments.push_back(Segment {
            req: loaded.req.clone(),
            start: self.pushed,
            offset_ms,
            duration_ms,
            end: None,
            started: true,
            failure: None,
        });
        self.current = Some(loaded);
        self.set_idle(false);
        self.last_second = None;
    }

    pub(super) fn set_next(&mut self, req: TrackRequest) {
        if self.next.as_ref().is_some_and(|n| n.req == req) {
            return; // already open: queue edits re-announce the same next track
        }
        match self.load(req.clone()) {
            Ok(loaded) if self.current.is_none() && !self.segments.is_empty() => {
                // The previous track already finished decoding: join right after its last sample.
                self.begin_segment_at_seam(loaded);
            }
            Ok(loaded) => self.next = Some(loaded),
            Err(reason) => self.emit(EngineEvent::TrackFailed {
                path: req.path,
                reason,
            }),
        }
    }

    /// Adds the segment of `loaded` starting right after what is queued so far.
    pub(super) fn push_segment_at_seam(&mut self, loaded: &Loaded) {
        let seam = self.pushed + (self.pending.len() - self.pending_off) as u64;
        self.segments.push_back(Segment {
            req: loaded.req.clone(),
            start: seam,
            offset_ms: 0,
            duration_ms: loaded.dec.duration_ms(),
            end: None,
            started: false,
            failure: None,
        });
    }

    pub(super) fn begin_segment_at_seam(&mut self, loaded: Loaded) {
        self.push_segment_at_seam(&loaded);
        self.current = Some(loaded);
    }

    fn skip_to_next(&mut self) {
        let following = if self.segments.len() >= 2 {
            Some(self.segments[1].req.clone())
        } else {
            None
        };
        self.leave_playing();
        self.ensure_output();
        if let Some(req) = following {
            // Its decoder has run ahead: open it afresh.
            self.start(req, 0, true);
        } else if let Some(next) = self.next.take() {
            self.start_loaded(next, 0, true);
        } else {
            self.set_idle(true);
            self.emit(EngineEvent::Idle);
        }
    }

    /// Nothing loaded: the output may rest (a thread sink parks; a device closes once what it
    /// holds has played). Something loaded: wake it.
    pub(super) fn set_idle(&mut self, idle: bool) {
        self.shared.set_idle(idle);
        if idle {
            self.close_at = Some(Instant::now() + self.device_buffer());
        } else {
            self.close_at = None;
            // Woken after the first burst is in the ring (`fill_ring`), so that a sink that
            // starts at once does not find it empty.
            self.wake_output = !self.shared.paused();
        }
    }

    fn set_paused(&mut self, paused: bool) {
        if paused == self.shared.paused() {
            return;
        }
        if paused {
            // Closed at once: the device stops, and what it held is played again on resume.
            self.shared.set_paused(true);
            self.close_device();
            self.emit(EngineEvent::Paused);
        } else {
            if self.output.is_closed() && !self.segments.is_empty() {
                self.reopen_at_position(None, None);
            }
            self.shared.set_paused(false);
            self.output.resume();
            self.last_second = None;
            self.emit(EngineEvent::Resumed);
        }
    }

    fn seek(&mut self, ms: u64) {
        let Some(front) = self.segments.front() else {
            return;
        };
        let req = front.req.clone();
        let decoding_it = self.segments.len() == 1 && self.current.is_some() && self.fade.is_none();
        if decoding_it {
            let Some(cur) = self.current.take() else {
                return;
            };
            let next = self.next.take();
            self.flush();
            self.next = next;
            self.reseek(cur, ms);
        } else {
            // Already decoding the following track: reopen both.
            let following = self.segments.get(1).map(|s| s.req.clone());
            self.flush();
            self.start(req, ms, false);
            if let Some(f) = following {
                self.set_next(f);
            }
        }
    }

    fn reseek(&mut self, mut cur: Loaded, ms: u64) {
        match cur.dec.seek(ms) {
            Ok(landed) => {
                match Converter::new(
                    cur.dec.rate(),
                    cur.dec.channels(),
                    self.output.rate,
                    self.output.channels,
                ) {
                    Ok(conv) => cur.conv = conv,
                    Err(e) => tracing::warn!(error = %e, "keeping the old resampler after seek"),
                }
                cur.read_frames = landed * u64::from(cur.dec.rate()) / 1000;
                self.segments.push_back(Segment {
                    req: cur.req.clone(),
                    start: self.pushed,
                    offset_ms: landed,
                    duration_ms: cur.dec.duration_ms(),
                    end: None,
                    started: true,
                    failure: None,
                });
                self.current = Some(cur);
                self.set_idle(false);
                self.last_second = None;
            }
            Err(e) => {
                let req = cur.req.clone();
                self.emit(EngineEvent::TrackFailed {
                    path: req.path.clone(),
                    reason: e.to_string(),
                });
            }
        }
    }
}
