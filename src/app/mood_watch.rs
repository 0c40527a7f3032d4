//! The listener's emotion as the recommender sees it, and the rule for a *marked* change of it,
//! which re-ranks the upcoming queue. Pure: readings (with their own timestamps) in, decisions
//! out.
//!
//! The rule (docs/RECOMMENDER.md, "In the player"):
//! - Camera readings arrive smoothed already: the vision thread's `vision::smooth` is the one
//!   smoothing stage (time- and confidence-weighted, so one odd frame moves little); the latest
//!   reading is the listener's emotion.
//! - A change is *marked* when the smoothed emotion is at least [`MARKED_DISTANCE`] (circumplex
//!   units) from where it was at the last re-ranking, or when its most probable class differs
//!   from the class then, holds at least [`CLASS_PROBABILITY`] and the distance is at least
//!   [`CLASS_CHANGE_DISTANCE`] (a class flip with no movement on the circumplex is noise).
//! - A camera change counts only [`MIN_INTERVAL_MS`] after the last re-ranking (by emotion or by
//!   a track start), so a noisy camera cannot thrash the queue.
//! - A reading set by hand (the mood picker) replaces the emotion and is marked whenever it
//!   differs from the last one (no interval: the listener asked).
//! - The first camera reading ever is not marked: it sets the reference point; the next track
//!   start ranks with it anyway.

use crate::core::{EmotionReading, EmotionSource, CIRCUMPLEX};
use crate::recommend::ListenerMood;

/// Circumplex distance that is a marked change on its own.
pub const MARKED_DISTANCE: f32 = 0.35;
/// A change of the top class is marked when that class holds at least this probability ...
pub const CLASS_PROBABILITY: f32 = 0.5;
/// ... and the emotion moved at least this far.
pub const CLASS_CHANGE_DISTANCE: f32 = 0.15;
/// Least time between two re-rankings caused by the camera, in milliseconds.
pub const MIN_INTERVAL_MS: u64 = 30_000;

/// The listener's emotion (the latest, already smoothed, reading).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Smoothed {
    pub valence: f32,
    pub arousal: f32,
    pub probs: [f32; 7],
}

impl Smoothed {
    fn of(r: &EmotionReading) -> Smoothed {
        Smoothed {
            valence: r.valence,
            arousal: r.arousal,
            probs: r.probs,
        }
    }

    /// The most probable class and its probability.
    pub fn top(&self) -> (usize, f32) {
        let mut best = (CIRCUMPLEX.len() - 1, f32::MIN);
        for (i, p) in self.probs.iter().enumerate() {
            if *p > best.1 {
                best = (i, *p);
            }
        }
        best
    }

    fn distance(&self, a: &Anchor) -> f32 {
        ((self.valence - a.valence).powi(2) + (self.arousal - a.arousal).powi(2)).sqrt()
    }
}

/// Where the emotion was at the last re-ranking.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Anchor {
    pub valence: f32,
    pub arousal: f32,
    pub top: usize,
    pub at_ms: u64,
}

/// The listener's emotion and the marked-change rule. See the module docs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MoodWatch {
    pub smoothed: Option<Smoothed>,
    pub anchor: Option<Anchor>,
}

impl MoodWatch {
    /// The listener's emotion for the recommender, if any reading arrived.
    pub fn listener(&self) -> Option<ListenerMood> {
        self.smoothed.map(|s| ListenerMood {
            valence: s.valence,
            arousal: s.arousal,
        })
    }

    /// Takes a reading in; `true` when the emotion changed markedly since the last re-ranking
    /// (the caller then re-ranks, and the anchor has moved here already).
    pub fn observe(&mut self, r: &EmotionReading) -> bool {
        let manual = r.source == EmotionSource::Manual;
        let s = Smoothed::of(r);
        self.smoothed = Some(s);
        let marked = match self.anchor {
            None => manual,
            Some(a) if manual => s.top().0 != a.top || s.distance(&a) >= CLASS_CHANGE_DISTANCE,
            Some(a) => {
                let (top, p) = s.top();
                let d = s.distance(&a);
                r.at_ms.saturating_sub(a.at_ms) >= MIN_INTERVAL_MS
                    && (d >= MARKED_DISTANCE
                        || (top != a.top && p >= CLASS_PROBABILITY && d >= CLASS_CHANGE_DISTANCE))
            }
        };
        if marked || self.anchor.is_none() {
            self.rerank_at(r.at_ms);
        }
        marked
    }

    /// The queue was re-ranked at `at_ms` with the emotion as it is now: the next marked change
    /// is measured from here.
    pub fn rerank_at(&mut self, at_ms: u64) {
        if let Some(s) = self.smoothed {
            self.anchor = Some(Anchor {
                valence: s.valence,
                arousal: s.arousal,
                top: s.top().0,
                at_ms,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vision::smooth::{SmoothConfig, Smoothed as Frame, Smoother};

    fn camera(class: usize, at_ms: u64) -> EmotionReading {
        let mut probs = [0.0; 7];
        probs[class] = 1.0;
        EmotionReading::from_probs(probs, EmotionSource::Camera, at_ms)
    }

    /// The readings the vision thread sends for one-hot frames of `classes` at 4 Hz (its
    /// sampling rate) from `start_ms`, through its smoother, the one smoothing stage.
    fn through_the_camera(
        smoother: &mut Smoother,
        classes: impl IntoIterator<Item = usize>,
        start_ms: u64,
    ) -> Vec<EmotionReading> {
        classes
            .into_iter()
            .enumerate()
            .filter_map(|(i, class)| {
                let mut probs = [0.0; 7];
                probs[class] = 1.0;
                match smoother.face(probs, start_ms + i as u64 * 250) {
                    Frame::Reading(r) => Some(r),
                    _ => None,
                }
            })
            .collect()
    }

    const HAPPY: usize = 3;
    const SAD: usize = 4;
    const NEUTRAL: usize = 6;

    #[test]
    fn the_first_camera_reading_sets_the_anchor_without_a_rerank() {
        let mut w = MoodWatch::default();
        assert!(!w.observe(&camera(HAPPY, 0)));
        assert_eq!(w.anchor.map(|a| a.top), Some(HAPPY));
    }

    #[test]
    fn a_lasting_change_is_marked_once_after_the_minimum_interval() {
        let mut w = MoodWatch::default();
        w.observe(&camera(HAPPY, 0));
        // Sad from now on, one reading a second: nothing before 30 s, then exactly one re-rank.
        let marks: Vec<u64> = (1..=90)
            .map(|s| s * 1000)
            .filter(|&t| w.observe(&camera(SAD, t)))
            .collect();
        assert_eq!(marks, [MIN_INTERVAL_MS]);
        let low = crate::recommend::EmotionBucket::Low;
        assert_eq!(w.listener().map(|l| l.bucket()), Some(low));
    }

    #[test]
    fn a_noisy_camera_flickering_between_classes_does_not_thrash_the_queue() {
        let mut w = MoodWatch::default();
        let mut smoother = Smoother::new(SmoothConfig::default());
        // One odd frame in five, for ten minutes: the estimate never moves far.
        let frames = (0..2400).map(|i| if i % 5 == 4 { HAPPY } else { NEUTRAL });
        let marks = through_the_camera(&mut smoother, frames, 0)
            .iter()
            .filter(|r| w.observe(r))
            .count();
        assert_eq!(marks, 0);
        // One in three shifts it for good: at most one re-rank, then it settles.
        let frames = (0..2400).map(|i| if i % 3 == 2 { HAPPY } else { NEUTRAL });
        let marks = through_the_camera(&mut smoother, frames, 600_000)
            .iter()
            .filter(|r| w.observe(r))
            .count();
        assert!(marks <= 1, "{marks} re-ranks");
    }

    #[test]
    fn a_lasting_change_through_the_camera_re_ranks_within_seconds_and_then_rests() {
        let mut w = MoodWatch::default();
        let mut smoother = Smoother::new(SmoothConfig::default());
        let neutral = std::iter::repeat_n(NEUTRAL, 240);
        let marks = through_the_camera(&mut smoother, neutral, 0)
            .iter()
            .filter(|r| w.observe(r))
            .count();
        assert_eq!(marks, 0, "a steady face");
        // Sad from 60 s for two minutes: re-ranked as the estimate crosses the threshold, at
        // most once more 30 s later (it was still moving), then never again.
        let sad = std::iter::repeat_n(SAD, 480);
        let marks: Vec<u64> = through_the_camera(&mut smoother, sad, 60_000)
            .iter()
            .filter(|r| w.observe(r))
            .map(|r| r.at_ms)
            .collect();
        assert!(!marks.is_empty() && marks[0] < 65_000, "{marks:?}");
        assert!(marks.len() <= 2, "{marks:?}");
        assert!(marks.windows(2).all(|p| p[1] - p[0] >= MIN_INTERVAL_MS));
        assert!(marks.iter().all(|&t| t < 120_000), "{marks:?}");
    }

    #[test]
    fn a_mood_set_by_hand_is_marked_at_once_but_not_when_it_repeats() {
        let mut w = MoodWatch::default();
        assert!(w.observe(&EmotionReading::manual(SAD, 10)));
        assert!(!w.observe(&EmotionReading::manual(SAD, 20)));
        assert!(w.observe(&EmotionReading::manual(HAPPY, 30)));
        let l = w.listener().expect("a listener mood");
        assert_eq!((l.valence, l.arousal), CIRCUMPLEX[HAPPY]);
    }

    #[test]
    fn a_track_start_rerank_restarts_the_interval() {
        let mut w = MoodWatch::default();
        w.observe(&camera(HAPPY, 0));
        for s in 1..40 {
            w.observe(&camera(SAD, s * 1000));
        }
        // Re-ranked at 30 s by the change; a track starts at 45 s and re-ranks with "sad".
        w.rerank_at(45_000);
        // Happy again: marked only 30 s after the track start.
        let first = (46..120u64)
            .map(|s| s * 1000)
            .find(|&t| w.observe(&camera(HAPPY, t)));
        assert_eq!(first, Some(75_000));
    }
}
