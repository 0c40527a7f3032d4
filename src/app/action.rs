//! `Action`: everything the user can ask of the player, independent of which key asked. Keys map
//! to actions through the keymap; MPRIS and tests produce actions directly.

use serde::{Deserialize, Serialize};

/// One user intention. Names in `snake_case` are the ones used in `config.toml`'s `[keys]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    // Moving around.
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    /// Go into the selected artist/album (library) or play the selected item (queue).
    Open,
    /// Back up one level in the library browser.
    Back,
    /// Move focus to the next / previous pane.
    FocusNext,
    FocusPrev,
    /// Switch the library between artists → albums → tracks and a flat list of all tracks.
    ToggleAllTracks,
    /// Cycle the sort order of the track list.
    CycleSort,
    /// Start an incremental search/filter (`/`).
    Search,
    SearchNext,
    SearchPrev,
    // The queue.
    Enqueue,
    PlayNow,
    PlayNext,
    QueueRemove,
    QueueClear,
    QueueMoveUp,
    QueueMoveDown,
    QueueShuffle,
    CycleRepeat,
    /// Pin or unpin the selected queue item (pinned items keep their place when the recommender
    /// reorders the queue).
    TogglePin,
    SaveQueue,
    /// Auto mode: the recommender keeps the queue filled from the library.
    ToggleAuto,
    // Playback.
    PlayPause,
    Stop,
    NextTrack,
    PrevTrack,
    SeekForward,
    SeekBackward,
    /// Seek by a minute (long tracks: classical, DJ sets, audiobooks).
    SeekForwardLong,
    SeekBackwardLong,
    VolumeUp,
    VolumeDown,
    // Ratings: 0 clears.
    Rate0,
    Rate1,
    Rate2,
    Rate3,
    Rate4,
    Rate5,
    /// Open the manual mood picker (the emotion gauge's input without a camera).
    PickMood,
    /// Allow or forbid the camera (off by default; see `[camera]`).
    ToggleCamera,
    ToggleHelp,
    CycleTheme,
    Quit,
    /// Open or close the mood diary's view.
    ToggleDiary,
    /// Show or hide the lyrics view (in the library pane's place).
    ToggleLyrics,
    /// Switch the library to the folder view (files as they lie on disk) and back.
    ToggleFolders,
    /// Open the list of saved playlists (enter plays one, `e` adds it to the queue).
    OpenPlaylists,
    /// The mood map: the library on the valence/arousal plane (`M`).
    MoodMap,
    /// The journey picker: a target and minutes for a mood journey.
    Journey,
    /// The wind-down timer: 15 / 30 / 45 / 60 minutes / off.
    CycleSleepTimer,
    /// The messages the status line was given this session, newest first.
    Messages,
    /// Show the playing track in the library, the cursor on it.
    RevealPlaying,
}

impl Action {
    /// Every action, in the order the help overlay lists them.
    pub const ALL: &'static [Action] = &[
        Action::Up,
        Action::Down,
        Action::Top,
        Action::Bottom,
        Action::PageUp,
        Action::PageDown,
        Action::Open,
        Action::Back,
        Action::FocusNext,
        Action::FocusPrev,
        Action::ToggleAllTracks,
        Action::CycleSort,
        Action::Search,
        Action::SearchNext,
        Action::SearchPrev,
        Action::Enqueue,
        Action::PlayNow,
        Action::PlayNext,
        Action::QueueRemove,
        Action::QueueClear,
        Action::QueueMoveUp,
        Action::QueueMoveDown,
        Action::QueueShuffle,
        Action::CycleRepeat,
        Action::TogglePin,
        Action::SaveQueue,
        Action::ToggleAuto,
        Action::PlayPause,
        Action::Stop,
        Action::NextTrack,
        Action::PrevTrack,
        Action::SeekForward,
        Action::SeekBackward,
        Action::VolumeUp,
        Action::VolumeDown,
        Action::Rate0,
        Action::Rate1,
        Action::Rate2,
        Action::Rate3,
        Action::Rate4,
        Action::Rate5,
        Action::PickMood,
        Action::ToggleCamera,
        Action::ToggleHelp,
        Action::CycleTheme,
        Action::Quit,
        Action::ToggleDiary,
        Action::ToggleLyrics,
        Action::ToggleFolders,
        Action::OpenPlaylists,
        Action::MoodMap,
        Action::Journey,
        Action::CycleSleepTimer,
        Action::Messages,
        Action::RevealPlaying,
        // After the first page of an 80×24 help overlay, which keeps the everyday keys.
        Action::SeekForwardLong,
        Action::SeekBackwardLong,
    ];

    /// The config name (`snake_case`).
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// Parses a config name.
    pub fn from_name(name: &str) -> Option<Action> {
        serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
    }

    /// One line for the help overlay.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Up => "move up",
            Action::Down => "move down",
            Action::Top => "go to the top",
            Action::Bottom => "go to the bottom",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Open => "open / play the selection",
            Action::Back => "back one level",
            Action::FocusNext => "next pane",
            Action::FocusPrev => "previous pane",
            Action::ToggleAllTracks => "artists ↔ all tracks",
            Action::CycleSort => "change sort order",
            Action::Search => "search / filter",
            Action::SearchNext => "next match",
            Action::SearchPrev => "previous match",
            Action::Enqueue => "add to the queue",
            Action::PlayNow => "play now",
            Action::PlayNext => "play next",
            Action::QueueRemove => "remove from the queue",
            Action::QueueClear => "clear the queue",
            Action::QueueMoveUp => "move queue item up",
            Action::QueueMoveDown => "move queue item down",
            Action::QueueShuffle => "shuffle the queue",
            Action::CycleRepeat => "repeat: off / all / one",
            Action::TogglePin => "pin / unpin queue item",
            Action::SaveQueue => "save queue as a playlist",
            Action::ToggleAuto => "auto mode (fills the queue)",
            Action::PlayPause => "play / pause",
            Action::Stop => "stop",
            Action::NextTrack => "next track",
            Action::PrevTrack => "previous track",
            Action::SeekForward => "seek forward 5 s",
            Action::SeekBackward => "seek back 5 s",
            Action::SeekForwardLong => "seek forward 1 min",
            Action::SeekBackwardLong => "seek back 1 min",
            Action::VolumeUp => "volume up",
            Action::VolumeDown => "volume down",
            Action::Rate0 => "clear rating",
            Action::Rate1 => "rate 1 star",
            Action::Rate2 => "rate 2 stars",
            Action::Rate3 => "rate 3 stars",
            Action::Rate4 => "rate 4 stars",
            Action::Rate5 => "rate 5 stars",
            Action::PickMood => "set your mood by hand",
            Action::ToggleCamera => "camera on / off",
            Action::ToggleHelp => "this help",
            Action::CycleTheme => "next theme",
            Action::Quit => "quit",
            Action::ToggleDiary => "mood diary",
            Action::ToggleLyrics => "lyrics (back closes)",
            Action::ToggleFolders => "folders (files on disk)",
            Action::OpenPlaylists => "open a saved playlist",
            Action::MoodMap => "mood map of the library",
            Action::Journey => "mood journey to a target",
            Action::CycleSleepTimer => "sleep timer 15/30/45/60/off",
            Action::Messages => "past messages",
            Action::RevealPlaying => "find the playing track",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_its_config_name() {
        for &a in Action::ALL {
            assert_eq!(Action::from_name(&a.name()), Some(a), "{a:?}");
            assert!(!a.describe().is_empty());
        }
        assert_eq!(Action::from_name("next_track"), Some(Action::NextTrack));
        assert_eq!(Action::from_name("fly"), None);
    }
}
