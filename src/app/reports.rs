//! How the subsystems' reports change the UI thread's state: engine events (with the camera
//! sampling around track changes and the recommender's play log), library scan and watch events,
//! mood tagging progress, emotion readings and the camera's status.

use super::playback;
use super::reco;
use super::state::{AppState, CameraState, Effect, Progress, Status};
use crate::audio::EngineEvent;
use crate::core::{EmotionReading, EmotionSource, TrackId};
use crate::library::LibraryEvent;
use crate::library::SkippedEntry;
use crate::mood::MoodEvent;
use crate::vision::service::VisionCommand;

pub(super) fn engine(state: &mut AppState, ev: EngineEvent) -> Vec<Effect> {
    let for_reco = matches!(
        ev,
        EngineEvent::TrackStarted { .. } | EngineEvent::TrackEnded { .. }
    )
    .then(|| ev.clone());
    let track_started = matches!(ev, EngineEvent::TrackStarted { .. });
    let position = matches!(ev, EngineEvent::Position { .. });
    let left_before = time_left(state);
    let mut effects = playback::engine_event(state, ev);
    if track_started && state.emotion.camera != CameraState::Off {
        effects.push(Effect::Vision(VisionCommand::TrackChanged));
    }
    if position {
        effects.extend(lead_in_sample(state, left_before));
    }
    if let Some(ev) = for_reco {
        let by_timer = matches!(&ev, EngineEvent::TrackEnded { path, .. }
            if state.timer_stopped.as_ref() == Some(path));
        if by_timer {
            // The timer's stop: neither a skip nor a finish for the recommender.
            state.timer_stopped = None;
        } else {
            effects.extend(reco::engine_event(state, &ev));
        }
        effects.extend(super::journey::engine_event(state, &ev));
    }
    effects
}

pub(super) fn emotion(state: &mut AppState, reading: EmotionReading) -> Vec<Effect> {
    if reading.source == EmotionSource::Camera && state.emotion.camera == CameraState::NoFace {
        state.emotion.camera = CameraState::On;
    }
    set_emotion(state, reading)
}

pub(super) fn camera(state: &mut AppState, camera: CameraState) {
    // A late report from the thread must not turn a camera the user switched off back on.
    if state.emotion.camera != CameraState::Off || camera == CameraState::Off {
        state.emotion.camera = camera;
    }
}

pub(super) fn set_emotion(state: &mut AppState, reading: EmotionReading) -> Vec<Effect> {
    let panel = &mut state.emotion;
    panel.history.push_back(reading.clone());
    while panel.history.len() > super::state::EMOTION_HISTORY {
        panel.history.pop_front();
    }
    panel.current = Some(reading.clone());
    let mut effects = reco::emotion(state, &reading);
    effects.extend(super::diary::reading_effect(state, &reading));
    super::mood_map::record(state, &reading);
    effects.extend(super::journey::reading(state, &reading));
    effects.insert(0, Effect::EmotionChanged(reading));
    effects
}

/// Skipped files a scan names one by one in the messages (`H`); `mien scan` lists them all.
const SKIPPED_LISTED: usize = 20;

/// Puts a scan's skipped files, each with its reason, in the messages (`H`) without taking the
/// status line, and says how the summary should count them.
fn list_skipped(state: &mut AppState, skipped: &[SkippedEntry]) -> String {
    let now = crate::core::now_ms();
    let mut log = |text: String| super::messages::record(state, &Status::error(text), false, now);
    // `H` shows the newest first: recorded backwards, they read in path order, the note on
    // what was left out below them.
    let more = skipped.len().saturating_sub(SKIPPED_LISTED);
    if more > 0 {
        log(format!(
            "… and {more} more skipped files: mien scan lists every one and why"
        ));
    }
    for s in skipped.iter().take(SKIPPED_LISTED).rev() {
        log(format!("skipped {}: {}", s.path.display(), s.reason));
    }
    match skipped.len() {
        0 => "0 skipped".to_string(),
        n => format!("{n} skipped: H says why"),
    }
}

pub(super) fn library_event(state: &mut AppState, ev: LibraryEvent) -> Vec<Effect> {
    match ev {
        LibraryEvent::ScanProgress(p) => {
            state.progress = Some(Progress {
                label: "scanning".into(),
                done: p.done,
                total: p.total,
            });
        }
        LibraryEvent::ScanFinished(report) => {
            state.progress = None;
            let changed = report.added + report.updated + report.removed > 0;
            if changed || !report.skipped.is_empty() {
                let skipped = list_skipped(state, &report.skipped);
                state.info(format!(
                    "library: {} tracks ({} new, {} changed, {} removed, {skipped})",
                    report.tracks, report.added, report.updated, report.removed,
                ));
            }
            if changed {
                return vec![Effect::ReloadCatalogue];
            }
        }
        LibraryEvent::TrackAdded(t) | LibraryEvent::TrackUpdated(t) => {
            state.catalogue.upsert(t.clone());
            state.browser.dirty = true;
            return vec![Effect::TagMoods(vec![t])];
        }
        LibraryEvent::TrackRemoved(path) => {
            state.catalogue.remove(TrackId::from_path(&path));
            state.browser.dirty = true;
        }
        LibraryEvent::Skipped { path, reason } => {
            state.error(format!("skipped {}: {reason}", path.display()));
        }
        LibraryEvent::Warning(w) => state.error(w),
    }
    Vec::new()
}

pub(super) fn mood_event(state: &mut AppState, ev: MoodEvent) {
    match ev {
        MoodEvent::Progress { done, total } if done < total => {
            state.progress = Some(Progress {
                label: "tagging moods".into(),
                done,
                total,
            });
        }
        MoodEvent::Progress { .. } => {
            if state
                .progress
                .as_ref()
                .is_some_and(|p| p.label == "tagging moods")
            {
                state.progress = None;
            }
        }
        MoodEvent::Tagged { id, record } => {
            state.moods.insert(id, record);
        }
        MoodEvent::Failed { path, reason } => {
            tracing::debug!(path = %path.display(), %reason, "mood tagging failed");
        }
        MoodEvent::Unavailable { reason } => {
            state.error(format!("mood tagging is off: {reason}"));
            state.moods_unavailable = Some(reason);
        }
    }
}

/// What is left of the playing track, in ms, when its length is known.
fn time_left(state: &AppState) -> Option<u64> {
    let p = &state.player;
    p.duration_ms.map(|d| d.saturating_sub(p.position_ms))
}

/// Sampling "around" a track change: when playback crosses into the last `lead_ms` of a track
/// (by playing or by a seek), the camera samples until its end; the track start then extends
/// the window. Crossing, not being inside, so it asks once per approach.
fn lead_in_sample(state: &AppState, left_before: Option<u64>) -> Option<Effect> {
    let e = &state.emotion;
    if e.lead_ms == 0 || e.camera == CameraState::Off || state.player.paused {
        return None;
    }
    let left = time_left(state)?;
    let crossed = left <= e.lead_ms && left_before.is_none_or(|b| b > e.lead_ms);
    crossed.then(|| {
        Effect::Vision(VisionCommand::SampleFor(std::time::Duration::from_millis(
            left,
        )))
    })
}
