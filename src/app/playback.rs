//! The playback half of `update`: transport actions, queue edits that change what plays next,
//! and the engine's events (the queue owner's side of the engine protocol).

use super::action::Action;
use super::state::{AppState, Effect, Remote};
use crate::audio::{EngineCommand, EngineEvent, TrackRequest};
use crate::core::text::counted;
use crate::core::{now_ms, PlayOutcome, PlayRecord, TrackId};

/// Seek step for the seek keys.
const SEEK_MS: i64 = 5_000;
/// The long seek (`]` / `[`).
const SEEK_LONG_MS: i64 = 60_000;
/// Volume step for the volume keys, in percent.
const VOLUME_STEP: u8 = 5;
/// "Previous" restarts the current track when it has played longer than this.
const RESTART_AFTER_MS: u64 = 3_000;

fn request(state: &AppState, i: usize) -> Option<TrackRequest> {
    let item = state.queue.items.get(i)?;
    Some(match state.catalogue.get(item.id) {
        Some(t) => TrackRequest {
            path: item.path.clone(),
            ..TrackRequest::for_track(t)
        },
        None => TrackRequest::new(&item.path),
    })
}

/// Starts queue item `i` from `start_ms`.
pub fn play_index(state: &mut AppState, i: usize, start_ms: u64) -> Vec<Effect> {
    let Some(track) = request(state, i) else {
        return Vec::new();
    };
    state.queue.current = Some(i);
    state.queue.cursor = i;
    state.preloaded = None;
    state.player.resume_at = None;
    let mut effects = vec![Effect::Engine(EngineCommand::Play { track, start_ms })];
    if state.player.paused {
        effects.push(Effect::Engine(EngineCommand::Resume));
    }
    effects
}

/// Tells the engine which item follows the current one (after the queue changed).
pub fn refresh_next(state: &mut AppState) -> Vec<Effect> {
    if state.player.path.is_none() {
        return Vec::new();
    }
    let next = state.queue.next_index();
    // An edit may have put another track at the preloaded index, so only "nothing before,
    // nothing now" is known to need no word to the engine.
    if next.is_none() && state.preloaded.is_none() {
        return Vec::new();
    }
    state.preloaded = next;
    let req = next.and_then(|n| request(state, n));
    vec![Effect::Engine(EngineCommand::SetNext(req))]
}

pub fn transport(state: &mut AppState, a: Action) -> Vec<Effect> {
    let engine = |c| vec![Effect::Engine(c)];
    match a {
        Action::PlayPause if state.player.path.is_some() => engine(EngineCommand::TogglePause),
        Action::PlayPause => {
            let start = state.player.resume_at.unwrap_or(0);
            match state
                .queue
                .current
                .or((!state.queue.is_empty()).then_some(state.queue.cursor))
            {
                Some(i) => play_index(state, i, start),
                None => {
                    state
                        .info("the queue is empty: pick something in the library (enter plays it)");
                    Vec::new()
                }
            }
        }
        Action::Stop => engine(EngineCommand::Stop),
        Action::NextTrack => {
            let next = match state.queue.current {
                Some(c) if c + 1 < state.queue.len() => Some(c + 1),
                Some(c) => state.queue.following(c).filter(|&n| n != c),
                None => state.queue.next_index(),
            };
            match next {
                Some(n) => play_index(state, n, 0),
                None => {
                    state.info("end of the queue");
                    Vec::new()
                }
            }
        }
        Action::PrevTrack => {
            if state.player.position_ms > RESTART_AFTER_MS && state.player.path.is_some() {
                return seek(state, EngineCommand::Seek { ms: 0 });
            }
            match (state.queue.current.or(state.queue.gap)).and_then(|c| state.queue.preceding(c)) {
                Some(p) => play_index(state, p, 0),
                None => seek(state, EngineCommand::Seek { ms: 0 }),
            }
        }
        Action::SeekForward => seek(state, EngineCommand::SeekBy { ms: SEEK_MS }),
        Action::SeekBackward => seek(state, EngineCommand::SeekBy { ms: -SEEK_MS }),
        Action::SeekForwardLong => seek(state, EngineCommand::SeekBy { ms: SEEK_LONG_MS }),
        Action::SeekBackwardLong => seek(state, EngineCommand::SeekBy { ms: -SEEK_LONG_MS }),
        Action::VolumeUp | Action::VolumeDown => {
            let v = state.player.volume;
            let v = if a == Action::VolumeUp {
                v.saturating_add(VOLUME_STEP).min(100)
            } else {
                v.saturating_sub(VOLUME_STEP)
            };
            state.player.volume = v;
            engine(EngineCommand::SetVolume(f32::from(v) / 100.0))
        }
        _ => Vec::new(),
    }
}

/// Every seek, whoever asked for it: the lyrics' pending wake-up is for the old position.
fn seek(state: &mut AppState, cmd: EngineCommand) -> Vec<Effect> {
    super::lyrics::seeked(state);
    vec![Effect::Engine(cmd)]
}

/// A remote control's play, pause, exact seek or volume (its key-like requests go through
/// `transport`).
pub fn remote(state: &mut AppState, r: Remote) -> Vec<Effect> {
    let playing = state.player.path.is_some() && !state.player.paused;
    match r {
        Remote::Play if !playing => transport(state, Action::PlayPause),
        Remote::Pause if playing => transport(state, Action::PlayPause),
        Remote::Play
        | Remote::Pause
        | Remote::Action(_)
        | Remote::Control(_)
        | Remote::SetSleepTimer(_) => Vec::new(),
        Remote::SeekBy(ms) => seek(state, EngineCommand::SeekBy { ms }),
        Remote::SeekTo(ms) => seek(state, EngineCommand::Seek { ms }),
        Remote::SetVolume(v) => {
            let v = v.clamp(0.0, 1.0);
            state.player.volume = (v * 100.0).round() as u8;
            vec![Effect::Engine(EngineCommand::SetVolume(v))]
        }
    }
}

pub fn queue_edit(state: &mut AppState, a: Action) -> Vec<Effect> {
    let cursor = state.queue.cursor;
    let q = &mut state.queue;
    match a {
        Action::QueueRemove if state.focus == super::state::Pane::Queue => {
            q.remove(cursor);
        }
        Action::QueueClear => {
            let keep = q.current_item().cloned();
            let gone = q.len() - usize::from(keep.is_some());
            q.clear();
            let playing = keep.is_some();
            if let Some(item) = keep {
                q.items.push(item);
                q.current = Some(0);
            }
            // One key empties a queue of any length: say what went.
            let removed = counted(gone, "track");
            state.info(match (gone, playing) {
                (0, _) => "the queue has nothing to clear".to_string(),
                (_, true) => format!("cleared the queue: {removed} removed, the current one stays"),
                (_, false) => format!("cleared the queue: {removed} removed"),
            });
        }
        Action::QueueMoveUp | Action::QueueMoveDown if state.focus == super::state::Pane::Queue => {
            if let Some(to) = q.move_item(cursor, a == Action::QueueMoveUp) {
                q.cursor = to;
            }
        }
        Action::QueueShuffle => {
            let (moved, kept) = q.shuffle(now_ms() ^ 0x9e37_79b9_7f4a_7c15);
            state.info(match (moved, kept) {
                (0 | 1, _) => "nothing to shuffle: fewer than two upcoming tracks".to_string(),
                (n, 0) => format!("shuffled {n} upcoming tracks"),
                (n, k) => format!(
                    "shuffled {n} upcoming tracks; {} stay in place (x unpins)",
                    counted(k, "pinned track")
                ),
            });
        }
        Action::CycleRepeat => {
            q.repeat = q.repeat.cycle();
            let label = q.repeat.label();
            state.info(format!("repeat {label}"));
        }
        Action::TogglePin if state.focus == super::state::Pane::Queue => {
            if let Some(item) = q.items.get_mut(cursor) {
                item.pinned = !item.pinned;
            }
        }
        _ => return Vec::new(),
    }
    let mut effects = refresh_next(state);
    effects.push(Effect::SaveQueue(state.saved_queue()));
    effects
}

fn record(path: &std::path::Path, outcome: PlayOutcome, position_ms: u64) -> Effect {
    Effect::RecordPlay(PlayRecord {
        at_ms: now_ms(),
        track: TrackId::from_path(path),
        path: path.to_path_buf(),
        outcome,
        position_ms,
    })
}

pub fn engine_event(state: &mut AppState, ev: EngineEvent) -> Vec<Effect> {
    match ev {
        EngineEvent::OutputOpened {
            description,
            fallback,
        } => {
            match &fallback {
                // What it means first: the device's own words can be long (ALSA's fill the
                // line) and are what a narrow status line cuts.
                Some(why) => state.error(format!(
                    "no sound device: playing silently until it is back ({why})"
                )),
                None if state.player.output_warning.is_some() => {
                    state.info(format!("sound device back: {description}"))
                }
                None => {}
            }
            state.player.output = Some(description);
            state.player.output_warning = fallback;
            Vec::new()
        }
        EngineEvent::TrackStarted { path, duration_ms } => {
            let from = state.preloaded.or(state.queue.current).unwrap_or(0);
            if let Some(i) = state.queue.find_from(from, &path) {
                state.queue.current = Some(i);
            }
            state.preloaded = None;
            state.player.path = Some(path.clone());
            state.player.position_ms = 0;
            state.player.duration_ms = duration_ms;
            let mut effects = vec![
                record(&path, PlayOutcome::Started, 0),
                Effect::LoadArt(Some(path)),
            ];
            effects.extend(refresh_next(state));
            effects.push(Effect::SaveQueue(state.saved_queue()));
            effects
        }
        EngineEvent::Position {
            position_ms,
            duration_ms,
            ..
        } => {
            state.player.position_ms = position_ms;
            if duration_ms.is_some() {
                state.player.duration_ms = duration_ms;
            }
            Vec::new()
        }
        EngineEvent::TrackEnded {
            path,
            position_ms,
            completed,
            failure,
        } => {
            let outcome = match failure {
                Some(reason) => {
                    state.error(format!("{} stopped early: {reason}", path.display()));
                    PlayOutcome::Failed(reason)
                }
                None if completed => PlayOutcome::Completed,
                None if state.timer_stopped.as_ref() == Some(&path) => PlayOutcome::Stopped,
                None => PlayOutcome::Skipped,
            };
            vec![record(&path, outcome, position_ms)]
        }
        EngineEvent::TrackFailed { path, reason } => {
            state.error(format!("cannot play {}: {reason}", path.display()));
            let preloaded = state
                .preloaded
                .filter(|&i| state.queue.items.get(i).is_some_and(|t| t.path == path));
            if let Some(p) = preloaded {
                // Preload the one after the broken track instead.
                let after = state.queue.following(p).filter(|&n| n != p);
                state.preloaded = after;
                let req = after.and_then(|n| request(state, n));
                return vec![Effect::Engine(EngineCommand::SetNext(req))];
            }
            let current = state
                .queue
                .current
                .filter(|&i| state.queue.items.get(i).is_some_and(|t| t.path == path));
            match current.and_then(|c| state.queue.following(c).filter(|&n| n != c)) {
                Some(n) => play_index(state, n, 0),
                None => Vec::new(),
            }
        }
        EngineEvent::Paused => {
            state.player.paused = true;
            vec![Effect::SaveQueue(state.saved_queue())]
        }
        EngineEvent::Resumed => {
            state.player.paused = false;
            Vec::new()
        }
        EngineEvent::Idle => {
            state.player.path = None;
            state.player.paused = false;
            state.preloaded = None;
            vec![
                Effect::LoadArt(None),
                Effect::SaveQueue(state.saved_queue()),
            ]
        }
        EngineEvent::VolumeChanged(v) => {
            state.player.volume = (v * 100.0).round() as u8;
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::queue::QueueItem;

    fn engine(effects: &[Effect]) -> Vec<&EngineCommand> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Engine(c) => Some(c),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_remote_play_or_pause_acts_only_when_it_changes_something() {
        let mut state = AppState::new(Vec::new(), Vec::new());
        state.queue.append([QueueItem::new("/m/a.flac".into())]);
        assert!(
            remote(&mut state, Remote::Pause).is_empty(),
            "stopped: no pause"
        );
        let play = remote(&mut state, Remote::Play);
        assert!(matches!(engine(&play)[..], [EngineCommand::Play { .. }]));
        state.player.path = Some("/m/a.flac".into());
        assert!(
            remote(&mut state, Remote::Play).is_empty(),
            "playing: no play"
        );
        let pause = remote(&mut state, Remote::Pause);
        assert_eq!(engine(&pause), [&EngineCommand::TogglePause]);
    }

    #[test]
    fn a_remote_volume_and_seek_reach_the_engine_through_update() {
        let mut state = AppState::new(Vec::new(), Vec::new());
        let v = remote(&mut state, Remote::SetVolume(0.25));
        assert_eq!(state.player.volume, 25);
        assert_eq!(engine(&v), [&EngineCommand::SetVolume(0.25)]);
        remote(&mut state, Remote::SetVolume(7.0));
        assert_eq!(state.player.volume, 100, "clamped");
        let seek = remote(&mut state, Remote::SeekTo(61_000));
        assert_eq!(engine(&seek), [&EngineCommand::Seek { ms: 61_000 }]);
        let back = remote(&mut state, Remote::SeekBy(-5_000));
        assert_eq!(engine(&back), [&EngineCommand::SeekBy { ms: -5_000 }]);
    }

    #[test]
    fn a_track_that_stops_early_is_recorded_as_failed_and_shown_in_the_status_line() {
        let mut state = AppState::new(Vec::new(), Vec::new());
        let reason = "playback ended at 0:00 of 0:08: truncated (unexpected end of file)";
        let effects = engine_event(
            &mut state,
            EngineEvent::TrackEnded {
                path: "/m/a.m4a".into(),
                position_ms: 200,
                completed: false,
                failure: Some(reason.into()),
            },
        );
        let [Effect::RecordPlay(rec)] = &effects[..] else {
            panic!("{effects:?}");
        };
        assert_eq!(rec.outcome, PlayOutcome::Failed(reason.into()));
        assert_eq!(rec.position_ms, 200);
        let status = state.status.as_ref().expect("status");
        assert!(
            status
                .text
                .contains("/m/a.m4a stopped early: playback ended"),
            "{status:?}"
        );
        assert_eq!(status.level, super::super::state::StatusLevel::Error);
    }
}
