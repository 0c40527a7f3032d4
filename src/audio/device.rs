//! Sound devices: the sinks of a PulseAudio server (`pulse.rs`; PipeWire serves the same
//! protocol) and, through cpal, the ALSA devices; found by name and opened as a stream whose
//! callback drains the engine's ring. Called on the engine thread (open), the device watcher
//! (probe) and `mien doctor` (list).

use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use ringbuf::HeapCons;

use super::pulse::{self, PulseStream};
use super::shared::{fill, Shared};
use super::EngineCommand;

/// How long cpal's stream creation may take before the device counts as unavailable.
const OPEN_TIMEOUT: Duration = Duration::from_secs(2);

/// One output device as `mien doctor` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    /// cpal's host: `pulseaudio`, `alsa`, ...
    pub host: String,
    /// The host's own name for it (a PulseAudio sink name, an ALSA PCM name).
    pub name: String,
    /// A human-readable description, when the host has one.
    pub description: String,
    /// The host's default output.
    pub is_default: bool,
}

impl DeviceInfo {
    /// `host:name`, the form `[playback] device` matches first.
    pub fn id(&self) -> String {
        format!("{}:{}", self.host, self.name)
    }

    /// Whether `wanted` names this device exactly: `host:name`, `name` or the description,
    /// ignoring case.
    fn is_named(&self, wanted: &str) -> bool {
        [self.id(), self.name.clone(), self.description.clone()]
            .iter()
            .any(|n| n.eq_ignore_ascii_case(wanted))
    }

    fn mentions(&self, wanted: &str) -> bool {
        let w = wanted.to_lowercase();
        self.id().to_lowercase().contains(&w) || self.description.to_lowercase().contains(&w)
    }
}

/// Which device `wanted` names among `devices`: an exact match (first one wins), else the only
/// device whose id or description contains it. The error says what there is instead.
pub fn choose<'a>(devices: &'a [DeviceInfo], wanted: &str) -> Result<&'a DeviceInfo, String> {
    if let Some(d) = devices.iter().find(|d| d.is_named(wanted)) {
        return Ok(d);
    }
    let partial: Vec<&DeviceInfo> = devices.iter().filter(|d| d.mentions(wanted)).collect();
    match partial.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "no output device named {wanted:?} (there are: {})",
            names(devices)
        )),
        many => Err(format!(
            "{wanted:?} matches {} devices: {}; name one exactly",
            many.len(),
            many.iter().map(|d| d.id()).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn names(devices: &[DeviceInfo]) -> String {
    if devices.is_empty() {
        return "none".into();
    }
    devices
        .iter()
        .map(|d| d.id())
        .collect::<Vec<_>>()
        .join(", ")
}

fn alsa_info(device: &cpal::Device, default: Option<&str>) -> DeviceInfo {
    let name = device_name(device).unwrap_or_else(|| "?".into());
    let description = device
        .description()
        .map(|d| d.name().to_string())
        .unwrap_or_default();
    DeviceInfo {
        host: "alsa".into(),
        is_default: default == Some(name.as_str()),
        name,
        description,
    }
}

fn device_name(device: &cpal::Device) -> Option<String> {
    device.id().ok().map(|i| i.id().to_string())
}

/// cpal's ALSA devices.
fn alsa_devices() -> Vec<(DeviceInfo, cpal::Device)> {
    let host = cpal::default_host();
    let default = host.default_output_device().and_then(|d| device_name(&d));
    match host.output_devices() {
        Ok(devices) => devices
            .map(|d| (alsa_info(&d, default.as_deref()), d))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Every output device: the PulseAudio server's sinks (when one runs), then the ALSA devices.
pub fn list_devices() -> Vec<DeviceInfo> {
    let mut out = if pulse::available() {
        pulse::sinks().unwrap_or_default()
    } else {
        Vec::new()
    };
    out.extend(alsa_devices().into_iter().map(|(i, _)| i));
    out
}

/// Where a wanted device lives: a PulseAudio sink, or an ALSA device (`None`: its default).
enum Target {
    Pulse(Option<String>),
    Alsa(Option<cpal::Device>, String),
}

/// The device `wanted` names, or the default: PulseAudio's default sink when a server runs,
/// else ALSA's default device.
fn find(wanted: Option<&str>) -> Result<Target, String> {
    let Some(wanted) = wanted else {
        if pulse::available() && pulse::probe(None).is_ok() {
            return Ok(Target::Pulse(None));
        }
        return Ok(Target::Alsa(None, "alsa:default".into()));
    };
    if let Some(sink) = wanted.strip_prefix("pulseaudio:") {
        return Ok(Target::Pulse(Some(sink.to_string())));
    }
    let alsa = alsa_devices();
    let mut all: Vec<DeviceInfo> = if pulse::available() {
        pulse::sinks().unwrap_or_default()
    } else {
        Vec::new()
    };
    all.extend(alsa.iter().map(|(i, _)| i.clone()));
    let chosen = choose(&all, wanted)?.clone();
    if chosen.host == pulse::HOST {
        return Ok(Target::Pulse(Some(chosen.name)));
    }
    let device = alsa
        .into_iter()
        .find(|(i, _)| *i == chosen)
        .map(|(_, d)| d)
        .ok_or_else(|| format!("{wanted:?} disappeared while being opened"))?;
    Ok(Target::Alsa(Some(device), chosen.id()))
}

/// An open device's format and name.
pub struct DeviceStream {
    pub rate: u32,
    pub channels: usize,
    pub label: String,
}

/// The stream behind an open device; dropping it closes the stream.
pub(super) enum Opened {
    Pulse(PulseStream),
    Alsa(#[allow(dead_code)] cpal::Stream),
}

/// Opens the device `wanted` names (or the default) with a device buffer of about `buffer_ms`,
/// feeding it from `cons`. A stream error marks `shared` failed and sends `wake`, so that the
/// engine notices at once.
pub(super) fn open(
    wanted: Option<&str>,
    buffer_ms: u32,
    cons: impl FnOnce(u32, usize) -> HeapCons<f32>,
    shared: &Arc<Shared>,
    wake: Option<Sender<EngineCommand>>,
) -> Result<(Opened, DeviceStream), String> {
    match find(wanted)? {
        Target::Pulse(sink) => {
            let (stream, dev) = pulse::open(sink.as_deref(), buffer_ms, cons, shared, wake)?;
            Ok((Opened::Pulse(stream), dev))
        }
        Target::Alsa(device, label) => {
            let device = match device {
                Some(d) => d,
                None => cpal::default_host()
                    .default_output_device()
                    .ok_or_else(|| "no default output device".to_string())?,
            };
            let (stream, dev) = open_alsa(&device, label, buffer_ms, cons, shared, wake)?;
            Ok((Opened::Alsa(stream), dev))
        }
    }
}

fn open_alsa(
    device: &cpal::Device,
    label: String,
    buffer_ms: u32,
    cons: impl FnOnce(u32, usize) -> HeapCons<f32>,
    shared: &Arc<Shared>,
    wake: Option<Sender<EngineCommand>>,
) -> Result<(cpal::Stream, DeviceStream), String> {
    let supported = device
        .default_output_config()
        .map_err(|e| format!("{label}: {e}"))?;
    let mut config: cpal::StreamConfig = supported.config();
    let (rate, channels) = (config.sample_rate, usize::from(config.channels));
    if buffer_ms > 0 {
        // Two periods of half the buffer each.
        let want = (u64::from(rate) * u64::from(buffer_ms) / 2000).max(1) as u32;
        config.buffer_size = match *supported.buffer_size() {
            cpal::SupportedBufferSize::Range { min, max } => {
                cpal::BufferSize::Fixed(want.clamp(min, max))
            }
            cpal::SupportedBufferSize::Unknown => cpal::BufferSize::Fixed(want),
        };
    }
    let cons = cons(rate, channels);
    let stream = match supported.sample_format() {
        cpal::SampleFormat::F32 => build::<f32>(device, config, cons, shared, wake),
        cpal::SampleFormat::I16 => build::<i16>(device, config, cons, shared, wake),
        cpal::SampleFormat::U16 => build::<u16>(device, config, cons, shared, wake),
        cpal::SampleFormat::I32 => build::<i32>(device, config, cons, shared, wake),
        other => return Err(format!("{label}: unsupported sample format {other}")),
    }
    .map_err(|e| format!("{label}: {e}"))?;
    stream.play().map_err(|e| format!("{label}: {e}"))?;
    Ok((
        stream,
        DeviceStream {
            rate,
            channels,
            label,
        },
    ))
}

/// Builds a stream for sample type `T`. The callback converts from f32 through a scratch buffer
/// allocated here, before the stream starts, so the callback itself never allocates; it also
/// notes how far ahead of the listener the device is (`Shared::note_callback`).
fn build<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    mut cons: HeapCons<f32>,
    shared: &Arc<Shared>,
    wake: Option<Sender<EngineCommand>>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: cpal::SizedSample + cpal::FromSample<f32>,
{
    let data_shared = Arc::clone(shared);
    let err_shared = Arc::clone(shared);
    let mut scratch = vec![0.0f32; 16_384 * usize::from(config.channels)];
    device.build_output_stream(
        config,
        move |data: &mut [T], info: &cpal::OutputCallbackInfo| {
            let ts = info.timestamp();
            data_shared.note_callback(ts.playback.saturating_duration_since(ts.callback));
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
            if let Some(w) = &wake {
                let _ = w.send(EngineCommand::OutputCheck);
            }
        },
        Some(OPEN_TIMEOUT),
    )
}

/// Whether the device works: a PulseAudio sink must exist; an ALSA device is opened and plays
/// silence for `listen` (on some machines ALSA lists a default device whose streams all fail
/// once started). For `mien doctor` and the device watcher; playback itself uses
/// `Output::open`, which falls back by itself.
pub fn probe(wanted: Option<&str>, listen: Duration) -> Result<String, String> {
    let (device, label) = match find(wanted)? {
        Target::Pulse(sink) => return pulse::probe(sink.as_deref()),
        Target::Alsa(Some(d), label) => (d, label),
        Target::Alsa(None, label) => (
            cpal::default_host()
                .default_output_device()
                .ok_or_else(|| "no default output device".to_string())?,
            label,
        ),
    };
    let shared = Arc::new(Shared::new(0.0));
    let (_stream, dev) = open_alsa(
        &device,
        label,
        0,
        |rate, channels| super::output::make_ring(rate, channels, &shared).1,
        &shared,
        None,
    )?;
    std::thread::sleep(listen);
    if shared.take_failed() {
        return Err(format!("{}: the stream failed after opening", dev.label));
    }
    Ok(format!(
        "{} ({} Hz, {} ch)",
        dev.label, dev.rate, dev.channels
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(host: &str, name: &str, description: &str) -> DeviceInfo {
        DeviceInfo {
            host: host.into(),
            name: name.into(),
            description: description.into(),
            is_default: false,
        }
    }

    #[test]
    fn a_device_is_chosen_by_id_name_description_or_a_unique_part() {
        let devices = [
            dev("pulseaudio", "alsa_output.usb-DAC", "USB DAC Analog Stereo"),
            dev("pulseaudio", "nullsink", "Null Output"),
            dev("alsa", "default", "Default ALSA Output"),
        ];
        let pick = |w: &str| choose(&devices, w).map(|d| d.id());
        assert_eq!(pick("pulseaudio:nullsink").unwrap(), "pulseaudio:nullsink");
        assert_eq!(pick("NULLSINK").unwrap(), "pulseaudio:nullsink");
        assert_eq!(
            pick("usb dac analog stereo").unwrap(),
            "pulseaudio:alsa_output.usb-DAC"
        );
        assert_eq!(pick("usb").unwrap(), "pulseaudio:alsa_output.usb-DAC");
        assert_eq!(pick("default").unwrap(), "alsa:default");
        let ambiguous = pick("output").unwrap_err();
        assert!(ambiguous.contains("matches 3 devices"), "{ambiguous}");
        let missing = pick("hdmi").unwrap_err();
        assert!(
            missing.contains("no output device named \"hdmi\""),
            "{missing}"
        );
        assert!(missing.contains("pulseaudio:nullsink"), "{missing}");
    }
}
