//! Mood journeys (issue 15), pure: the targets (`happy`, `tense`, `sad`, `calm`, `focus`,
//! `sleep` or a point), the planner that walks from the listener's state to a target over N
//! minutes along the library's real tracks, the check that says when the listener moves against
//! the plan, and what earlier journeys taught ([`JourneyMemory`], from `Signal::JourneyStep`
//! events). No I/O; the player (`app::journey`), `mien journey` and `mien eval-journey` call it.
//! docs/RECOMMENDER.md ("Mood journeys") documents every constant.

use std::collections::HashSet;

use super::signals::{ListenerMood, TrackMood};
use crate::core::TrackId;

#[path = "journey_memory.rs"]
mod memory;
#[path = "journey_target.rs"]
mod target;
pub use memory::{preference, preferences_from_scores, JourneyMemory};
pub use target::{Target, REACHED_WITHIN};

/// Duration assumed for a track whose length is unknown.
pub const UNKNOWN_DURATION_MS: u64 = 210_000;
/// How much farther an uncertain mood looks: `(1 − confidence) ·` this is added to its distance.
pub const UNCERTAIN_PENALTY: f32 = 0.3;
/// Weight of the listener's preference (−1..1: ratings and learned taste) against distance.
pub const PREFERENCE_WEIGHT: f32 = 0.15;
/// Weight of what earlier journeys showed the track does (its mean movement along the way).
pub const MEMORY_WEIGHT: f32 = 0.3;
/// Cost per unit a pick lies farther from the target than the previous pick (keeps progress
/// monotone where the library allows).
pub const BACKTRACK_PENALTY: f32 = 0.5;
/// A pick may lie at most this much farther from the target than the closest pick before it;
/// when no track is left that does, the plan ends early (a small library runs out before the
/// minutes rather than walk back).
pub const MAX_BACKTRACK: f32 = 0.2;
/// The first step of a new journey lies within this distance of the listener (inside their own
/// region, as [`REACHED_WITHIN`] measures regions): it meets them where they are.
pub const FIRST_STEP: f32 = 0.25;
/// Each later step aims at most this far from where the listener is expected to be, toward the
/// target (the iso principle: music much farther from the listener is rejected or ignored).
pub const MAX_STEP: f32 = 0.6;
/// The pace: a journey aims to arrive by this fraction of its span (sooner steps would be larger
/// than [`MAX_STEP`] allows; a long journey walks more gently), then stays at the target.
pub const ARRIVE_BY: f32 = 0.5;
/// The planner expects a step to bring the listener this fraction of the way to its mood.
pub const FOLLOW: f32 = 0.5;
/// The adverse-movement check: over this window of readings ...
pub const ADVERSE_WINDOW_MS: u64 = 60_000;
/// ... a move of more than this against the plan's direction means "re-plan".
pub const ADVERSE_THRESHOLD: f32 = 0.15;

/// A track the planner may use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JourneyTrack {
    pub id: TrackId,
    /// The tagger's mood, with its confidence.
    pub mood: TrackMood,
    pub duration_ms: u64,
    /// The listener's preference, −1..1 (ratings and the recommender's learned taste).
    pub preference: f32,
}

/// One step of a plan: the track, the point it was picked for, when it starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    pub track: TrackId,
    pub mood: TrackMood,
    pub waypoint: TrackMood,
    pub start_ms: u64,
    pub duration_ms: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub from: ListenerMood,
    pub to: Target,
    pub minutes: u32,
    pub steps: Vec<Step>,
}

impl Plan {
    pub fn total_ms(&self) -> u64 {
        self.steps.iter().map(|s| s.duration_ms).sum()
    }
}

fn unit(from: TrackMood, to: TrackMood) -> (f32, f32) {
    let (dv, da) = (to.valence - from.valence, to.arousal - from.arousal);
    let d = (dv * dv + da * da).sqrt();
    if d < 1e-6 {
        (0.0, 0.0)
    } else {
        (dv / d, da / d)
    }
}

fn lerp(a: TrackMood, b: TrackMood, t: f32) -> TrackMood {
    TrackMood::new(
        a.valence + t * (b.valence - a.valence),
        a.arousal + t * (b.arousal - a.arousal),
    )
}

/// Plans a new journey of about `minutes` from `from` to `to` over `tracks`, never using a track
/// in `avoid` or twice. The first step meets the listener: its waypoint is [`FIRST_STEP`] from
/// them toward the target. See [`replan`] for the rest.
pub fn plan(
    tracks: &[JourneyTrack],
    from: ListenerMood,
    to: Target,
    minutes: u32,
    memory: &JourneyMemory,
    avoid: &HashSet<TrackId>,
) -> Plan {
    let steps = plan_steps(
        tracks,
        from.as_mood(),
        FIRST_STEP,
        to,
        minutes,
        memory,
        avoid,
    );
    Plan {
        from,
        to,
        minutes,
        steps,
    }
}

/// Plans the rest of a running journey: the listener is at `from` (the latest reading) and is
/// hearing `playing` (the step that keeps playing, if any), so the plan starts where that step
/// is expected to bring them (`FOLLOW` of the way to its mood) and every step, the first
/// included, is a full one. `minutes`: what is left after `playing`.
///
/// Each step aims at a waypoint on the way from where the listener is expected to be (the
/// previous expectation moved [`FOLLOW`] of the way to the previous pick) to the target: the
/// remaining distance shared over the steps left until [`ARRIVE_BY`] of the span, at most
/// [`MAX_STEP`], or the target itself once it is that close, so a journey arrives as the
/// listener can follow and then stays; it takes the track of least cost: its distance to the waypoint,
/// plus `UNCERTAIN_PENALTY·(1 − confidence)`, plus `BACKTRACK_PENALTY·max(0, d(mood, to) −
/// d(previous pick, to))`, less `PREFERENCE_WEIGHT·preference` and
/// `MEMORY_WEIGHT·memory.along(direction to the target)`. Steps are added while at least half of
/// the next track fits in the span (always one), and while a track is left no more than
/// [`MAX_BACKTRACK`] farther from the target than the closest pick so far. Ties break by track id, so a plan is
/// reproducible.
pub fn replan(
    tracks: &[JourneyTrack],
    from: ListenerMood,
    playing: Option<TrackMood>,
    to: Target,
    minutes: u32,
    memory: &JourneyMemory,
    avoid: &HashSet<TrackId>,
) -> Plan {
    let here = match playing {
        Some(m) => lerp(from.as_mood(), m, FOLLOW),
        None => from.as_mood(),
    };
    let steps = plan_steps(tracks, here, MAX_STEP, to, minutes, memory, avoid);
    Plan {
        from,
        to,
        minutes,
        steps,
    }
}

fn plan_steps(
    tracks: &[JourneyTrack],
    start: TrackMood,
    first_step: f32,
    to: Target,
    minutes: u32,
    memory: &JourneyMemory,
    avoid: &HashSet<TrackId>,
) -> Vec<Step> {
    let span = u64::from(minutes.max(1)) * 60_000;
    let mut pool: Vec<&JourneyTrack> = tracks.iter().filter(|t| !avoid.contains(&t.id)).collect();
    pool.sort_by_key(|t| t.id);
    let duration = |t: &JourneyTrack| {
        if t.duration_ms > 0 {
            t.duration_ms
        } else {
            UNKNOWN_DURATION_MS
        }
    };
    let goal = to.point();
    let (gv, ga) = unit(start, goal);
    let mut expected = start;
    let mut used: HashSet<TrackId> = HashSet::new();
    let mut steps: Vec<Step> = Vec::new();
    let mut t = 0u64;
    let mut last_to_goal = f32::INFINITY;
    let mut closest = f32::INFINITY;
    let mean = match pool.len() as u64 {
        0 => UNKNOWN_DURATION_MS,
        n => pool.iter().map(|t| duration(t)).sum::<u64>() / n,
    };
    // The steps that fit in ARRIVE_BY of the span: the journey's pace spreads the way over them.
    let arrive_in = ((ARRIVE_BY * span as f32 / mean.max(1) as f32).ceil() as usize).max(1);
    loop {
        let left = arrive_in.saturating_sub(steps.len()).max(1) as f32;
        let step = if steps.is_empty() {
            first_step
        } else {
            (expected.distance(goal) / left).min(MAX_STEP)
        };
        let to_go = expected.distance(goal);
        let waypoint = if to_go <= step {
            goal
        } else {
            lerp(expected, goal, step / to_go)
        };
        let best = pool
            .iter()
            .filter(|c| !used.contains(&c.id))
            .filter(|c| c.mood.distance(goal) <= closest + MAX_BACKTRACK)
            .map(|c| {
                let to_goal = c.mood.distance(goal);
                let cost = c.mood.distance(waypoint)
                    + UNCERTAIN_PENALTY * (1.0 - c.mood.confidence)
                    + BACKTRACK_PENALTY * (to_goal - last_to_goal).max(0.0)
                    - PREFERENCE_WEIGHT * c.preference.clamp(-1.0, 1.0)
                    - MEMORY_WEIGHT * memory.along(c.id, gv, ga);
                (cost, *c)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0));
        let Some((_, pick)) = best else { break };
        let d = duration(pick);
        if !steps.is_empty() && t + d / 2 > span {
            break;
        }
        used.insert(pick.id);
        last_to_goal = pick.mood.distance(goal);
        closest = closest.min(last_to_goal);
        expected = lerp(expected, pick.mood, FOLLOW);
        steps.push(Step {
            track: pick.id,
            mood: pick.mood,
            waypoint,
            start_ms: t,
            duration_ms: d,
        });
        t += d;
        if t >= span {
            break;
        }
    }
    steps
}

/// Whether the listener is moving against the plan: over the readings of the last
/// [`ADVERSE_WINDOW_MS`] (`(at_ms, valence, arousal)`, oldest first, spanning at least a third
/// of the window), the movement projected on the direction from `from` to the target is below
/// `−ADVERSE_THRESHOLD`.
pub fn moving_against(
    readings: &[(u64, f32, f32)],
    now_ms: u64,
    from: ListenerMood,
    to: Target,
) -> bool {
    let since = now_ms.saturating_sub(ADVERSE_WINDOW_MS);
    let window: Vec<&(u64, f32, f32)> = readings.iter().filter(|r| r.0 >= since).collect();
    let (Some(first), Some(last)) = (window.first(), window.last()) else {
        return false;
    };
    if last.0.saturating_sub(first.0) < ADVERSE_WINDOW_MS / 3 {
        return false;
    }
    let (dv, da) = unit(from.as_mood(), to.point());
    let along = (last.1 - first.1) * dv + (last.2 - first.2) * da;
    along < -ADVERSE_THRESHOLD
}

#[cfg(test)]
#[path = "journey_tests.rs"]
mod tests;
