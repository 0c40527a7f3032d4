//! `update`'s side of remote control (`mien ctl` over the control socket): each request changes
//! the state the way the matching key does (through `playback`, `reports`), and the answer —
//! built here from the state this thread owns — leaves as `Effect::Reply` for the runtime to
//! send. Also the files given on the command line at start (`mien FILE...`).

use std::path::{Path, PathBuf};

use super::action::Action;
use super::playback;
use super::queue::QueueItem;
use super::reports;
use super::state::{AppState, Effect, Remote};
use crate::control::protocol::{EmotionInfo, MoodInfo, PlayState, StatusReport, TrackInfo};
use crate::control::{Command, Reply, Request};
use crate::core::text::counted;
use crate::core::{now_ms, EmotionReading, EmotionSource, Rating, TrackId, EMOTIONS};

/// One request from the control socket: act, then answer.
pub(super) fn request(state: &mut AppState, req: Request) -> Vec<Effect> {
    let (reply, mut effects) = command(state, req.command);
    effects.push(Effect::Reply {
        to: req.reply,
        reply,
    });
    effects
}

fn command(state: &mut AppState, command: Command) -> (Reply, Vec<Effect>) {
    let playing = state.player.path.is_some() && !state.player.paused;
    match command {
        Command::Status => (
            Reply::Status {
                status: status_report(state),
            },
            Vec::new(),
        ),
        Command::PlayPause if state.player.path.is_some() => {
            let now = if state.player.paused {
                "playing"
            } else {
                "paused"
            };
            let effects = playback::transport(state, Action::PlayPause);
            (Reply::done(now), effects)
        }
        Command::PlayPause => start(state),
        Command::Play if !playing => start(state),
        Command::Play => (Reply::done("already playing"), Vec::new()),
        Command::Pause if playing => {
            let effects = playback::remote(state, Remote::Pause);
            (Reply::done("paused"), effects)
        }
        Command::Pause if state.player.path.is_some() => {
            (Reply::done("already paused"), Vec::new())
        }
        Command::Pause => (Reply::done("nothing is playing"), Vec::new()),
        Command::Next => moved(state, Action::NextTrack, "next"),
        Command::Prev => moved(state, Action::PrevTrack, "previous"),
        Command::Stop => {
            let effects = playback::transport(state, Action::Stop);
            (Reply::done("stopped"), effects)
        }
        Command::Seek { ms, relative } => seek(state, ms, relative),
        Command::Volume { percent, relative } => {
            let base = if relative {
                i32::from(state.player.volume)
            } else {
                0
            };
            let target = base.saturating_add(percent).clamp(0, 100);
            let effects = playback::remote(state, Remote::SetVolume(target as f32 / 100.0));
            (Reply::done(format!("volume {target}%")), effects)
        }
        Command::Rate { stars } => rate(state, stars),
        Command::Mood { label } => mood(state, &label),
        Command::Add { paths } => add(state, paths),
        Command::Sleep { minutes } => {
            let effects = super::wind_down::set(state, minutes, crate::core::now_ms());
            let said = match state.wind_down {
                Some(w) => format!("sleep in {} min", w.minutes),
                None => "sleep timer off".to_string(),
            };
            (Reply::done(said), effects)
        }
    }
}

/// Play from a stop (or resume): the queue's current item, else its first.
fn start(state: &mut AppState) -> (Reply, Vec<Effect>) {
    let effects = playback::remote(state, Remote::Play);
    if effects.is_empty() {
        return (
            Reply::error("the queue is empty: add something first (mien ctl add FILE)"),
            effects,
        );
    }
    let what = current_name(state).unwrap_or_default();
    (Reply::done(format!("playing {what}")), effects)
}

/// Next or previous track; an error at the end of the queue, where nothing changes.
fn moved(state: &mut AppState, a: Action, word: &str) -> (Reply, Vec<Effect>) {
    let before = state.queue.current;
    let effects = playback::transport(state, a);
    if effects.is_empty() {
        return (
            Reply::error("end of the queue: nothing to play next"),
            effects,
        );
    }
    let what = current_name(state).unwrap_or_default();
    if state.queue.current == before && a == Action::PrevTrack {
        return (Reply::done(format!("back to the start of {what}")), effects);
    }
    (Reply::done(format!("{word}: {what}")), effects)
}

fn seek(state: &mut AppState, ms: i64, relative: bool) -> (Reply, Vec<Effect>) {
    if state.player.path.is_none() {
        return (Reply::error("nothing is playing: no seek"), Vec::new());
    }
    let pos = state.player.position_ms as i64;
    let mut target = if relative { pos.saturating_add(ms) } else { ms }.max(0);
    if let Some(d) = state.player.duration_ms {
        target = target.min(d as i64);
    }
    let effects = if relative {
        playback::remote(state, Remote::SeekBy(target - pos))
    } else {
        playback::remote(state, Remote::SeekTo(target as u64))
    };
    let at = crate::core::mmss(target as u64);
    (Reply::done(format!("seeking to {at}")), effects)
}

/// Rates the track playing (or paused, or about to resume): the socket has no selection.
fn rate(state: &mut AppState, stars: u8) -> (Reply, Vec<Effect>) {
    if stars > 5 {
        return (Reply::error("a rating is 0-5 stars"), Vec::new());
    }
    let path = state
        .player
        .path
        .clone()
        .or_else(|| state.queue.current_item().map(|i| i.path.clone()));
    let Some(path) = path else {
        return (
            Reply::error("nothing to rate: nothing is playing"),
            Vec::new(),
        );
    };
    let name = track_name(state, &path);
    let rating = Rating::new(stars);
    let message = match rating {
        Some(_) => format!("rated {name} {}", counted(usize::from(stars), "star")),
        None => format!("cleared the rating of {name}"),
    };
    let id = TrackId::from_path(&path);
    (
        Reply::done(message),
        vec![Effect::SaveRating { id, rating }],
    )
}

/// `mood LABEL` is the mood picker's choice; `mood auto` drops a hand-set emotion so that the
/// camera's readings (when it is on) decide again.
fn mood(state: &mut AppState, label: &str) -> (Reply, Vec<Effect>) {
    if label == "auto" {
        let manual =
            (state.emotion.current.as_ref()).is_some_and(|r| r.source == EmotionSource::Manual);
        if manual {
            state.emotion.current = None;
            state.reco.watch.smoothed = None;
        }
        let camera = state.emotion.camera != super::state::CameraState::Off;
        let message = match (manual, camera) {
            (_, true) => "the camera sets your emotion",
            (true, false) => "your emotion is cleared; the camera is off (c turns it on)",
            (false, false) => "no emotion set by hand; the camera is off (c turns it on)",
        };
        state.info(message);
        return (Reply::done(message), Vec::new());
    }
    let Some(class) = EMOTIONS.iter().position(|e| *e == label) else {
        let known = EMOTIONS.join(", ");
        return (
            Reply::error(format!("unknown mood {label:?}: one of {known}, or auto")),
            Vec::new(),
        );
    };
    let effects = reports::set_emotion(state, EmotionReading::manual(class, now_ms()));
    state.info(format!("mood set to {label} by mien ctl"));
    (Reply::done(format!("mood: {label}")), effects)
}

/// Appends files to the queue (the client has read playlists and checked the files).
fn add(state: &mut AppState, paths: Vec<PathBuf>) -> (Reply, Vec<Effect>) {
    if paths.is_empty() {
        return (Reply::error("nothing to add"), Vec::new());
    }
    let n = paths.len();
    state.queue.append(paths.into_iter().map(QueueItem::new));
    let tracks = counted(n, "track");
    state.info(format!("added {tracks} to the queue (mien ctl)"));
    let mut effects = playback::refresh_next(state);
    effects.push(Effect::SaveQueue(state.saved_queue()));
    let total = state.queue.len();
    let message = format!("added {tracks} to the queue ({total} in all)");
    (Reply::done(message), effects)
}

/// The files of `mien FILE...` (read by the runtime): they replace the queue, in their order, and
/// the first plays.
/// A file that could not be read is an error on the status line and the queue stays.
pub(super) fn files_opened(
    state: &mut AppState,
    given: &[PathBuf],
    result: Result<Vec<PathBuf>, String>,
    missing: usize,
) -> Vec<Effect> {
    let left_out = match missing {
        0 => String::new(),
        n => format!(" ({})", crate::library::playlist::gone_note(n)),
    };
    match result {
        Ok(paths) if paths.is_empty() => {
            state.error(format!("nothing to play in the files given{left_out}"));
            Vec::new()
        }
        Ok(paths) => {
            let n = paths.len();
            // In the order given (a playlist's, or the shell's): pinned after the first.
            state.queue.clear();
            state.queue.append(QueueItem::in_order(paths));
            let tracks = counted(n, "track");
            state.info(match given {
                [one] => format!("{}: {tracks}{left_out}", one.display()),
                _ => format!("{tracks} from the command line{left_out}"),
            });
            playback::play_index(state, 0, 0)
        }
        Err(e) => {
            state.error(e);
            Vec::new()
        }
    }
}

/// What `mien ctl status` reports, from the state as it is now.
pub fn status_report(state: &AppState) -> StatusReport {
    let p = &state.player;
    let play_state = match (&p.path, p.paused) {
        (None, _) => PlayState::Stopped,
        (Some(_), true) => PlayState::Paused,
        (Some(_), false) => PlayState::Playing,
    };
    let id = p.path.as_deref().map(TrackId::from_path);
    let track = p.path.as_ref().map(|path| {
        let t = id.and_then(|id| state.catalogue.get(id));
        let duration_ms = p
            .duration_ms
            .or_else(|| t.map(|t| t.duration_ms).filter(|&d| d > 0));
        TrackInfo {
            path: path.clone(),
            title: t.and_then(|t| t.title.clone()),
            artist: t.and_then(|t| t.artist.clone().or_else(|| t.album_artist.clone())),
            album: t.and_then(|t| t.album.clone()),
            duration_s: duration_ms.map(|d| d as f64 / 1000.0),
        }
    });
    let mood = id.and_then(|id| state.moods.get(&id)).map(|m| MoodInfo {
        valence: m.valence,
        arousal: m.arousal,
        label: m.label.clone(),
    });
    let emotion = state.emotion.current.as_ref().map(|r| EmotionInfo {
        label: r.label().to_string(),
        valence: r.valence,
        arousal: r.arousal,
        source: match r.source {
            EmotionSource::Camera => "camera",
            EmotionSource::Manual => "manual",
        }
        .to_string(),
    });
    StatusReport {
        state: play_state,
        position_s: if track.is_some() {
            p.position_ms as f64 / 1000.0
        } else {
            0.0
        },
        track,
        volume: p.volume,
        rating: id.and_then(|id| state.rating(id)).map(Rating::stars),
        mood,
        emotion,
        queue_len: state.queue.len(),
        queue_position: state.queue.current.map(|i| i + 1),
    }
}

/// "Artist – Title" from the catalogue, else the file's name.
fn track_name(state: &AppState, path: &Path) -> String {
    let t = state.catalogue.get(TrackId::from_path(path));
    match t.and_then(|t| Some((t.artist.as_deref(), t.title.as_deref()?))) {
        Some((Some(artist), title)) => format!("{artist} – {title}"),
        Some((None, title)) => title.to_string(),
        None => path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
    }
}

fn current_name(state: &AppState) -> Option<String> {
    let path = state.queue.current_item()?.path.clone();
    Some(track_name(state, &path))
}
