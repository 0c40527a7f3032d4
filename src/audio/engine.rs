//! The engine thread's loop and commands: owns the decoders, the resamplers, the ring's producer
//! and the output, and the list of tracks whose samples are in flight (`Segment`). The data path
//! (decoding into the ring, reporting what has been heard) is in `flow.rs`.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ringbuf::HeapProd;

use super::decode::TrackDecoder;
use super::gain::{linear_gain, ReplayGainMode};
use super::output::{Output, OutputChoice};
use super::resample::Converter;
use super::shared::Shared;
use super::{EngineCommand, EngineConfig, EngineEvent, TrackRequest};

/// How often positions are reported while playing.
pub(super) const REPORT_EVERY: Duration = Duration::from_millis(250);
/// How long the loop sleeps when the ring is full or only draining.
const POLL: Duration = Duration::from_millis(40);
/// Longest stretch of decoding before commands are looked at again.
pub(super) const DECODE_SLICE: Duration = Duration::from_millis(20);

/// A track opened for decoding.
pub(super) struct Loaded {
    pub(super) req: TrackRequest,
    pub(super) dec: TrackDecoder,
    pub(super) conv: Converter,
    pub(super) gain: f32,
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
}

pub(super) struct EngineThread {
    pub(super) choice: OutputChoice,
    pub(super) rg_mode: ReplayGainMode,
    pub(super) events: Sender<EngineEvent>,
    pub(super) shared: Arc<Shared>,
    pub(super) output: Output,
    pub(super) prod: HeapProd<f32>,
    pub(super) current: Option<Loaded>,
    pub(super) next: Option<Loaded>,
    pub(super) segments: VecDeque<Segment>,
    pub(super) pushed: u64,
    pub(super) pending: Vec<f32>,
    pub(super) pending_off: usize,
    pub(super) dec_buf: Vec<f32>,
    pub(super) last_report: Instant,
}

pub(super) fn run(
    config: EngineConfig,
    commands: Receiver<EngineCommand>,
    events: Sender<EngineEvent>,
    shared: Arc<Shared>,
) {
    let (output, prod) = Output::open(&config.output, &shared);
    let mut e = EngineThread {
        choice: config.output,
        rg_mode: config.replay_gain,
        events,
        shared,
        output,
        prod,
        current: None,
        next: None,
        segments: VecDeque::new(),
        pushed: 0,
        pending: Vec::new(),
        pending_off: 0,
        dec_buf: Vec::new(),
        last_report: Instant::now(),
    };
    e.announce_output(None);
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
    }
}

impl EngineThread {
    pub(super) fn emit(&self, ev: EngineEvent) {
        let _ = self.events.send(ev);
    }

    fn announce_output(&self, why: Option<String>) {
        self.emit(EngineEvent::OutputOpened {
            description: self.output.description.clone(),
            fallback: why.or_else(|| self.output.fallback_reason.clone()),
        });
    }

    /// `None`: block until a command (nothing to do). `Some(0)`: just look.
    fn wait_time(&self) -> Option<Duration> {
        if self.shared.paused() || (self.segments.is_empty() && self.current.is_none()) {
            return None;
        }
        let ring_full = self.pending_off < self.pending.len();
        if ring_full || self.current.is_none() {
            Some(POLL)
        } else {
            Some(Duration::ZERO)
        }
    }

    fn handle(&mut self, cmd: EngineCommand) {
        match cmd {
            EngineCommand::Play { track, start_ms } => {
                self.leave_playing();
                self.next = None;
                self.start(track, start_ms);
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
            EngineCommand::Shutdown => {}
        }
    }

    fn load(&self, req: TrackRequest) -> Result<Loaded, String> {
        let dec = TrackDecoder::open(&req.path).map_err(|e| e.to_string())?;
        let conv = Converter::new(
            dec.rate(),
            dec.channels(),
            self.output.rate,
            self.output.channels,
        )
        .map_err(|e| e.to_string())?;
        let gain = linear_gain(&req.replay_gain, self.rg_mode);
        Ok(Loaded {
            req,
            dec,
            conv,
            gain,
        })
    }

    /// Drops everything queued for output and forgets the in-flight tracks.
    fn flush(&mut self) {
        self.pending.clear();
        self.pending_off = 0;
        self.shared.discard_until(self.pushed);
        self.segments.clear();
        self.current = None;
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
                });
            }
        }
        self.flush();
    }

    fn start(&mut self, req: TrackRequest, start_ms: u64) {
        match self.load(req.clone()) {
            Ok(loaded) => self.start_loaded(loaded, start_ms),
            Err(reason) => {
                self.emit(EngineEvent::TrackFailed {
                    path: req.path,
                    reason,
                });
            }
        }
    }

    fn start_loaded(&mut self, mut loaded: Loaded, start_ms: u64) {
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
        let duration_ms = loaded.dec.duration_ms();
        self.emit(EngineEvent::TrackStarted {
            path: loaded.req.path.clone(),
            duration_ms,
        });
        self.segments.push_back(Segment {
            req: loaded.req.clone(),
            start: self.pushed,
            offset_ms,
            duration_ms,
            end: None,
            started: true,
        });
        self.current = Some(loaded);
        self.set_idle(false);
        self.last_report = Instant::now() - REPORT_EVERY;
    }

    fn set_next(&mut self, req: TrackRequest) {
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

    pub(super) fn begin_segment_at_seam(&mut self, loaded: Loaded) {
        let seam = self.pushed + (self.pending.len() - self.pending_off) as u64;
        self.segments.push_back(Segment {
            req: loaded.req.clone(),
            start: seam,
            offset_ms: 0,
            duration_ms: loaded.dec.duration_ms(),
            end: None,
            started: false,
        });
        self.current = Some(loaded);
    }

    fn skip_to_next(&mut self) {
        let following = if self.segments.len() >= 2 {
            Some(self.segments[1].req.clone())
        } else {
            None
        };
        self.leave_playing();
        if let Some(req) = following {
            // Its decoder has run ahead: open it afresh.
            self.start(req, 0);
        } else if let Some(next) = self.next.take() {
            self.start_loaded(next, 0);
        } else {
            self.set_idle(true);
            self.emit(EngineEvent::Idle);
        }
    }

    /// Lets the output sleep while nothing is loaded (no callbacks, no wake-ups), and wakes it
    /// when a track starts.
    pub(super) fn set_idle(&mut self, idle: bool) {
        self.shared.set_idle(idle);
        if idle {
            self.output.pause();
        } else if !self.shared.paused() {
            self.output.resume();
        }
    }

    fn set_paused(&mut self, paused: bool) {
        if paused == self.shared.paused() {
            return;
        }
        self.shared.set_paused(paused);
        if paused {
            self.output.pause();
            self.emit(EngineEvent::Paused);
        } else {
            self.output.resume();
            self.emit(EngineEvent::Resumed);
        }
    }

    fn seek(&mut self, ms: u64) {
        let Some(front) = self.segments.front() else {
            return;
        };
        let req = front.req.clone();
        let decoding_it = self.segments.len() == 1 && self.current.is_some();
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
            self.start(req, ms);
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
                self.segments.push_back(Segment {
                    req: cur.req.clone(),
                    start: self.pushed,
                    offset_ms: landed,
                    duration_ms: cur.dec.duration_ms(),
                    end: None,
                    started: true,
                });
                self.current = Some(cur);
                self.set_idle(false);
                self.last_report = Instant::now() - REPORT_EVERY;
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

    /// The device failed after opening (e.g. unplugged, or ALSA reporting a device that cannot
    /// stream): switch to the null sink and carry on from the same place.
    fn check_output(&mut self) {
        if !self.shared.take_failed() || self.output.is_null() {
            return;
        }
        let resume = self.segments.front().map(|s| s.req.clone());
        let at = self.position_ms().unwrap_or(0);
        let following = self.segments.get(1).map(|s| s.req.clone());
        let next = self.next.take().map(|n| n.req);
        self.flush();
        let choice = match self.choice {
            OutputChoice::Auto => OutputChoice::Null {
                rate: 44_100,
                channels: 2,
            },
            ref other => other.clone(),
        };
        let (output, prod) = Output::open(&choice, &self.shared);
        self.output = output;
        self.prod = prod;
        self.pushed = 0;
        self.announce_output(Some(
            "the sound card failed; playing to the null output".into(),
        ));
        if let Some(req) = resume {
            self.start(req, at);
            if let Some(n) = following.or(next) {
                self.set_next(n);
            }
        }
    }
}
