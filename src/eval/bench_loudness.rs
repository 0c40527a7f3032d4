//! `mien bench loudness FILE...`: what the background loudness meter costs per track: the CPU
//! time of decoding the whole file alone, and of decoding and metering it (EBU R128 integrated
//! loudness and sample peak), on this thread, with the result.

use std::path::Path;

use anyhow::Context as _;
use serde_json::json;

use crate::audio::loudness::measure;
use crate::audio::TrackDecoder;

/// CPU time of the calling thread, in seconds.
fn thread_cpu() -> f64 {
    // SAFETY: clock_gettime writes into the struct we pass.
    let mut t: libc::timespec = unsafe { std::mem::zeroed() };
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

fn decode_only(path: &Path) -> anyhow::Result<u64> {
    let mut dec = TrackDecoder::open(path)?;
    let (mut buf, mut frames) = (Vec::new(), 0u64);
    loop {
        buf.clear();
        let more = dec.read(&mut buf)?;
        frames += (buf.len() / dec.channels().max(1)) as u64;
        if !more {
            return Ok(frames);
        }
    }
}

pub fn run(files: &[std::path::PathBuf], json_out: bool) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    for path in files {
        let t0 = thread_cpu();
        decode_only(path).with_context(|| format!("decoding {}", path.display()))?;
        let t1 = thread_cpu();
        let l = measure(path).with_context(|| format!("measuring {}", path.display()))?;
        let t2 = thread_cpu();
        let rate = TrackDecoder::open(path)?.rate().max(1);
        let seconds = l.frames as f64 / f64::from(rate);
        let (decode_ms, total_ms) = ((t1 - t0) * 1e3, (t2 - t1) * 1e3);
        rows.push(json!({
            "file": path, "audio_seconds": seconds,
            "decode_ms": decode_ms, "decode_and_meter_ms": total_ms,
            "ms_per_audio_minute": total_ms / seconds.max(1e-9) * 60.0,
            "integrated_lufs": l.integrated_lufs, "gain_db": l.gain_db(), "peak": l.peak,
        }));
        if !json_out {
            println!(
                "{}: {:.1} s of audio, decode {:.1} ms, decode + meter {:.1} ms \
                 ({:.1} ms per audio minute), {} LUFS, gain {}",
                path.display(),
                seconds,
                decode_ms,
                total_ms,
                total_ms / seconds.max(1e-9) * 60.0,
                l.integrated_lufs
                    .map_or("silent".into(), |v| format!("{v:.2}")),
                l.gain_db().map_or("none".into(), |g| format!("{g:+.2} dB")),
            );
        }
    }
    if json_out {
        println!("{}", json!({ "files": rows }));
    }
    Ok(())
}
