//! Where a mood journey goes (issue 15): the named targets (`happy`, `tense`, `sad`, `calm`,
//! `focus`, `sleep`) and points of the valence/arousal plane, parsing, names and "reached".
//! Part of `recommend::journey`, which re-exports it.

use super::ListenerMood;
use crate::recommend::TrackMood;

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
