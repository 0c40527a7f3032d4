//! `Msg`, `Remote` and `Effect`: the values going into `app::update` (every key, mouse event,
//! socket command and subsystem report becomes a `Msg`) and the effects it returns for the
//! runtime to perform. Plain data, sent by value.

use std::path::PathBuf;

use super::action::Action;
use super::reco::RankRequest;
use super::state::{CameraState, Status};
use crate::audio::{EngineCommand, EngineEvent};
use crate::core::{EmotionReading, PlayRecord, Rating, SavedQueue, Track, TrackId};
use crate::library::LibraryEvent;
use crate::mood::MoodEvent;
use crate::store::MoodRecord;

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
    /// A key in the playlist-name prompt of `w` (`app::save_prompt`).
    Prompt(super::save_prompt::PromptKey),
    /// The answer to `Effect::WritePlaylist` when a saved playlist of that name exists and
    /// `replace` was not set: nothing was written.
    PlaylistExists {
        name: String,
    },
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
        /// Playlist entries left out because their file is gone (said in the status line).
        missing: usize,
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
    /// The answer to `Effect::DeletePlaylist`.
    PlaylistDeleted {
        path: PathBuf,
        result: Result<(), String>,
    },
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
    /// Save these queue entries as the playlist `name` (`None`: a dated name) in the data dir's
    /// `playlists/`, replacing one of that name only with `replace` (answered with `Msg::Status`,
    /// or `Msg::PlaylistExists`).
    WritePlaylist {
        name: Option<String>,
        replace: bool,
        entries: Vec<crate::library::m3u::PlaylistEntry>,
    },
    /// Load the cover art of this track for the now-playing pane.
    LoadArt(Option<PathBuf>),
    EmotionChanged(EmotionReading),
    /// A command for the vision thread (camera on/off, sample after a track change).
    Vision(crate::vision::service::VisionCommand),
    /// Read the whole catalogue again (off the UI thread) and answer with `Msg::Catalogue`.
    ReloadCatalogue,
    /// Hand these tracks to the mood tagger (it skips those already tagged).
    TagMoods(Vec<Track>),
    /// Have the mood tagger and the loudness meter go through the catalogue's tracks in the
    /// library folders `roots` (after a scan changed it).
    TagLibrary {
        roots: Vec<std::path::PathBuf>,
    },
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
    /// Delete this saved playlist's file (off the UI thread); answered by `Msg::PlaylistDeleted`.
    DeletePlaylist(PathBuf),
    /// Wake the loop with `Msg::Tick` at this time (ms since the epoch), replacing the tick
    /// asked for before; `None` cancels it. Only the wind-down timer asks, so an idle player
    /// never wakes.
    TickAt(Option<u64>),
}
