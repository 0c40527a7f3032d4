//! The learned taste model: per-item stats, item-item co-consumption, per-state affinities and
//! mood centroids, and the per-state policy posteriors. [`TasteModel::apply`] folds one event in
//! incrementally (no rebuild) and says which rows it touched. Pure data; owned by the recommender
//! thread (or a test, or the evaluation). The row types live in `tables.rs`.

use std::collections::VecDeque;

use super::signals::{EmotionBucket, ListenEvent, ListenerMood, Policy, Signal, TrackMood};
pub use super::tables::{
    BetaPosterior, FixedMap, IdHasher, ItemStats, MoodCentroid, SessionPlay, StateAffinity,
};
use crate::core::TrackId;

/// Plays closer together than this (ms) belong to one listening session.
pub const SESSION_MS: u64 = 30 * 60 * 1000;
/// The shrink term `λ` of the item-item cosine (see [`TasteModel::similarity`]).
pub const SHRINK: f32 = 2.0;
/// How many started tracks count as "just played" (never recommended again right away).
pub const RECENT_PLAYS: usize = 20;
/// Width (circumplex units) of the kernel that decides which policy a played track embodied.
pub const POLICY_KERNEL: f32 = 0.2;

/// A derived row that [`TasteModel::apply`] changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Touched {
    Item(TrackId),
    /// A co-consumption pair, the smaller id first.
    Pair(TrackId, TrackId),
    Affinity(EmotionBucket, TrackId),
    /// The bandit posteriors and the mood centroid of a state.
    State(EmotionBucket),
    /// The session, the recent plays and the last emotion reading.
    Session,
}

/// The whole model. See the module docs.
#[derive(Clone, Debug, Default)]
pub struct TasteModel {
    pub items: FixedMap<TrackId, ItemStats>,
    /// Co-consumption dot products, stored in both directions.
    pub(crate) neighbours: FixedMap<TrackId, FixedMap<TrackId, f32>>,
    pub affinity: [FixedMap<TrackId, StateAffinity>; 5],
    pub centroids: [MoodCentroid; 5],
    pub bandits: [[BetaPosterior; 3]; 5],
    pub session: VecDeque<SessionPlay>,
    /// The last [`RECENT_PLAYS`] tracks started, newest last.
    pub recent: VecDeque<TrackId>,
    pub listener: Option<ListenerMood>,
}

/// Feedback strength of a finished track: 1 for a full play, down to −1 for an immediate skip,
/// nudged by the change in the listener's valence over it.
pub fn finish_weight(heard: f32, skipped: bool, valence_change: Option<f32>) -> f32 {
    let base = if skipped {
        -1.0 + 1.2 * heard.clamp(0.0, 1.0)
    } else {
        0.5 + 0.5 * heard.clamp(0.0, 1.0)
    };
    base + 0.5 * valence_change.unwrap_or(0.0).clamp(-1.0, 1.0)
}

/// How much each policy's target (from `listener`) explains a track of mood `mood`: a Gaussian
/// kernel of the distance, normalised to sum 1.
pub fn policy_responsibilities(listener: ListenerMood, mood: TrackMood) -> [f32; 3] {
    let mut r = Policy::ALL.map(|p| {
        let d = p.target(listener).distance(mood);
        (-(d * d) / (2.0 * POLICY_KERNEL * POLICY_KERNEL)).exp()
    });
    let total: f32 = r.iter().sum();
    if total > 1e-6 {
        r.iter_mut().for_each(|x| *x /= total);
    } else {
        r = [0.0; 3];
    }
    r
}

fn pair_key(a: TrackId, b: TrackId) -> (TrackId, TrackId) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

impl TasteModel {
    /// Folds one event into the model; returns the derived rows it changed.
    pub fn apply(&mut self, event: &ListenEvent) -> Vec<Touched> {
        let mut touched = Vec::new();
        let state = event.listener.or(self.listener);
        if let Some(l) = event.listener {
            self.listener = Some(l);
            touched.push(Touched::Session);
        }
        let track = event.track;
        let feedback = match event.signal {
            Signal::Started => {
                let stats = self.items.entry(track).or_default();
                stats.plays += 1;
                stats.last_played_ms = stats.last_played_ms.max(event.at_ms);
                self.recent.push_back(track);
                while self.recent.len() > RECENT_PLAYS {
                    self.recent.pop_front();
                }
                touched.extend([Touched::Item(track), Touched::Session]);
                None
            }
            Signal::Finished {
                heard,
                skipped,
                valence_change,
            } => {
                let w = finish_weight(heard, skipped, valence_change);
                self.add_co_consumption(track, event.at_ms, w, &mut touched);
                let base = if skipped { 0.0 } else { heard.clamp(0.0, 1.0) };
                let reward = match valence_change {
                    Some(dv) => 0.5 * base + 0.5 * (0.5 + dv).clamp(0.0, 1.0),
                    None => base,
                };
                Some((w, reward))
            }
            Signal::Replayed => Some((1.0, 1.0)),
            Signal::Rated { stars } => {
                self.items.entry(track).or_default().rating = stars;
                let w = (f32::from(stars) - 3.0) * 0.75;
                Some((w, (f32::from(stars) - 1.0) / 4.0))
            }
            Signal::MovedByHand { toward_front } => Some(if toward_front {
                (0.5, 0.75)
            } else {
                (-0.3, 0.3)
            }),
            // The journey planner reads these (`journey::JourneyMemory`); the track's own
            // `Finished` carries the taste feedback.
            Signal::EmotionSeen | Signal::JourneyStep { .. } => None,
        };
        if let Some((w, reward)) = feedback {
            let stats = self.items.entry(track).or_default();
            if w >= 0.0 {
                stats.liked += w
            } else {
                stats.disliked -= w
            }
            stats.norm += w * w;
            touched.push(Touched::Item(track));
            if let Some(listener) = state {
                self.learn_in_state(listener, track, event.mood, w, reward, &mut touched);
            }
        }
        touched.sort_unstable();
        touched.dedup();
        touched
    }

    /// Pairs the finished track with the session's earlier plays (the previous one counts fully,
    /// older ones half); two negatives make no pair.
    fn add_co_consumption(
        &mut self,
        track: TrackId,
        at_ms: u64,
        w: f32,
        touched: &mut Vec<Touched>,
    ) {
        while self
            .session
            .front()
            .is_some_and(|p| at_ms.saturating_sub(p.at_ms) > SESSION_MS)
        {
            self.session.pop_front();
        }
        let earlier: Vec<SessionPlay> = self.session.iter().rev().copied().collect();
        for (k, prev) in earlier.iter().enumerate() {
            if prev.track == track || (w <= 0.0 && prev.weight <= 0.0) {
                continue;
            }
            let add = w * prev.weight * if k == 0 { 1.0 } else { 0.5 };
            *self
                .neighbours
                .entry(track)
                .or_default()
                .entry(prev.track)
                .or_default() += add;
            *self
                .neighbours
                .entry(prev.track)
                .or_default()
                .entry(track)
                .or_default() += add;
            let (a, b) = pair_key(track, prev.track);
            touched.push(Touched::Pair(a, b));
        }
        self.session.push_back(SessionPlay {
            track,
            at_ms,
            weight: w,
        });
        while self.session.len() > RECENT_PLAYS {
            self.session.pop_front();
        }
        touched.push(Touched::Session);
    }

    fn learn_in_state(
        &mut self,
        listener: ListenerMood,
        track: TrackId,
        mood: Option<TrackMood>,
        w: f32,
        reward: f32,
        touched: &mut Vec<Touched>,
    ) {
        let bucket = listener.bucket();
        let s = bucket.index();
        let aff = self.affinity[s].entry(track).or_default();
        aff.sum += w;
        aff.count += 1.0;
        touched.push(Touched::Affinity(bucket, track));
        let Some(mood) = mood else { return };
        if w > 0.0 {
            let c = &mut self.centroids[s];
            c.weight += w;
            c.valence_sum += w * mood.valence;
            c.arousal_sum += w * mood.arousal;
        }
        let resp = policy_responsibilities(listener, mood);
        for (posterior, r) in self.bandits[s].iter_mut().zip(resp) {
            posterior.alpha += r * reward.clamp(0.0, 1.0);
            posterior.beta += r * (1.0 - reward.clamp(0.0, 1.0));
        }
        touched.push(Touched::State(bucket));
    }

    /// Cosine with shrinkage over feedback-weighted co-consumption:
    /// `sim(i, j) = Σ w_i·w_j / (‖w_i‖·‖w_j‖ + λ)` with `λ =` [`SHRINK`] (Dacrema et al. 2019's
    /// ItemKNN form), in [-1, 1], 0 for tracks never played together.
    pub fn similarity(&self, a: TrackId, b: TrackId) -> f32 {
        let dot = self.co_consumption(a, b);
        if dot == 0.0 {
            return 0.0;
        }
        self.cosine(a, b, dot)
    }

    fn cosine(&self, a: TrackId, b: TrackId, dot: f32) -> f32 {
        let norm = |t| self.items.get(&t).map_or(0.0, |s| s.norm.sqrt());
        dot / (norm(a) * norm(b) + SHRINK)
    }

    /// The raw co-consumption dot product of two tracks.
    pub fn co_consumption(&self, a: TrackId, b: TrackId) -> f32 {
        self.neighbours
            .get(&a)
            .and_then(|n| n.get(&b))
            .copied()
            .unwrap_or(0.0)
    }

    /// Every track played together with `track`, with its similarity.
    pub fn neighbours_of(&self, track: TrackId) -> impl Iterator<Item = (TrackId, f32)> + '_ {
        self.neighbours.get(&track).into_iter().flat_map(move |n| {
            n.iter()
                .map(move |(&j, &dot)| (j, self.cosine(track, j, dot)))
        })
    }

    /// Sets a co-consumption pair (used when loading from the store).
    pub(crate) fn set_pair(&mut self, a: TrackId, b: TrackId, dot: f32) {
        self.neighbours.entry(a).or_default().insert(b, dot);
        self.neighbours.entry(b).or_default().insert(a, dot);
    }

    /// How many co-consumption pairs the model holds.
    pub fn pair_count(&self) -> usize {
        self.neighbours.values().map(|n| n.len()).sum::<usize>() / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finished(
        at_ms: u64,
        track: u64,
        heard: f32,
        skipped: bool,
        listener: Option<ListenerMood>,
        mood: Option<TrackMood>,
    ) -> ListenEvent {
        ListenEvent {
            at_ms,
            track: TrackId(track),
            signal: Signal::Finished {
                heard,
                skipped,
                valence_change: None,
            },
            listener,
            mood,
        }
    }

    #[test]
    fn two_completed_tracks_in_a_session_get_the_shrunk_cosine() {
        let mut m = TasteModel::default();
        m.apply(&finished(0, 1, 1.0, false, None, None));
        m.apply(&finished(60_000, 2, 1.0, false, None, None));
        // dot 1, norms 1: 1 / (1·1 + λ)
        assert!((m.similarity(TrackId(1), TrackId(2)) - 1.0 / (1.0 + SHRINK)).abs() < 1e-6);
        assert_eq!(
            m.similarity(TrackId(1), TrackId(2)),
            m.similarity(TrackId(2), TrackId(1))
        );
        assert_eq!(m.pair_count(), 1);
    }

    #[test]
    fn a_skip_after_a_liked_track_makes_them_dissimilar_and_plays_apart_make_no_pair() {
        let mut m = TasteModel::default();
        m.apply(&finished(0, 1, 1.0, false, None, None));
        m.apply(&finished(60_000, 2, 0.05, true, None, None));
        assert!(m.similarity(TrackId(1), TrackId(2)) < 0.0);
        m.apply(&finished(
            60_000 + SESSION_MS + 1,
            3,
            1.0,
            false,
            None,
            None,
        ));
        assert_eq!(m.similarity(TrackId(2), TrackId(3)), 0.0);
        assert_eq!(m.similarity(TrackId(1), TrackId(3)), 0.0);
    }

    #[test]
    fn outcomes_in_a_state_teach_that_state_s_policy_posterior() {
        let sad = ListenerMood {
            valence: -0.7,
            arousal: -0.4,
        };
        let mut m = TasteModel::default();
        let calm_target = Policy::Calm.target(sad);
        let match_target = Policy::Match.target(sad);
        for i in 0..20 {
            // Calm-ish tracks are finished, sad-matching ones skipped.
            m.apply(&finished(
                i * 1000,
                100 + i,
                1.0,
                false,
                Some(sad),
                Some(calm_target),
            ));
            m.apply(&finished(
                i * 1000 + 500,
                200 + i,
                0.1,
                true,
                Some(sad),
                Some(match_target),
            ));
        }
        let low = m.bandits[EmotionBucket::Low.index()];
        // Early on, lifting and calming both raise valence, so Lift shares some of the credit.
        assert!(low[Policy::Calm as usize].mean() > 0.75, "{low:?}");
        assert!(
            low[Policy::Calm as usize].mean() > low[Policy::Lift as usize].mean(),
            "{low:?}"
        );
        assert!(low[Policy::Match as usize].mean() < 0.3, "{low:?}");
        // Other states learned nothing.
        assert_eq!(
            m.bandits[EmotionBucket::Elated.index()],
            [BetaPosterior::default(); 3]
        );
        assert!(m.affinity[EmotionBucket::Low.index()][&TrackId(100)].preference() > 0.0);
        assert!(m.affinity[EmotionBucket::Low.index()][&TrackId(200)].preference() < 0.0);
    }

    #[test]
    fn apply_reports_each_touched_row_once() {
        let mut m = TasteModel::default();
        m.apply(&finished(0, 1, 1.0, false, None, None));
        let l = ListenerMood {
            valence: 0.5,
            arousal: 0.5,
        };
        let touched = m.apply(&finished(
            1000,
            2,
            1.0,
            false,
            Some(l),
            Some(TrackMood::new(0.5, 0.5)),
        ));
        let mut unique = touched.clone();
        unique.dedup();
        assert_eq!(touched, unique);
        for t in [
            Touched::Item(TrackId(2)),
            Touched::Pair(TrackId(1), TrackId(2)),
            Touched::Affinity(EmotionBucket::Elated, TrackId(2)),
            Touched::State(EmotionBucket::Elated),
            Touched::Session,
        ] {
            assert!(touched.contains(&t), "{t:?} missing from {touched:?}");
        }
    }
}
