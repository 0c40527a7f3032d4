//! Shared by the damaged-file tests: running the real binary under a time bound (killed if it
//! overruns), special files (FIFOs, link loops), a WAV tone, and the seeded damage generator
//! that turns the bundled library into hundreds of broken files.
#![allow(dead_code)]

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// What a bounded run of `mien` did: its output, or `None` when it overran and was killed.
pub struct Run {
    pub output: Option<Output>,
    pub elapsed: Duration,
}

impl Run {
    pub fn stdout(&self) -> String {
        self.output
            .as_ref()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }
    pub fn stderr(&self) -> String {
        self.output
            .as_ref()
            .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
            .unwrap_or_default()
    }
    /// Whether it ended by itself within the bound without a panic.
    pub fn ended_cleanly(&self) -> bool {
        self.output.as_ref().is_some_and(|o| {
            o.status.code().is_some()
                && o.status.code() != Some(101)
                && !String::from_utf8_lossy(&o.stderr).contains("panicked")
                && !String::from_utf8_lossy(&o.stderr).contains("internal error")
        })
    }
    pub fn success(&self) -> bool {
        self.output.as_ref().is_some_and(|o| o.status.success())
    }
}

/// Runs `mien --data-dir DATA ARGS`, killing it after `limit`.
pub fn mien_bounded(data: &Path, args: &[&std::ffi::OsStr], limit: Duration) -> Run {
    let started = Instant::now();
    // The null output: these tests need no sound server and must not wait for one.
    std::fs::create_dir_all(data).expect("data dir");
    let config = data.join("fuzz-config.toml");
    std::fs::write(&config, "[playback]\noutput = \"null\"\n").expect("config");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mien"))
        .arg("--data-dir")
        .arg(data)
        .arg("--config")
        .arg(&config)
        .args(args)
        .env("XDG_CONFIG_HOME", data.join("no-config"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mien");
    // Read the pipes on threads so that a chatty child cannot fill them and stall.
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out_pipe, &mut b);
        b
    });
    let err_t = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err_pipe, &mut b);
        b
    });
    let status = loop {
        match child.try_wait().expect("wait") {
            Some(status) => break Some(status),
            None if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    Run {
        output: status.map(|status| Output {
            status,
            stdout,
            stderr,
        }),
        elapsed: started.elapsed(),
    }
}

pub fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

pub fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("library")
}

/// The bundled library's audio files, sorted.
pub fn bundled_tracks() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![bundled()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("read library").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if mien::library::is_audio_path(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

/// A 16-bit mono PCM WAV of `frames` frames of a 440 Hz tone (header as its fields, in order).
pub fn wav_tone(rate: u32, frames: u32) -> Vec<u8> {
    let data = frames * 2;
    let fields: [&[u8]; 12] = [
        b"RIFF",
        &(36 + data).to_le_bytes(),
        b"WAVEfmt ",
        &16u32.to_le_bytes(),
        &1u16.to_le_bytes(), // PCM
        &1u16.to_le_bytes(), // mono
        &rate.to_le_bytes(),
        &(rate * 2).to_le_bytes(),
        &2u16.to_le_bytes(),
        &16u16.to_le_bytes(),
        b"data",
        &data.to_le_bytes(),
    ];
    let mut b = fields.concat();
    let step = 440.0 * std::f32::consts::TAU / rate as f32;
    b.extend((0..frames).flat_map(|i| (((i as f32 * step).sin() * 8000.0) as i16).to_le_bytes()));
    b
}

/// xorshift64*: a small seeded generator, so that a failing case can be made again.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The kinds of damage made, in the order they are cycled through.
pub const KINDS: &[&str] = &[
    "truncated",
    "header-flips",
    "body-flips",
    "zero-length",
    "wrong-extension",
    "fifo",
    "symlink-loop",
    "dangling-link",
    "unreadable",
    "non-utf8-name",
    "dev-zero-link",
];

/// Makes `n` damaged files in `dir` from the bundled tracks, with seed `seed`. Returns each
/// path (as the scan will name it) with its kind of damage.
pub fn make_damaged(dir: &Path, n: usize, seed: u64) -> Vec<(PathBuf, &'static str)> {
    let sources: Vec<(PathBuf, Vec<u8>)> = bundled_tracks()
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read bundled track");
            (p, bytes)
        })
        .collect();
    let mut rng = Rng::new(seed);
    let mut made = Vec::with_capacity(n);
    for i in 0..n {
        let kind = KINDS[i % KINDS.len()];
        let (src, bytes) = &sources[rng.below(sources.len())];
        let ext = src.extension().and_then(|e| e.to_str()).unwrap_or("mp3");
        let path = dir.join(format!("{i:04}-{kind}.{ext}"));
        match kind {
            "truncated" => {
                let cut = rng.below(bytes.len());
                std::fs::write(&path, &bytes[..cut]).expect("write");
            }
            "header-flips" | "body-flips" => {
                let mut b = bytes.clone();
                let (lo, hi) = if kind == "header-flips" {
                    (0, b.len().min(256))
                } else {
                    (b.len().min(256), b.len())
                };
                for _ in 0..1 + rng.below(16) {
                    if hi > lo {
                        let at = lo + rng.below(hi - lo);
                        b[at] ^= 1 << rng.below(8);
                    }
                }
                std::fs::write(&path, b).expect("write");
            }
            "zero-length" => std::fs::write(&path, b"").expect("write"),
            "wrong-extension" => {
                let wrong = ["mp3", "flac", "ogg", "wav", "m4a", "aiff", "opus"];
                let other = wrong[rng.below(wrong.len())];
                let path = dir.join(format!("{i:04}-{kind}.{other}"));
                std::fs::write(&path, bytes).expect("write");
                made.push((path, kind));
                continue;
            }
            "fifo" => mkfifo(&path),
            "symlink-loop" => {
                let other = dir.join(format!("{i:04}-{kind}-b.{ext}"));
                symlink(&other, &path).expect("link");
                symlink(&path, &other).expect("link");
                made.push((other, kind));
            }
            "dangling-link" => {
                symlink(dir.join(format!("missing-{i}.{ext}")), &path).expect("link")
            }
            "unreadable" => {
                std::fs::write(&path, bytes).expect("write");
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000))
                    .expect("chmod");
            }
            "non-utf8-name" => {
                let mut name = format!("{i:04}-").into_bytes();
                name.extend_from_slice(b"\xff\xfe-caf\xe9.");
                name.extend_from_slice(ext.as_bytes());
                let path = dir.join(OsString::from_vec(name));
                let cut = bytes.len() / (1 + rng.below(3));
                std::fs::write(&path, &bytes[..cut]).expect("write");
                made.push((path, kind));
                continue;
            }
            "dev-zero-link" => symlink("/dev/zero", &path).expect("link"),
            _ => unreachable!("every kind is handled"),
        }
        made.push((path, kind));
    }
    made
}
