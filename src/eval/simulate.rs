//! Simulated listeners for `mien eval-reco`: a generated mood-tagged catalogue and listeners with
//! hidden, state-dependent tastes and a hidden policy per emotional state, who pick, skip and rate
//! noisily and whose valence responds to what they hear. Pure and seeded (deterministic).
//!
//! Catalogue moods: 40 styles whose centres are drawn from a bivariate normal on the circumplex
//! (mean (0.05, 0.0), sd 0.40 on both axes, correlation 0.45), tracks spread around their style's
//! centre with sd 0.15, clipped to [-1, 1]. This approximates the song-level static
//! valence/arousal spread of DEAM (Aljanaki, Yang & Soleymani 2017, PLoS ONE 12(3): e0173392,
//! rescaled from its 1–9 scale): a cloud centred near the middle of both scales, covering all four
//! quadrants, with valence and arousal positively correlated. See docs/RECOMMENDER.md.

use crate::core::{TrackId, CIRCUMPLEX};
use crate::recommend::model::FixedMap;
use crate::recommend::signals::{EmotionBucket, ListenerMood, TrackMood};
use crate::recommend::SeededRng;
use rand::Rng;
use rand_distr::StandardNormal;

pub const STYLES: usize = 40;

/// One generated track: its id, its (public) mood and its (hidden) style.
#[derive(Clone, Copy, Debug)]
pub struct SimTrack {
    pub id: TrackId,
    pub mood: TrackMood,
    pub style: usize,
}

/// Generates `n` tracks. Ids are `1..=n`.
pub fn generate_catalogue(n: usize, rng: &mut SeededRng) -> Vec<SimTrack> {
    let centres: Vec<(f64, f64)> = (0..STYLES)
        .map(|_| {
            let (z1, z2) = (
                rng.sample::<f64, _>(StandardNormal),
                rng.sample::<f64, _>(StandardNormal),
            );
            let rho: f64 = 0.45;
            (
                0.05 + 0.40 * z1,
                0.40 * (rho * z1 + (1.0 - rho * rho).sqrt() * z2),
            )
        })
        .collect();
    (0..n)
        .map(|i| {
            let style = rng.random_range(0..STYLES);
            let (cv, ca) = centres[style];
            let v = cv + 0.15 * rng.sample::<f64, _>(StandardNormal);
            let a = ca + 0.15 * rng.sample::<f64, _>(StandardNormal);
            SimTrack {
                id: TrackId(i as u64 + 1),
                mood: TrackMood::new(v as f32, a as f32),
                style,
            }
        })
        .collect()
}

/// A catalogue of real tracks for the simulation (`mien eval-reco --library DIR`): each entry's
/// mood from the tagger and a style key (the album), whose hash picks one of the [`STYLES`] the
/// listeners' hidden tastes are about, so tracks of one album are liked or disliked together.
/// Ids are `1..=n` in the order given.
pub fn catalogue_from_tracks(tracks: &[(TrackMood, String)]) -> Vec<SimTrack> {
    tracks
        .iter()
        .enumerate()
        .map(|(i, (mood, style_key))| {
            // FNV-1a: the same style for the same album on every run and platform.
            let hash = style_key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
            SimTrack {
                id: TrackId(i as u64 + 1),
                mood: *mood,
                style: (hash % STYLES as u64) as usize,
            }
        })
        .collect()
}

/// What a listener wants in a state (hidden from the recommenders).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum HiddenPolicy {
    /// Music of their own mood.
    Match,
    /// Pleasant and calm music.
    Comfort,
    /// Pleasant and energetic music.
    Energy,
}

impl HiddenPolicy {
    /// The mood they want now: 60% of the way from their own mood to the policy's goal.
    pub fn desire(self, here: TrackMood) -> TrackMood {
        let goal = match self {
            HiddenPolicy::Match => return here,
            HiddenPolicy::Comfort => TrackMood::new(0.4, -0.45),
            HiddenPolicy::Energy => TrackMood::new(0.6, 0.65),
        };
        TrackMood::new(
            here.valence + 0.6 * (goal.valence - here.valence),
            here.arousal + 0.6 * (goal.arousal - here.arousal),
        )
    }
}

/// A simulated listener: hidden tastes per state, a hidden policy per state, and a current mood.
pub struct SimListener {
    taste_base: Vec<f32>,
    taste_by_state: [Vec<f32>; 5],
    policy: [HiddenPolicy; 5],
    idiosyncrasy: Vec<f32>,
    /// The true emotion now (the recommenders see a noisy reading).
    pub valence: f32,
    pub arousal: f32,
}

impl SimListener {
    pub fn new(tracks: usize, rng: &mut SeededRng) -> SimListener {
        let mut styles = || {
            (0..STYLES)
                .map(|_| rng.sample::<f64, _>(StandardNormal) as f32)
                .collect::<Vec<f32>>()
        };
        let taste_base = styles();
        let taste_by_state = [styles(), styles(), styles(), styles(), styles()];
        // "Comfort when sad, energy when happy" is likely, not certain.
        let mut pick = |options: &[(HiddenPolicy, f64)]| {
            let mut u = rng.random::<f64>();
            for (p, w) in options {
                if u < *w {
                    return *p;
                }
                u -= w;
            }
            HiddenPolicy::Match
        };
        use HiddenPolicy::*;
        let policy = [
            pick(&[(Match, 0.34), (Comfort, 0.33), (Energy, 0.33)]), // neutral
            pick(&[(Energy, 0.7), (Match, 0.3)]),                    // elated
            pick(&[(Match, 0.5), (Comfort, 0.5)]),                   // relaxed
            pick(&[(Comfort, 0.6), (Match, 0.4)]),                   // low
            pick(&[(Comfort, 0.6), (Match, 0.2), (Energy, 0.2)]),    // tense
        ];
        let idiosyncrasy = (0..tracks)
            .map(|_| 0.5 * rng.sample::<f64, _>(StandardNormal) as f32)
            .collect();
        let mut listener = SimListener {
            taste_base,
            taste_by_state,
            policy,
            idiosyncrasy,
            valence: 0.0,
            arousal: 0.0,
        };
        listener.change_emotion(rng);
        listener
    }

    /// A marked change of emotion: a random FER class, jittered.
    pub fn change_emotion(&mut self, rng: &mut SeededRng) {
        let (v, a) = CIRCUMPLEX[rng.random_range(0..7)];
        self.valence = (v + 0.15 * rng.sample::<f64, _>(StandardNormal) as f32).clamp(-1.0, 1.0);
        self.arousal = (a + 0.15 * rng.sample::<f64, _>(StandardNormal) as f32).clamp(-1.0, 1.0);
    }

    pub fn bucket(&self) -> EmotionBucket {
        EmotionBucket::from_valence_arousal(self.valence, self.arousal)
    }

    /// What a camera would report: the true mood plus noise.
    pub fn reading(&self, rng: &mut SeededRng) -> ListenerMood {
        ListenerMood {
            valence: (self.valence + 0.1 * rng.sample::<f64, _>(StandardNormal) as f32)
                .clamp(-1.0, 1.0),
            arousal: (self.arousal + 0.1 * rng.sample::<f64, _>(StandardNormal) as f32)
                .clamp(-1.0, 1.0),
        }
    }

    /// How close a mood is to what the listener wants now, in [0, 1].
    pub fn fit(&self, mood: TrackMood) -> f32 {
        let here = TrackMood::new(self.valence, self.arousal);
        let d = self.policy[self.bucket().index()]
            .desire(here)
            .distance(mood);
        (-(d * d) / (2.0 * 0.3 * 0.3)).exp()
    }

    /// The hidden utility of a track now.
    pub fn utility(&self, track: &SimTrack) -> f32 {
        let s = self.bucket().index();
        let taste = 0.5 * self.taste_base[track.style] + 0.85 * self.taste_by_state[s][track.style];
        let idio = self
            .idiosyncrasy
            .get(track.id.0 as usize - 1)
            .copied()
            .unwrap_or(0.0);
        taste + 2.0 * self.fit(track.mood) + idio
    }

    /// The listener's own next pick: a softmax over utility (temperature 0.25) among the tracks
    /// not in `recent`. `None` if every track is recent.
    pub fn choose(
        &self,
        catalogue: &[SimTrack],
        recent: &FixedMap<TrackId, ()>,
        rng: &mut SeededRng,
    ) -> Option<usize> {
        let utils: Vec<(usize, f32)> = catalogue
            .iter()
            .enumerate()
            .filter(|(_, t)| !recent.contains_key(&t.id))
            .map(|(i, t)| (i, self.utility(t)))
            .collect();
        let max = utils.iter().map(|u| u.1).fold(f32::MIN, f32::max);
        let weights: Vec<f64> = utils
            .iter()
            .map(|u| f64::from((u.1 - max) / 0.25).exp())
            .collect();
        let total: f64 = weights.iter().sum();
        let mut x = rng.random::<f64>() * total;
        for (w, (i, _)) in weights.iter().zip(&utils) {
            if x < *w {
                return Some(*i);
            }
            x -= w;
        }
        utils.last().map(|u| u.0)
    }

    /// The listener hears (part of) a track: their valence and arousal move toward what fits them
    /// and toward the track's mood. Returns the valence change.
    pub fn hear(&mut self, mood: TrackMood, heard: f32) -> f32 {
        let before = self.valence;
        let fit = self.fit(mood);
        self.valence = (self.valence
            + heard * (0.15 * (fit - 0.4) + 0.1 * (mood.valence - self.valence)))
            .clamp(-1.0, 1.0);
        self.arousal =
            (self.arousal + heard * 0.1 * (mood.arousal - self.arousal)).clamp(-1.0, 1.0);
        self.valence - before
    }
}
