//! The lyrics view's part of `update`: the current track's lyrics (loaded off the UI thread when
//! it starts, kept for that track only), the `L` toggle, scrolling, and the wake-ups that move
//! the highlight between the engine's once-a-second positions. UI thread; pure.

use std::path::PathBuf;

use super::action::Action;
use super::state::{AppState, Effect, Pane};
use crate::audio::EngineEvent;
use crate::core::{Rating, TrackId};
use crate::library::lyrics::{next_change, LyricLine, Lyrics, LyricsBody, LyricsReport};

/// The engine reports a position about once a second: a line starting sooner than this after
/// the last position gets a wake-up of its own.
const POSITION_EVERY_MS: u64 = 1_000;

/// What the lyrics view knows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LyricsState {
    /// The view is on (it takes the library pane's place).
    pub shown: bool,
    /// The track the lyrics below belong to.
    pub path: Option<PathBuf>,
    pub loaded: LyricsLoad,
    /// First row shown of unsynced lyrics (render clamps it to the text).
    pub scroll: usize,
    /// The number of the wake-up asked for last: a `LyricsTick` with another is stale.
    pub wake: u64,
    /// A wake-up is pending.
    pub waiting: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub enum LyricsLoad {
    /// Nothing playing.
    #[default]
    Nothing,
    Loading,
    /// No lyrics anywhere for this track.
    Missing,
    /// No lyrics could be read: why (the first problem).
    Failed(String),
    Ready(Lyrics),
}

/// A wake-up for the runtime to deliver as `Msg::LyricsTick { wake, position_ms }` after
/// `after_ms`: the position the track will have reached then, when the next line starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LyricsWake {
    pub wake: u64,
    pub after_ms: u64,
    pub position_ms: u64,
}

impl LyricsState {
    /// The synced lines, when the view shows synced lyrics.
    pub fn synced(&self) -> Option<&[LyricLine]> {
        match &self.loaded {
            LyricsLoad::Ready(Lyrics {
                body: LyricsBody::Synced(lines),
                ..
            }) => Some(lines),
            _ => None,
        }
    }
}

/// What an engine event means for the lyrics, taken before `update` consumes it.
pub(super) enum EngineNote {
    Started(PathBuf),
    Position,
    Stopped,
    Other,
}

pub(super) fn note(ev: &EngineEvent) -> EngineNote {
    match ev {
        EngineEvent::TrackStarted { path, .. } => EngineNote::Started(path.clone()),
        EngineEvent::Position { .. } | EngineEvent::Resumed => EngineNote::Position,
        EngineEvent::Paused | EngineEvent::Idle => EngineNote::Stopped,
        _ => EngineNote::Other,
    }
}

/// After the engine's event went through `update`: load a new track's lyrics, keep the
/// highlight's wake-up in step with the position.
pub(super) fn engine(state: &mut AppState, note: EngineNote) -> Vec<Effect> {
    match note {
        EngineNote::Started(path) => {
            let l = &mut state.lyrics;
            if l.path.as_ref() != Some(&path) {
                l.path = Some(path.clone());
                l.loaded = LyricsLoad::Loading;
                l.scroll = 0;
            }
            let mut effects = vec![Effect::LoadLyrics(path)];
            effects.extend(rearm(state));
            effects
        }
        EngineNote::Position => rearm(state),
        EngineNote::Stopped => {
            if state.player.path.is_none() {
                state.lyrics.path = None;
                state.lyrics.loaded = LyricsLoad::Nothing;
            }
            rearm(state)
        }
        EngineNote::Other => Vec::new(),
    }
}

/// The lyrics thread's answer. A stale one (another track started since) is dropped.
pub fn loaded(state: &mut AppState, path: PathBuf, report: LyricsReport) -> Vec<Effect> {
    if state.lyrics.path.as_ref() != Some(&path) {
        return Vec::new();
    }
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    if let Some(problem) = report.problems.first() {
        state.error(format!("lyrics of {name}: {problem}"));
    }
    state.lyrics.loaded = match (report.lyrics, report.problems.into_iter().next()) {
        (Some(l), _) => LyricsLoad::Ready(l),
        (None, Some(why)) => LyricsLoad::Failed(why),
        (None, None) => LyricsLoad::Missing,
    };
    rearm(state)
}

/// A wake-up arrived: the track has reached the next line (if nothing changed since it was
/// asked for).
pub fn tick(state: &mut AppState, wake: u64, position_ms: u64) -> Vec<Effect> {
    if wake != state.lyrics.wake || !state.lyrics.waiting {
        return Vec::new();
    }
    state.lyrics.waiting = false;
    let playing = state.player.path.is_some() && !state.player.paused;
    if playing && position_ms > state.player.position_ms {
        state.player.position_ms = position_ms;
    }
    rearm(state)
}

/// Asks for a wake-up when the next line starts before the engine's next position would come,
/// or cancels the pending one when none is needed (view off, paused, unsynced, last line).
pub(super) fn rearm(state: &mut AppState) -> Vec<Effect> {
    let pos = state.player.position_ms;
    let playing = state.player.path.is_some() && !state.player.paused;
    let next = match state.lyrics.synced() {
        Some(lines) if state.lyrics.shown && playing => next_change(lines, pos),
        _ => None,
    };
    let l = &mut state.lyrics;
    match next.map(|at| at - pos) {
        Some(after_ms) if after_ms < POSITION_EVERY_MS => {
            l.wake += 1;
            l.waiting = true;
            vec![Effect::LyricsWake(Some(LyricsWake {
                wake: l.wake,
                after_ms,
                position_ms: pos + after_ms,
            }))]
        }
        _ if l.waiting => {
            l.wake += 1;
            l.waiting = false;
            vec![Effect::LyricsWake(None)]
        }
        _ => Vec::new(),
    }
}

/// A seek was asked for (a key, the mouse, MPRIS or the socket): the pending wake-up was for
/// the old position, so its tick is stale now; the engine's position after the seek asks for
/// the next one.
pub(super) fn seeked(state: &mut AppState) {
    state.lyrics.wake += 1;
    state.lyrics.waiting = false;
}

/// The lyrics view's keys: `L` anywhere; while the view is on and the library pane focused
/// (the view stands in its place), the movement keys scroll it, back closes it, rating keys rate
/// the playing track and the library's own keys do nothing (their rows are hidden). `None`:
/// not the view's key, `update` handles it as usual.
pub fn action(state: &mut AppState, a: Action) -> Option<Vec<Effect>> {
    if a == Action::ToggleLyrics {
        let l = &mut state.lyrics;
        l.shown = !l.shown;
        if l.shown {
            state.focus = Pane::Library;
        }
        return Some(rearm(state));
    }
    if !state.lyrics.shown || state.focus != Pane::Library {
        return None;
    }
    let page = state.list_rows.max(1);
    let scroll = &mut state.lyrics.scroll;
    match a {
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::Down => *scroll = scroll.saturating_add(1),
        Action::PageUp => *scroll = scroll.saturating_sub(page),
        Action::PageDown => *scroll = scroll.saturating_add(page),
        Action::Top => *scroll = 0,
        // Render clamps it to the last page.
        Action::Bottom => *scroll = usize::MAX / 2,
        Action::Back => {
            state.lyrics.shown = false;
            return Some(rearm(state));
        }
        Action::Search => {
            // The search filters the library: bring it back.
            state.lyrics.shown = false;
            let mut effects = rearm(state);
            effects.extend(super::update::update(
                state,
                super::state::Msg::Action(Action::Search),
            ));
            return Some(effects);
        }
        Action::Rate0
        | Action::Rate1
        | Action::Rate2
        | Action::Rate3
        | Action::Rate4
        | Action::Rate5 => return Some(rate_playing(state, a)),
        Action::Open
        | Action::Enqueue
        | Action::PlayNow
        | Action::PlayNext
        | Action::ToggleAllTracks
        | Action::CycleSort
        | Action::SearchNext
        | Action::SearchPrev => {}
        _ => return None,
    }
    Some(Vec::new())
}

fn rate_playing(state: &mut AppState, a: Action) -> Vec<Effect> {
    let stars = match a {
        Action::Rate1 => 1,
        Action::Rate2 => 2,
        Action::Rate3 => 3,
        Action::Rate4 => 4,
        Action::Rate5 => 5,
        _ => 0,
    };
    match state.player.path.as_deref() {
        Some(path) => vec![Effect::SaveRating {
            id: TrackId::from_path(path),
            rating: Rating::new(stars),
        }],
        None => {
            state.info("nothing to rate: nothing is playing");
            Vec::new()
        }
    }
}
