//! Temporal smoothing: per-frame class probabilities → a steady [`EmotionReading`], and the "no
//! face" state. Pure state machine, driven by the vision thread with explicit timestamps.
//!
//! Confidence-weighted exponential smoothing: a frame observed `Δt` after the previous one moves
//! the estimate by `α = (1 − e^(−Δt/τ)) · w`, where `w = 0.25 + 0.75 · confidence` and
//! `confidence = 1 − H(p) / ln 7` (1 for a one-hot frame, 0 for a uniform one). A flat, unsure
//! frame therefore barely moves the estimate, and after a long gap (between tracks) new frames
//! take over within a couple of frames. With no face for `no_face_after`, the estimate is dropped
//! and the next face starts afresh.

use std::time::Duration;

use crate::core::{EmotionReading, EmotionSource};

/// Tuning of the [`Smoother`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SmoothConfig {
    /// Time constant τ of the exponential smoothing.
    pub time_constant: Duration,
    /// How long without a face before the state becomes "no face".
    pub no_face_after: Duration,
}

impl Default for SmoothConfig {
    fn default() -> Self {
        SmoothConfig {
            time_constant: Duration::from_secs(2),
            no_face_after: Duration::from_secs(5),
        }
    }
}

/// What the smoother concluded from one observation.
#[derive(Clone, Debug, PartialEq)]
pub enum Smoothed {
    /// The current estimate.
    Reading(EmotionReading),
    /// No face for `no_face_after`: reported once, on the observation that crossed it.
    NoFace,
    /// Nothing new to report (a frame without a face, within the grace period, or again after
    /// `NoFace` was reported).
    Unchanged,
}

/// The smoothing state. See the module docs.
#[derive(Clone, Debug)]
pub struct Smoother {
    config: SmoothConfig,
    estimate: Option<[f32; 7]>,
    /// Time of the last frame with a face (or of the reset).
    last_face_ms: Option<u64>,
    last_frame_ms: Option<u64>,
    no_face_reported: bool,
}

/// `1 − H(p)/ln 7`, in [0, 1].
pub fn confidence(probs: &[f32; 7]) -> f32 {
    let total: f32 = probs.iter().sum::<f32>().max(f32::EPSILON);
    let entropy: f32 = probs
        .iter()
        .map(|p| p / total)
        .filter(|&p| p > 0.0)
        .map(|p| -p * p.ln())
        .sum();
    (1.0 - entropy / 7f32.ln()).clamp(0.0, 1.0)
}

impl Smoother {
    pub fn new(config: SmoothConfig) -> Smoother {
        Smoother {
            config,
            estimate: None,
            last_face_ms: None,
            last_frame_ms: None,
            no_face_reported: false,
        }
    }

    /// Forgets the estimate (camera turned off or on); the "no face" clock starts at `at_ms`.
    pub fn reset(&mut self, at_ms: u64) {
        self.estimate = None;
        self.last_face_ms = Some(at_ms);
        self.last_frame_ms = None;
        self.no_face_reported = false;
    }

    /// The current estimate, if a face was seen since the last reset or "no face".
    pub fn estimate(&self) -> Option<[f32; 7]> {
        self.estimate
    }

    /// A frame with a face and its class probabilities at `at_ms`.
    pub fn face(&mut self, probs: [f32; 7], at_ms: u64) -> Smoothed {
        let total: f32 = probs.iter().sum::<f32>();
        if !total.is_finite() || total <= 0.0 {
            return Smoothed::Unchanged;
        }
        let probs = probs.map(|p| p / total);
        let next = match (self.estimate, self.last_frame_ms) {
            (Some(old), Some(last)) => {
                let dt = at_ms.saturating_sub(last) as f32 / 1000.0;
                let tau = self.config.time_constant.as_secs_f32().max(1e-3);
                let alpha = (1.0 - (-dt / tau).exp()) * (0.25 + 0.75 * confidence(&probs));
                let mut mixed = [0f32; 7];
                for ((m, o), p) in mixed.iter_mut().zip(old).zip(probs) {
                    *m = o + alpha * (p - o);
                }
                mixed
            }
            _ => probs,
        };
        self.estimate = Some(next);
        self.last_face_ms = Some(at_ms);
        self.last_frame_ms = Some(at_ms);
        self.no_face_reported = false;
        Smoothed::Reading(EmotionReading::from_probs(
            next,
            EmotionSource::Camera,
            at_ms,
        ))
    }

    /// A frame without a face at `at_ms`.
    pub fn no_face(&mut self, at_ms: u64) -> Smoothed {
        let since = *self.last_face_ms.get_or_insert(at_ms);
        let limit = self.config.no_face_after.as_millis() as u64;
        if self.no_face_reported || at_ms.saturating_sub(since) < limit {
            return Smoothed::Unchanged;
        }
        self.estimate = None;
        self.last_frame_ms = None;
        self.no_face_reported = true;
        Smoothed::NoFace
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_hot(class: usize) -> [f32; 7] {
        let mut p = [0.0; 7];
        p[class] = 1.0;
        p
    }

    fn reading(s: Smoothed) -> EmotionReading {
        match s {
            Smoothed::Reading(r) => r,
            other => panic!("a reading expected, got {other:?}"),
        }
    }

    const HAPPY: usize = 3;
    const SAD: usize = 4;

    #[test]
    fn the_first_face_is_taken_as_it_is() {
        let mut s = Smoother::new(SmoothConfig::default());
        let r = reading(s.face(one_hot(HAPPY), 1000));
        assert_eq!(r.label(), "happy");
        assert_eq!(r.source, EmotionSource::Camera);
        assert_eq!(r.at_ms, 1000);
    }

    #[test]
    fn one_contrary_frame_does_not_flip_the_label_but_a_run_of_them_does() {
        let mut s = Smoother::new(SmoothConfig::default());
        for t in 0..10 {
            s.face(one_hot(HAPPY), t * 500);
        }
        let r = reading(s.face(one_hot(SAD), 5000));
        assert_eq!(r.label(), "happy");
        let flipped =
            (1..20).find(|k| reading(s.face(one_hot(SAD), 5000 + k * 500)).label() == "sad");
        assert!(
            matches!(flipped, Some(1..=6)),
            "flipped after {flipped:?} frames"
        );
    }

    #[test]
    fn an_unsure_frame_moves_the_estimate_less_than_a_sure_one() {
        let mut sure = Smoother::new(SmoothConfig::default());
        let mut unsure = Smoother::new(SmoothConfig::default());
        sure.face(one_hot(HAPPY), 0);
        unsure.face(one_hot(HAPPY), 0);
        let mut flat = [0.13; 7];
        flat[SAD] = 0.22;
        let a = reading(sure.face(one_hot(SAD), 500)).probs[SAD];
        let b = reading(unsure.face(flat, 500)).probs[SAD];
        assert!(a > 2.0 * b, "sure {a}, unsure {b}");
    }

    #[test]
    fn after_a_long_gap_new_frames_take_over_quickly() {
        let mut s = Smoother::new(SmoothConfig::default());
        for t in 0..10 {
            s.face(one_hot(HAPPY), t * 500);
        }
        // Three minutes later (the next track change).
        let r = reading(s.face(one_hot(SAD), 185_000));
        assert_eq!(r.label(), "sad");
    }

    #[test]
    fn no_face_is_reported_once_after_the_timeout_and_clears_the_estimate() {
        let mut s = Smoother::new(SmoothConfig::default());
        s.face(one_hot(HAPPY), 0);
        assert_eq!(s.no_face(1000), Smoothed::Unchanged);
        assert_eq!(s.no_face(4999), Smoothed::Unchanged);
        assert_eq!(s.no_face(5000), Smoothed::NoFace);
        assert_eq!(s.no_face(6000), Smoothed::Unchanged);
        assert_eq!(s.estimate(), None);
        // The next face starts afresh.
        assert_eq!(reading(s.face(one_hot(SAD), 7000)).probs, one_hot(SAD));
    }

    #[test]
    fn the_no_face_clock_starts_at_the_reset_when_no_face_was_ever_seen() {
        let mut s = Smoother::new(SmoothConfig::default());
        s.reset(10_000);
        assert_eq!(s.no_face(14_000), Smoothed::Unchanged);
        assert_eq!(s.no_face(15_000), Smoothed::NoFace);
    }

    #[test]
    fn valence_and_arousal_follow_the_smoothed_probabilities() {
        let mut s = Smoother::new(SmoothConfig::default());
        let r = reading(s.face(one_hot(HAPPY), 0));
        assert_eq!((r.valence, r.arousal), crate::core::CIRCUMPLEX[HAPPY]);
    }

    #[test]
    fn garbage_probabilities_are_ignored() {
        let mut s = Smoother::new(SmoothConfig::default());
        assert_eq!(s.face([f32::NAN; 7], 0), Smoothed::Unchanged);
        assert_eq!(s.face([0.0; 7], 0), Smoothed::Unchanged);
        assert_eq!(s.estimate(), None);
    }

    #[test]
    fn confidence_is_one_for_one_hot_and_zero_for_uniform() {
        assert!((confidence(&one_hot(0)) - 1.0).abs() < 1e-6);
        assert!(confidence(&[1.0 / 7.0; 7]).abs() < 1e-6);
    }
}
