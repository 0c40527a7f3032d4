//! `AppState`: everything the UI thread knows and shows, and `Msg`/`Effect`, the values going
//! into and out of `update`. Owned by the UI thread only.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;

use super::action::Action;
use super::browser::{Browser, Catalogue};
use super::queue::{Queue, QueueItem};
use super::reco::{RankRequest, RecoState};
use crate::audio::{EngineCommand, EngineEvent};
use crate::core::{EmotionReading, PlayRecord, Rating, SavedQueue, Track, TrackId};
use crate::library::LibraryEvent;
use crate::mood::MoodEvent;
use crate::store::MoodRecord;

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
    },
    /// The journey picker: the highlighted target (`Target::NAMED` order) and the minutes.
    JourneyPicker {
        cursor: usize,
        minutes: u32,
    },
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

/// Inputs to `update`: the user's actions and everything the subsystems report.
#[derive(Debug)]
pub enum Msg {
    Action(Action),
    /// The process was asked to end (SIGTERM, SIGHUP, SIGINT: the signal's number): quit as on
    /// `q`, saving the queue and position, and exit with 128 + the number.
    Terminate {
        signal: i32,
    },
    /// Typing in the search line.
    SearchChar(char),
    SearchBackspace,
    SearchConfirm,
    SearchCancel,
    CloseOverlay,
    Engine(EngineEvent),
    /// Boxed: a track or scan report is large next to the other messages.
    Library(Box<LibraryEvent>),
    /// The store has durably saved a rating (or failed to).
    RatingSaved {
        id: TrackId,
        rating: Option<Rating>,
    },
    RatingFailed {
        id: TrackId,
        error: String,
    },
    Emotion(EmotionReading),
    /// The vision thread's camera status (`NoFace` included).
    Camera(CameraState),
    /// The background mood tagger's progress and results.
    Mood(MoodEvent),
    /// The mood tags stored by earlier runs.
    Moods(Vec<(TrackId, MoodRecord)>),
    /// A fresh copy of the whole catalogue (after a scan changed it), loaded off the UI thread.
    Catalogue(Vec<Track>),
    /// The recommender's answer to an `Effect::RecoRank`.
    RecoRanked(crate::recommend::Ranked),
    /// A remote control's request (MPRIS media keys and desktop widgets).
    Remote(Remote),
    /// Rows available to a list (for page up/down) and bindings the help overlay holds: at start
    /// and after each terminal resize.
    Resize {
        list_rows: usize,
        help_slots: usize,
    },
    /// A line for the status bar from the runtime (a write that failed, a saved playlist, a
    /// thread that could not start).
    Status(Status),
    /// The recommender thread is running: the queue's recommendations are on.
    RecoStarted,
    /// The recommender could not start: why.
    RecoUnavailable(String),
    /// What journey steps of earlier sessions did (read from the recommender's log at start):
    /// added to the steps of this session, so later journeys learn from earlier ones.
    JourneyMemoryLoaded(crate::recommend::journey::JourneyMemory),
    /// The vision thread is running (idle); `update` turns the camera on if it is allowed.
    VisionStarted,
    /// The files given on the command line (`mien FILE...`), playlists read: they replace the
    /// queue and the first plays (`app::control`).
    FilesOpened {
        given: Vec<PathBuf>,
        result: Result<Vec<PathBuf>, String>,
    },
    /// The diary view's data, loaded off the UI thread (an answer to `Effect::LoadDiary`).
    DiaryLoaded(Result<crate::diary::Diary, String>),
    /// What the `lyrics` thread found for the track at `path` (an `Effect::LoadLyrics`).
    LyricsLoaded {
        path: PathBuf,
        report: crate::library::lyrics::LyricsReport,
    },
    /// The wake-up an `Effect::LyricsWake` asked for: the track should be at `position_ms`.
    LyricsTick {
        wake: u64,
        position_ms: u64,
    },
    /// A click or wheel step, already hit-tested against the layout that was drawn.
    Mouse(super::mouse::MouseInput),
    /// The answer to `Effect::ListPlaylists`: the saved playlists, or why they cannot be listed.
    PlaylistsListed(Result<Vec<crate::library::playlist::SavedPlaylist>, String>),
    /// The answer to `Effect::OpenSavedPlaylist`.
    SavedPlaylistOpened {
        path: PathBuf,
        append: bool,
        result: Result<crate::library::playlist::OpenedPlaylist, String>,
    },
    /// A key the open mood map takes before the keymap.
    MapKey(super::mood_map::MapKey),
    /// Set the wind-down timer (None: off), at this time (ms since the epoch).
    SetSleepTimer {
        minutes: Option<u32>,
        now_ms: u64,
    },
    /// The time the last `Effect::TickAt` asked for has come (the wind-down timer's clock).
    Tick {
        now_ms: u64,
    },
}

/// What a remote control (MPRIS, the control socket) asks beyond the key actions: requests
/// whose outcome depends on the state, and exact seeks and volumes.
#[derive(Clone, Debug, PartialEq)]
pub enum Remote {
    /// The same as this key action.
    Action(Action),
    /// Play (or resume); nothing when already playing.
    Play,
    /// Pause; nothing when paused or stopped.
    Pause,
    /// Seek by this many milliseconds (negative: back).
    SeekBy(i64),
    /// Seek to this position, in milliseconds.
    SeekTo(u64),
    /// Set the volume, linear 0.0..=1.0.
    SetVolume(f32),
    /// A `mien ctl` request from the control socket; answered with `Effect::Reply`
    /// (`app::control`).
    Control(crate::control::Request),
    /// Set the wind-down timer to this many minutes from now, or off.
    SetSleepTimer(Option<u32>),
}

/// What `update` asks the runtime to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Engine(EngineCommand),
    /// Write the rating durably, then answer with `Msg::RatingSaved`.
    SaveRating {
        id: TrackId,
        rating: Option<Rating>,
    },
    RecordPlay(PlayRecord),
    SaveQueue(SavedQueue),
    /// Save these queue entries as an m3u playlist (answered with `Msg::Status`).
    WritePlaylist(Vec<crate::library::m3u::PlaylistEntry>),
    /// Load the cover art of this track for the now-playing pane.
    LoadArt(Option<PathBuf>),
    EmotionChanged(EmotionReading),
    /// A command for the vision thread (camera on/off, sample after a track change).
    Vision(crate::vision::service::VisionCommand),
    /// Read the whole catalogue again (off the UI thread) and answer with `Msg::Catalogue`.
    ReloadCatalogue,
    /// Hand these tracks to the mood tagger (it skips those already tagged).
    TagMoods(Vec<Track>),
    /// Have the mood tagger go through the whole catalogue (after a scan changed it).
    TagLibrary,
    /// Append a listening event to the recommender's log (no answer).
    RecoEvent(crate::recommend::ListenEvent),
    /// Ask the recommender for a ranking; the answer comes back as `Msg::RecoRanked`.
    RecoRank(RankRequest),
    /// Send this answer to the `mien ctl` request that waits for it.
    Reply {
        to: crate::control::ReplyTo,
        reply: crate::control::Reply,
    },
    /// Store an emotion reading (through the store's writer; answered only if it fails).
    RecordReading(crate::store::ReadingRecord),
    /// Load the mood diary of the last `days` days off the UI thread; answered with
    /// `Msg::DiaryLoaded`.
    LoadDiary {
        days: u32,
    },
    /// Find this track's lyrics off the UI thread; the answer comes back as `Msg::LyricsLoaded`.
    LoadLyrics(PathBuf),
    /// Send `Msg::LyricsTick` after a delay, replacing any pending one (`None` cancels it).
    LyricsWake(Option<super::lyrics::LyricsWake>),
    /// List the data dir's saved playlists (off the UI thread); answered by
    /// `Msg::PlaylistsListed`.
    ListPlaylists,
    /// Read this saved playlist for the queue (off the UI thread), to replace it or to append;
    /// answered by `Msg::SavedPlaylistOpened`.
    OpenSavedPlaylist {
        path: PathBuf,
        append: bool,
    },
    /// Wake the loop with `Msg::Tick` at this time (ms since the epoch), replacing the tick
    /// asked for before; `None` cancels it. Only the wind-down timer asks, so an idle player
    /// never wakes.
    TickAt(Option<u64>),
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
        }
    }

    /// Restores a saved queue (resume): items whose files still exist, the current item and the
    /// position to start it from.
    pub fn restore_queue(&mut self, saved: SavedQueue) {
        let current_path = saved.current.and_then(|i| saved.paths.get(i).cloned());
        self.queue.items = saved
            .paths
            .into_iter()
            .filter(|p| p.exists())
            .map(QueueItem::new)
            .collect();
        self.queue.current =
            current_path.and_then(|p| self.queue.items.iter().position(|i| i.path == p));
        if let Some(c) = self.queue.current {
            self.queue.cursor = c;
            self.player.resume_at = Some(saved.position_ms);
            self.player.position_ms = saved.position_ms;
        }
    }

    pub fn saved_queue(&self) -> SavedQueue {
        SavedQueue {
            paths: self.queue.items.iter().map(|i| i.path.clone()).collect(),
            current: self.queue.current,
            position_ms: self.player.position_ms,
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
        self.status = Some(s);
    }

    /// Shows `s`, unless a sticky status is there (it waits for a key press).
    pub fn set_status(&mut self, s: Status) {
        if !self.status.as_ref().is_some_and(|old| old.sticky) {
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
