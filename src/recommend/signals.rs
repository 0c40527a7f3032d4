//! What the recommender learns from: listening events (the append-only log's records, with their
//! fixed binary encoding, in `event` and re-exported here), the listener's emotional state
//! bucket, a track's mood vector, and the three policies. Value types; no I/O.

pub use super::event::{ListenEvent, Signal, EVENT_BYTES};
use crate::core::{TrackId, CIRCUMPLEX, EMOTIONS, MOOD_UNCERTAIN_BELOW};

/// A track's mood on Russell's circumplex, both in [-1, 1], and how sure the tagger is of it
/// (0–1). The mood tagger fills these; targets and points of the plane are fully certain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrackMood {
    pub valence: f32,
    pub arousal: f32,
    /// The tagger's confidence; below [`MOOD_UNCERTAIN_BELOW`] the mood is "uncertain".
    pub confidence: f32,
}

impl TrackMood {
    /// A point of the plane (confidence 1).
    pub fn new(valence: f32, arousal: f32) -> TrackMood {
        TrackMood {
            valence: valence.clamp(-1.0, 1.0),
            arousal: arousal.clamp(-1.0, 1.0),
            confidence: 1.0,
        }
    }

    /// A tagged mood with the tagger's confidence.
    pub fn tagged(valence: f32, arousal: f32, confidence: f32) -> TrackMood {
        TrackMood {
            confidence: confidence.clamp(0.0, 1.0),
            ..TrackMood::new(valence, arousal)
        }
    }

    pub fn is_uncertain(self) -> bool {
        self.confidence < MOOD_UNCERTAIN_BELOW
    }

    pub fn distance(self, other: TrackMood) -> f32 {
        ((self.valence - other.valence).powi(2) + (self.arousal - other.arousal).powi(2)).sqrt()
    }

    /// One word for the explanation: the circumplex quadrant, or "uncertain".
    pub fn word(self) -> &'static str {
        let (v, a) = (self.valence, self.arousal);
        if self.is_uncertain() {
            "uncertain"
        } else if v * v + a * a < 0.15 * 0.15 {
            "even"
        } else if v >= 0.0 && a >= 0.0 {
            "upbeat"
        } else if v >= 0.0 {
            "calm"
        } else if a < 0.0 {
            "melancholic"
        } else {
            "intense"
        }
    }
}

/// Where a track's mood comes from: the tagger's table, or anything else keyed by track.
pub trait MoodSource {
    fn mood(&self, track: TrackId) -> Option<TrackMood>;
}

impl<S: std::hash::BuildHasher> MoodSource for std::collections::HashMap<TrackId, TrackMood, S> {
    fn mood(&self, track: TrackId) -> Option<TrackMood> {
        self.get(&track).copied()
    }
}

/// The listener's emotional state, bucketed into the circumplex quadrants plus a neutral centre.
/// The 7 FER classes fall into them by their circumplex position (`core::CIRCUMPLEX`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EmotionBucket {
    Neutral = 0,
    /// Pleasant and aroused: happy, surprise.
    Elated = 1,
    /// Pleasant and calm: content, relaxed.
    Relaxed = 2,
    /// Unpleasant and calm: sad, tired.
    Low = 3,
    /// Unpleasant and aroused: angry, afraid, disgusted.
    Tense = 4,
}

impl EmotionBucket {
    pub const ALL: [EmotionBucket; 5] = [
        EmotionBucket::Neutral,
        EmotionBucket::Elated,
        EmotionBucket::Relaxed,
        EmotionBucket::Low,
        EmotionBucket::Tense,
    ];

    pub fn from_valence_arousal(valence: f32, arousal: f32) -> EmotionBucket {
        if valence * valence + arousal * arousal < 0.2 * 0.2 {
            EmotionBucket::Neutral
        } else if valence >= 0.0 && arousal >= 0.0 {
            EmotionBucket::Elated
        } else if valence >= 0.0 {
            EmotionBucket::Relaxed
        } else if arousal < 0.0 {
            EmotionBucket::Low
        } else {
            EmotionBucket::Tense
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn from_index(i: u8) -> Option<EmotionBucket> {
        EmotionBucket::ALL.get(usize::from(i)).copied()
    }

    /// For explanations: "when {phrase}".
    pub fn phrase(self) -> &'static str {
        match self {
            EmotionBucket::Neutral => "neutral",
            EmotionBucket::Elated => "happy",
            EmotionBucket::Relaxed => "relaxed",
            EmotionBucket::Low => "sad or tired",
            EmotionBucket::Tense => "tense",
        }
    }
}

/// The listener's emotion at one moment, as the recommender sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ListenerMood {
    pub valence: f32,
    pub arousal: f32,
}

impl ListenerMood {
    /// The circumplex position of a FER class name ("happy", "sad", …), `None` for other names.
    pub fn from_label(label: &str) -> Option<ListenerMood> {
        let label = label.trim().to_ascii_lowercase();
        let class = EMOTIONS.iter().position(|e| *e == label)?;
        let (valence, arousal) = CIRCUMPLEX[class];
        Some(ListenerMood { valence, arousal })
    }

    pub fn bucket(self) -> EmotionBucket {
        EmotionBucket::from_valence_arousal(self.valence, self.arousal)
    }

    pub fn as_mood(self) -> TrackMood {
        TrackMood::new(self.valence, self.arousal)
    }
}

/// What to play in a state (the iso principle: meet the mood, then move it gradually).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Policy {
    /// Music of the listener's own mood.
    Match = 0,
    /// Move toward pleasant and energetic.
    Lift = 1,
    /// Move toward pleasant and calm.
    Calm = 2,
}

/// How far the target may move from the listener's mood per track (circumplex units).
pub const ISO_STEP: f32 = 0.4;

impl Policy {
    pub const ALL: [Policy; 3] = [Policy::Match, Policy::Lift, Policy::Calm];

    /// The mood to aim the next track at: from the listener's mood, at most [`ISO_STEP`] toward
    /// the policy's goal.
    pub fn target(self, listener: ListenerMood) -> TrackMood {
        let here = listener.as_mood();
        let goal = match self {
            Policy::Match => return here,
            Policy::Lift => TrackMood::new(0.7, 0.5),
            Policy::Calm => TrackMood::new(0.5, -0.5),
        };
        let d = here.distance(goal);
        if d <= ISO_STEP {
            return goal;
        }
        let t = ISO_STEP / d;
        TrackMood::new(
            here.valence + t * (goal.valence - here.valence),
            here.arousal + t * (goal.arousal - here.arousal),
        )
    }

    pub fn verb(self) -> &'static str {
        match self {
            Policy::Match => "to match your mood",
            Policy::Lift => "to lift you",
            Policy::Calm => "to calm you",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_uncertain_mood_is_explained_as_uncertain() {
        let sure = TrackMood::tagged(0.5, -0.5, 0.9);
        assert_eq!(sure.word(), "calm");
        let unsure = TrackMood::tagged(0.5, -0.5, MOOD_UNCERTAIN_BELOW / 2.0);
        assert!(unsure.is_uncertain());
        assert_eq!(unsure.word(), "uncertain");
        assert!(
            !TrackMood::new(0.5, -0.5).is_uncertain(),
            "a point is certain"
        );
    }

    #[test]
    fn every_signal_survives_encoding() {
        let signals = [
            Signal::Started,
            Signal::Finished {
                heard: 0.25,
                skipped: true,
                valence_change: Some(-0.5),
            },
            Signal::Finished {
                heard: 1.0,
                skipped: false,
                valence_change: None,
            },
            Signal::Replayed,
            Signal::Rated { stars: 4 },
            Signal::MovedByHand { toward_front: true },
            Signal::EmotionSeen,
            Signal::JourneyStep {
                valence_change: 0.25,
                arousal_change: -0.5,
                toward_target: true,
                reached: false,
            },
            Signal::JourneyStep {
                valence_change: -0.125,
                arousal_change: 0.0,
                toward_target: false,
                reached: true,
            },
        ];
        for (i, signal) in signals.into_iter().enumerate() {
            let event = ListenEvent {
                at_ms: 1_700_000_000_000 + i as u64,
                track: TrackId(u64::MAX - i as u64),
                signal,
                listener: (i % 2 == 0).then_some(ListenerMood {
                    valence: -0.7,
                    arousal: -0.4,
                }),
                mood: (i % 3 == 0).then(|| TrackMood::new(0.5, -0.25)),
            };
            assert_eq!(ListenEvent::decode(&event.encode()).expect("decode"), event);
        }
    }

    #[test]
    fn the_store_strips_the_listener_where_the_encoding_keeps_it() {
        let event = ListenEvent {
            at_ms: 1_700_000_000_123,
            track: TrackId(7),
            signal: Signal::Finished {
                heard: 0.5,
                skipped: true,
                valence_change: Some(0.25),
            },
            listener: Some(ListenerMood {
                valence: -0.7,
                arousal: 0.4,
            }),
            mood: Some(TrackMood::new(0.5, -0.25)),
        };
        let mut bytes = event.encode();
        assert!(crate::store::strip_reco_listener_bytes(&mut bytes));
        let stripped = ListenEvent::decode(&bytes).expect("decode");
        let expected = ListenEvent {
            signal: Signal::Finished {
                heard: 0.5,
                skipped: true,
                valence_change: None,
            },
            listener: None,
            ..event
        };
        assert_eq!(
            stripped, expected,
            "time, track, kind and the track's mood stay"
        );
        assert!(
            !crate::store::strip_reco_listener_bytes(&mut bytes),
            "nothing left"
        );
    }

    #[test]
    fn a_short_or_unknown_record_is_an_error_not_a_panic() {
        assert!(ListenEvent::decode(&[1, 2, 3]).is_err());
        let mut bytes = [0u8; EVENT_BYTES];
        bytes[0] = 9;
        assert!(ListenEvent::decode(&bytes).is_err());
        bytes[0] = 3; // a rating of 0 stars
        assert!(ListenEvent::decode(&bytes).is_err());
        bytes[0] = 6; // a journey step with unknown flag bits
        bytes[25] = 4;
        assert!(ListenEvent::decode(&bytes).is_err());
    }

    #[test]
    fn the_original_kinds_decode_as_before_the_journey_step_was_added() {
        // Bytes as the first release wrote them: kind 1 (Finished), heard 0.5, no valence change.
        let mut bytes = [0u8; EVENT_BYTES];
        bytes[0] = 1;
        bytes[17..21].copy_from_slice(&0.5f32.to_le_bytes());
        bytes[21..25].copy_from_slice(&f32::NAN.to_le_bytes());
        for i in 0..4 {
            bytes[26 + 4 * i..30 + 4 * i].copy_from_slice(&f32::NAN.to_le_bytes());
        }
        let e = ListenEvent::decode(&bytes).expect("decode");
        assert_eq!(
            e.signal,
            Signal::Finished {
                heard: 0.5,
                skipped: false,
                valence_change: None
            }
        );
    }

    #[test]
    fn fer_classes_fall_into_their_quadrants() {
        let bucket = |l: &str| ListenerMood::from_label(l).map(ListenerMood::bucket);
        assert_eq!(bucket("sad"), Some(EmotionBucket::Low));
        assert_eq!(bucket("Happy"), Some(EmotionBucket::Elated));
        assert_eq!(bucket("angry"), Some(EmotionBucket::Tense));
        assert_eq!(bucket("neutral"), Some(EmotionBucket::Neutral));
        assert_eq!(bucket("tired"), None);
    }

    #[test]
    fn policy_targets_move_at_most_one_iso_step_from_the_listener() {
        let sad = ListenerMood {
            valence: -0.7,
            arousal: -0.4,
        };
        assert_eq!(Policy::Match.target(sad), sad.as_mood());
        for policy in [Policy::Lift, Policy::Calm] {
            let target = policy.target(sad);
            assert!((target.distance(sad.as_mood()) - ISO_STEP).abs() < 1e-5);
            assert!(target.valence > sad.valence);
        }
        let near = ListenerMood {
            valence: 0.6,
            arousal: 0.4,
        };
        assert_eq!(Policy::Lift.target(near), TrackMood::new(0.7, 0.5));
    }
}
