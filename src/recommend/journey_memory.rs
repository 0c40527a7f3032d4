//! What a mood journey knows of the listener (issue 15): the effect earlier journey steps had
//! ([`JourneyMemory`], from `Signal::JourneyStep` events) and preferences from ratings and the
//! recommender's scores. Part of `recommend::journey`, which re-exports it.

use std::collections::HashMap;

use crate::core::TrackId;
use crate::recommend::{ListenEvent, Signal};

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

    /// Adds what `other` saw (the log's steps to the ones of this session).
    pub fn merge(&mut self, other: JourneyMemory) {
        for (track, (v, a, n)) in other.effects {
            let e = self.effects.entry(track).or_default();
            (e.0, e.1, e.2) = (e.0 + v, e.1 + a, e.2 + n);
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
