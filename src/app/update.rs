//! `update(state, msg) -> effects`: the only place the UI thread's state changes. Navigation,
//! search and the queue are here; what the keys do to the selection is in `selection.rs`, playback
//! in `playback.rs`, and the subsystems' reports (engine, library, mood tagger, camera) in
//! `reports.rs`.

use super::action::Action;
use super::lyrics;
use super::playback;
use super::reco;
use super::reports;
use super::selection::{enqueue, move_by_hand, move_cursor, open, play_next, play_now, rate};
use super::state::{AppState, CameraState, Effect, Msg, Overlay, Pane};
use crate::audio::EngineCommand;
use crate::core::{now_ms, EmotionReading, EMOTIONS};
use crate::vision::service::VisionCommand;

/// Applies one message to the state and returns what the runtime must do.
pub fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    let mut effects = apply(state, msg);
    effects.extend(engine_next(state, &effects));
    effects
}

/// The engine must know what follows the playing track, whichever edit put it there: a queue
/// that had nothing after the playing track and has now (`e`, the mood map's enter, an append
/// from the control socket) is told here, so that playback goes on instead of stopping at the
/// end of the track. (Edits that replace the preloaded item say so themselves, through
/// `playback::refresh_next`.)
fn engine_next(state: &mut AppState, effects: &[Effect]) -> Vec<Effect> {
    let told = effects.iter().any(|e| {
        matches!(
            e,
            Effect::Engine(EngineCommand::Play { .. } | EngineCommand::SetNext(_))
        )
    });
    let follows = state.queue.next_index();
    if told || state.player.path.is_none() || state.preloaded.is_some() || follows.is_none() {
        return Vec::new();
    }
    let mut effects = playback::refresh_next(state);
    effects.push(Effect::SaveQueue(state.saved_queue()));
    effects
}

fn apply(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Action(a) => {
            // A key press lets a sticky message go (the next message replaces it), and the
            // listener has seen the status line.
            if let Some(s) = state.status.as_mut() {
                s.sticky = false;
            }
            super::messages::key_pressed(state);
            action(state, a)
        }
        Msg::Terminate { signal } => {
            // Whatever overlay or prompt is open: the process is ending.
            state.exit_code = u8::try_from(128 + signal.clamp(0, 127)).unwrap_or(u8::MAX);
            state.quit = true;
            vec![Effect::SaveQueue(state.saved_queue())]
        }
        Msg::SearchChar(c) => {
            if let Some(q) = state.search_input.as_mut() {
                q.push(c);
                state.browser.query = Some(q.clone());
                state.browser.cursor = 0;
                state.browser.dirty = true;
            }
            Vec::new()
        }
        Msg::SearchBackspace => {
            if let Some(q) = state.search_input.as_mut() {
                q.pop();
                state.browser.query = Some(q.clone());
                state.browser.dirty = true;
            }
            Vec::new()
        }
        Msg::SearchConfirm => {
            state.search_input = None;
            if state.browser.query.as_deref() == Some("") {
                state.browser.query = None;
                state.browser.dirty = true;
            }
            Vec::new()
        }
        Msg::SearchCancel => {
            state.search_input = None;
            state.browser.query = None;
            state.browser.dirty = true;
            Vec::new()
        }
        Msg::Prompt(key) => super::save_prompt::key(state, key),
        Msg::PlaylistDeleted { path, result } => {
            super::picker::deleted(state, &path, result);
            Vec::new()
        }
        Msg::PlaylistExists { name } => {
            super::save_prompt::exists(state, name);
            Vec::new()
        }
        Msg::CloseOverlay => {
            state.overlay = None;
            Vec::new()
        }
        Msg::Engine(ev) => {
            let note = lyrics::note(&ev);
            let mut effects = reports::engine(state, ev);
            // First: what the engine's event itself asks for stays last (the queue's save).
            effects.splice(0..0, lyrics::engine(state, note));
            effects
        }
        Msg::RecoRanked(answer) => reco::ranked(state, answer),
        Msg::Library(ev) => reports::library_event(state, *ev),
        Msg::RatingSaved { id, rating } => {
            match rating {
                Some(r) => state.ratings.insert(id, r),
                None => state.ratings.remove(&id),
            };
            reco::rated(state, id, rating)
        }
        Msg::RatingFailed { error, .. } => {
            state.error(format!("rating not saved: {error}"));
            Vec::new()
        }
        Msg::Emotion(reading) => reports::emotion(state, reading),
        Msg::Camera(camera) => {
            reports::camera(state, camera);
            Vec::new()
        }
        Msg::Catalogue(mut tracks) => {
            // What other folders left in the store is not this library's (`library::in_library`).
            tracks.retain(|t| crate::library::in_library(&t.path, &state.browser.roots));
            state.catalogue = super::browser::Catalogue::new(tracks);
            state.browser.dirty = true;
            vec![Effect::TagLibrary {
                roots: state.browser.roots.clone(),
            }]
        }
        Msg::Moods(moods) => {
            state.moods.extend(moods);
            Vec::new()
        }
        Msg::Mood(ev) => {
            reports::mood_event(state, ev);
            Vec::new()
        }
        Msg::Remote(r) => match r {
            super::state::Remote::Action(a) => action(state, a),
            super::state::Remote::Control(req) => super::control::request(state, req),
            super::state::Remote::SetSleepTimer(m) => super::wind_down::set(state, m, now_ms()),
            r => playback::remote(state, r),
        },
        Msg::Resize {
            list_rows,
            help_slots,
        } => {
            state.list_rows = list_rows.max(1);
            state.help_slots = help_slots;
            Vec::new()
        }
        Msg::Status(s) => {
            state.set_status(s);
            Vec::new()
        }
        Msg::RecoStarted => {
            state.reco.enabled = true;
            Vec::new()
        }
        Msg::JourneyMemoryLoaded(memory) => {
            state.journey.memory.merge(memory);
            Vec::new()
        }
        Msg::RecoUnavailable(why) => {
            state.error(format!("recommendations are off: {why}"));
            Vec::new()
        }
        Msg::VisionStarted if state.emotion.camera != CameraState::Off => {
            vec![Effect::Vision(VisionCommand::Enable(true))]
        }
        Msg::VisionStarted => Vec::new(),
        Msg::FilesOpened {
            given,
            result,
            missing,
        } => super::control::files_opened(state, &given, result, missing),
        Msg::DiaryLoaded(result) => {
            super::diary::loaded(state, result);
            Vec::new()
        }
        Msg::LyricsLoaded { path, report } => lyrics::loaded(state, path, report),
        Msg::LyricsTick { wake, position_ms } => lyrics::tick(state, wake, position_ms),
        Msg::Mouse(input) => super::mouse::mouse(state, input),
        Msg::PlaylistsListed(result) => {
            super::picker::listed(state, result);
            Vec::new()
        }
        Msg::SavedPlaylistOpened {
            path,
            append,
            result,
        } => super::picker::opened(state, &path, append, result),
        Msg::MapKey(k) => super::mood_map::key(state, k),
        Msg::SetSleepTimer { minutes, now_ms } => super::wind_down::set(state, minutes, now_ms),
        Msg::Tick { now_ms } => super::wind_down::tick(state, now_ms),
    }
}

fn action(state: &mut AppState, a: Action) -> Vec<Effect> {
    // Keys queued before a redraw arrive back to back: act on the rows as they are now.
    state.prepare();
    if let Some(effects) = super::mood_map::picker_action(state, a) {
        return effects;
    }
    if let Some(Overlay::MoodPicker { cursor }) = state.overlay.as_mut() {
        match a {
            Action::Up => *cursor = cursor.saturating_sub(1),
            Action::Down => *cursor = (*cursor + 1).min(EMOTIONS.len() - 1),
            Action::Open | Action::PlayNow => {
                let chosen = *cursor;
                state.overlay = None;
                return reports::set_emotion(state, EmotionReading::manual(chosen, now_ms()));
            }
            Action::Back | Action::PickMood | Action::Quit => state.overlay = None,
            _ => {}
        }
        return Vec::new();
    }
    if state.overlay == Some(Overlay::Diary) && matches!(a, Action::Back | Action::Quit) {
        state.overlay = None;
        return Vec::new();
    }
    if matches!(state.overlay, Some(Overlay::Playlists { .. })) {
        return super::picker::action(state, a);
    }
    if super::help::action(state, a) || super::messages::action(state, a) {
        return Vec::new();
    }
    if let Some(effects) = lyrics::action(state, a) {
        return effects;
    }
    match a {
        Action::Up | Action::SearchPrev => move_cursor(state, -1),
        Action::Down | Action::SearchNext => move_cursor(state, 1),
        Action::PageUp => move_cursor(state, -(state.list_rows as i64)),
        Action::PageDown => move_cursor(state, state.list_rows as i64),
        Action::Top => move_cursor(state, i64::MIN / 2),
        Action::Bottom => move_cursor(state, i64::MAX / 2),
        Action::FocusNext | Action::FocusPrev => {
            state.focus = match state.focus {
                Pane::Library => Pane::Queue,
                Pane::Queue => Pane::Library,
            };
        }
        Action::Open => return open(state),
        Action::Back => {
            if state.focus == Pane::Library && !state.browser.back() {
                state.info("at the top of the library");
            }
        }
        Action::ToggleAllTracks => {
            // From the folder view, `a` goes to the flat list; from a search, to the view it
            // toggles (the search hid it: toggling behind it would change nothing on screen).
            state.browser.query = None;
            let from_folders = state.browser.folders.take().is_some();
            state.browser.all_tracks = from_folders || !state.browser.all_tracks;
            state.browser.cursor = 0;
            state.browser.dirty = true;
        }
        Action::CycleSort => {
            state.browser.sort = state.browser.sort.cycle();
            state.browser.dirty = true;
            state.info(format!("sorted by {}", state.browser.sort.label()));
        }
        Action::Search => {
            state.focus = Pane::Library;
            let q = state.browser.query.clone().unwrap_or_default();
            state.search_input = Some(q.clone());
            state.browser.query = Some(q);
            state.browser.dirty = true;
        }
        Action::Enqueue => enqueue(state),
        Action::PlayNow => return play_now(state),
        Action::PlayNext => return play_next(state),
        Action::QueueMoveUp | Action::QueueMoveDown => return move_by_hand(state, a),
        Action::ToggleAuto => return reco::toggle_auto(state),
        Action::QueueRemove
        | Action::QueueClear
        | Action::QueueShuffle
        | Action::CycleRepeat
        | Action::TogglePin => return playback::queue_edit(state, a),
        Action::SaveQueue => super::save_prompt::open(state),
        Action::PlayPause
        | Action::Stop
        | Action::NextTrack
        | Action::PrevTrack
        | Action::SeekForward
        | Action::SeekBackward
        | Action::SeekForwardLong
        | Action::SeekBackwardLong
        | Action::VolumeUp
        | Action::VolumeDown => return playback::transport(state, a),
        Action::Rate0 => return rate(state, 0),
        Action::Rate1 => return rate(state, 1),
        Action::Rate2 => return rate(state, 2),
        Action::Rate3 => return rate(state, 3),
        Action::Rate4 => return rate(state, 4),
        Action::Rate5 => return rate(state, 5),
        Action::PickMood => {
            let cursor = state.emotion.current.as_ref().map_or(6, |r| r.top());
            state.overlay = Some(Overlay::MoodPicker { cursor });
        }
        Action::ToggleCamera => {
            let on = state.emotion.camera == CameraState::Off;
            state.emotion.camera = if on {
                CameraState::Standby
            } else {
                CameraState::Off
            };
            state.info(if on { "camera on" } else { "camera off" });
            return vec![Effect::Vision(VisionCommand::Enable(on))];
        }
        // Opened by `help::action` above.
        Action::ToggleHelp => {}
        Action::CycleTheme => {
            state.theme = (state.theme + 1) % state.theme_names.len().max(1);
            let name = state
                .theme_names
                .get(state.theme)
                .cloned()
                .unwrap_or_default();
            state.info(format!("theme: {name}"));
        }
        Action::Quit => {
            state.quit = true;
            return vec![Effect::SaveQueue(state.saved_queue())];
        }
        Action::ToggleDiary => return super::diary::toggle(state),
        // Handled by `lyrics::action` above.
        Action::ToggleLyrics => {}
        Action::ToggleFolders => {
            state.focus = Pane::Library;
            state.browser.toggle_folders(&state.catalogue);
        }
        Action::OpenPlaylists => return super::picker::open(state),
        Action::MoodMap => super::mood_map::toggle(state),
        Action::Journey => super::mood_map::open_picker(state),
        Action::CycleSleepTimer => return super::wind_down::cycle(state, now_ms()),
        // Opened by `messages::action` above.
        Action::Messages => {}
        Action::RevealPlaying => return reveal_playing(state),
    }
    Vec::new()
}

/// `i`: the playing track (else the queue's current one) in the library pane, in the lyrics
/// view's place if that is on.
fn reveal_playing(state: &mut AppState) -> Vec<Effect> {
    let Some(path) =
        (state.player.path.clone()).or_else(|| state.queue.current_item().map(|i| i.path.clone()))
    else {
        state.info("nothing playing");
        return Vec::new();
    };
    let id = crate::core::TrackId::from_path(&path);
    if !state.browser.reveal(&state.catalogue, id) {
        state.info(format!("{} is not in the library", path.display()));
        return Vec::new();
    }
    state.focus = Pane::Library;
    if !state.lyrics.shown {
        return Vec::new();
    }
    state.lyrics.shown = false;
    lyrics::rearm(state)
}
