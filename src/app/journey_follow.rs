//! Keeping a running journey (`app::journey`) in step with the listener: at each step's start
//! the steps after it are planned again from the latest camera reading, and readings that show
//! the listener moving against the plan mid-step re-plan the rest from where they are.

use super::journey::{
    current_left_ms, journey_tracks, length_ms, minutes_left, pinned_ahead, put_in_queue,
};
use super::reco::track_mood;
use super::state::{AppState, Effect};
use crate::core::{EmotionReading, EmotionSource, TrackId};
use crate::recommend::journey::{moving_against, replan as plan_rest, ADVERSE_WINDOW_MS};
use crate::recommend::ListenerMood;

/// A step started: with a camera reading of the last [`ADVERSE_WINDOW_MS`], the steps after it
/// are planned again from that reading (quietly: the listener sees the queue change, not a
/// message), so a listener who follows slower or faster than expected gets steps that fit.
/// Without a camera (a manual mood does not move by itself) the plan stands.
pub(super) fn follow_up(state: &mut AppState, playing: TrackId, now: u64) -> Vec<Effect> {
    let Some((at, here)) = state.journey.camera else {
        return Vec::new();
    };
    let Some(j) = state.journey.active.as_ref() else {
        return Vec::new();
    };
    let playing_ms = length_ms(state, playing);
    let after = j.ends_ms.saturating_sub(now.saturating_add(playing_ms));
    if now.saturating_sub(at) > ADVERSE_WINDOW_MS || after < playing_ms / 2 {
        return Vec::new();
    }
    let (_, pinned_ms) = pinned_ahead(state);
    let Some(minutes) = minutes_left(after, pinned_ms) else {
        return Vec::new();
    };
    plan_again(state, here, minutes, false)
}

/// An emotion reading: kept for the adverse-movement check; moving against the plan re-plans
/// the remaining steps from where the listener is (at most once per window).
pub fn reading(state: &mut AppState, r: &EmotionReading) -> Vec<Effect> {
    let js = &mut state.journey;
    js.readings.push_back((r.at_ms, r.valence, r.arousal));
    if r.source == EmotionSource::Camera {
        let here = ListenerMood {
            valence: r.valence,
            arousal: r.arousal,
        };
        js.camera = Some((r.at_ms, here));
    }
    while js
        .readings
        .front()
        .is_some_and(|f| f.0 + ADVERSE_WINDOW_MS < r.at_ms)
    {
        js.readings.pop_front();
    }
    let Some(j) = js.active.as_ref() else {
        return Vec::new();
    };
    let readings: Vec<(u64, f32, f32)> = js.readings.iter().copied().collect();
    let against = r.at_ms >= j.last_replan_ms + ADVERSE_WINDOW_MS / 2
        && moving_against(&readings, r.at_ms, j.from, j.to);
    if !against {
        return Vec::new();
    }
    replan(state, r)
}

fn replan(state: &mut AppState, r: &EmotionReading) -> Vec<Effect> {
    let here = ListenerMood {
        valence: r.valence,
        arousal: r.arousal,
    };
    // The new steps follow the playing one and what the listener pinned.
    let ahead_ms = pinned_ahead(state).1 + current_left_ms(state);
    let Some(j) = state.journey.active.as_mut() else {
        return Vec::new();
    };
    let span = j.ends_ms.saturating_sub(r.at_ms).max(60_000);
    let Some(minutes) = minutes_left(span, ahead_ms) else {
        return Vec::new();
    };
    j.replans += 1;
    j.last_replan_ms = r.at_ms;
    state.journey.readings.clear();
    plan_again(state, here, minutes, true)
}

/// Plans the steps after the playing one again from `here` over `minutes`, expecting the
/// playing step (if it is a track with a mood) to move the listener first; `say`: tell the
/// listener.
fn plan_again(state: &mut AppState, here: ListenerMood, minutes: u32, say: bool) -> Vec<Effect> {
    let current = state.queue.current_item().map(|i| i.id);
    let playing = current.and_then(|id| track_mood(state, id));
    let (pinned, _) = pinned_ahead(state);
    let Some(j) = state.journey.active.as_mut() else {
        return Vec::new();
    };
    let mut avoid = j.played.clone();
    avoid.extend(current);
    avoid.extend(pinned);
    j.from = here;
    let (to, taste) = (j.to, j.taste.clone());
    let tracks = journey_tracks(state, &taste);
    let memory = &state.journey.memory;
    let p = plan_rest(&tracks, here, playing, to, minutes, memory, &avoid);
    if p.steps.is_empty() {
        return Vec::new();
    }
    if say {
        state.info(format!(
            "re-planned the journey toward {} from where you are now",
            to.name()
        ));
    }
    let mut effects = put_in_queue(state, &p);
    effects.push(Effect::SaveQueue(state.saved_queue()));
    effects
}
