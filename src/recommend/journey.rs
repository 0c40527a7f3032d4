//! Mood journeys (issue 15), pure: the targets (`happy`, `tense`, `sad`, `calm`, `focus`,
//! `sleep` or a point), the planner that walks from the listener's state to a target over N
//! minutes along the library's real tracks, the check that says when the listener moves against
//! the plan, and what earlier journeys taught ([`JourneyMemory`], from `Signal::JourneyStep`
//! events). No I/O; the player (`app::journey`), `mien journey` and `mien eval-journey` call it.
//! docs/RECOMMENDER.md ("Mood journeys") documents every constant.

use std::collections::{HashMap, HashSet};

use super::signals::{ListenEvent, ListenerMood, Signal, TrackMood};
use crate::core::TrackId;

/// Where a journey goes: a region of the valence/arousal plane around a point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    Happy,
    Tense,
    Sad,
    Calm,
    /// Mildly pleasant, moderate arousal (0.3, 0.1): the middle of the arousal scale, where
    /// attention is best (Yerkes–Dodson's inverted U), pleasant enough not to distract.
    Focus,
    /// Pleasant and very calm (0.2, −0.8): slow, quiet music, the low-arousal corner.
    Sleep,
    Point {
        valence: f32,
        arousal: f32,
    },
}

/// The listener is in a target's region within this distance of its point (circumplex units).
pub const REACHED_WITHIN: f32 = 0.3;
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
/// A pick may lie at most this much farther from the target than the previous one; when no
/// track is left that does, the plan ends early (a small library runs out before the minutes).
pub const MAX_BACKTRACK: f32 = 0.2;
/// The adverse-movement check: over this window of readings ...
pub const ADVERSE_WINDOW_MS: u64 = 60_000;
/// ... a move of more than this against the plan's direction means "re-plan".
pub const ADVERSE_THRESHOLD: f32 = 0.15;

impl Target {
    pub const NAMED: [(&'static str, Target); 6] = [
        ("happy", Target::Happy),
        ("tense", Target::Tense),
        ("sad", Target::Sad),
        ("calm", Target::Calm),
        ("focus", Target::Focus),
        ("sleep", Target::Sleep),
    ];

    /// `happy`, `tense`, `sad`, `calm`, `focus`, `sleep` or `V,A` (both in −1..1).
    pub fn parse(text: &str) -> Result<Target, String> {
        let t = text.trim().to_ascii_lowercase();
        if let Some((_, target)) = Target::NAMED.iter().find(|(name, _)| *name == t) {
            return Ok(*target);
        }
        let bad = || {
            format!("{text:?} is not a target: use happy, tense, sad, calm, focus, sleep or V,A (each in -1..1)")
        };
        let (v, a) = t.split_once(',').ok_or_else(bad)?;
        let (v, a): (f32, f32) = (
            v.trim().parse().map_err(|_| bad())?,
            a.trim().parse().map_err(|_| bad())?,
        );
        if !(-1.0..=1.0).contains(&v) || !(-1.0..=1.0).contains(&a) {
            return Err(bad());
        }
        Ok(Target::Point {
            valence: v,
            arousal: a,
        })
    }

    pub fn point(self) -> TrackMood {
        let (v, a) = match self {
            Target::Happy => (0.7, 0.5),
            Target::Tense => (-0.6, 0.6),
            Target::Sad => (-0.6, -0.5),
            Target::Calm => (0.5, -0.5),
            Target::Focus => (0.3, 0.1),
            Target::Sleep => (0.2, -0.8),
            Target::Point { valence, arousal } => (valence, arousal),
        };
        TrackMood::new(v, a)
    }

    /// For explanations: "toward calm", "toward 0.40,-0.20".
    pub fn name(self) -> String {
        match Target::NAMED.iter().find(|(_, t)| *t == self) {
            Some((name, _)) => (*name).to_string(),
            None => {
                let p = self.point();
                format!("{:.2},{:.2}", p.valence, p.arousal)
            }
        }
    }

    pub fn reached_by(self, listener: ListenerMood) -> bool {
        listener.as_mood().distance(self.point()) <= REACHED_WITHIN
    }
}

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

/// What earlier journeys showed each track does to this listener: the summed valence and
/// arousal change while it played as a journey step, and how often.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JourneyMemory {
    effects: HashMap<TrackId, (f32, f32, u32)>,
}

impl JourneyMemory {
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a ListenEvent>) -> JourneyMemory {
        let mut m = JourneyMemory::default();
        for e in events {
            m.observe(e);
        }
        m
    }

    pub fn observe(&mut self, event: &ListenEvent) {
        if let Signal::JourneyStep {
            valence_change,
            arousal_change,
            ..
        } = event.signal
        {
            let e = self.effects.entry(event.track).or_default();
            e.0 += valence_change.clamp(-2.0, 2.0);
            e.1 += arousal_change.clamp(-2.0, 2.0);
            e.2 += 1;
        }
    }

    pub fn steps_seen(&self) -> u32 {
        self.effects.values().map(|e| e.2).sum()
    }

    /// How far the track moved the listener along the unit direction `(dv, da)`, shrunk toward
    /// 0 for few observations (mean · n / (n + 2)).
    pub fn along(&self, track: TrackId, dv: f32, da: f32) -> f32 {
        match self.effects.get(&track) {
            Some(&(sv, sa, n)) if n > 0 => (sv * dv + sa * da) / (n as f32 + 2.0),
            _ => 0.0,
        }
    }
}

/// The recommender's scores as preferences in −1..1: `tanh` of each score's z-score over the
/// candidates (tracks marked "just played", scored below −50, count as −1 and are left out of the
/// mean and spread).
pub fn preferences_from_scores(scores: &[(TrackId, f32)]) -> HashMap<TrackId, f32> {
    let live: Vec<f32> = scores.iter().map(|s| s.1).filter(|s| *s > -50.0).collect();
    let n = live.len().max(1) as f32;
    let mean = live.iter().sum::<f32>() / n;
    let sd = (live.iter().map(|s| (s - mean).powi(2)).sum::<f32>() / n).sqrt();
    (scores.iter())
        .map(|&(t, s)| (t, ((s - mean) / sd.max(0.05)).tanh()))
        .collect()
}

/// One preference from a rating (stars) and the learned taste: half each when both are known.
pub fn preference(stars: Option<u8>, taste: Option<f32>) -> f32 {
    let stars = stars.map(|s| (f32::from(s) - 3.0) / 2.0);
    match (stars, taste) {
        (Some(s), Some(l)) => 0.5 * s + 0.5 * l,
        (Some(s), None) => s,
        (None, Some(l)) => l,
        (None, None) => 0.0,
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

/// Plans a journey of about `minutes` from `from` to `to` over `tracks`, never using a track in
/// `avoid` or twice. Step k starting at time t aims at the waypoint `from + p·(to − from)`, with
/// `p = t / (span − mean duration)` (0 for the first step, so it matches the listener; 1 from
/// the last track's start on), and takes the track of least cost: its distance to the waypoint,
/// plus `UNCERTAIN_PENALTY·(1 − confidence)`, plus `BACKTRACK_PENALTY·max(0, d(mood, to) −
/// d(previous pick, to))`, less `PREFERENCE_WEIGHT·preference` and
/// `MEMORY_WEIGHT·memory.along(direction to the target)`. Steps are added while at least half of the next track fits in the span (always one), and
/// while a track is left no more than [`MAX_BACKTRACK`] farther from the target than the last.
/// Ties break by track id, so a plan is reproducible.
pub fn plan(
    tracks: &[JourneyTrack],
    from: ListenerMood,
    to: Target,
    minutes: u32,
    memory: &JourneyMemory,
    avoid: &HashSet<TrackId>,
) -> Plan {
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
    let mean = if pool.is_empty() {
        UNKNOWN_DURATION_MS
    } else {
        pool.iter().map(|t| duration(t)).sum::<u64>() / pool.len() as u64
    };
    let (start, goal) = (from.as_mood(), to.point());
    let (gv, ga) = unit(start, goal);
    let ramp = span.saturating_sub(mean).max(1) as f32;
    let mut used: HashSet<TrackId> = HashSet::new();
    let mut steps: Vec<Step> = Vec::new();
    let mut t = 0u64;
    let mut last_to_goal = f32::INFINITY;
    loop {
        let p = (t as f32 / ramp).clamp(0.0, 1.0);
        let waypoint = lerp(start, goal, p);
        let best = pool
            .iter()
            .filter(|c| !used.contains(&c.id))
            .filter(|c| c.mood.distance(goal) <= last_to_goal + MAX_BACKTRACK)
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
    Plan {
        from,
        to,
        minutes,
        steps,
    }
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
