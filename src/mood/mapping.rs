//! From musicnn's tag probabilities to a mood: [`MoodVector`] (valence and arousal in [-1, 1],
//! a quadrant label, a confidence and the top tags). Pure functions; docs/MOOD.md explains the
//! table and its sources (Russell's circumplex; Laurier et al. 2009; Eerola & Vuoskoski 2011).
//!
//! Each mood-bearing tag has a direction on the valence/arousal plane ([`TAG_DIRECTIONS`]). The
//! mood is the probability-weighted mean of the directions of the tags present:
//! `valence = Σ p_t·v_t / Σ p_t` (same for arousal), the sums running over the table's tags, so a
//! track dominated by mood-neutral tags (`electronic`, `rock`) stays near the centre. The label
//! is the quadrant. The confidence grows with the evidence (the table tags' probability mass,
//! `1 − exp(−mass / 0.5)`) and with the distance from the centre (full at 0.5 or more).

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

/// (tag, valence, arousal): where each mood-bearing MSD tag points. Tags not listed (decades,
/// `female vocalists`, `guitar`, ...) carry no mood. See docs/MOOD.md for the reasons.
pub const TAG_DIRECTIONS: &[(&str, f32, f32)] = &[
    ("happy", 1.0, 0.5),
    ("party", 0.7, 1.0),
    ("dance", 0.5, 0.8),
    ("House", 0.4, 0.8),
    ("catchy", 0.5, 0.4),
    ("funk", 0.5, 0.5),
    ("pop", 0.4, 0.3),
    ("sexy", 0.5, 0.0),
    ("soul", 0.3, 0.0),
    ("rnb", 0.3, 0.1),
    ("electro", 0.1, 0.7),
    ("Hip-Hop", 0.0, 0.6),
    ("electronic", 0.0, 0.3),
    ("rock", 0.0, 0.5),
    ("easy listening", 0.6, -0.6),
    ("chillout", 0.5, -0.8),
    ("chill", 0.5, -0.7),
    ("beautiful", 0.6, -0.5),
    ("Mellow", 0.2, -0.8),
    ("ambient", 0.1, -0.9),
    ("acoustic", 0.2, -0.5),
    ("folk", 0.1, -0.4),
    ("jazz", 0.3, -0.3),
    ("blues", -0.2, -0.2),
    ("sad", -1.0, -0.5),
    ("experimental", -0.3, 0.1),
    ("punk", -0.3, 1.0),
    ("hard rock", -0.3, 0.9),
    ("metal", -0.6, 1.0),
    ("heavy metal", -0.6, 1.0),
];

/// The mood of a track from its tag probabilities (name, probability). No tags: neutral.
pub fn mood_from_tags(tags: &[(String, f32)]) -> MoodVector {
    if tags.is_empty() {
        return MoodVector::neutral();
    }
    let (mut mass, mut v, mut a) = (0f32, 0f32, 0f32);
    for (name, p) in tags {
        if let Some(&(_, tv, ta)) = TAG_DIRECTIONS.iter().find(|(t, _, _)| t == name) {
            mass += p;
            v += p * tv;
            a += p * ta;
        }
    }
    let (valence, arousal) = if mass > 0.0 {
        (v / mass, a / mass)
    } else {
        (0.0, 0.0)
    };
    let evidence = 1.0 - (-mass / 0.5).exp();
    let distance = (valence.hypot(arousal) / 0.5).min(1.0);
    let mut top = tags.to_vec();
    top.sort_by(|x, y| y.1.total_cmp(&x.1));
    top.truncate(5);
    MoodVector {
        valence: valence.clamp(-1.0, 1.0),
        arousal: arousal.clamp(-1.0, 1.0),
        label: MoodLabel::of(valence, arousal),
        confidence: (evidence * distance).clamp(0.0, 1.0),
        top_tags: top,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[(&str, f32)]) -> Vec<(String, f32)> {
        list.iter().map(|(n, p)| (n.to_string(), *p)).collect()
    }

    #[test]
    fn every_direction_is_on_the_unit_square_and_names_a_real_msd_tag() {
        for (name, v, a) in TAG_DIRECTIONS {
            assert!(
                (-1.0..=1.0).contains(v) && (-1.0..=1.0).contains(a),
                "{name}"
            );
            assert!(
                crate::mood::weights::MSD_TAGS.contains(name),
                "{name} is not an MSD tag"
            );
        }
    }

    #[test]
    fn each_quadrant_is_reached_by_its_typical_tags() {
        let cases = [
            (
                &[("party", 0.6), ("dance", 0.5), ("happy", 0.3)][..],
                MoodLabel::EnergeticHappy,
            ),
            (
                &[("metal", 0.7), ("hard rock", 0.4)][..],
                MoodLabel::TenseAngry,
            ),
            (
                &[("sad", 0.5), ("Mellow", 0.2)][..],
                MoodLabel::MelancholicSad,
            ),
            (
                &[("chillout", 0.5), ("ambient", 0.3), ("beautiful", 0.4)][..],
                MoodLabel::CalmPeaceful,
            ),
        ];
        for (list, label) in cases {
            let mood = mood_from_tags(&tags(list));
            assert_eq!(mood.label, label, "{list:?} -> {mood:?}");
            assert!(mood.confidence > 0.5, "{list:?} -> {mood:?}");
        }
    }

    #[test]
    fn weak_or_mood_neutral_tags_give_low_confidence() {
        let weak = mood_from_tags(&tags(&[("happy", 0.02), ("rock", 0.01)]));
        assert!(weak.confidence < 0.1, "{weak:?}");
        let neutral = mood_from_tags(&tags(&[("00s", 0.9), ("guitar", 0.8)]));
        assert_eq!(
            (neutral.valence, neutral.arousal, neutral.confidence),
            (0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn no_tags_is_the_neutral_mood() {
        assert_eq!(mood_from_tags(&[]), MoodVector::neutral());
        assert_eq!(MoodVector::neutral().label.name(), "neutral");
    }

    #[test]
    fn top_tags_are_the_five_most_probable() {
        let list: Vec<(String, f32)> = (0..8).map(|i| (format!("t{i}"), i as f32 / 10.0)).collect();
        let mood = mood_from_tags(&list);
        let names: Vec<&str> = mood.top_tags.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["t7", "t6", "t5", "t4", "t3"]);
    }
}
