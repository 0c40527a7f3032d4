//! Audio fixtures for the engine tests: float WAV files (an exact round trip through the
//! decoder) and waiting for engine events.

use std::path::Path;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use mien::audio::EngineEvent;

/// Writes a 32-bit float WAV (exact round trip through the decoder).
pub fn write_wav(path: &Path, rate: u32, channels: u16, samples: &[f32]) {
    let data_len = (samples.len() * 4) as u32;
    let mut b = Vec::with_capacity(44 + samples.len() * 4);
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data_len).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&3u16.to_le_bytes()); // IEEE float
    b.extend_from_slice(&channels.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * u32::from(channels) * 4).to_le_bytes());
    b.extend_from_slice(&(channels * 4).to_le_bytes());
    b.extend_from_slice(&32u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        b.extend_from_slice(&s.to_le_bytes());
    }
    std::fs::write(path, b).unwrap();
}

/// Each value of `mono` on `channels` channels.
pub fn spread(mono: &[f32], channels: usize) -> Vec<f32> {
    mono.iter()
        .flat_map(|v| std::iter::repeat_n(*v, channels))
        .collect()
}

/// Waits for the first event matching `pred`, collecting all events seen on the way.
pub fn wait_for(
    rx: &Receiver<EngineEvent>,
    secs: u64,
    mut pred: impl FnMut(&EngineEvent) -> bool,
) -> Vec<EngineEvent> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(ev) => {
                let hit = pred(&ev);
                seen.push(ev);
                if hit {
                    return seen;
                }
            }
            Err(_) => break,
        }
    }
    panic!("timed out; events seen: {seen:#?}");
}
