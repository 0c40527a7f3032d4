//! `AppState`: everything the UI thread knows and shows (`Msg` and `Effect`, the values going
//! into and out of `update`, are in `app::msg` and re-exported here). Owned by the UI thread only.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;

use super::browser::{Browser, Catalogue};
use super::queue::{Queue, QueueItem};
use super::reco::RecoState;
use crate::core::{EmotionReading, Rating, SavedQueue, Track, TrackId};
use crate::store::MoodRecord;

pub use super::msg::{Effect, Msg, Remote};

/// Readings kept for the emotion sparkline.
pub const EMOTION_HISTORY: usize = 60;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pane {
    #[default]
    Library,
    Queue,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    Help,
    MoodPicker {
        cursor: usize,
    },
    /// The mood diary's full-pane view (`Y`).
    Diary,
    /// The saved playlists (`O`), newest first.
    Playlists {
        lists: Vec<crate::library::playlist::SavedPlaylist>,
        cursor: usize,
        /// `d` was pressed on the playlist under the cursor: `d` again deletes it, any other
        /// key keeps it.
        deleting: bool,
    },
    /// The journey picker: the highlighted target (`Target::NAMED` order) and the minutes.
    JourneyPicker {
        cursor: usize,
        minutes: u32,
    },
    /// The session's messages (`H`), newest first.
    Messages,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusLevel {
    Info,
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    pub text: String,
    pub level: StatusLevel,
    /// Stays on screen, whatever background work reports, until the listener presses a key
    /// (what mien did to their data at start, e.g. a rebuilt database).
    pub sticky: bool,
}

impl Status {
    pub fn info(text: impl Into<String>) -> Status {
        Status {
            text: text.into(),
            level: StatusLevel::Info,
            sticky: false,
        }
    }

    pub fn error(text: impl Into<String>) -> Status {
        Status {
            text: text.into(),
            level: StatusLevel::Error,
            sticky: false,
        }
    }
}

/// Background work shown as a gauge (scan, tagging).
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub label: String,
    pub done: usize,
    pub total: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlayerState {
    /// The track the engine is on (playing or paused), `None` when stopped.
    pub path: Option<PathBuf>,
    pub position_ms: u64,
    pub duration_ms: Option<u64>,
    pub paused: bool,
    /// Volume in percent.
    pub volume: u8,
    pub output: Option<String>,
    /// Why the sound card is not used, if it is not.
    pub output_warning: Option<String>,
    /// Position to start the current queue item from when play is pressed (resume).
    pub resume_at: Option<u64>,
}

impl Default for PlayerState {
    fn default() -> Self {
        PlayerState {
            path: None,
            position_ms: 0,
            duration_ms: None,
            paused: false,
            volume: 100,
            output: None,
            output_warning: None,
            resume_at: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CameraState {
    /// Not allowed (the default; `c` or `[camera] enabled` turns it on).
    Off,
    /// Allowed, released between sampling windows (LED off).
    Standby,
    /// Capturing now (LED on).
    On,
    /// Capturing, but no face seen for a while.
    NoFace,
    Unavailable(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct EmotionPanel {
    pub current: Option<EmotionReading>,
    pub history: VecDeque<EmotionReading>,
    pub camera: CameraState,
    /// Sampling starts this long before a track ends (`[camera] lead_seconds`), so that the
    /// window spans the change; 0 samples only after it.
    pub lead_ms: u64,
}

impl Default for EmotionPanel {
    fn default() -> Self {
        EmotionPanel {
            current: None,
            history: VecDeque::new(),
            camera: CameraState::Off,
            lead_ms: 3_000,
        }
    }
}

/// The UI thread's state.
pub struct AppState {
    pub catalogue: Catalogue,
    pub browser: Browser,
    pub queue: Queue,
    pub player: PlayerState,
    pub ratings: HashMap<TrackId, Rating>,
    /// Mood tags of the tracks tagged so far.
    pub moods: HashMap<TrackId, MoodRecord>,
    /// Why mood tagging is off, when it is.
    pub moods_unavailable: Option<String>,
    pub emotion: EmotionPanel,
    /// The recommender's part: settings, explanations, the smoothed emotion, pending rankings.
    pub reco: RecoState,
    pub focus: Pane,
    pub overlay: Option<Overlay>,
    /// The search line while the user types in it.
    pub search_input: Option<String>,
    /// The playlist-name prompt of `w`, while it is open.
    pub save_prompt: Option<super::save_prompt::SavePrompt>,
    pub status: Option<Status>,
    pub progress: Option<Progress>,
    pub theme_names: Vec<String>,
    pub theme: usize,
    /// Queue index handed to the engine as the next track.
    pub preloaded: Option<usize>,
    pub list_rows: usize,
    pub quit: bool,
    /// The process's exit status once `quit` is set (0, or 128 + a signal's number).
    pub exit_code: u8,
    /// Key bindings for the help overlay (keys, description), from the live keymap.
    pub help: Vec<(String, String)>,
    /// The first binding the help overlay shows (`app::help`).
    pub help_scroll: usize,
    /// Bindings the help overlay holds on this screen (0 until the screen is measured).
    pub help_slots: usize,
    /// The mood diary: which readings are stored, and the diary view's data.
    pub diary: super::diary::DiaryState,
    /// The lyrics view and the playing track's lyrics.
    pub lyrics: super::lyrics::LyricsState,
    /// The last click, for double-clicks.
    pub mouse: super::mouse::MouseState,
    /// The mood journey in progress, its memory and pending plan.
    pub journey: super::journey::JourneyState,
    /// The mood map view (`M`) and the listener's trail.
    pub mood_map: super::mood_map::MoodMap,
    /// The wind-down timer, when set.
    pub wind_down: Option<super::wind_down::WindDown>,
    /// The track the sleep timer stopped, until its `TrackEnded` comes: recorded as
    /// `PlayOutcome::Stopped`, not as a skip, and not logged for the recommender.
    pub timer_stopped: Option<std::path::PathBuf>,
    /// Every message the status line was given this session (`H`).
    pub messages: super::messages::Messages,
    /// The key that opens the messages (for the status line's hint), from the live keymap.
    pub messages_key: Option<String>,
}

impl AppState {
    pub fn new(tracks: Vec<Track>, ratings: Vec<(TrackId, Rating)>) -> AppState {
        let catalogue = Catalogue::new(tracks);
        let mut browser = Browser::default();
        browser.rebuild(&catalogue);
        AppState {
            catalogue,
            browser,
            queue: Queue::default(),
            player: PlayerState::default(),
            ratings: ratings.into_iter().collect(),
            moods: HashMap::new(),
            moods_unavailable: None,
            emotion: EmotionPanel::default(),
            reco: RecoState::default(),
            focus: Pane::Library,
            overlay: None,
            search_input: None,
            save_prompt: None,
            status: None,
            progress: None,
            theme_names: vec!["default".into()],
            theme: 0,
            preloaded: None,
            list_rows: 10,
            quit: false,
            exit_code: 0,
            help: Vec::new(),
            help_scroll: 0,
            help_slots: 0,
            diary: super::diary::DiaryState::default(),
            lyrics: Default::default(),
            mouse: Default::default(),
            journey: Default::default(),
            mood_map: Default::default(),
            wind_down: None,
            timer_stopped: None,
            messages: Default::default(),
            messages_key: Some("H".into()),
        }
    }

    /// Restores a saved queue (resume): items whose files still exist (with their pins), the
    /// current item and the position to start it from, the repeat mode and the volume.
    pub fn restore_queue(&mut self, saved: SavedQueue) {
        let current_path = saved.current.and_then(|i| saved.paths.get(i).cloned());
        self.restore_settings(&saved);
        self.queue.items = (saved.paths.into_iter().enumerate())
            .filter(|(_, p)| p.exists())
            .map(|(i, p)| QueueItem {
                pinned: saved.pinned.contains(&i),
                ..QueueItem::new(p)
            })
            .collect();
        self.queue.current =
            current_path.and_then(|p| self.queue.items.iter().position(|i| i.path == p));
        if let Some(c) = self.queue.current {
            self.queue.cursor = c;
            self.player.resume_at = Some(saved.position_ms);
            self.player.position_ms = saved.position_ms;
        }
    }

    /// The player's settings of a saved queue alone (a playlist given on the command line
    /// replaces the queue, not the volume or the repeat mode).
    pub fn restore_settings(&mut self, saved: &SavedQueue) {
        self.queue.repeat = saved.repeat;
        if let Some(v) = saved.volume {
            self.player.volume = v.min(100);
        }
    }

    pub fn saved_queue(&self) -> SavedQueue {
        let items = &self.queue.items;
        SavedQueue {
            paths: items.iter().map(|i| i.path.clone()).collect(),
            current: self.queue.current,
            position_ms: self.player.position_ms,
            volume: Some(self.player.volume),
            repeat: self.queue.repeat,
            pinned: (0..items.len()).filter(|&i| items[i].pinned).collect(),
        }
    }

    /// The catalogue entry of the playing (or resumable) track.
    pub fn playing_track(&self) -> Option<&Track> {
        let path = self
            .player
            .path
            .clone()
            .or_else(|| self.queue.current_item().map(|i| i.path.clone()))?;
        self.catalogue.get(TrackId::from_path(&path))
    }

    pub fn rating(&self, id: TrackId) -> Option<Rating> {
        self.ratings.get(&id).copied()
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.set_status(Status::info(text));
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.set_status(Status::error(text));
    }

    /// An error that stays on the status line until the next key press.
    pub fn alert(&mut self, text: impl Into<String>) {
        let mut s = Status::error(text);
        s.sticky = true;
        super::messages::record(self, &s, true, crate::core::now_ms());
        self.status = Some(s);
    }

    /// Shows `s`, unless a sticky status is there (it waits for a key press); either way it goes
    /// into the session's messages (`H`).
    pub fn set_status(&mut self, s: Status) {
        self.set_status_at(s, crate::core::now_ms());
    }

    /// [`AppState::set_status`], given at `at_ms`.
    pub fn set_status_at(&mut self, s: Status, at_ms: u64) {
        let shown = !self.status.as_ref().is_some_and(|old| old.sticky);
        super::messages::record(self, &s, shown, at_ms);
        if shown {
            self.status = Some(s);
        }
    }

    /// Brings derived data up to date before drawing (the browser rows after catalogue changes).
    pub fn prepare(&mut self) {
        if self.browser.dirty {
            self.browser.rebuild(&self.catalogue);
        }
    }
}
