//! The `mien eval-reco` protocol: simulated listeners play, skip and rate; before each of their own
//! picks every method ranks the catalogue, and HR@10 / NDCG@10 of the pick are averaged over the
//! 20 picks after 25, 50, 100 and 200 plays. Deterministic for a seed. See docs/RECOMMENDER.md.

use super::simulate::{generate_catalogue, SimListener, SimTrack};
use crate::core::{TrackId, CIRCUMPLEX};
use crate::recommend::model::{FixedMap, TasteModel};
use crate::recommend::score::{score_all, RankContext, ScoreWeights};
use crate::recommend::signals::{ListenEvent, ListenerMood, Signal, TrackMood};
use crate::recommend::SeededRng;
use rand::{Rng, RngCore, SeedableRng};
use rand_distr::StandardNormal;

/// The methods compared, in report order: the five of the issue, then three ablations of mien
/// (without the mood fit, without the per-state affinities, without Thompson sampling).
pub const METHODS: [&str; N] = [
    "random",
    "popularity",
    "fixed_table",
    "item_item",
    "mien",
    "mien_without_mood",
    "mien_without_state_affinity",
    "mien_without_thompson",
];
/// How many methods [`METHODS`] lists; the first 5 are the issue's.
pub const N: usize = 8;

/// The seed's fixed emotion → tone table, as the seed describes it ("energetic, calming, or
/// melancholic"): happy and surprise → energetic, sad → melancholic, angry, disgust, fear and
/// neutral → calming. Indexed like `core::EMOTIONS`.
pub const FIXED_TABLE: [(f32, f32); 7] = [
    (0.4, -0.5),
    (0.4, -0.5),
    (0.4, -0.5),
    (0.6, 0.6),
    (-0.6, -0.4),
    (0.6, 0.6),
    (0.4, -0.5),
];

/// The size of one evaluation.
#[derive(Clone, Debug)]
pub struct EvalConfig {
    /// Size of the generated catalogue (ignored when `catalogue` is given).
    pub tracks: usize,
    /// A catalogue to use instead of a generated one (`mien eval-reco --library DIR`: a real
    /// library's mood tags, styles from its albums). Ids must be `1..=n`, as
    /// [`generate_catalogue`] makes them (the listeners' hidden per-track taste is indexed so).
    pub catalogue: Option<Vec<SimTrack>>,
    pub listeners: usize,
    /// Plays per listener before the final measurement.
    pub plays: usize,
    /// Picks measured after each checkpoint.
    pub window: usize,
    pub checkpoints: Vec<usize>,
    pub seed: u64,
}

impl Default for EvalConfig {
    fn default() -> Self {
        EvalConfig {
            tracks: 2000,
            catalogue: None,
            listeners: 100,
            plays: 200,
            window: 20,
            checkpoints: vec![25, 50, 100, 200],
            seed: 42,
        }
    }
}

/// HR@10 and NDCG@10 averaged over measured picks, and HR@1 / HR@3 (which still tell methods
/// apart in a library of fewer than ~30 tracks, where nearly every pick is in everyone's top 10).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Metrics {
    pub hr10: f64,
    pub ndcg10: f64,
    pub hr1: f64,
    pub hr3: f64,
    pub n: usize,
}

impl Metrics {
    fn add(&mut self, rank: usize) {
        if rank < 10 {
            self.hr10 += 1.0;
            self.ndcg10 += 1.0 / ((rank + 2) as f64).log2();
        }
        if rank < 3 {
            self.hr3 += 1.0;
        }
        if rank < 1 {
            self.hr1 += 1.0;
        }
        self.n += 1;
    }
    fn mean(self) -> Metrics {
        let n = self.n.max(1) as f64;
        Metrics {
            hr10: self.hr10 / n,
            ndcg10: self.ndcg10 / n,
            hr1: self.hr1 / n,
            hr3: self.hr3 / n,
            n: self.n,
        }
    }
}

/// How many of the listener's latest picks they will not pick again (and nobody ranks): 30, or a
/// third of a small catalogue so that there is still something to pick.
pub fn recent_window(tracks: usize) -> usize {
    (tracks / 3).clamp(1, 30)
}

/// Per checkpoint (plays so far), the metrics of each method in [`METHODS`] order.
#[derive(Clone, Debug)]
pub struct EvalReport {
    pub config: EvalConfig,
    pub curves: Vec<(usize, [Metrics; N])>,
}

impl EvalReport {
    /// The metrics after `config.plays` plays.
    pub fn final_metrics(&self) -> [Metrics; N] {
        self.curves
            .iter()
            .find(|(p, _)| *p == self.config.plays)
            .map(|c| c.1)
            .unwrap_or_default()
    }
}

/// The 0-based rank of `target` among `scores` (ties broken by lower index first).
fn rank_of(scores: &[f32], target: usize) -> usize {
    let t = scores[target];
    scores
        .iter()
        .enumerate()
        .filter(|(i, s)| **s > t || (**s == t && *i < target))
        .count()
}

/// The FER class nearest a reading on the circumplex.
fn nearest_class(l: ListenerMood) -> usize {
    let d = |c: &(f32, f32)| (c.0 - l.valence).powi(2) + (c.1 - l.arousal).powi(2);
    (0..7)
        .min_by(|a, b| d(&CIRCUMPLEX[*a]).total_cmp(&d(&CIRCUMPLEX[*b])))
        .unwrap_or(6)
}

/// Runs the whole evaluation.
pub fn evaluate(config: &EvalConfig) -> EvalReport {
    let mut rng = SeededRng::seed_from_u64(config.seed);
    let catalogue = match &config.catalogue {
        Some(c) => c.clone(),
        None => generate_catalogue(config.tracks, &mut rng),
    };
    let moods: FixedMap<TrackId, TrackMood> = catalogue.iter().map(|t| (t.id, t.mood)).collect();
    let mut totals: Vec<(usize, [Metrics; N])> = config
        .checkpoints
        .iter()
        .map(|c| (*c, [Metrics::default(); N]))
        .collect();
    for listener_no in 0..config.listeners {
        let mut rng = SeededRng::seed_from_u64(
            config.seed ^ (0x5eed_0000 + listener_no as u64).wrapping_mul(0x9e37_79b9),
        );
        simulate_listener(config, &catalogue, &moods, &mut rng, &mut totals);
    }
    let curves = totals
        .into_iter()
        .map(|(c, m)| (c, m.map(Metrics::mean)))
        .collect();
    EvalReport {
        config: config.clone(),
        curves,
    }
}

fn simulate_listener(
    config: &EvalConfig,
    catalogue: &[SimTrack],
    moods: &FixedMap<TrackId, TrackMood>,
    rng: &mut SeededRng,
    totals: &mut [(usize, [Metrics; N])],
) {
    let mut listener = SimListener::new(catalogue.len(), rng);
    // The methods draw from their own stream, so the simulated listening is the same whatever
    // the methods do.
    let mut method_rng = SeededRng::seed_from_u64(rng.next_u64());
    let mut model = TasteModel::default();
    let mut recent: Vec<TrackId> = Vec::new();
    let mut now = 1_700_000_000_000u64;
    let last = config
        .checkpoints
        .iter()
        .max()
        .copied()
        .unwrap_or(config.plays)
        + config.window;
    for play in 0..last {
        if rng.random::<f64>() < 0.08 {
            listener.change_emotion(rng);
        }
        if play % 12 == 11 {
            now += 5 * 3600 * 1000; // a new session
            listener.change_emotion(rng);
        }
        let recent_set: FixedMap<TrackId, ()> = recent.iter().map(|t| (*t, ())).collect();
        // Sometimes shuffle plays something first, which the listener keeps or skips.
        if rng.random::<f64>() < 0.35 {
            let t = catalogue[rng.random_range(0..catalogue.len())];
            if !recent_set.contains_key(&t.id) {
                let keep =
                    listener.utility(&t) + 0.5 * rng.sample::<f64, _>(StandardNormal) as f32 > 2.0;
                let heard = if keep {
                    1.0
                } else {
                    0.05 + 0.3 * rng.random::<f64>() as f32
                };
                listen(&mut model, &mut listener, rng, &mut now, t, heard, !keep);
            }
        }
        let Some(pick) = listener.choose(catalogue, &recent_set, rng) else {
            break;
        };
        let measured: Vec<usize> = (0..totals.len())
            .filter(|&k| play >= totals[k].0 && play < totals[k].0 + config.window)
            .collect();
        if !measured.is_empty() {
            let reading = listener.reading(rng);
            let ranks = rank_methods(
                &model,
                catalogue,
                moods,
                &recent_set,
                pick,
                reading,
                &mut method_rng,
            );
            for k in measured {
                for (m, r) in totals[k].1.iter_mut().zip(ranks) {
                    m.add(r);
                }
            }
        }
        let track = catalogue[pick];
        let skipped = rng.random::<f64>() < 0.1;
        let heard = if skipped {
            0.4 + 0.4 * rng.random::<f64>() as f32
        } else {
            1.0
        };
        listen(
            &mut model,
            &mut listener,
            rng,
            &mut now,
            track,
            heard,
            skipped,
        );
        if rng.random::<f64>() < 0.25 {
            let stars = (3.0
                + 0.8 * (listener.utility(&track) - 2.5)
                + 0.7 * rng.sample::<f64, _>(StandardNormal) as f32)
                .round()
                .clamp(1.0, 5.0) as u8;
            let event = ListenEvent {
                at_ms: now,
                track: track.id,
                signal: Signal::Rated { stars },
                listener: Some(listener.reading(rng)),
                mood: Some(track.mood),
            };
            model.apply(&event);
        }
        recent.push(track.id);
        if recent.len() > recent_window(catalogue.len()) {
            recent.remove(0);
        }
    }
}

/// One listening: started, heard (valence responds), finished.
fn listen(
    model: &mut TasteModel,
    listener: &mut SimListener,
    rng: &mut SeededRng,
    now: &mut u64,
    track: SimTrack,
    heard: f32,
    skipped: bool,
) {
    let before = listener.reading(rng);
    let event = |at_ms, signal| ListenEvent {
        at_ms,
        track: track.id,
        signal,
        listener: Some(before),
        mood: Some(track.mood),
    };
    model.apply(&event(*now, Signal::Started));
    let valence_change =
        listener.hear(track.mood, heard) + 0.05 * rng.sample::<f64, _>(StandardNormal) as f32;
    *now += (240_000.0 * heard) as u64;
    model.apply(&event(
        *now,
        Signal::Finished {
            heard,
            skipped,
            valence_change: Some(valence_change),
        },
    ));
}

/// The rank of `pick` under each method, over the tracks not in `recent` (nobody re-picks them).
fn rank_methods(
    model: &TasteModel,
    catalogue: &[SimTrack],
    moods: &FixedMap<TrackId, TrackMood>,
    recent: &FixedMap<TrackId, ()>,
    pick: usize,
    reading: ListenerMood,
    rng: &mut SeededRng,
) -> [usize; N] {
    let candidates: Vec<usize> = (0..catalogue.len())
        .filter(|&i| i == pick || !recent.contains_key(&catalogue[i].id))
        .collect();
    let Some(target) = candidates.iter().position(|&i| i == pick) else {
        return [usize::MAX; N];
    };
    let ids: Vec<TrackId> = candidates.iter().map(|&i| catalogue[i].id).collect();
    let random: Vec<f32> = ids.iter().map(|_| rng.random::<f64>() as f32).collect();
    let popularity: Vec<f32> = ids
        .iter()
        .map(|t| {
            model
                .items
                .get(t)
                .map_or(0.0, |s| s.liked - s.disliked + 0.01 * s.plays as f32)
        })
        .collect();
    let (tv, ta) = FIXED_TABLE[nearest_class(reading)];
    let table_target = TrackMood::new(tv, ta);
    let fixed: Vec<f32> = candidates
        .iter()
        .map(|&i| -catalogue[i].mood.distance(table_target))
        .collect();
    let mut score = |weights: ScoreWeights, listener: Option<ListenerMood>| -> Vec<f32> {
        // The item-item weights give every emotional signal weight 0, so the reading is unused.
        let mut ctx = RankContext {
            listener,
            moods,
            rng,
            weights,
        };
        score_all(model, &ids, &mut ctx)
            .into_iter()
            .map(|r| r.score)
            .collect()
    };
    let item_item = score(ScoreWeights::item_item_only(), None);
    let full = ScoreWeights::default();
    let mien = score(full, Some(reading));
    let without_mood = score(ScoreWeights { mood: 0.0, ..full }, Some(reading));
    let without_state = score(
        ScoreWeights {
            state_like: 0.0,
            state_direct: 0.0,
            ..full
        },
        Some(reading),
    );
    let without_thompson = score(
        ScoreWeights {
            thompson: false,
            ..full
        },
        Some(reading),
    );
    [
        random,
        popularity,
        fixed,
        item_item,
        mien,
        without_mood,
        without_state,
        without_thompson,
    ]
    .map(|s| rank_of(&s, target))
}
