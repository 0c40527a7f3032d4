//! A track's mood: [`MoodVector`] (valence and arousal in [-1, 1], a quadrant [`MoodLabel`], a
//! confidence and the top tags), as the mood head (`head.rs`) computes it. Plain values.

use serde::{Deserialize, Serialize};

/// The four quadrants of the valence/arousal plane, plus `Neutral` for a track with nothing to
/// hear (silence).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MoodLabel {
    /// Positive valence, high arousal.
    #[serde(rename = "energetic/happy")]
    EnergeticHappy,
    /// Negative valence, high arousal.
    #[serde(rename = "tense/angry")]
    TenseAngry,
    /// Negative valence, low arousal.
    #[serde(rename = "melancholic/sad")]
    MelancholicSad,
    /// Positive valence, low arousal.
    #[serde(rename = "calm/peaceful")]
    CalmPeaceful,
    /// No audible signal: no mood.
    #[serde(rename = "neutral")]
    Neutral,
}

impl MoodLabel {
    pub fn name(self) -> &'static str {
        match self {
            MoodLabel::EnergeticHappy => "energetic/happy",
            MoodLabel::TenseAngry => "tense/angry",
            MoodLabel::MelancholicSad => "melancholic/sad",
            MoodLabel::CalmPeaceful => "calm/peaceful",
            MoodLabel::Neutral => "neutral",
        }
    }

    /// The quadrant of a point (ties go to positive valence and high arousal).
    pub fn of(valence: f32, arousal: f32) -> MoodLabel {
        match (valence >= 0.0, arousal >= 0.0) {
            (true, true) => MoodLabel::EnergeticHappy,
            (false, true) => MoodLabel::TenseAngry,
            (false, false) => MoodLabel::MelancholicSad,
            (true, false) => MoodLabel::CalmPeaceful,
        }
    }
}

/// A track's mood on Russell's valence/arousal plane.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MoodVector {
    /// Unpleasant (−1) to pleasant (+1).
    pub valence: f32,
    /// Calm (−1) to excited (+1).
    pub arousal: f32,
    pub label: MoodLabel,
    /// 0 (no evidence) to 1.
    pub confidence: f32,
    /// The most probable tags, most probable first (at most 5).
    pub top_tags: Vec<(String, f32)>,
}

impl MoodVector {
    /// The centre of the plane with zero confidence: what silence gets.
    pub fn neutral() -> MoodVector {
        MoodVector {
            valence: 0.0,
            arousal: 0.0,
            label: MoodLabel::Neutral,
            confidence: 0.0,
            top_tags: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quadrant_of_a_point() {
        assert_eq!(MoodLabel::of(0.5, 0.5), MoodLabel::EnergeticHappy);
        assert_eq!(MoodLabel::of(-0.5, 0.5), MoodLabel::TenseAngry);
        assert_eq!(MoodLabel::of(-0.5, -0.5), MoodLabel::MelancholicSad);
        assert_eq!(MoodLabel::of(0.5, -0.5), MoodLabel::CalmPeaceful);
        assert_eq!(MoodLabel::of(0.0, 0.0), MoodLabel::EnergeticHappy);
    }

    #[test]
    fn silence_is_the_neutral_mood() {
        let n = MoodVector::neutral();
        assert_eq!((n.valence, n.arousal, n.confidence), (0.0, 0.0, 0.0));
        assert_eq!(n.label.name(), "neutral");
    }
}
