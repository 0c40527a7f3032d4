//! Shared fixtures for the headless UI tests: a small hand-made catalogue, an `AppState` built
//! from it, and a key-sequence driver that goes through the real keymap and `update`, the way
//! the runtime does.

#![allow(dead_code)] // each test crate uses its own subset

pub mod audio;
pub mod pulse;
pub mod runtime;
pub mod screen;

use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mien::app::keymap::{KeyChord, Keymap};
use mien::app::keys::{key_to_msg, KeyState};
use mien::app::{update, AppState, Effect, Msg};
use mien::core::{AudioFormat, PlayOutcome, PlayRecord, ReplayGain, Track, TrackId};

/// One track of the fixture catalogue, every field spelled out.
pub fn track(
    path: &str,
    title: &str,
    artist: &str,
    album: &str,
    track_no: u32,
    year: u32,
    duration_ms: u64,
) -> Track {
    let path = PathBuf::from(path);
    Track {
        id: TrackId::from_path(&path),
        path,
        size: 1_000,
        mtime_ns: 0,
        format: AudioFormat::Wav,
        title: Some(title.to_string()),
        artist: Some(artist.to_string()),
        album: Some(album.to_string()),
        album_artist: None,
        track_no: Some(track_no),
        disc_no: Some(1),
        year: Some(year),
        genre: None,
        duration_ms,
        sample_rate: 44_100,
        channels: 2,
        replay_gain: ReplayGain::default(),
        has_art: false,
    }
}

pub const AWAKE: &str = "/music/ada/blue/01.wav";
pub const NIGHT_DRIVE: &str = "/music/ada/blue/02.wav";
pub const FAR_AWAY: &str = "/music/ada/blue/03.wav";
pub const SMALL_RAIN: &str = "/music/ada/rain/01.wav";
pub const MORNING: &str = "/music/bruno/fields/01.wav";
pub const PAPER_BOATS: &str = "/music/bruno/fields/02.wav";

/// Two artists, three albums, six tracks. "awa" matches exactly "Awake" and "Far Away".
pub fn tracks() -> Vec<Track> {
    vec![
        track(AWAKE, "Awake", "Ada Lin", "Blue Hour", 1, 2019, 296_000),
        track(
            NIGHT_DRIVE,
            "Night Drive",
            "Ada Lin",
            "Blue Hour",
            2,
            2019,
            201_000,
        ),
        track(
            FAR_AWAY,
            "Far Away",
            "Ada Lin",
            "Blue Hour",
            3,
            2019,
            245_000,
        ),
        track(
            SMALL_RAIN,
            "Small Rain",
            "Ada Lin",
            "Rain Songs",
            1,
            2021,
            180_000,
        ),
        track(MORNING, "Morning", "Bruno Moss", "Fields", 1, 2015, 150_000),
        track(
            PAPER_BOATS,
            "Paper Boats",
            "Bruno Moss",
            "Fields",
            2,
            2015,
            170_000,
        ),
    ]
}

/// A play of `/m/NAME.flac` at `at_ms` (the diary tests' history).
#[allow(dead_code)]
pub fn play(at_ms: u64, name: &str, outcome: PlayOutcome) -> PlayRecord {
    let path = PathBuf::from(format!("/m/{name}.flac"));
    PlayRecord {
        at_ms,
        track: TrackId::from_path(&path),
        path,
        outcome,
        position_ms: 0,
    }
}

pub fn id(path: &str) -> TrackId {
    TrackId::from_path(Path::new(path))
}

/// The fixture catalogue with no ratings, the help table filled from `keymap` the way
/// `mien::root::PlayerSetup` fills it.
pub fn state_with(keymap: &Keymap) -> AppState {
    let mut state = AppState::new(tracks(), Vec::new());
    state.help = keymap.help_table();
    state.prepare();
    state
}

pub fn state() -> AppState {
    state_with(&Keymap::vim_defaults())
}

/// The key event a terminal reports for a key name as written in the keymap (`j`, `G`, `space`,
/// `ctrl-q`, `enter`). Upper-case letters carry SHIFT, as crossterm reports them.
pub fn key(name: &str) -> KeyEvent {
    let chord: KeyChord = name.parse().unwrap_or_else(|e| panic!("key {name:?}: {e}"));
    let mut mods = chord.modifiers();
    if let KeyCode::Char(c) = chord.code() {
        if c.is_ascii_uppercase() {
            mods |= KeyModifiers::SHIFT;
        }
    }
    KeyEvent::new(chord.code(), mods)
}

/// A headless player: state, keymap and pending keys, driven like the runtime drives them.
pub struct Player {
    pub state: AppState,
    pub keymap: Keymap,
    pub keys: KeyState,
}

impl Player {
    pub fn new() -> Player {
        Player::with_keymap(Keymap::vim_defaults())
    }

    pub fn with_keymap(keymap: Keymap) -> Player {
        Player {
            state: state_with(&keymap),
            keymap,
            keys: KeyState::default(),
        }
    }

    /// Presses the keys of a whitespace-separated sequence (`"g g"`, `"j j k"`, `"/ a w a esc"`),
    /// one at a time, redrawing (`prepare`) after each like the UI loop, and returns every effect.
    pub fn press(&mut self, keys: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        for name in keys.split_whitespace() {
            effects.extend(self.press_one(key(name)));
        }
        effects
    }

    pub fn press_one(&mut self, event: KeyEvent) -> Vec<Effect> {
        let msg = key_to_msg(&self.state, &self.keymap, &mut self.keys, event);
        let effects = msg.map(|m| update(&mut self.state, m)).unwrap_or_default();
        self.state.prepare();
        effects
    }

    /// Types text character by character (into the search line, when it is open).
    pub fn type_text(&mut self, text: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        for c in text.chars() {
            effects.extend(self.press_one(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
        }
        effects
    }

    /// Sends a message straight to `update` (engine and store answers).
    pub fn send(&mut self, msg: Msg) -> Vec<Effect> {
        let effects = update(&mut self.state, msg);
        self.state.prepare();
        effects
    }

    /// The titles of the library rows, in order (artist and album rows by name).
    pub fn rows(&self) -> Vec<String> {
        use mien::app::browser::Row;
        self.state
            .browser
            .rows
            .iter()
            .map(|r| match r {
                Row::Artist { name, .. } => name.clone(),
                Row::Album { name, .. } => name.clone(),
                Row::Folder { name, .. } => format!("{name}/"),
                Row::Track(id) => self
                    .state
                    .catalogue
                    .get(*id)
                    .map(|t| t.display_title())
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// The title of the row under the cursor.
    pub fn selected(&self) -> String {
        self.rows()
            .get(self.state.browser.cursor)
            .cloned()
            .unwrap_or_default()
    }

    /// The titles of the queue items, in order.
    pub fn queue_titles(&self) -> Vec<String> {
        self.state
            .queue
            .items
            .iter()
            .map(|i| {
                self.state
                    .catalogue
                    .get(i.id)
                    .map(|t| t.display_title())
                    .unwrap_or_default()
            })
            .collect()
    }
}

/// `mien --data-dir DATA ARGS...` with no user config (`$XDG_CONFIG_HOME` inside DATA), run to
/// the end: what the CLI tests run.
pub fn mien(data: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_mien"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("XDG_CONFIG_HOME", data.join("no-config"))
        .output()
        .expect("run mien")
}
