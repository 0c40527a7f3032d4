//! The pure ranking function: blends item-item co-consumption, per-state affinities, ratings, the
//! mood fit of each candidate to the policy chosen by Thompson sampling, recency and a little
//! exploration, and says which signal dominated. No I/O and no threads: the recommender thread,
//! `mien recommend`, the evaluation and the benchmarks all call [`rank`].

use super::model::{FixedMap, TasteModel};
use super::signals::{EmotionBucket, ListenerMood, MoodSource, Policy, TrackMood};
use super::SeededRng;
use crate::core::TrackId;
use rand::Rng;
use rand_distr::{Beta, StandardNormal};

/// Width (circumplex units) of the mood-fit kernel.
const MOOD_KERNEL: f32 = 0.35;
/// Session plays used as "played after" anchors, and top per-state tracks used as "like" anchors.
const SESSION_ANCHORS: usize = 5;
const STATE_ANCHORS: usize = 10;
/// Subtracted from a just-played track (started among the last `RECENT_PLAYS` and within
/// [`RECENT_MS`] of the latest start), so it sorts after the rest.
const RECENT_PENALTY: f32 = 100.0;
pub const RECENT_MS: u64 = 2 * 3600 * 1000;

/// How much each signal counts. [`ScoreWeights::default`] is mien's blend;
/// [`ScoreWeights::item_item_only`] switches off everything emotional (the plain baseline).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreWeights {
    pub co_play: f32,
    pub state_like: f32,
    pub state_direct: f32,
    pub rating: f32,
    pub liking: f32,
    pub mood: f32,
    pub explore: f32,
    /// Weigh the policies by Thompson samples of their posteriors; `false` weighs them equally.
    pub thompson: bool,
}

impl Default for ScoreWeights {
    fn default() -> Self {
        ScoreWeights {
            co_play: 1.0,
            state_like: 0.6,
            state_direct: 0.8,
            rating: 0.4,
            liking: 0.3,
            mood: 1.0,
            explore: 0.03,
            thompson: true,
        }
    }
}

impl ScoreWeights {
    pub fn item_item_only() -> ScoreWeights {
        ScoreWeights {
            co_play: 1.0,
            state_like: 0.0,
            state_direct: 0.0,
            rating: 0.0,
            liking: 0.1,
            mood: 0.0,
            explore: 0.0,
            thompson: false,
        }
    }
}

/// Everything a ranking depends on besides the model.
pub struct RankContext<'a> {
    /// The listener's emotion now; `None` uses the model's last reading.
    pub listener: Option<ListenerMood>,
    pub moods: &'a dyn MoodSource,
    /// Thompson sampling and exploration noise.
    pub rng: &'a mut SeededRng,
    pub weights: ScoreWeights,
}

/// The signal that contributed most to a track's score.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reason {
    PlayedAfter {
        anchor: TrackId,
    },
    LikeInState {
        anchor: TrackId,
        stars: Option<u8>,
        bucket: EmotionBucket,
    },
    EnjoyedInState {
        bucket: EmotionBucket,
    },
    Rated {
        stars: u8,
    },
    OftenFinished,
    /// Fits the mood aimed at by `policy` (`None`: by the listener's learned taste in `bucket`).
    Mood {
        policy: Option<Policy>,
        bucket: EmotionBucket,
    },
    Explore,
    JustPlayed,
}

/// One ranked track.
#[derive(Clone, Debug, PartialEq)]
pub struct Recommendation {
    pub track: TrackId,
    pub score: f32,
    pub reason: Reason,
    /// The track's mood word ("calm", "upbeat", …) when its mood is known.
    pub mood_word: Option<&'static str>,
}

impl Recommendation {
    /// A short explanation, e.g. "calm, like Clair de lune you rated 5★ when sad or tired".
    pub fn explain(&self, title: &dyn Fn(TrackId) -> String) -> String {
        let why = match self.reason {
            Reason::PlayedAfter { anchor } => format!("often played after {}", title(anchor)),
            Reason::LikeInState {
                anchor,
                stars: Some(s),
                bucket,
            } => {
                format!(
                    "like {} you rated {s}★ when {}",
                    title(anchor),
                    bucket.phrase()
                )
            }
            Reason::LikeInState {
                anchor,
                stars: None,
                bucket,
            } => {
                format!(
                    "like {} you enjoyed when {}",
                    title(anchor),
                    bucket.phrase()
                )
            }
            Reason::EnjoyedInState { bucket } => format!("you enjoyed it when {}", bucket.phrase()),
            Reason::Rated { stars } => format!("you rated it {stars}★"),
            Reason::OftenFinished => "you usually play it to the end".to_string(),
            Reason::Mood {
                policy: Some(p),
                bucket,
            } => {
                format!("{} (you seem {})", p.verb(), bucket.phrase())
            }
            Reason::Mood {
                policy: None,
                bucket,
            } => {
                format!("what you choose when {}", bucket.phrase())
            }
            Reason::Explore => "something new to try".to_string(),
            Reason::JustPlayed => "played a moment ago".to_string(),
        };
        match self.mood_word {
            Some(word) => format!("{word}, {why}"),
            None => why,
        }
    }
}

fn kernel(a: TrackMood, b: TrackMood) -> f32 {
    let d = a.distance(b);
    (-(d * d) / (2.0 * MOOD_KERNEL * MOOD_KERNEL)).exp()
}

/// The mood targets and their weights for a listener: one per policy, weighted by a Thompson
/// sample of its posterior (sharpened, `θ⁴`), plus the learned centroid of the state.
struct MoodAim {
    targets: Vec<(TrackMood, f32, Option<Policy>)>,
}

impl MoodAim {
    fn new(
        model: &TasteModel,
        listener: ListenerMood,
        rng: &mut SeededRng,
        thompson: bool,
    ) -> MoodAim {
        let s = listener.bucket().index();
        let thetas = model.bandits[s].map(|b| {
            if thompson {
                Beta::new(f64::from(b.alpha), f64::from(b.beta))
                    .map_or(0.5, |d| rng.sample(d))
                    .powi(4) as f32
            } else {
                1.0
            }
        });
        let total: f32 = thetas.iter().sum::<f32>().max(1e-9);
        let centroid = &model.centroids[s];
        let kappa = centroid.confidence();
        let mut targets: Vec<_> = Policy::ALL
            .iter()
            .zip(thetas)
            .map(|(p, t)| (p.target(listener), (1.0 - kappa) * t / total, Some(*p)))
            .collect();
        if let Some(mean) = centroid.mean() {
            targets.push((mean, kappa, None));
        }
        MoodAim { targets }
    }

    /// Fit in [0, 1] and the target that contributed most.
    fn fit(&self, mood: TrackMood) -> (f32, Option<Policy>) {
        let mut total = 0.0;
        let (mut best, mut best_policy) = (-1.0, None);
        for (target, w, policy) in &self.targets {
            let c = w * kernel(mood, *target);
            total += c;
            if c > best {
                (best, best_policy) = (c, *policy);
            }
        }
        (total, best_policy)
    }
}

/// Adds `sim · weight` of every neighbour of each anchor into `acc`, remembering the anchor that
/// contributed most to each track.
fn spread(
    model: &TasteModel,
    anchors: &[(TrackId, f32)],
    acc: &mut FixedMap<TrackId, (f32, TrackId, f32)>,
) {
    for &(anchor, weight) in anchors {
        for (j, sim) in model.neighbours_of(anchor) {
            let c = sim * weight;
            let e = acc.entry(j).or_insert((0.0, anchor, f32::MIN));
            e.0 += c;
            if c > e.2 {
                (e.1, e.2) = (anchor, c);
            }
        }
    }
}

/// Scores every candidate (same order as `candidates`). See the module docs and
/// docs/RECOMMENDER.md for the formula.
pub fn score_all(
    model: &TasteModel,
    candidates: &[TrackId],
    ctx: &mut RankContext,
) -> Vec<Recommendation> {
    let w = ctx.weights;
    let listener = ctx.listener.or(model.listener);
    let bucket = listener.map(ListenerMood::bucket);
    let emotional = w.mood != 0.0 || w.state_like != 0.0 || w.state_direct != 0.0;
    let aim = match listener {
        Some(l) if emotional => Some(MoodAim::new(model, l, ctx.rng, w.thompson)),
        _ => None,
    };

    let session: Vec<(TrackId, f32)> = model
        .session
        .iter()
        .rev()
        .filter(|p| p.weight > 0.0)
        .take(SESSION_ANCHORS)
        .enumerate()
        .map(|(k, p)| (p.track, p.weight * 0.8f32.powi(k as i32)))
        .collect();
    let mut after = FixedMap::default();
    spread(model, &session, &mut after);

    let mut like = FixedMap::default();
    let affinity = bucket.map(|b| &model.affinity[b.index()]);
    if let (Some(aff), true) = (affinity, w.state_like != 0.0) {
        let mut top: Vec<(TrackId, f32)> = aff
            .iter()
            .map(|(t, a)| (*t, a.preference()))
            .filter(|(_, p)| *p > 0.0)
            .collect();
        top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        top.truncate(STATE_ANCHORS);
        spread(model, &top, &mut like);
    }

    let latest_start = model
        .recent
        .back()
        .and_then(|t| model.items.get(t))
        .map_or(0, |s| s.last_played_ms);
    candidates
        .iter()
        .map(|&track| {
            let stats = model.items.get(&track).copied().unwrap_or_default();
            let mood = ctx.moods.mood(track);
            let (after_sum, after_anchor, _) =
                after.get(&track).copied().unwrap_or((0.0, track, 0.0));
            let (like_sum, like_anchor, _) = like.get(&track).copied().unwrap_or((0.0, track, 0.0));
            let direct = affinity
                .and_then(|a| a.get(&track))
                .map_or(0.0, |a| a.preference());
            // A mood the tagger is unsure of counts for as much as it is sure.
            let (fit, fit_policy) = match (&aim, mood) {
                (Some(aim), Some(m)) => {
                    let (fit, policy) = aim.fit(m);
                    (fit * m.confidence, policy)
                }
                _ => (0.0, None),
            };
            let rating = if stats.rating > 0 {
                (f32::from(stats.rating) - 3.0) / 2.0
            } else {
                0.0
            };
            let b = bucket.unwrap_or(EmotionBucket::Neutral);
            let anchor_stars =
                |a: TrackId| model.items.get(&a).map(|s| s.rating).filter(|r| *r > 0);
            let parts = [
                (
                    w.co_play * after_sum,
                    Reason::PlayedAfter {
                        anchor: after_anchor,
                    },
                ),
                (
                    w.state_like * like_sum,
                    Reason::LikeInState {
                        anchor: like_anchor,
                        stars: anchor_stars(like_anchor),
                        bucket: b,
                    },
                ),
                (
                    w.state_direct * direct,
                    Reason::EnjoyedInState { bucket: b },
                ),
                (
                    w.rating * rating,
                    Reason::Rated {
                        stars: stats.rating,
                    },
                ),
                (w.liking * stats.net_liking(), Reason::OftenFinished),
                (
                    w.mood * fit,
                    Reason::Mood {
                        policy: fit_policy,
                        bucket: b,
                    },
                ),
            ];
            let explore = if w.explore > 0.0 {
                w.explore * ctx.rng.sample::<f64, _>(StandardNormal) as f32
            } else {
                0.0
            };
            let mut score: f32 = parts.iter().map(|(s, _)| s).sum::<f32>() + explore;
            let (top, mut reason) = parts.iter().fold((0.05, Reason::Explore), |best, (s, r)| {
                if *s > best.0 {
                    (*s, *r)
                } else {
                    best
                }
            });
            let _ = top;
            if stats.last_played_ms + RECENT_MS >= latest_start && model.recent.contains(&track) {
                score -= RECENT_PENALTY;
                reason = Reason::JustPlayed;
            }
            Recommendation {
                track,
                score,
                reason,
                mood_word: mood.map(TrackMood::word),
            }
        })
        .collect()
}

/// The best `n` candidates, best first (ties broken by track id, so rankings are reproducible).
pub fn rank(
    model: &TasteModel,
    candidates: &[TrackId],
    ctx: &mut RankContext,
    n: usize,
) -> Vec<Recommendation> {
    let mut scored = score_all(model, candidates, ctx);
    let order = |a: &Recommendation, b: &Recommendation| {
        b.score.total_cmp(&a.score).then(a.track.cmp(&b.track))
    };
    if n < scored.len() {
        scored.select_nth_unstable_by(n, order);
        scored.truncate(n);
    }
    scored.sort_by(order);
    scored
}
