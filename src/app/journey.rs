//! A mood journey in the player (issue 15), pure like the rest of `update`: starting one (from
//! the journey picker, the mood map or the wind-down timer) puts the planner's steps
//! (`recommend::journey`) in the queue after the current track with "step 3/6 toward calm" as
//! their explanations; each step that ends is logged as `Signal::JourneyStep` and folded into the
//! journey memory; `app::journey_follow` plans the rest again from camera readings as the
//! journey goes. While a journey runs the recommender does not reorder the queue (`app::reco`
//! asks `active`).

use std::collections::{HashMap, HashSet, VecDeque};

pub use super::journey_follow::reading;
pub(super) use super::journey_queue::{
    current_left_ms, length_ms, minutes_left, pinned_ahead, put_in_queue, Ahead,
};
use super::playback;
use super::reco::{track_mood, RankRequest};
use super::state::{AppState, Effect};
use super::wind_down::{self, Outcome};
use crate::audio::EngineEvent;
use crate::core::text::counted;
use crate::core::{mmss, now_ms, TrackId};
use crate::recommend::journey::{
    plan, preference, preferences_from_scores, JourneyMemory, JourneyTrack, Plan, Target,
};
use crate::recommend::{Candidate, ListenEvent, ListenerMood, Ranked, Signal, TrackMood};

/// Tags of the rankings a journey asks for (the listener's learned taste for its picks), apart
/// from the recommender's own (which count up from 1).
const TAG_BASE: u64 = 1 << 62;

/// A journey in progress.
#[derive(Clone, Debug, PartialEq)]
pub struct ActiveJourney {
    pub to: Target,
    /// Steps planned so far (re-plans append their own), for "step k/n".
    pub steps: Vec<TrackId>,
    pub started_ms: u64,
    pub ends_ms: u64,
    pub replans: u32,
    /// The step playing now: its track and the listener's emotion when it started.
    pub(super) open: Option<(TrackId, Option<ListenerMood>)>,
    pub(super) played: HashSet<TrackId>,
    /// The listener's learned taste per track (−1..1), kept for re-plans.
    pub(super) taste: HashMap<TrackId, f32>,
    /// Where the listener was when the plan (or its last re-plan) was made.
    pub(super) from: ListenerMood,
    pub(super) last_replan_ms: u64,
}

/// A journey waiting for the recommender's scores of the library.
#[derive(Clone, Debug, PartialEq)]
struct Pending {
    tag: u64,
    to: Target,
    minutes: u32,
    jump: bool,
    now: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct JourneyState {
    pub active: Option<ActiveJourney>,
    /// What earlier journey steps did to this listener (loaded at start, then kept up to date).
    pub memory: JourneyMemory,
    pending: Option<Pending>,
    next_tag: u64,
    /// Readings of the last [`ADVERSE_WINDOW_MS`]: `(at_ms, valence, arousal)`.
    pub(super) readings: VecDeque<(u64, f32, f32)>,
    /// The latest camera reading: `(at_ms, where the listener is)`.
    pub(super) camera: Option<(u64, ListenerMood)>,
}

/// Whether a journey waits for the recommender's scores to be planned.
pub fn planning(state: &AppState) -> bool {
    state.journey.pending.is_some()
}

/// Whether a journey owns the queue now (the recommender then leaves its order alone).
pub fn active(state: &AppState) -> bool {
    state.journey.active.is_some() || state.journey.pending.is_some()
}

/// Where the listener is: the smoothed emotion, else the playing track's mood.
fn listener_now(state: &AppState) -> Option<ListenerMood> {
    state.reco.watch.listener().or_else(|| {
        let t = state.playing_track()?;
        track_mood(state, t.id).map(|m| ListenerMood {
            valence: m.valence,
            arousal: m.arousal,
        })
    })
}

/// Starts a journey to `to` over `minutes`. `jump`: play its first step now (from the picker and
/// the map); else it follows the current track (the wind-down timer). `now`: ms since the epoch.
/// With the recommender running it first asks for the library's scores (the listener's learned
/// taste) and plans when they come.
pub fn start(state: &mut AppState, to: Target, minutes: u32, jump: bool, now: u64) -> Vec<Effect> {
    if !state.reco.enabled || (jump && listener_now(state).is_none()) {
        // (Without a mood a journey asked for now cannot start: `begin` says so at once, rather
        // than after "planning…" and the recommender's answer.)
        return begin(state, to, minutes, jump, &HashMap::new(), now);
    }
    state.journey.next_tag += 1;
    let tag = TAG_BASE + state.journey.next_tag;
    let candidates: Vec<Candidate> = state
        .catalogue
        .iter()
        .filter_map(|t| {
            let mood = track_mood(state, t.id)?;
            Some(Candidate {
                track: t.id,
                mood: Some(mood),
            })
        })
        .collect();
    state.journey.pending = Some(Pending {
        tag,
        to,
        minutes,
        jump,
        now,
    });
    state.info(format!("planning a journey toward {}…", to.name()));
    vec![Effect::RecoRank(RankRequest {
        tag,
        n: candidates.len(),
        candidates,
        listener: state.reco.watch.listener(),
    })]
}

/// The recommender's scores for a pending journey: plan with them. `None` if the answer is not
/// a journey's.
pub fn ranked(state: &mut AppState, answer: &Ranked) -> Option<Vec<Effect>> {
    if answer.tag < TAG_BASE {
        return None;
    }
    let pending = state.journey.pending.take_if(|p| p.tag == answer.tag)?;
    let scores: Vec<(TrackId, f32)> = answer.tracks.iter().map(|r| (r.track, r.score)).collect();
    let scores = preferences_from_scores(&scores);
    let (to, minutes, jump) = (pending.to, pending.minutes, pending.jump);
    Some(begin(state, to, minutes, jump, &scores, pending.now))
}

/// The library as the planner sees it: tagged tracks with ratings and taste folded into one
/// preference (half each when both are known).
pub(super) fn journey_tracks(state: &AppState, taste: &HashMap<TrackId, f32>) -> Vec<JourneyTrack> {
    (state.catalogue.iter())
        .filter_map(|t| {
            let mood = track_mood(state, t.id)?;
            let stars = state.rating(t.id).map(|r| r.stars());
            let preference = preference(stars, taste.get(&t.id).copied());
            Some(JourneyTrack {
                id: t.id,
                mood,
                duration_ms: t.duration_ms,
                preference,
            })
        })
        .collect()
}

fn begin(
    state: &mut AppState,
    to: Target,
    minutes: u32,
    jump: bool,
    taste: &HashMap<TrackId, f32>,
    now: u64,
) -> Vec<Effect> {
    let from = match listener_now(state) {
        Some(l) => l,
        // The wind-down timer goes on without a mood: from the neutral centre.
        None if !jump => ListenerMood {
            valence: 0.0,
            arousal: 0.0,
        },
        None => {
            state
                .error("a journey starts from your mood: set it with m, or turn the camera on (c)");
            return Vec::new();
        }
    };
    let mut avoid = HashSet::new();
    if jump {
        // A journey asked for now replaces the whole upcoming queue (its first step plays).
        state.queue.items.truncate(state.queue.upcoming_start());
    } else {
        // The playing track, by the engine's path: its queue item may have been removed.
        avoid.extend(state.player.path.as_deref().map(TrackId::from_path));
    }
    // What the listener pinned (play next, enter on an album's track) plays first, in its
    // order: the journey takes the rest of the span.
    // Following the current track, the journey also waits for what is left of it.
    let (pinned, pinned_ms) = pinned_ahead(state);
    avoid.extend(pinned.iter().copied());
    let playing_ms = if jump { 0 } else { current_left_ms(state) };
    let ahead = Ahead {
        playing: playing_ms > 0,
        pinned: pinned.len(),
    };
    let Some(left) = minutes_left(u64::from(minutes) * 60_000, pinned_ms + playing_ms) else {
        state.info(if jump {
            format!(
                "{} the {minutes} min: no journey toward {} (x unpins)",
                ahead.what(),
                to.name()
            )
        } else {
            wind_down::said(minutes, ahead, Outcome::Filled)
        });
        return Vec::new();
    };
    let tracks = journey_tracks(state, taste);
    let p = plan(&tracks, from, to, left, &state.journey.memory, &avoid);
    if p.steps.is_empty() {
        let no_tracks =
            "no tagged tracks to plan a journey with (moods are tagged in the background)";
        if jump {
            state.error(no_tracks);
        } else {
            state.info(wind_down::said(minutes, ahead, Outcome::NoTracks));
        }
        return Vec::new();
    }
    state.journey.active = Some(ActiveJourney {
        to,
        steps: Vec::new(),
        started_ms: now,
        ends_ms: now + u64::from(minutes) * 60_000,
        replans: 0,
        open: None,
        played: HashSet::new(),
        taste: taste.clone(),
        from,
        last_replan_ms: now,
    });
    state.journey.readings.clear();
    let n = p.steps.len();
    // A plan shorter than its span (a small library) says how long it plays.
    let (span, short) = match short_of(&p, left) {
        Some(ms) => (
            format!(
                "{} of {minutes} min: few tagged tracks lie on the way",
                mmss(ms)
            ),
            format!(
                " ({} of it planned: few tagged tracks lie on the way)",
                mmss(ms)
            ),
        ),
        None => (format!("{minutes} min"), String::new()),
    };
    state.info(if !jump {
        wind_down::said(minutes, ahead, Outcome::Steps(n)) + &short
    } else if pinned.is_empty() {
        format!(
            "journey toward {}: {}, {span} (the upcoming queue is replaced)",
            to.name(),
            counted(n, "step")
        )
    } else {
        format!(
            "journey toward {}: {} after your {}, {span}",
            to.name(),
            counted(n, "step"),
            counted(pinned.len(), "pinned track")
        )
    });
    let mut effects = put_in_queue(state, &p);
    if jump {
        let first = state.queue.upcoming_start();
        effects = playback::play_index(state, first.min(state.queue.len() - 1), 0);
    }
    effects.push(Effect::SaveQueue(state.saved_queue()));
    effects
}

/// How long the steps play when they fill under three quarters of the `minutes` they were
/// planned over (a small library, or one whose moods are still being tagged), so that the
/// listener is not told of minutes that will not play; `None` when they fill the span.
fn short_of(p: &Plan, minutes: u32) -> Option<u64> {
    let span = u64::from(minutes) * 60_000;
    (p.total_ms() * 4 < span * 3).then(|| p.total_ms())
}

/// The engine's track events: a step that ends is logged; the last one ends the journey.
pub fn engine_event(state: &mut AppState, ev: &EngineEvent) -> Vec<Effect> {
    let now = now_ms();
    match ev {
        EngineEvent::TrackStarted { path, .. } => {
            let mut effects = close_step(state, now);
            let id = TrackId::from_path(path);
            let listener = state.reco.watch.listener();
            let mut step_started = false;
            if let Some(j) = state.journey.active.as_mut() {
                if j.steps.contains(&id) && !j.played.contains(&id) {
                    j.played.insert(id);
                    j.open = Some((id, listener));
                    step_started = true;
                }
            }
            effects.extend(finish_if_done(state, now));
            if step_started {
                effects.extend(super::journey_follow::follow_up(state, id, now));
            }
            effects
        }
        EngineEvent::TrackEnded { path, .. } => {
            let id = TrackId::from_path(path);
            let open = state.journey.active.as_ref().and_then(|j| j.open);
            if open.is_some_and(|(t, _)| t == id) {
                let mut effects = close_step(state, now);
                effects.extend(finish_if_done(state, now));
                return effects;
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Logs the open step: how the listener moved while it played, toward the target or not.
fn close_step(state: &mut AppState, now: u64) -> Vec<Effect> {
    let after = state.reco.watch.listener();
    let Some(j) = state.journey.active.as_mut() else {
        return Vec::new();
    };
    let Some((track, before)) = j.open.take() else {
        return Vec::new();
    };
    let (Some(before), Some(after)) = (before, after) else {
        return Vec::new();
    };
    let goal = j.to.point();
    let (dv, da) = (
        after.valence - before.valence,
        after.arousal - before.arousal,
    );
    let toward = after.as_mood().distance(goal) < before.as_mood().distance(goal);
    let event = ListenEvent {
        at_ms: now,
        track,
        signal: Signal::JourneyStep {
            valence_change: dv,
            arousal_change: da,
            toward_target: toward,
            reached: j.to.reached_by(after),
        },
        listener: Some(before),
        mood: track_mood(state, track).map(|m| TrackMood::new(m.valence, m.arousal)),
    };
    state.journey.memory.observe(&event);
    if state.reco.enabled {
        vec![Effect::RecoEvent(event)]
    } else {
        Vec::new()
    }
}

fn finish_if_done(state: &mut AppState, _now: u64) -> Vec<Effect> {
    let Some(j) = state.journey.active.as_ref() else {
        return Vec::new();
    };
    if j.open.is_some() || j.steps.iter().any(|t| !j.played.contains(t)) {
        return Vec::new();
    }
    let name = j.to.name();
    let reached = state.reco.watch.listener().map(|l| j.to.reached_by(l));
    state.journey.active = None;
    state.info(match reached {
        Some(true) => format!("journey toward {name}: arrived"),
        Some(false) => format!("journey toward {name}: ended, not quite there"),
        None => format!("journey toward {name}: ended"),
    });
    Vec::new()
}

/// Ends the journey toward `to`, planned or waiting for its scores, and drops its steps'
/// explanations; the queued tracks stay. Whether there was one.
pub fn end_toward(state: &mut AppState, to: Target) -> bool {
    let pending = state.journey.pending.take_if(|p| p.to == to).is_some();
    let active = state.journey.active.take_if(|j| j.to == to);
    for t in active.iter().flat_map(|j| &j.steps) {
        state.reco.explanations.remove(t);
    }
    pending || active.is_some()
}

/// "step 3/6 toward calm" of the playing step, for the status line and the map.
pub fn progress(state: &AppState) -> Option<String> {
    let j = state.journey.active.as_ref()?;
    let k = j.steps.iter().filter(|t| j.played.contains(t)).count();
    Some(format!("step {k}/{} toward {}", j.steps.len(), j.to.name()))
}

#[cfg(test)]
#[path = "journey_tests.rs"]
mod tests;
