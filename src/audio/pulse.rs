//! Output to a PulseAudio server (or PipeWire, through pipewire-pulse) over its native protocol
//! with the `pulseaudio` crate. cpal's PulseAudio host asks for a fixed buffer as two periods
//! with `adjust_latency`, which sets the server's sink latency to its minimum (0.5 ms on a null
//! sink, thousands of wake-ups a second: 3-4% of a core in the server, docs/BENCHMARKS.md), or
//! with the default buffer holds two seconds (so seeks and volume lag). Here the stream asks for
//! `buffer_ms` in requests of a sixth of it, so that the sink keeps a third (200 ms of the default
//! 600 ms, as much as cmus's stream leaves it) and the server wakes five times a second; seeking and skipping flush the server's buffer so that they are heard at once.
//! Each request costs the client more than its data (the crate zeroes a 1 MiB read buffer per
//! socket read), so fewer, larger requests are what keeps mien as light as cmus.
//!
//! Threads: the crate's reactor (one per connection) runs the data callback; "audio-pulse" (one
//! per open stream) asks the server every five seconds how far behind the listener is
//! (`Shared::note_callback`), and again at once when samples follow silence, and whether a named
//! sink is still there; it ends with the stream. "audio-flush" waits for one flush's answer.
//! One connection per process and server, shared by the engine, the watcher and `mien doctor`.

use std::ffi::CString;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use futures::executor::block_on;
use futures::FutureExt as _;
use pulseaudio::protocol::{self, SampleFormat};
use pulseaudio::{AsPlaybackSource, Client};
use ringbuf::HeapCons;

use super::device::{DeviceInfo, DeviceStream};
use super::shared::{fill, Shared};
use super::EngineCommand;

/// How long connecting may take before the server counts as unavailable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest a flush waits for the server's answer.
const FLUSH_WAIT: Duration = Duration::from_millis(500);
/// How often the stream's latency (and a named sink's presence) is read.
const CHECK_EVERY: Duration = Duration::from_secs(5);
pub(super) const HOST: &str = "pulseaudio";

/// A server is advertised (a socket to try).
pub(super) fn available() -> bool {
    pulseaudio::socket_path_from_env().is_some()
}

/// The connection for the server the environment names, made on first use and again after the
/// server went away (or the environment names another one).
fn client() -> Result<Client, String> {
    static CACHE: Mutex<Option<(std::path::PathBuf, Client)>> = Mutex::new(None);
    let path = pulseaudio::socket_path_from_env().ok_or("no PulseAudio server")?;
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((p, c)) = cache.as_ref() {
        if *p == path && block_on(c.server_info()).is_ok() {
            return Ok(c.clone());
        }
    }
    *cache = None;
    // `Client::from_env` has no timeout of its own: connect on a helper thread.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("audio-connect".into())
        .spawn(move || {
            let _ = tx.send(Client::from_env(c"mien"));
        })
        .map_err(|e| e.to_string())?;
    let c = rx
        .recv_timeout(CONNECT_TIMEOUT)
        .map_err(|_| "PulseAudio did not answer".to_string())?
        .map_err(|e| format!("PulseAudio: {e}"))?;
    *cache = Some((path, c.clone()));
    Ok(c)
}

fn text(s: &CString) -> String {
    s.to_string_lossy().into_owned()
}

/// The server's sinks, the default marked.
pub(super) fn sinks() -> Result<Vec<DeviceInfo>, String> {
    let c = client()?;
    let sinks = block_on(c.list_sinks()).map_err(|e| format!("PulseAudio: {e}"))?;
    let default = block_on(c.sink_info_by_name(protocol::DEFAULT_SINK.to_owned()))
        .ok()
        .map(|s| s.index);
    Ok(sinks
        .iter()
        .map(|s| DeviceInfo {
            host: HOST.into(),
            name: text(&s.name),
            description: s.description.as_ref().map(text).unwrap_or_default(),
            is_default: Some(s.index) == default,
        })
        .collect())
}

/// The sink `name` names, or the default sink.
fn sink_named(c: &Client, name: Option<&str>) -> Result<protocol::SinkInfo, String> {
    let wanted = match name {
        Some(n) => CString::new(n).map_err(|_| format!("bad sink name {n:?}"))?,
        None => protocol::DEFAULT_SINK.to_owned(),
    };
    block_on(c.sink_info_by_name(wanted))
        .map_err(|e| format!("PulseAudio sink {}: {e}", name.unwrap_or("(default)")))
}

/// The sample format mien sends: the sink's own when it is one of these, else float (the
/// server converts).
fn format_for(sink: SampleFormat) -> SampleFormat {
    match sink {
        SampleFormat::S16Le | SampleFormat::S32Le | SampleFormat::Float32Le => sink,
        _ => SampleFormat::Float32Le,
    }
}

/// Writes `samples` into `out` in `format` (one of `format_for`'s).
fn encode(samples: &[f32], format: SampleFormat, out: &mut [u8]) {
    match format {
        SampleFormat::S16Le => {
            for (s, o) in samples.iter().zip(out.chunks_exact_mut(2)) {
                let v = (s.clamp(-1.0, 1.0) * 32767.0).round() as i16;
                o.copy_from_slice(&v.to_le_bytes());
            }
        }
        SampleFormat::S32Le => {
            for (s, o) in samples.iter().zip(out.chunks_exact_mut(4)) {
                let v = (f64::from(s.clamp(-1.0, 1.0)) * 2_147_483_647.0).round() as i32;
                o.copy_from_slice(&v.to_le_bytes());
            }
        }
        _ => {
            for (s, o) in samples.iter().zip(out.chunks_exact_mut(4)) {
                o.copy_from_slice(&s.to_le_bytes());
            }
        }
    }
}

/// An open playback stream. Dropping it deletes the stream on the server.
pub struct PulseStream {
    stream: pulseaudio::PlaybackStream,
    spec: protocol::SampleSpec,
    closing: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl PulseStream {
    /// Before the stream is closed (pause, idle): corks it, so that the server takes no more
    /// data, and reads how much it still holds, so that what counts as heard is measured now
    /// instead of interpolated from a reading up to `CHECK_EVERY` old (which runs ahead of the
    /// listener when the client fell behind under load). Errors leave the old reading.
    pub fn measure_before_close(&self, shared: &Shared) {
        if block_on(self.stream.cork()).is_err() {
            return;
        }
        if let Ok(t) = block_on(self.stream.timing_info()) {
            let queued = (t.write_offset - t.read_offset).max(0) as usize;
            shared.note_callback(
                Duration::from_micros(t.sink_usec) + self.spec.bytes_to_duration(queued),
            );
        }
    }

    /// Discards what the server holds (after a seek or a skip) and waits for the server to say
    /// so (a round trip, bounded by `FLUSH_WAIT`): the crate writes stream data before queued
    /// commands, so samples of the new track taken before the flush reached the server would
    /// be dropped with the old ones (the first milliseconds of a track or of a seek's target).
    pub fn flush(&self) {
        let (tx, rx) = std::sync::mpsc::channel();
        let stream = self.stream.clone();
        let spawned = std::thread::Builder::new()
            .name("audio-flush".into())
            .spawn(move || {
                let _ = tx.send(block_on(stream.flush()));
            });
        match spawned {
            Ok(_) => match rx.recv_timeout(FLUSH_WAIT) {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(%e, "PulseAudio flush failed"),
                Err(_) => tracing::warn!("PulseAudio did not answer a flush in time"),
            },
            Err(_) => {
                let _ = self.stream.flush().now_or_never();
            }
        }
        if let Some(checker) = self.threads.last() {
            checker.thread().unpark(); // its latency reading is stale now
        }
    }
}

impl Drop for PulseStream {
    fn drop(&mut self) {
        self.closing.store(true, Ordering::Release);
        for t in &self.threads {
            t.thread().unpark();
        }
        let _ = self.stream.clone().delete().now_or_never();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Opens a stream on the sink `name` (or the default sink) with a buffer of `buffer_ms` (0: the
/// server's default, about two seconds), fed from the ring `cons` makes for its format.
pub(super) fn open(
    name: Option<&str>,
    buffer_ms: u32,
    cons: impl FnOnce(u32, usize) -> HeapCons<f32>,
    shared: &Arc<Shared>,
    wake: Option<Sender<EngineCommand>>,
) -> Result<(PulseStream, DeviceStream), String> {
    let c = client()?;
    let sink = sink_named(&c, name)?;
    let format = format_for(sink.sample_spec.format);
    let spec = protocol::SampleSpec {
        format,
        ..sink.sample_spec
    };
    let (rate, channels) = (spec.sample_rate, usize::from(spec.channels));
    let bps = format.bytes_per_sample();
    let frame_bytes = bps * channels;
    let mut buffer_attr = protocol::stream::BufferAttr::default();
    if buffer_ms > 0 {
        let target = (u64::from(rate) * u64::from(buffer_ms) / 1000) as u32 * frame_bytes as u32;
        buffer_attr.target_length = target;
        // Requests of a sixth: with adjust_latency the sink keeps (target - 2 × request) / 2, a third.
        buffer_attr.minimum_request_length = target / 6 / frame_bytes as u32 * frame_bytes as u32;
    }
    let mut props = protocol::Props::new();
    props.set(protocol::Prop::ApplicationName, c"mien");
    props.set(protocol::Prop::MediaName, c"music");
    props.set(protocol::Prop::MediaRole, c"music");
    let params = protocol::PlaybackStreamParams {
        sample_spec: spec,
        channel_map: sink.channel_map,
        sink_index: Some(sink.index),
        buffer_attr,
        props,
        flags: protocol::stream::StreamFlags {
            adjust_latency: buffer_ms > 0,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut cons = cons(rate, channels);
    let data_shared = Arc::clone(shared);
    // The latency checker, woken from the callback when samples follow silence: `heard` counts
    // from its last reading as if every sample after it came back to back, so silence written
    // since (a new stream's first request, an underrun) would make it run ahead until the
    // next reading, and the engine would report the end of the queue before it was heard.
    let checker_slot: Arc<std::sync::OnceLock<std::thread::Thread>> = Arc::default();
    let data_checker = Arc::clone(&checker_slot);
    let mut scratch = vec![0.0f32; 16_384 * channels];
    let callback = move |buf: &mut [u8]| -> usize {
        let whole = buf.len() / frame_bytes * frame_bytes;
        if whole == 0 {
            buf.fill(0);
            return buf.len();
        }
        for chunk in buf[..whole].chunks_mut(scratch.len() / channels * frame_bytes) {
            let n = chunk.len() / bps;
            fill(&mut scratch[..n], &mut cons, &data_shared);
            encode(&scratch[..n], format, chunk);
        }
        if data_shared.take_anchor_wanted() {
            if let Some(checker) = data_checker.get() {
                checker.unpark();
            }
        }
        whole
    };
    let stream = block_on(c.create_playback_stream(params, callback.as_playback_source()))
        .map_err(|e| format!("PulseAudio stream: {e}"))?;
    let closing = Arc::new(AtomicBool::new(false));
    let failed = move |shared: &Shared, wake: &Option<Sender<EngineCommand>>, why: String| {
        tracing::warn!(%why, "PulseAudio stream failed");
        shared.mark_failed();
        if let Some(w) = wake {
            let _ = w.send(EngineCommand::OutputCheck);
        }
    };
    // The driver: ends when the stream is deleted or the connection dies.
    let (d_stream, d_closing, d_shared, d_wake) = (
        stream.clone(),
        Arc::clone(&closing),
        Arc::clone(shared),
        wake.clone(),
    );
    let driver = std::thread::Builder::new()
        .name("audio-pulse".into())
        .spawn(move || {
            let r = block_on(d_stream.play_all());
            if !d_closing.load(Ordering::Acquire) {
                failed(&d_shared, &d_wake, format!("stream ended: {r:?}"));
            }
        })
        .map_err(|e| e.to_string())?;
    let (k_stream, k_closing, k_shared, k_client) = (
        stream.clone(),
        Arc::clone(&closing),
        Arc::clone(shared),
        c.clone(),
    );
    let named = name.map(|n| (CString::new(n).unwrap_or_default(), sink.index));
    let checker = std::thread::Builder::new()
        .name("audio-pulse".into())
        .spawn(move || {
            while !k_closing.load(Ordering::Acquire) {
                match block_on(k_stream.timing_info()) {
                    Ok(t) => {
                        let queued = (t.write_offset - t.read_offset).max(0) as usize;
                        let ahead =
                            Duration::from_micros(t.sink_usec) + spec.bytes_to_duration(queued);
                        k_shared.note_callback(ahead);
                    }
                    Err(e) if !k_closing.load(Ordering::Acquire) => {
                        return failed(&k_shared, &wake, format!("latency: {e}"));
                    }
                    Err(_) => return,
                }
                if let Some((n, index)) = &named {
                    // A named sink that went away takes our stream to another sink (the server
                    // moves it): that counts as the device failing.
                    let here = block_on(k_client.lookup_sink_by_name(n.clone()));
                    if here.ok() != Some(*index) && !k_closing.load(Ordering::Acquire) {
                        return failed(&k_shared, &wake, "the sink went away".into());
                    }
                }
                std::thread::park_timeout(CHECK_EVERY);
            }
        })
        .map_err(|e| e.to_string())?;
    let _ = checker_slot.set(checker.thread().clone());
    let label = format!("{HOST}:{}", text(&sink.name));
    Ok((
        PulseStream {
            stream,
            spec,
            closing,
            threads: vec![driver, checker],
        },
        DeviceStream {
            rate,
            channels,
            label,
        },
    ))
}

/// Connects and checks that the sink (or the default one) exists: for the watcher and doctor.
pub(super) fn probe(name: Option<&str>) -> Result<String, String> {
    let sink = sink_named(&client()?, name)?;
    let s = sink.sample_spec;
    Ok(format!(
        "{HOST}:{} ({} Hz, {} ch)",
        text(&sink.name),
        s.sample_rate,
        s.channels
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_encoded_little_endian_and_clipped() {
        let mut out = [0u8; 6];
        encode(&[0.5, -1.0, 2.0], SampleFormat::S16Le, &mut out);
        assert_eq!(out, [0x00, 0x40, 0x01, 0x80, 0xff, 0x7f]);
        let mut f = [0u8; 4];
        encode(&[0.25], SampleFormat::Float32Le, &mut f);
        assert_eq!(f32::from_le_bytes(f), 0.25);
        assert_eq!(format_for(SampleFormat::S24Le), SampleFormat::Float32Le);
        assert_eq!(format_for(SampleFormat::S16Le), SampleFormat::S16Le);
    }
}
