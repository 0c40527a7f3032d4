//! End to end: the real `mien` binary in a pseudo-terminal (a private tmux server), driven by key
//! presses, on a generated library of tagged WAV files. Checks what the screen shows and what
//! the store holds after quitting, and that quitting gives the terminal back.
//!
//! Needs `tmux` (installed by `tools/install-deps.sh`); without it these tests fail, saying so.
//! No sound card is needed: mien falls back to its silent output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

use mien::core::{Rating, TrackId};
use mien::store::Store;

/// How long the screen may take to show what a key press asked for (the machine may be busy).
const STEP: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);
const SESSION: &str = "mien";

// --- A library of tagged WAV files ----------------------------------------------------------

/// A mono 16-bit PCM WAV file: a sine tone of `seconds` at `hz`, with a RIFF `LIST`/`INFO` chunk
/// carrying the title (`INAM`), artist (`IART`) and album (`IPRD`).
fn tagged_wav(seconds: f32, hz: f32, title: &str, artist: &str, album: &str) -> Vec<u8> {
    const RATE: u32 = 22_050;
    let n = (seconds * RATE as f32) as usize;
    let mut data = Vec::with_capacity(n * 2);
    for k in 0..n {
        let s = (k as f32 * hz * std::f32::consts::TAU / RATE as f32).sin() * 6_000.0;
        data.extend_from_slice(&(s as i16).to_le_bytes());
    }
    let mut info = b"INFO".to_vec();
    for (id, text) in [(b"INAM", title), (b"IART", artist), (b"IPRD", album)] {
        let mut value = text.as_bytes().to_vec();
        value.push(0);
        info.extend_from_slice(id);
        info.extend_from_slice(&(value.len() as u32).to_le_bytes());
        if value.len() % 2 == 1 {
            value.push(0); // chunks are padded to an even length; the size excludes the pad
        }
        info.extend_from_slice(&value);
    }
    let mut fmt = Vec::new();
    fmt.extend_from_slice(&1u16.to_le_bytes()); // PCM
    fmt.extend_from_slice(&1u16.to_le_bytes()); // mono
    fmt.extend_from_slice(&RATE.to_le_bytes());
    fmt.extend_from_slice(&(RATE * 2).to_le_bytes()); // bytes per second
    fmt.extend_from_slice(&2u16.to_le_bytes()); // block align
    fmt.extend_from_slice(&16u16.to_le_bytes()); // bits per sample

    let mut body = b"WAVE".to_vec();
    for (id, chunk) in [(b"fmt ", &fmt), (b"data", &data), (b"LIST", &info)] {
        body.extend_from_slice(id);
        body.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
        body.extend_from_slice(chunk);
    }
    let mut file = b"RIFF".to_vec();
    file.extend_from_slice(&(body.len() as u32).to_le_bytes());
    file.extend_from_slice(&body);
    file
}

/// Writes the test library under `dir` and returns the path of the track the tests play
/// (Ada Lin, Blue Hour, "Awake": the first track of the first album of the first artist).
fn write_library(dir: &Path) -> PathBuf {
    let files = [
        (
            "Ada Lin/Blue Hour/01 Awake.wav",
            3.0,
            440.0,
            "Awake",
            "Ada Lin",
            "Blue Hour",
        ),
        (
            "Ada Lin/Blue Hour/02 Night Drive.wav",
            1.0,
            330.0,
            "Night Drive",
            "Ada Lin",
            "Blue Hour",
        ),
        (
            "Bruno Moss/Fields/01 Morning.wav",
            2.0,
            550.0,
            "Morning",
            "Bruno Moss",
            "Fields",
        ),
    ];
    for (rel, seconds, hz, title, artist, album) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, tagged_wav(seconds, hz, title, artist, album)).unwrap();
    }
    dir.join(files[0].0).canonicalize().unwrap()
}

// --- tmux -----------------------------------------------------------------------------------

/// A private tmux server running one session with mien in it. Dropping it kills the server,
/// whatever state the test left it in.
struct Tmux {
    socket: String,
    /// The server's socket file, removed after the server is killed.
    socket_path: Option<PathBuf>,
    /// Where the session's shell writes `EXIT=<status>` once mien has exited.
    exit_file: PathBuf,
    /// `stty -a` of the pane's terminal, taken after mien exited.
    stty_file: PathBuf,
    stderr_file: PathBuf,
    data_dir: PathBuf,
}

fn require_tmux() {
    match Command::new("tmux").arg("-V").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "`tmux -V` failed ({}): run tools/install-deps.sh",
            out.status
        ),
        Err(e) => panic!(
            "tmux is not on PATH ({e}); the end-to-end tests need it: run tools/install-deps.sh"
        ),
    }
}

impl Tmux {
    /// Starts `mien --data-dir DATA --library MUSIC --config EMPTY` in a 100×30 pane. The pane
    /// stays after mien exits (`remain-on-exit`) so the tests can look at what it left behind.
    fn start(root: &Path, music: &Path) -> Tmux {
        Tmux::start_with(root, music, None)
    }

    /// [`Tmux::start`], with a playlist given on the command line (`mien PLAYLIST.m3u`).
    fn start_with(root: &Path, music: &Path, playlist: Option<&Path>) -> Tmux {
        Tmux::start_env(root, music, playlist, &[])
    }

    /// [`Tmux::start_with`], with extra environment variables for mien.
    fn start_env(root: &Path, music: &Path, playlist: Option<&Path>, env: &[(&str, &str)]) -> Tmux {
        require_tmux();
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let socket = format!(
            "mien-e2e-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::SeqCst)
        );
        let config = root.join("config.toml");
        std::fs::write(&config, "").unwrap();
        let tmux_conf = root.join("tmux.conf");
        std::fs::write(&tmux_conf, "set -g remain-on-exit on\n").unwrap();
        let mut tmux = Tmux {
            socket,
            socket_path: None,
            exit_file: root.join("exit"),
            stty_file: root.join("stty"),
            stderr_file: root.join("stderr"),
            data_dir: root.join("data"),
        };
        // The shell's arguments: $1 mien, $2 data dir, $3 library, $4 config, $5 stderr,
        // $6 stty file, $7 exit file (written last, atomically), $8 the playlist if any.
        let script = r#""$1" --data-dir "$2" --library "$3" --config "$4" ${8:+"$8"} 2>"$5"; code=$?; stty -a >"$6" 2>&1; echo "EXIT=$code" >"$7.tmp"; mv "$7.tmp" "$7""#;
        let mut args: Vec<String> = [
            "-f",
            tmux_conf.to_str().unwrap(),
            "new-session",
            "-d",
            "-s",
            SESSION,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(["-x", "100", "-y", "30", "env"].map(String::from));
        args.extend(env.iter().map(|(k, v)| format!("{k}={v}")));
        args.extend(["sh", "-c", script, "sh"].map(String::from));
        for p in [
            Path::new(env!("CARGO_BIN_EXE_mien")),
            &tmux.data_dir,
            music,
            &config,
            &tmux.stderr_file,
            &tmux.stty_file,
            &tmux.exit_file,
        ] {
            args.push(p.to_str().unwrap().to_string());
        }
        if let Some(p) = playlist {
            args.push(p.to_str().unwrap().to_string());
        }
        let out = tmux.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux.socket_path =
            Some(PathBuf::from(tmux.pane_var("socket_path"))).filter(|p| p.is_absolute());
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-u")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .env("LANG", "C.UTF-8")
            .output()
            .expect("run tmux")
    }

    /// The pane's visible text.
    fn capture(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", SESSION]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Presses one key (a tmux key name: `Enter`, `Tab`, `q`), then gives mien a moment.
    fn press(&self, key: &str) {
        let out = self.run(&["send-keys", "-t", SESSION, key]);
        assert!(
            out.status.success(),
            "send-keys {key}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        sleep(POLL);
    }

    /// Waits until the pane shows `needle`; fails with the screen and mien's log otherwise.
    #[track_caller]
    fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if screen.contains(needle) {
                return screen;
            }
            if start.elapsed() > STEP {
                panic!(
                    "{needle:?} did not appear within {STEP:?}\n{}",
                    self.diagnostics(&screen)
                );
            }
            sleep(POLL);
        }
    }

    /// Waits for mien to exit and returns the shell's `EXIT=<status>` line.
    #[track_caller]
    fn wait_for_exit(&self) -> String {
        let start = Instant::now();
        loop {
            if let Ok(text) = std::fs::read_to_string(&self.exit_file) {
                return text.trim().to_string();
            }
            if start.elapsed() > STEP {
                panic!(
                    "mien did not exit within {STEP:?}\n{}",
                    self.diagnostics(&self.capture())
                );
            }
            sleep(POLL);
        }
    }

    /// A tmux format variable of the pane (`alternate_on`, `pane_dead`, ...).
    fn pane_var(&self, name: &str) -> String {
        let out = self.run(&[
            "display-message",
            "-p",
            "-t",
            SESSION,
            &format!("#{{{name}}}"),
        ]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn diagnostics(&self, screen: &str) -> String {
        let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| format!("({e})"));
        format!(
            "--- screen ---\n{screen}\n--- stderr ---\n{}\n--- mien.log ---\n{}",
            read(&self.stderr_file),
            read(&self.data_dir.join("mien.log"))
        )
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
        if let Some(p) = &self.socket_path {
            let _ = std::fs::remove_file(p);
        }
    }
}

// --- Tests ----------------------------------------------------------------------------------

#[test]
fn playing_and_rating_a_track_in_the_terminal_is_saved_for_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let music = root.join("music");
    let awake = write_library(&music);
    let tmux = Tmux::start(&root, &music);

    tmux.wait_for("Ada Lin");
    tmux.wait_for("Bruno Moss"); // the scan has reached both artists
    tmux.press("Enter");
    tmux.wait_for("┌ Ada Lin · 1 ");
    tmux.press("Enter");
    let screen = tmux.wait_for("┌ Ada Lin › Blue Hour · 2 ");
    assert!(
        screen.contains("Awake") && screen.contains("Night Drive"),
        "{screen}"
    );
    tmux.press("e");
    tmux.wait_for("Queue · 1 ");
    tmux.press("Enter");
    tmux.wait_for("▶ playing");
    tmux.press("4");
    tmux.wait_for("★★★★☆");
    // The listener's volume and repeat mode come back next time too.
    tmux.press("-");
    tmux.wait_for("vol 95%");
    tmux.press("r");
    tmux.wait_for("repeat all");
    tmux.press("q");
    assert_eq!(
        tmux.wait_for_exit(),
        "EXIT=0",
        "{}",
        tmux.diagnostics(&tmux.capture())
    );
    {
        std::fs::remove_file(root.join("exit")).unwrap();
        let again = Tmux::start(&root, &music);
        let screen = again.wait_for("vol 95%");
        assert!(screen.contains("repeat all"), "{screen}");
        again.press("q");
        assert_eq!(again.wait_for_exit(), "EXIT=0");
    }

    let store = Store::open(&root.join("data")).unwrap();
    let id = TrackId::from_path(&awake);
    assert_eq!(
        store.rating(id).unwrap(),
        Rating::new(4),
        "the rating of {}",
        awake.display()
    );
    let queue = store.load_queue().unwrap().expect("the queue was saved");
    // `enter` on Awake played it with the rest of its album after it, and took the Awake that
    // `e` had queued rather than queueing it twice.
    let night_drive = music.join("Ada Lin/Blue Hour/02 Night Drive.wav");
    assert_eq!(queue.paths, [awake, night_drive], "{queue:?}");
    assert_eq!(queue.current, Some(0), "{queue:?}");
}

/// The pid of the mien process in the pane (the shell that started it is not matched: its command
/// line starts with `sh`).
fn mien_pid(data_dir: &Path) -> String {
    let pattern = format!(
        "^{} --data-dir {}",
        env!("CARGO_BIN_EXE_mien"),
        data_dir.display()
    );
    let out = Command::new("pgrep")
        .args(["-f", &pattern])
        .output()
        .unwrap();
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        !pid.is_empty() && !pid.contains('\n'),
        "pgrep found {pid:?}"
    );
    pid
}

#[test]
fn sigterm_and_sighup_give_the_terminal_back_and_save_the_queue_and_position() {
    for (signal, exit) in [("TERM", "EXIT=143"), ("HUP", "EXIT=129")] {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let music = root.join("music");
        let awake = write_library(&music);
        let tmux = Tmux::start(&root, &music);
        tmux.wait_for("Bruno Moss");
        tmux.press("Enter");
        tmux.wait_for("┌ Ada Lin · 1 ");
        tmux.press("Enter");
        tmux.wait_for("┌ Ada Lin › Blue Hour · 2 ");
        tmux.press("e");
        tmux.wait_for("Queue · 1 ");
        tmux.press("Enter");
        tmux.wait_for("▶ playing");
        // Paused a moment in, so that the 3 s track is still current when the signal comes.
        sleep(Duration::from_millis(1_200));
        tmux.press("Space");
        tmux.wait_for("⏸ paused");
        let pid = mien_pid(&tmux.data_dir);
        let killed = Command::new("kill")
            .args(["-s", signal, &pid])
            .status()
            .unwrap();
        assert!(killed.success());
        assert_eq!(
            tmux.wait_for_exit(),
            exit,
            "SIG{signal}: {}",
            tmux.diagnostics(&tmux.capture())
        );
        assert_eq!(
            tmux.pane_var("alternate_on"),
            "0",
            "SIG{signal}: alternate screen left on"
        );
        assert_eq!(
            tmux.pane_var("mouse_any_flag"),
            "0",
            "SIG{signal}: mouse capture left on"
        );
        let stty = std::fs::read_to_string(&tmux.stty_file).unwrap();
        let flags: Vec<&str> = stty.split_whitespace().collect();
        for flag in ["icanon", "echo", "isig"] {
            assert!(
                flags.contains(&flag),
                "SIG{signal}: raw mode left on ({flag} missing):\n{stty}"
            );
        }
        let store = Store::open(&tmux.data_dir).unwrap();
        let queue = store.load_queue().unwrap().expect("the queue was saved");
        assert_eq!(queue.paths.first(), Some(&awake), "SIG{signal}: {queue:?}");
        assert_eq!(queue.current, Some(0), "SIG{signal}: {queue:?}");
        assert!(
            queue.position_ms >= 1_000,
            "SIG{signal}: the position: {queue:?}"
        );
    }
}

#[test]
fn quitting_at_once_exits_zero_and_gives_the_terminal_back() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let music = root.join("music");
    std::fs::create_dir_all(&music).unwrap();
    let tmux = Tmux::start(&root, &music);

    tmux.wait_for("┌ Artists · ");
    assert_eq!(
        tmux.pane_var("alternate_on"),
        "1",
        "mien draws on the alternate screen"
    );
    // Album art is on (the default), and still the pane's tmux settings are the user's.
    let passthrough = tmux.run(&["show-options", "-p", "-t", SESSION, "allow-passthrough"]);
    assert_eq!(
        String::from_utf8_lossy(&passthrough.stdout).trim(),
        "",
        "mien changed the pane's allow-passthrough"
    );
    // `[ui] mouse` is on by default: clicks and the wheel (1000) in SGR coordinates (1006),
    // no motion reports.
    assert_eq!(tmux.pane_var("mouse_standard_flag"), "1", "mouse capture");
    assert_eq!(
        tmux.pane_var("mouse_sgr_flag"),
        "1",
        "SGR mouse coordinates"
    );
    assert_eq!(tmux.pane_var("mouse_all_flag"), "0", "no motion events");
    tmux.press("q");
    assert_eq!(
        tmux.wait_for_exit(),
        "EXIT=0",
        "{}",
        tmux.diagnostics(&tmux.capture())
    );

    assert_eq!(
        tmux.pane_var("alternate_on"),
        "0",
        "the alternate screen was left"
    );
    assert_eq!(
        tmux.pane_var("mouse_any_flag"),
        "0",
        "mouse capture left on"
    );
    let screen = tmux.capture();
    assert!(
        !screen.contains("Artists") && !screen.contains("? help"),
        "leftovers:\n{screen}"
    );
    let stty = std::fs::read_to_string(&tmux.stty_file).unwrap();
    let flags: Vec<&str> = stty.split_whitespace().collect();
    for flag in ["icanon", "echo", "isig"] {
        assert!(
            flags.contains(&flag),
            "raw mode left on ({flag} missing):\n{stty}"
        );
    }
}

/// A left click at cell (`x`, `y`) (0-based) as the terminal reports it in SGR mode, press and
/// release.
fn click(tmux: &Tmux, x: u16, y: u16) {
    for end in ['M', 'm'] {
        let report = format!("\x1b[<0;{};{}{end}", x + 1, y + 1);
        let out = tmux.run(&["send-keys", "-t", SESSION, "-l", &report]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_double_click_in_the_terminal_opens_an_artist_then_an_album_then_plays() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let music = root.join("music");
    write_library(&music);
    let tmux = Tmux::start(&root, &music);
    let screen = tmux.wait_for("Bruno Moss");
    // Artists: Ada Lin on the list's first row (screen row 1), Bruno Moss on the second.
    let row = screen.lines().position(|l| l.contains("Ada Lin")).unwrap() as u16;
    click(&tmux, 3, row);
    click(&tmux, 3, row);
    tmux.wait_for("┌ Ada Lin · 1 ");
    click(&tmux, 3, row);
    click(&tmux, 3, row);
    tmux.wait_for("┌ Ada Lin › Blue Hour · 2 ");
    click(&tmux, 3, row);
    click(&tmux, 3, row);
    tmux.wait_for("▶ playing");
    tmux.press("q");
    assert_eq!(
        tmux.wait_for_exit(),
        "EXIT=0",
        "{}",
        tmux.diagnostics(&tmux.capture())
    );
}

#[test]
fn a_playlist_from_the_command_line_is_played_and_the_queue_can_be_saved_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let music = root.join("music");
    write_library(&music);
    let playlist = root.join("evening.m3u");
    std::fs::write(
        &playlist,
        "#EXTM3U\r\n#EXTINF:1,Ada Lin - Night Drive\r\nmusic/Ada Lin/Blue Hour/02 Night Drive.wav\r\nmusic/Bruno Moss/Fields/01 Morning.wav\r\nmusic/gone/Deleted.wav\r\n",
    )
    .unwrap();
    let tmux = Tmux::start_with(&root, &music, Some(&playlist));

    // The entry whose file is gone is left out, not queued to fail when its turn comes.
    tmux.wait_for("Queue · 2 ");
    // Titles appear once the background scan has read the tags (file names until then).
    let screen = tmux.wait_for("1. Night Drive");
    assert!(screen.contains("2. Morning"), "{screen}");
    tmux.wait_for("▶ playing");
    // `w` asks for a name; `enter` on none saves under a dated one.
    tmux.press("w");
    tmux.wait_for("save the queue as: ▏ enter: a dated name");
    tmux.press("Enter");
    tmux.wait_for("saved the queue's 2 tracks to");
    // A name typed; the same name again is not replaced without a second `enter`.
    for _ in 0..2 {
        tmux.press("w");
        tmux.press("evening");
        tmux.press("Enter");
    }
    tmux.wait_for("a playlist evening exists: enter replaces it");
    tmux.press("Enter");
    tmux.wait_for("replaced the playlist evening with the queue's 2 tracks");
    tmux.press("q");
    assert_eq!(
        tmux.wait_for_exit(),
        "EXIT=0",
        "{}",
        tmux.diagnostics(&tmux.capture())
    );

    let mut saved: Vec<PathBuf> = std::fs::read_dir(root.join("data/playlists"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    saved.sort();
    assert_eq!(saved.len(), 2, "{saved:?}");
    assert_eq!(saved[0], root.join("data/playlists/evening.m3u8"));
    assert_eq!(
        std::fs::read(&saved[0]).unwrap(),
        std::fs::read(&saved[1]).unwrap(),
        "the named and the dated playlist hold the same queue"
    );
    let text = std::fs::read_to_string(&saved[0]).unwrap();
    let entries: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(entries.len(), 2, "{text}");
    assert!(
        entries[0].ends_with("Night Drive.wav") && entries[1].ends_with("Morning.wav"),
        "{text}"
    );
    assert!(text.contains("#EXTINF:1,Ada Lin - Night Drive"), "{text}");
    // What the listener plays is theirs: the data dir, the log, playlists/ and the saved file
    // are private.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let data = root.join("data");
    for (path, want) in [
        (data.clone(), 0o700),
        (data.join("mien.log"), 0o600),
        (data.join("playlists"), 0o700),
        (saved[0].clone(), 0o600),
    ] {
        assert_eq!(mode(&path), want, "{} is {:o}", path.display(), mode(&path));
    }
}

/// A private D-Bus session bus for one test, stopped when dropped.
struct SessionBus {
    child: std::process::Child,
    address: String,
}

impl SessionBus {
    fn start(dir: &Path) -> SessionBus {
        let socket = dir.join("bus");
        let address = format!("unix:path={}", socket.display());
        let child = Command::new("dbus-daemon")
            .args([
                "--session",
                "--nofork",
                "--nopidfile",
                &format!("--address={address}"),
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("dbus-daemon (package dbus) is needed: run tools/install-deps.sh");
        let start = Instant::now();
        while !socket.exists() {
            assert!(start.elapsed() < STEP, "dbus-daemon did not start");
            sleep(POLL);
        }
        SessionBus { child, address }
    }

    /// `dbus-send --print-reply` on this bus; returns the reply text.
    fn send(&self, args: &[&str]) -> String {
        let out = Command::new("dbus-send")
            .arg(format!("--bus={}", self.address))
            .arg("--print-reply")
            .args(args)
            .output()
            .expect("dbus-send");
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    }

    /// Waits for a bus name starting with `prefix` and returns it.
    fn wait_for_name(&self, prefix: &str) -> String {
        let start = Instant::now();
        loop {
            let names = self.send(&[
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.ListNames",
            ]);
            if let Some(name) = names.split('"').find(|n| n.starts_with(prefix)) {
                return name.to_string();
            }
            assert!(start.elapsed() < STEP, "no {prefix}* on the bus:\n{names}");
            sleep(POLL);
        }
    }
}

impl Drop for SessionBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn media_keys_over_mpris_control_playback_and_see_its_state() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let music = root.join("music");
    write_library(&music);
    let bus = SessionBus::start(&root);
    let tmux = Tmux::start_env(
        &root,
        &music,
        None,
        &[("DBUS_SESSION_BUS_ADDRESS", &bus.address)],
    );
    let name = bus.wait_for_name("org.mpris.MediaPlayer2.mien");

    tmux.wait_for("Bruno Moss");
    tmux.press("Enter");
    tmux.wait_for("┌ Ada Lin · 1 ");
    tmux.press("e"); // the whole album
    tmux.wait_for("Queue · 2 ");
    let player = ["/org/mpris/MediaPlayer2", "org.mpris.MediaPlayer2.Player"];
    let call = |method: &str| {
        bus.send(&[
            &format!("--dest={name}"),
            player[0],
            &format!("{}.{method}", player[1]),
        ])
    };
    call("Play");
    tmux.wait_for("▶ playing");
    call("Pause");
    tmux.wait_for("⏸ paused");
    let status = bus.send(&[
        &format!("--dest={name}"),
        player[0],
        "org.freedesktop.DBus.Properties.Get",
        &format!("string:{}", player[1]),
        "string:PlaybackStatus",
    ]);
    assert!(status.contains("Paused"), "{status}");
    tmux.press("q");
    assert_eq!(
        tmux.wait_for_exit(),
        "EXIT=0",
        "{}",
        tmux.diagnostics(&tmux.capture())
    );
}

// --- Remote control: `mien ctl` and `mien FILE...` from outside the player -------------------

/// Three 40 s tracks (long enough that nothing ends while a test talks to the player) under
/// `dir`, in play order.
fn write_long_library(dir: &Path) -> Vec<PathBuf> {
    ["01 One", "02 Two", "03 Three"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let path = dir.join(format!("Cleo Rae/Remote/{name}.wav"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let title = &name[3..];
            let wav = tagged_wav(40.0, 300.0 + 100.0 * i as f32, title, "Cleo Rae", "Remote");
            std::fs::write(&path, wav).unwrap();
            path.canonicalize().unwrap()
        })
        .collect()
}

/// `mien --data-dir ROOT/data --config ROOT/config.toml ARGS...` run to the end.
fn mien_in(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mien"))
        .arg("--data-dir")
        .arg(root.join("data"))
        .arg("--config")
        .arg(root.join("config.toml"))
        .args(args)
        .output()
        .expect("run mien")
}

/// `mien ctl ARGS...`, which must succeed; its stdout.
#[track_caller]
fn ctl_ok(root: &Path, args: &[&str]) -> String {
    let mut all = vec!["ctl"];
    all.extend_from_slice(args);
    let out = mien_in(root, &all);
    assert!(
        out.status.success(),
        "mien ctl {args:?}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim_end().to_string()
}

/// Polls `mien ctl status --json` until `want` holds of it (the player acts on the engine's
/// answers, a moment after the request); fails with the last status and the player's log.
#[track_caller]
fn wait_status(
    tmux: &Tmux,
    root: &Path,
    what: &str,
    want: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let out = mien_in(root, &["ctl", "status", "--json"]);
        let last = if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let v: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("status --json is not JSON ({e}): {text}"));
            if want(&v) {
                return v;
            }
            text
        } else {
            String::from_utf8_lossy(&out.stderr).into_owned()
        };
        if start.elapsed() > STEP {
            panic!(
                "status never showed {what}; last: {last}\n{}",
                tmux.diagnostics(&tmux.capture())
            );
        }
        sleep(POLL);
    }
}

fn track_path(v: &serde_json::Value) -> Option<PathBuf> {
    v["track"]["path"].as_str().map(PathBuf::from)
}

#[test]
fn mien_ctl_from_outside_drives_the_player_and_status_json_reports_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let music = root.join("music");
    let tracks = write_long_library(&music);
    let playlist = root.join("remote.m3u");
    let lines: Vec<String> = tracks[..2]
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    std::fs::write(&playlist, lines.join("\n")).unwrap();
    let tmux = Tmux::start_with(&root, &music, Some(&playlist));
    tmux.wait_for("2. Two"); // the scan has read the queued tracks' tags

    let v = wait_status(&tmux, &root, "the first track playing", |v| {
        v["state"] == "playing" && track_path(v).as_ref() == Some(&tracks[0])
    });
    assert_eq!(v["queue_len"], 2, "{v}");
    let mode = std::fs::metadata(root.join("data/mien.sock")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(mode.permissions().mode() & 0o777, 0o600);

    assert_eq!(ctl_ok(&root, &["pause"]), "paused");
    tmux.wait_for("⏸ paused");
    wait_status(&tmux, &root, "paused", |v| v["state"] == "paused");

    assert_eq!(ctl_ok(&root, &["volume", "40"]), "volume 40%");
    assert_eq!(ctl_ok(&root, &["volume", "-15"]), "volume 25%");
    wait_status(&tmux, &root, "volume 25", |v| v["volume"] == 25);

    assert_eq!(ctl_ok(&root, &["next"]), "next: Cleo Rae – Two");
    let v = wait_status(&tmux, &root, "the second track playing", |v| {
        v["state"] == "playing" && track_path(v).as_ref() == Some(&tracks[1])
    });
    assert_eq!(v["track"]["title"], "Two", "{v}");
    assert_eq!(v["track"]["artist"], "Cleo Rae", "{v}");
    assert_eq!(v["track"]["duration_s"], 40.0, "{v}");

    assert_eq!(ctl_ok(&root, &["seek", "20"]), "seeking to 0:20");
    wait_status(&tmux, &root, "the position past 20 s", |v| {
        v["position_s"].as_f64().is_some_and(|p| p >= 20.0)
    });
    ctl_ok(&root, &["rate", "4"]);
    wait_status(&tmux, &root, "the rating", |v| v["rating"] == 4);
    tmux.wait_for("★★★★☆");
    assert_eq!(ctl_ok(&root, &["mood", "happy"]), "mood: happy");
    let v = wait_status(&tmux, &root, "the emotion", |v| !v["emotion"].is_null());
    assert_eq!(v["emotion"]["label"], "happy", "{v}");
    assert_eq!(v["emotion"]["source"], "manual", "{v}");

    let third = tracks[2].display().to_string();
    assert_eq!(
        ctl_ok(&root, &["add", &third]),
        "added 1 track to the queue (3 in all)"
    );
    tmux.wait_for("Queue · 3 ");
    wait_status(&tmux, &root, "three queued", |v| v["queue_len"] == 3);

    let line = ctl_ok(
        &root,
        &[
            "status",
            "--format",
            "{state}|{artist} - {title}|{volume}|{rating}",
        ],
    );
    assert_eq!(line, "playing|Cleo Rae - Two|25|★★★★☆");
    let plain = ctl_ok(&root, &["status"]);
    assert!(
        plain.starts_with("playing: Cleo Rae – Two (Remote)"),
        "{plain}"
    );

    // The wind-down timer, from outside: the status line counts it down.
    assert_eq!(ctl_ok(&root, &["sleep", "10"]), "sleep in 10 min");
    tmux.wait_for("sleep 10 min");
    assert_eq!(ctl_ok(&root, &["sleep", "off"]), "sleep timer off");

    // What ctl cannot parse is an error.
    let out = mien_in(&root, &["ctl", "status", "--format", "{nope}"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown placeholder {nope}"));
    let out = mien_in(&root, &["ctl", "volume", "loud"]);
    assert_eq!(out.status.code(), Some(2), "a clap error");

    tmux.press("q");
    assert_eq!(
        tmux.wait_for_exit(),
        "EXIT=0",
        "{}",
        tmux.diagnostics(&tmux.capture())
    );
    assert!(
        !root.join("data/mien.sock").exists(),
        "the socket is removed on quit"
    );
}

#[test]
fn mien_ctl_with_no_player_running_says_so_in_one_sentence_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    std::fs::write(root.join("config.toml"), "").unwrap();
    for args in [&["ctl", "status", "--json"][..], &["ctl", "next"]] {
        let out = mien_in(&root, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            err,
            format!(
                "mien: no mien player is running on this data dir (nothing listens on {})\n",
                root.join("data/mien.sock").display()
            )
        );
    }
}

#[test]
fn a_stale_socket_left_by_a_killed_player_is_replaced_at_the_next_start() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let music = root.join("music");
    write_long_library(&music);
    let socket = root.join("data/mien.sock");
    {
        let tmux = Tmux::start(&root, &music);
        wait_status(&tmux, &root, "the player answering", |v| {
            v["state"] == "stopped"
        });
        let pid = mien_pid(&tmux.data_dir);
        assert!(Command::new("kill")
            .args(["-9", &pid])
            .status()
            .unwrap()
            .success());
        assert_eq!(tmux.wait_for_exit(), "EXIT=137");
    }
    assert!(socket.exists(), "SIGKILL leaves the socket behind");
    let out = mien_in(&root, &["ctl", "status"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no mien player is running"));

    std::fs::remove_file(root.join("exit")).unwrap();
    let tmux = Tmux::start(&root, &music);
    tmux.wait_for("Cleo Rae");
    let v = wait_status(&tmux, &root, "the new player answering", |v| {
        v["state"] == "stopped"
    });
    assert_eq!(v["queue_len"], 0, "{v}");
    let log = std::fs::read_to_string(root.join("data/mien.log")).unwrap();
    assert!(log.contains("stale control socket"), "{log}");
    tmux.press("q");
    assert_eq!(
        tmux.wait_for_exit(),
        "EXIT=0",
        "{}",
        tmux.diagnostics(&tmux.capture())
    );
    assert!(!socket.exists());
}

#[test]
fn mien_files_while_a_player_runs_hand_the_files_to_its_queue() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let music = root.join("music");
    let tracks = write_long_library(&music);
    let tmux = Tmux::start(&root, &music);
    wait_status(&tmux, &root, "the player answering", |v| {
        v["queue_len"] == 0
    });

    let list = root.join("two.m3u8");
    std::fs::write(
        &list,
        format!("{}\n{}\n", tracks[1].display(), tracks[2].display()),
    )
    .unwrap();
    let first = tracks[0].display().to_string();
    let out = mien_in(&root, &[&first, list.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.trim_end(),
        format!(
            "added 3 tracks to the queue (3 in all): handed to the player already running on {}",
            root.join("data").display()
        )
    );
    tmux.wait_for("Queue · 3 ");
    let v = wait_status(&tmux, &root, "three queued", |v| v["queue_len"] == 3);
    assert_eq!(v["state"], "stopped", "added, not started: {v}");

    // A missing file is named and nothing is added.
    let out = mien_in(&root, &[root.join("gone.wav").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("gone.wav"));
    // Without files a second player still meets the data dir's lock, and says so.
    let out = mien_in(&root, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use by another mien process"), "{err}");
    assert_eq!(
        wait_status(&tmux, &root, "still three", |_| true)["queue_len"],
        3
    );

    // A signal ends the player as `q` does, the socket included.
    let pid = mien_pid(&tmux.data_dir);
    assert!(Command::new("kill")
        .args(["-s", "TERM", &pid])
        .status()
        .unwrap()
        .success());
    assert_eq!(
        tmux.wait_for_exit(),
        "EXIT=143",
        "{}",
        tmux.diagnostics(&tmux.capture())
    );
    assert!(
        !root.join("data/mien.sock").exists(),
        "the socket is removed on SIGTERM"
    );
}
