//! `EmotionReading`: the listener's emotion at one moment (7 FER-2013 classes plus valence and
//! arousal), from the camera or set by hand. The vision subsystem and the manual mood picker
//! produce them; the emotion gauge and the recommender consume them.

use serde::{Deserialize, Serialize};

/// The seven FER-2013 classes, in the data set's label order.
pub const EMOTIONS: [&str; 7] = [
    "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral",
];

/// Valence and arousal of each class on Russell's circumplex (both in [-1, 1]), placed after the
/// positions reported for these terms by Russell (1980, "A circumplex model of affect") and
/// Scherer (2005): happy is pleasant and moderately aroused, sad unpleasant and calm, anger and
/// fear unpleasant and highly aroused, surprise neutral-to-pleasant and highly aroused.
pub const CIRCUMPLEX: [(f32, f32); 7] = [
    (-0.6, 0.7),  // angry
    (-0.7, 0.3),  // disgust
    (-0.6, 0.6),  // fear
    (0.8, 0.4),   // happy
    (-0.7, -0.4), // sad
    (0.3, 0.8),   // surprise
    (0.0, 0.0),   // neutral
];

/// Where a reading came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmotionSource {
    Camera,
    Manual,
}

/// One emotion estimate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmotionReading {
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// Probabilities of the 7 classes (sum 1), in `EMOTIONS` order.
    pub probs: [f32; 7],
    pub valence: f32,
    pub arousal: f32,
    pub source: EmotionSource,
}

impl EmotionReading {
    /// A reading from probabilities; valence and arousal are their expectation on the circumplex.
    pub fn from_probs(probs: [f32; 7], source: EmotionSource, at_ms: u64) -> EmotionReading {
        let total: f32 = probs.iter().sum::<f32>().max(f32::EPSILON);
        let (mut v, mut a) = (0.0, 0.0);
        for (p, (cv, ca)) in probs.iter().zip(CIRCUMPLEX) {
            v += p / total * cv;
            a += p / total * ca;
        }
        EmotionReading {
            at_ms,
            probs,
            valence: v,
            arousal: a,
            source,
        }
    }

    /// The listener said "I feel <class>".
    pub fn manual(class: usize, at_ms: u64) -> EmotionReading {
        let mut probs = [0.0; 7];
        probs[class.min(6)] = 1.0;
        EmotionReading::from_probs(probs, EmotionSource::Manual, at_ms)
    }

    /// Index of the most probable class.
    pub fn top(&self) -> usize {
        let mut best = 0;
        for (i, p) in self.probs.iter().enumerate() {
            if *p > self.probs[best] {
                best = i;
            }
        }
        best
    }

    pub fn label(&self) -> &'static str {
        EMOTIONS[self.top()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_readings_take_the_class_position_on_the_circumplex() {
        let r = EmotionReading::manual(3, 0);
        assert_eq!(r.label(), "happy");
        assert_eq!((r.valence, r.arousal), CIRCUMPLEX[3]);
    }

    #[test]
    fn mixed_probabilities_average_valence_and_arousal() {
        let mut p = [0.0; 7];
        p[3] = 0.5; // happy
        p[4] = 0.5; // sad
        let r = EmotionReading::from_probs(p, EmotionSource::Camera, 0);
        assert!((r.valence - 0.05).abs() < 1e-6);
        assert!((r.arousal - 0.0).abs() < 1e-6);
    }
}
