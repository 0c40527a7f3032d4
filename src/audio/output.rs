//! Audio outputs: the sound card through cpal, a null sink paced by the wall clock for machines
//! without a usable device, and a capturing sink for tests. Each owns the ring's consumer half and
//! calls `shared::fill`; the engine thread owns the `Output` value.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use ringbuf::traits::Split;
use ringbuf::{HeapCons, HeapProd, HeapRb};

use super::shared::{fill, Shared};

/// Ring capacity in seconds of audio.
const RING_SECONDS: f32 = 0.5;
/// Null and capture sinks take audio in blocks of this length.
const BLOCK: Duration = Duration::from_millis(10);

/// Which output to open.
#[derive(Clone, Debug, Default)]
pub enum OutputChoice {
    /// The default sound card; if it cannot be opened, the null sink (and say why).
    #[default]
    Auto,
    /// The null sink: consumes audio in real time and discards it.
    Null { rate: u32, channels: usize },
    /// A sink that records what it is given, for tests. `realtime: false` consumes as fast as the
    /// engine produces.
    Capture(CaptureSink),
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
    Cpal(cpal::Stream),
    Thread {
        handle: Option<JoinHandle<()>>,
        stop: Arc<AtomicBool>,
    },
}

/// An open output: its format, a description for the user, and the sink that drains the ring.
pub struct Output {
    pub rate: u32,
    pub channels: usize,
    pub description: String,
    /// Why the sound card was not used, when the null sink stands in for it.
    pub fallback_reason: Option<String>,
    sink: Sink,
}

impl Output {
    /// Opens the chosen output. Never fails: `Auto` falls back to the null sink.
    pub fn open(choice: &OutputChoice, shared: &Arc<Shared>) -> (Output, HeapProd<f32>) {
        match choice {
            OutputChoice::Auto => match open_cpal(shared) {
                Ok(pair) => pair,
                Err(reason) => {
                    tracing::warn!(%reason, "no usable audio device; using the null output");
                    let (mut out, prod) = open_thread(44_100, 2, shared, None);
                    out.fallback_reason = Some(reason);
                    (out, prod)
                }
            },
            OutputChoice::Null { rate, channels } => open_thread(*rate, *channels, shared, None),
            OutputChoice::Capture(c) => open_thread(c.rate, c.channels, shared, Some(c.clone())),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.sink, Sink::Thread { .. })
    }

    /// Stops the device clock (cpal) so that a paused player costs no CPU; thread sinks notice
    /// `Shared::paused` themselves.
    pub fn pause(&self) {
        if let Sink::Cpal(stream) = &self.sink {
            if let Err(e) = stream.pause() {
                tracing::debug!(error = %e, "stream pause not supported");
            }
        }
    }

    pub fn resume(&self) {
        match &self.sink {
            Sink::Cpal(stream) => {
                if let Err(e) = stream.play() {
                    tracing::warn!(error = %e, "stream resume failed");
                }
            }
            Sink::Thread { handle, .. } => {
                if let Some(h) = handle {
                    h.thread().unpark();
                }
            }
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

fn make_ring(rate: u32, channels: usize, shared: &Shared) -> (HeapProd<f32>, HeapCons<f32>) {
    shared.reset_for_output(channels);
    let capacity = ((rate as f32 * RING_SECONDS) as usize).max(1024) * channels;
    HeapRb::<f32>::new(capacity).split()
}

fn open_cpal(shared: &Arc<Shared>) -> Result<(Output, HeapProd<f32>), String> {
    let host = cpal::default_host();
    let device = host
        .default_output_device()
        .ok_or_else(|| "no default output device".to_string())?;
    let name = device
        .id()
        .map(|id| id.to_string())
        .unwrap_or_else(|_| "default".into());
    let supported = device
        .default_output_config()
        .map_err(|e| format!("{name}: {e}"))?;
    let config: cpal::StreamConfig = supported.config();
    let (rate, channels) = (config.sample_rate, usize::from(config.channels));
    let (prod, cons) = make_ring(rate, channels, shared);
    let stream = match supported.sample_format() {
        cpal::SampleFormat::F32 => build::<f32>(&device, config, cons, shared),
        cpal::SampleFormat::I16 => build::<i16>(&device, config, cons, shared),
        cpal::SampleFormat::U16 => build::<u16>(&device, config, cons, shared),
        cpal::SampleFormat::I32 => build::<i32>(&device, config, cons, shared),
        other => return Err(format!("{name}: unsupported sample format {other}")),
    }
    .map_err(|e| format!("{name}: {e}"))?;
    stream.play().map_err(|e| format!("{name}: {e}"))?;
    let out = Output {
        rate,
        channels,
        description: format!("{name} ({rate} Hz, {channels} ch)"),
        fallback_reason: None,
        sink: Sink::Cpal(stream),
    };
    Ok((out, prod))
}

/// Builds a stream for sample type `T`. The callback converts from f32 through a scratch buffer
/// allocated here, before the stream starts, so the callback itself never allocates.
fn build<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    mut cons: HeapCons<f32>,
    shared: &Arc<Shared>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: cpal::SizedSample + cpal::FromSample<f32>,
{
    let data_shared = Arc::clone(shared);
    let err_shared = Arc::clone(shared);
    let mut scratch = vec![0.0f32; 16_384 * usize::from(config.channels)];
    device.build_output_stream(
        config,
        move |data: &mut [T], _: &cpal::OutputCallbackInfo| {
            for chunk in data.chunks_mut(scratch.len()) {
                let buf = &mut scratch[..chunk.len()];
                fill(buf, &mut cons, &data_shared);
                for (d, s) in chunk.iter_mut().zip(buf.iter()) {
                    *d = T::from_sample(*s);
                }
            }
        },
        move |err: cpal::Error| {
            tracing::warn!(error = %err, "audio stream error");
            err_shared.mark_failed();
        },
        None,
    )
}

/// The null sink (no `capture`) or the capturing sink: a thread that takes one block every
/// `BLOCK` of wall-clock time (or as fast as samples come, for a non-realtime capture), and parks
/// while paused so that a paused player uses no CPU.
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
                    thread::park_timeout(Duration::from_millis(250));
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

/// Opens the default sound card, plays silence for `listen` and reports whether it really works
/// (on some machines ALSA lists a default device whose streams all fail once started). For
/// `mien doctor`; playback itself uses `Output::open`, which falls back by itself.
pub fn probe_sound_card(listen: Duration) -> Result<String, String> {
    let shared = Arc::new(Shared::new(0.0));
    let (out, _prod) = open_cpal(&shared)?;
    thread::sleep(listen);
    if shared.take_failed() {
        return Err(format!(
            "{}: the stream failed after opening",
            out.description
        ));
    }
    Ok(out.description.clone())
}
