//! `TrackDecoder`: opens one file with symphonia (through `open.rs`) and yields interleaved f32 frames at the file's
//! own rate and channel count, with sample-accurate seeking. Runs on the engine thread.

use std::path::{Path, PathBuf};

use symphonia::core::codecs::audio::AudioDecoder;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::{FormatReader, SeekMode, SeekTo};
use symphonia::core::units::Time;

use super::file::{io_reason, open_regular, FileError};
use super::open::open_stream;
use super::open::plausible_duration_ms;
use crate::core::mmss;

/// Why a file could not be opened or decoded. Carries the path.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("{path}: cannot open: {source}")]
    Open { path: PathBuf, source: FileError },
    #[error("{path}: not a supported audio file: {reason}")]
    Unsupported { path: PathBuf, reason: String },
    #[error("{path}: corrupt audio: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error("{path}: cannot seek: {reason}")]
    Seek { path: PathBuf, reason: String },
}

/// A decoder for one track. `read` appends decoded samples; the first call may return samples
/// decoded while opening (the decoder decodes the first packet up front to learn the real channel
/// count and to reject corrupt files before playback starts).
pub struct TrackDecoder {
    path: PathBuf,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    rate: u32,
    channels: usize,
    /// The frame count when the file's size can hold it (else unknown).
    total_frames: Option<u64>,
    /// The frame count the header declares, plausible or not: when the file ends in the middle
    /// of its data, this is what it was meant to hold.
    declared_frames: Option<u64>,
    /// Samples decoded but not yet handed out (interleaved).
    pending: Vec<f32>,
    /// Frames still to drop from the front of the next decoded packets (after an accurate seek).
    skip_frames: u64,
    scratch: Vec<f32>,
    /// Where the next frame handed out lies in the file, in frames (decoded frames counted from
    /// the start or from the last seek).
    position: u64,
    /// Why the stream ended early, once it has (see [`TrackDecoder::damage`]).
    damage: Option<String>,
    /// The first damaged packet skipped, if any (part of the reason when the stream ends early).
    first_bad_packet: Option<String>,
}

/// A stream that ends more than this share of its known length early is damaged...
const SHORT_BY: f64 = 0.1;
/// ... when that is also more than this many seconds.
const SHORT_BY_SECONDS: u64 = 1;

impl TrackDecoder {
    pub fn open(path: &Path) -> Result<TrackDecoder, DecodeError> {
        let file = open_regular(path).map_err(|source| DecodeError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let unsupported = |reason: String| DecodeError::Unsupported {
            path: path.to_path_buf(),
            reason,
        };
        let file_bytes = file.metadata().map_or(u64::MAX, |m| m.len());
        let stream = open_stream(file, path).map_err(|e| unsupported(e.to_string()))?;
        let rate = stream.params.sample_rate.unwrap_or(0);
        // A frame count the file's size cannot hold comes from a damaged header: unknown.
        let total_frames = stream.track.num_frames.filter(|&frames| {
            rate > 0
                && plausible_duration_ms(frames.saturating_mul(1000) / u64::from(rate), file_bytes)
                    .is_some()
        });
        let channels = stream.params.channels.as_ref().map_or(0, |c| c.count());
        let mut dec = TrackDecoder {
            path: path.to_path_buf(),
            format: stream.reader,
            decoder: stream.decoder,
            track_id: stream.track.id,
            rate,
            channels,
            total_frames,
            declared_frames: stream.track.num_frames,
            pending: Vec::new(),
            skip_frames: 0,
            scratch: Vec::new(),
            position: 0,
            damage: None,
            first_bad_packet: None,
        };
        // Decode up to the first non-empty packet: learns the true spec, rejects corrupt files.
        let mut first = Vec::new();
        while first.is_empty() {
            if !dec.decode_packet(&mut first)? {
                return Err(DecodeError::Corrupt {
                    path: path.to_path_buf(),
                    reason: "no audio frames".into(),
                });
            }
        }
        if dec.rate == 0 || dec.channels == 0 {
            return Err(unsupported("unknown sample rate or channel count".into()));
        }
        dec.pending = first;
        Ok(dec)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sample rate of the decoded audio in Hz.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// Channels of the decoded audio (samples per frame).
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Frames in the file (at `rate()`) when the container states it.
    pub fn total_frames(&self) -> Option<u64> {
        self.total_frames
    }

    /// Duration in milliseconds when the container states it.
    pub fn duration_ms(&self) -> Option<u64> {
        self.total_frames
            .filter(|_| self.rate > 0)
            .map(|f| f * 1000 / u64::from(self.rate))
    }

    /// Why the stream ended early, once it has: a read or decode error, or an end well before
    /// the known length (truncated, or its packets damaged). `None` while it plays on, and for a
    /// stream that ended where it should (or whose length is unknown and ended without error).
    pub fn damage(&self) -> Option<&str> {
        self.damage.as_deref()
    }

    /// Appends the next decoded samples (interleaved, at `rate()`/`channels()`) to `out`.
    /// Returns `Ok(false)` at the end of the stream. A damaged packet is skipped with a warning;
    /// an I/O error in the middle (truncated file) ends the stream. Either way, an end well
    /// before the known length is recorded in [`TrackDecoder::damage`], as is an error.
    pub fn read(&mut self, out: &mut Vec<f32>) -> Result<bool, DecodeError> {
        if !self.pending.is_empty() {
            self.position += (self.pending.len() / self.channels.max(1)) as u64;
            out.append(&mut self.pending);
            return Ok(true);
        }
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        let result = self.decode_packet(&mut buf);
        self.position += (buf.len() / self.channels.max(1)) as u64;
        out.extend_from_slice(&buf);
        self.scratch = buf;
        match result {
            Ok(true) => Ok(true),
            Ok(false) => {
                self.check_end("the stream ends early", false);
                Ok(false)
            }
            Err(e) => {
                self.damage = Some(match &e {
                    DecodeError::Corrupt { reason, .. } => format!("damaged: {reason}"),
                    other => other.to_string(),
                });
                Err(e)
            }
        }
    }

    /// At the end of the stream: records damage when it ended well before its known length
    /// (`cut_off`: the file ended inside its data, so the header's own count is the measure).
    fn check_end(&mut self, cause: &str, cut_off: bool) {
        let known = if cut_off {
            self.declared_frames
        } else {
            self.total_frames
        };
        let Some(total) = known.filter(|_| self.rate > 0) else {
            return;
        };
        if self.damage.is_some() || self.position >= total {
            return;
        }
        let short = total - self.position;
        let rate = u64::from(self.rate);
        if (short as f64) > total as f64 * SHORT_BY && short > SHORT_BY_SECONDS * rate {
            let cause = self.first_bad_packet.as_deref().unwrap_or(cause);
            self.damage = Some(format!(
                "playback ended at {} of {}: {cause}",
                mmss(self.position * 1000 / rate),
                mmss(total * 1000 / rate)
            ));
        }
    }

    /// Seeks so that the next sample returned is the one at `ms` (or the end, if `ms` is past
    /// it). Returns the position landed on, in milliseconds.
    pub fn seek(&mut self, ms: u64) -> Result<u64, DecodeError> {
        let seek_err = |reason: String| DecodeError::Seek {
            path: self.path.clone(),
            reason,
        };
        let to = SeekTo::Time {
            time: Time::from_millis_u64(ms),
            track_id: Some(self.track_id),
        };
        let seeked = match self.format.seek(SeekMode::Accurate, to) {
            Ok(s) => s,
            Err(SymError::SeekError(_)) if self.total_frames.is_some() => {
                // Past the end: land on the end.
                self.pending.clear();
                self.skip_frames = u64::MAX;
                self.position = self.total_frames.unwrap_or(self.position);
                return Ok(self.duration_ms().unwrap_or(ms));
            }
            Err(e) => return Err(seek_err(e.to_string())),
        };
        self.decoder.reset();
        self.pending.clear();
        let ahead = seeked.required_ts.get() - seeked.actual_ts.get();
        self.skip_frames = self.ts_to_frames(ahead.max(0) as u64);
        self.position = ms.saturating_mul(u64::from(self.rate)) / 1000;
        Ok(ms)
    }

    /// Converts a timestamp delta in the track's time base to frames.
    fn ts_to_frames(&self, ts: u64) -> u64 {
        let Some(track) = self.format.tracks().iter().find(|t| t.id == self.track_id) else {
            return ts;
        };
        match track.time_base {
            Some(tb) if self.rate > 0 => {
                let (n, d) = (u64::from(tb.numer.get()), u64::from(tb.denom.get()));
                ts * n * u64::from(self.rate) / d
            }
            _ => ts,
        }
    }

    /// Decodes packets until one yields samples or the stream ends; writes them into `out`
    /// (replacing its contents). Returns false at the end of the stream.
    fn decode_packet(&mut self, out: &mut Vec<f32>) -> Result<bool, DecodeError> {
        loop {
            let packet = match self.format.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => return Ok(false),
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    tracing::warn!(path = %self.path.display(), "truncated file: stream ends early");
                    self.check_end("truncated (unexpected end of file)", true);
                    return Ok(false);
                }
                Err(SymError::ResetRequired) => return Ok(false),
                Err(e) => {
                    return Err(DecodeError::Corrupt {
                        path: self.path.clone(),
                        reason: e.to_string(),
                    })
                }
            };
            if packet.track_id != self.track_id {
                continue;
            }
            match self.decoder.decode(&packet) {
                Ok(buf) => {
                    if buf.frames() == 0 {
                        continue;
                    }
                    self.rate = buf.spec().rate();
                    self.channels = buf.spec().channels().count();
                    buf.copy_to_vec_interleaved(out);
                    if self.skip_frames > 0 {
                        let frames = (out.len() / self.channels) as u64;
                        let drop = self.skip_frames.min(frames);
                        self.skip_frames -= drop;
                        out.drain(..drop as usize * self.channels);
                        if out.is_empty() {
                            continue;
                        }
                    }
                    return Ok(true);
                }
                Err(SymError::DecodeError(reason)) => {
                    tracing::warn!(path = %self.path.display(), reason, "skipping a damaged packet");
                    self.first_bad_packet
                        .get_or_insert_with(|| format!("damaged packets ({reason})"));
                }
                Err(SymError::IoError(e)) => {
                    tracing::warn!(path = %self.path.display(), error = %e, "decoder I/O error: stream ends");
                    self.check_end(&format!("read error ({})", io_reason(&e)), true);
                    return Ok(false);
                }
                Err(e) => {
                    return Err(DecodeError::Corrupt {
                        path: self.path.clone(),
                        reason: e.to_string(),
                    })
                }
            }
        }
    }
}
