//! A private PulseAudio server for the tests that play through a real sound server: its own
//! `XDG_RUNTIME_DIR` and `HOME` in a temp dir, `pulseaudio -n --daemonize --exit-idle-time=-1`
//! with only a null sink (`nullsink`, 48 kHz float stereo, so that nothing is resampled or
//! converted) and the native protocol, and `parec` recording the sink's monitor: exactly what
//! mien sent. Dropping the server stops it.
//!
//! Without the binaries (`tools/install-deps.sh` installs `pulseaudio`, `pulseaudio-utils`) a
//! test says so and is skipped, except under `CI=true`, where that is a failure.
//!
//! The engine under test runs in the test process and finds the server through `PULSE_SERVER`,
//! which is process-wide: [`PulseServer::connect`] sets it and holds a lock, so these tests run
//! one at a time.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The sink's rate; test signals are made at this rate.
pub const RATE: u32 = 48_000;

pub struct PulseServer {
    dir: tempfile::TempDir,
    pid: Option<i32>,
    sinks: Vec<String>,
    /// One server (and one test through it) at a time: on 2 loaded cores another test's server
    /// starting up made this one's stream underrun. Last, so the daemon is gone before the next
    /// test's turn.
    _turn: MutexGuard<'static, ()>,
}

/// This process's PulseAudio clients point at a test's server (see [`PulseServer::connect`]).
pub struct Connected;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn have(binary: &str) -> bool {
    Command::new(binary)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

impl PulseServer {
    /// Starts a server with the sink `nullsink`, or says why not: `None` (skip) outside CI.
    pub fn start() -> Option<PulseServer> {
        Self::start_with(&["nullsink"])
    }

    /// A server with these null sinks (the first is the default).
    pub fn start_with(sinks: &[&str]) -> Option<PulseServer> {
        let missing: Vec<&str> = ["pulseaudio", "parec", "pactl"]
            .into_iter()
            .filter(|b| !have(b))
            .collect();
        if !missing.is_empty() {
            let msg = format!(
                "this test needs a sound server, but {} missing: run tools/install-deps.sh \
                 (pulseaudio, pulseaudio-utils)",
                missing.join(", ")
            );
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{msg}");
            }
            eprintln!("skipped: {msg}");
            return None;
        }
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in ["run", "home"] {
            std::fs::create_dir(dir.path().join(sub)).expect("server dirs");
        }
        use std::os::unix::fs::PermissionsExt;
        let run = dir.path().join("run");
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        // Clients must not start a server of their own when this one is down.
        std::fs::write(dir.path().join("client.conf"), "autospawn = no\n").expect("client.conf");
        let mut server = PulseServer {
            dir,
            pid: None,
            sinks: sinks.iter().map(|s| s.to_string()).collect(),
            _turn: turn,
        };
        server.launch();
        Some(server)
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env("XDG_RUNTIME_DIR", self.dir.path().join("run"))
            .env("HOME", self.dir.path().join("home"))
            .env("PULSE_SERVER", self.address())
            .env("PULSE_CLIENTCONFIG", self.dir.path().join("client.conf"));
    }

    /// `unix:` and the server's socket.
    pub fn address(&self) -> String {
        format!("unix:{}", self.socket().display())
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("run/pulse/native")
    }

    /// Starts the daemon (again, after `kill`) with the same sinks and socket.
    pub fn launch(&mut self) {
        let _ = std::fs::remove_file(self.socket());
        let mut cmd = Command::new("pulseaudio");
        self.env(&mut cmd);
        cmd.args([
            "-n",
            "--daemonize",
            "--exit-idle-time=-1",
            "--disable-shm=yes",
            "--log-target=stderr",
        ]);
        for s in &self.sinks {
            cmd.arg(format!(
                "--load=module-null-sink sink_name={s} rate={RATE} format=float32le channels=2"
            ));
        }
        cmd.arg("--load=module-native-protocol-unix auth-anonymous=1");
        let out = cmd.output().expect("run pulseaudio");
        assert!(
            out.status.success(),
            "pulseaudio did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pid_file = self.dir.path().join("run/pulse/pid");
        let pid = std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .expect("pulseaudio wrote its pid");
        self.pid = Some(pid);
        self.pactl(&["set-default-sink", &self.sinks[0]]);
    }

    /// Kills the daemon at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(pid) = self.pid.take() {
            // SAFETY: signalling the daemon this server started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            wait_gone(pid);
        }
    }

    /// Runs `pactl` against this server; returns its stdout.
    pub fn pactl(&self, args: &[&str]) -> String {
        let mut cmd = Command::new("pactl");
        self.env(&mut cmd);
        let out = cmd.args(args).output().expect("run pactl");
        assert!(
            out.status.success(),
            "pactl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The streams playing on the server (`pactl list short sink-inputs`), one per line.
    pub fn sink_inputs(&self) -> usize {
        self.pactl(&["list", "short", "sink-inputs"])
            .lines()
            .count()
    }

    /// Points this process's PulseAudio clients at the server. The server's turn (held since
    /// `start`) keeps the other tests of this binary from touching the environment meanwhile.
    pub fn connect(&self) -> Connected {
        std::env::set_var("PULSE_SERVER", self.address());
        std::env::set_var("PULSE_CLIENTCONFIG", self.dir.path().join("client.conf"));
        Connected
    }

    /// Starts recording `sink`'s monitor (float, stereo, at `RATE`).
    pub fn record(&self, sink: &str) -> Recording {
        let mut cmd = Command::new("parec");
        self.env(&mut cmd);
        let mut child = cmd
            .args([
                "-d",
                &format!("{sink}.monitor"),
                "--format=float32le",
                &format!("--rate={RATE}"),
                "--channels=2",
                "--raw",
                "--latency-msec=20",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run parec");
        let mut stdout = child.stdout.take().expect("parec stdout");
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let sink_bytes = Arc::clone(&bytes);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 16_384];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink_bytes.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        // Recording has begun once the first (silent) samples arrive.
        let began = Instant::now();
        while bytes.lock().unwrap().is_empty() && began.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(10));
        }
        Recording {
            child,
            reader: Some(reader),
            bytes,
        }
    }
}

impl Drop for PulseServer {
    fn drop(&mut self) {
        if let Some(pid) = self.pid.take() {
            // SAFETY: signalling the daemon this server started.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            wait_gone(pid);
        }
    }
}

fn wait_gone(pid: i32) {
    let began = Instant::now();
    while Path::new(&format!("/proc/{pid}")).exists() && began.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A running `parec`.
pub struct Recording {
    child: Child,
    reader: Option<JoinHandle<()>>,
    bytes: Arc<Mutex<Vec<u8>>>,
}

impl Recording {
    /// Stereo frames recorded so far.
    pub fn frames(&self) -> usize {
        self.bytes.lock().unwrap().len() / 8
    }

    /// Stops recording; the interleaved stereo samples recorded.
    pub fn stop(mut self) -> Vec<f32> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        let bytes = self.bytes.lock().unwrap();
        bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The left channel of interleaved stereo.
pub fn left(stereo: &[f32]) -> Vec<f32> {
    stereo.chunks_exact(2).map(|f| f[0]).collect()
}

/// Index of the first and one past the last sample that is not silence.
pub fn sounding(samples: &[f32]) -> Option<(usize, usize)> {
    let first = samples.iter().position(|v| *v != 0.0)?;
    let last = samples.iter().rposition(|v| *v != 0.0)?;
    Some((first, last + 1))
}
