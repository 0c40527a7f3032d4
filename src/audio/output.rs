//! Audio outputs: a sound device through cpal (`device.rs`), a null sink paced by the wall clock
//! for machines without a usable device, and a capturing sink for tests. Each owns the ring's
//! consumer half and calls `shared::fill`; the engine thread owns the `Output` value and may close
//! a device while nothing plays (a closed device costs nothing, on either side of the socket).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use ringbuf::traits::Split;
use ringbuf::{HeapCons, HeapProd, HeapRb};

use super::shared::{fill, Shared};
use super::EngineCommand;

/// Ring capacity in seconds of audio. The engine fills it in bursts and sleeps until it is half
/// empty, so this also sets how often the engine wakes while playing.
pub(super) const RING_SECONDS: f32 = 2.0;
/// Null and capture sinks take audio in blocks of this length.
const BLOCK: Duration = Duration::from_millis(10);
pub use crate::config::DEFAULT_BUFFER_MS;

/// Which output to open.
#[derive(Clone, Debug)]
pub enum OutputChoice {
    /// A sound device: the one `name` names (see `device::choose`; `None`: the default), with a
    /// device buffer of about `buffer_ms` (0: the host's default). When it cannot be opened, or
    /// fails later, the null sink plays instead, with the reason, until it is back.
    Device {
        name: Option<String>,
        buffer_ms: u32,
    },
    /// The null sink: consumes audio in real time and discards it.
    Null { rate: u32, channels: usize },
    /// A sink that records what it is given, for tests. `realtime: false` consumes as fast as the
    /// engine produces.
    Capture(CaptureSink),
}

impl Default for OutputChoice {
    fn default() -> Self {
        OutputChoice::Device {
            name: None,
            buffer_ms: DEFAULT_BUFFER_MS,
        }
    }
}

impl OutputChoice {
    /// The null sink that stands in for this choice.
    pub(super) fn stand_in(&self) -> OutputChoice {
        match self {
            OutputChoice::Device { .. } => OutputChoice::Null {
                rate: 44_100,
                channels: 2,
            },
            other => other.clone(),
        }
    }

    pub(super) fn is_device(&self) -> bool {
        matches!(self, OutputChoice::Device { .. })
    }
}

/// A recording sink for tests: every sample the output would have played, in order.
#[derive(Clone, Debug)]
pub struct CaptureSink {
    pub rate: u32,
    pub channels: usize,
    pub realtime: bool,
    pub samples: Arc<Mutex<Vec<f32>>>,
}

impl CaptureSink {
    pub fn new(rate: u32, channels: usize, realtime: bool) -> CaptureSink {
        CaptureSink {
            rate,
            channels,
            realtime,
            samples: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// A copy of everything captured so far.
    pub fn snapshot(&self) -> Vec<f32> {
        self.samples.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.samples.lock().map(|s| s.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

enum Sink {
    /// A sound device (held for its `Drop`, which closes the stream).
    Device(super::device::Opened),
    Thread {
        handle: Option<JoinHandle<()>>,
        stop: Arc<AtomicBool>,
    },
    /// A device closed while nothing plays; `Output::open` makes a new one.
    Closed,
}

/// An open output: its format, a description for the user, and the sink that drains the ring.
pub struct Output {
    pub rate: u32,
    pub channels: usize,
    pub description: String,
    /// Why the sound device was not used, when the null sink stands in for it.
    pub fallback_reason: Option<String>,
    sink: Sink,
}

impl Output {
    /// Opens the chosen output. Never fails: a device that cannot be opened is replaced by the
    /// null sink (`fallback_reason` says why). `wake` is told when the device fails later.
    pub fn open(
        choice: &OutputChoice,
        shared: &Arc<Shared>,
        wake: Option<Sender<EngineCommand>>,
    ) -> (Output, HeapProd<f32>) {
        match choice {
            OutputChoice::Device { name, buffer_ms } => {
                let mut prod = None;
                let opened = super::device::open(
                    name.as_deref(),
                    *buffer_ms,
                    |rate, channels| {
                        let (p, c) = make_ring(rate, channels, shared);
                        prod = Some(p);
                        c
                    },
                    shared,
                    wake,
                );
                match opened.and_then(|(stream, dev)| Ok((stream, dev, prod.ok_or("no ring")?))) {
                    Ok((stream, dev, prod)) => {
                        let out = Output {
                            rate: dev.rate,
                            channels: dev.channels,
                            description: format!(
                                "{} ({} Hz, {} ch)",
                                dev.label, dev.rate, dev.channels
                            ),
                            fallback_reason: None,
                            sink: Sink::Device(stream),
                        };
                        (out, prod)
                    }
                    Err(reason) => {
                        tracing::warn!(%reason, "no usable audio device; using the null output");
                        let (mut out, prod) = open_thread(44_100, 2, shared, None);
                        out.fallback_reason = Some(reason);
                        (out, prod)
                    }
                }
            }
            OutputChoice::Null { rate, channels } => open_thread(*rate, *channels, shared, None),
            OutputChoice::Capture(c) => open_thread(c.rate, c.channels, shared, Some(c.clone())),
        }
    }

    /// The null sink or the capture sink (no device).
    pub fn is_null(&self) -> bool {
        matches!(self.sink, Sink::Thread { .. })
    }

    /// A device that has been closed.
    pub fn is_closed(&self) -> bool {
        matches!(self.sink, Sink::Closed)
    }

    /// Closes a device stream (the server forgets it; no callbacks, no timers). Thread sinks
    /// stay: they park by themselves while resting.
    pub fn close(&mut self) {
        if matches!(self.sink, Sink::Device(_)) {
            self.sink = Sink::Closed;
        }
    }

    /// Measures what the device still holds just before it is closed (see
    /// `PulseStream::measure_before_close`); other sinks' readings are current already.
    pub fn measure_before_close(&self, shared: &Shared) {
        if let Sink::Device(super::device::Opened::Pulse(p)) = &self.sink {
            p.measure_before_close(shared);
        }
    }

    /// Discards what the device holds and has not played (after a seek or a skip). Only the
    /// PulseAudio stream holds enough to matter.
    pub fn flush_device(&self) {
        if let Sink::Device(super::device::Opened::Pulse(p)) = &self.sink {
            p.flush();
        }
    }

    /// Wakes a parked thread sink (after a pause or idle time). Devices are closed while
    /// resting and opened again instead.
    pub fn resume(&self) {
        if let Sink::Thread {
            handle: Some(h), ..
        } = &self.sink
        {
            h.thread().unpark();
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Sink::Thread { handle, stop } = &mut self.sink {
            stop.store(true, Ordering::Release);
            if let Some(h) = handle.take() {
                h.thread().unpark();
                let _ = h.join();
            }
        }
    }
}

pub(super) fn make_ring(
    rate: u32,
    channels: usize,
    shared: &Shared,
) -> (HeapProd<f32>, HeapCons<f32>) {
    shared.reset_for_output(rate, channels);
    let capacity = ((rate as f32 * RING_SECONDS) as usize).max(1024) * channels;
    HeapRb::<f32>::new(capacity).split()
}

/// The null sink (no `capture`) or the capturing sink: a thread that takes one block every
/// `BLOCK` of wall-clock time (or as fast as samples come, for a non-realtime capture), and parks
/// while paused or idle (until `resume` or drop unparks it) so that a resting player uses no CPU.
fn open_thread(
    rate: u32,
    channels: usize,
    shared: &Arc<Shared>,
    capture: Option<CaptureSink>,
) -> (Output, HeapProd<f32>) {
    let (prod, mut cons) = make_ring(rate, channels, shared);
    let stop = Arc::new(AtomicBool::new(false));
    let (thread_stop, thread_shared) = (Arc::clone(&stop), Arc::clone(shared));
    let realtime = capture.as_ref().is_none_or(|c| c.realtime);
    let is_capture = capture.is_some();
    let block_frames = (rate as u64 * BLOCK.as_millis() as u64 / 1000).max(1) as usize;
    let spawned = thread::Builder::new()
        .name("audio-out".into())
        .spawn(move || {
            let mut buf = vec![0.0f32; block_frames * channels];
            let mut deadline = Instant::now();
            while !thread_stop.load(Ordering::Acquire) {
                if thread_shared.resting() {
                    thread::park();
                    deadline = Instant::now();
                    continue;
                }
                let n = fill(&mut buf, &mut cons, &thread_shared);
                if let Some(c) = &capture {
                    if let Ok(mut s) = c.samples.lock() {
                        s.extend_from_slice(&buf[..n]);
                    }
                }
                if realtime {
                    deadline += BLOCK;
                    let now = Instant::now();
                    if now > deadline + BLOCK * 10 {
                        deadline = now; // fell far behind (suspend): don't race to catch up
                    }
                    // park_timeout may wake early (resume unparks us): wait out the deadline.
                    while !thread_stop.load(Ordering::Acquire) && !thread_shared.resting() {
                        let now = Instant::now();
                        if now >= deadline {
                            break;
                        }
                        thread::park_timeout(deadline - now);
                    }
                } else if n == 0 {
                    thread::sleep(Duration::from_millis(1));
                }
            }
        });
    let (handle, description) = match spawned {
        Ok(h) => (Some(h), "null output (silent)".to_string()),
        Err(e) => (None, format!("no output thread: {e}")),
    };
    let description = if is_capture {
        format!("capture ({rate} Hz, {channels} ch)")
    } else {
        description
    };
    let out = Output {
        rate,
        channels,
        description,
        fallback_reason: None,
        sink: Sink::Thread { handle, stop },
    };
    (out, prod)
}
