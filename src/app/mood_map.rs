//! The mood map's state and keys (issue 15), pure: whether the map is open, its cursor on the
//! valence/arousal plane, the listener's trail (the last [`TRAIL_MS`] of readings, bounded), the
//! tracks nearest the cursor, and the journey picker overlay. While the map is open it takes
//! h j k l, the arrows, enter and `J` before the global keymap (`keys::key_to_msg`).

use std::collections::VecDeque;

use super::journey;
use super::queue::QueueItem;
use super::reco::track_mood;
use super::state::{AppState, Effect, Overlay};
use super::Action;
use crate::core::text::counted;
use crate::core::{now_ms, EmotionReading, TrackId};
use crate::recommend::journey::Target;
use crate::recommend::TrackMood;

/// The trail keeps readings this old at most ...
pub const TRAIL_MS: u64 = 5 * 60_000;
/// ... and this many.
pub const TRAIL_MAX: usize = 300;
/// One cursor step (circumplex units).
pub const CURSOR_STEP: f32 = 0.1;
/// Tracks in the side list (and queued by enter).
pub const NEAREST: usize = 8;
/// A journey started from the map or the picker lasts this long unless the picker says otherwise.
pub const JOURNEY_MINUTES: u32 = 20;

/// What the map does with the keys it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapKey {
    Left,
    Right,
    Up,
    Down,
    /// enter: queue the tracks nearest the cursor.
    Queue,
    /// `J`: a journey to the cursor's point.
    Journey,
    /// esc.
    Close,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct MoodMap {
    pub open: bool,
    /// (valence, arousal), each in −1..1.
    pub cursor: (f32, f32),
    /// The listener's readings, oldest first: (at_ms, valence, arousal).
    pub trail: VecDeque<(u64, f32, f32)>,
}

/// Every reading goes on the trail (kept whether or not the map is open).
pub fn record(state: &mut AppState, r: &EmotionReading) {
    let trail = &mut state.mood_map.trail;
    trail.push_back((r.at_ms, r.valence, r.arousal));
    while trail.len() > TRAIL_MAX || trail.front().is_some_and(|f| f.0 + TRAIL_MS < r.at_ms) {
        trail.pop_front();
    }
}

/// `M`: open or close the map. It opens on the listener's emotion, if known.
pub fn toggle(state: &mut AppState) {
    let m = &mut state.mood_map;
    m.open = !m.open;
    if m.open {
        if let Some(l) = state.reco.watch.listener() {
            m.cursor = (snap(l.valence), snap(l.arousal));
        }
    }
}

fn snap(x: f32) -> f32 {
    ((x / CURSOR_STEP).round() * CURSOR_STEP).clamp(-1.0, 1.0)
}

/// The catalogue's tagged tracks nearest the cursor, nearest first, with their moods.
pub fn nearest(state: &AppState, n: usize) -> Vec<(TrackId, TrackMood)> {
    let (v, a) = state.mood_map.cursor;
    let at = TrackMood::new(v, a);
    let mut all: Vec<(f32, TrackId, TrackMood)> = (state.catalogue.iter())
        .filter_map(|t| track_mood(state, t.id).map(|m| (m.distance(at), t.id, m)))
        .collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    all.into_iter().take(n).map(|(_, id, m)| (id, m)).collect()
}

pub fn key(state: &mut AppState, k: MapKey) -> Vec<Effect> {
    let (v, a) = &mut state.mood_map.cursor;
    let step = |x: &mut f32, d: f32| *x = snap(*x + d);
    match k {
        MapKey::Left => step(v, -CURSOR_STEP),
        MapKey::Right => step(v, CURSOR_STEP),
        MapKey::Up => step(a, CURSOR_STEP),
        MapKey::Down => step(a, -CURSOR_STEP),
        MapKey::Close => state.mood_map.open = false,
        MapKey::Queue => {
            let items: Vec<QueueItem> = nearest(state, NEAREST)
                .into_iter()
                .filter_map(|(id, _)| state.catalogue.get(id))
                .map(|t| QueueItem::new(t.path.clone()))
                .collect();
            let n = items.len();
            state.queue.append(items);
            state.info(format!(
                "added the {} nearest {:.1},{:.1} to the queue",
                counted(n, "track"),
                state.mood_map.cursor.0,
                state.mood_map.cursor.1
            ));
        }
        MapKey::Journey => {
            let (valence, arousal) = state.mood_map.cursor;
            state.mood_map.open = false;
            let to = Target::Point { valence, arousal };
            return journey::start(state, to, JOURNEY_MINUTES, true, now_ms());
        }
    }
    Vec::new()
}

/// The journey picker's rows: the named targets.
pub const PICKER_ROWS: usize = Target::NAMED.len();

/// Keys while the journey picker is open: up/down choose the target, left/right (h/l) the
/// minutes by 5, enter starts. `None` when the picker is not open.
pub fn picker_action(state: &mut AppState, a: Action) -> Option<Vec<Effect>> {
    let Some(Overlay::JourneyPicker { cursor, minutes }) = state.overlay.as_mut() else {
        return None;
    };
    match a {
        Action::Up => *cursor = cursor.saturating_sub(1),
        Action::Down => *cursor = (*cursor + 1).min(PICKER_ROWS - 1),
        Action::SeekBackward => *minutes = minutes.saturating_sub(5).max(5),
        Action::SeekForward => *minutes = (*minutes + 5).min(180),
        Action::Open | Action::PlayNow => {
            let (to, m) = (Target::NAMED[*cursor].1, *minutes);
            state.overlay = None;
            return Some(journey::start(state, to, m, true, now_ms()));
        }
        Action::Back | Action::Journey | Action::Quit => state.overlay = None,
        _ => {}
    }
    Some(Vec::new())
}

/// `v`: open the journey picker.
pub fn open_picker(state: &mut AppState) {
    state.overlay = Some(Overlay::JourneyPicker {
        cursor: 3,
        minutes: JOURNEY_MINUTES,
    });
}
