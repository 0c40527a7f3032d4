//! A sanity check of the item-item core on a public ratings set: MovieLens-100k as RecBole ships
//! it (`ml-100k.inter`: user, item, rating, timestamp, tab-separated, one header line). Every
//! rating counts as a play (implicit feedback); each user's latest rating is held out
//! (leave-one-out) and ranked against every item the user has not rated (full ranking) and against
//! 100 sampled unrated items (the NCF protocol of He et al. 2017). Pure; `mien bench movielens`
//! runs it.

use rand::{Rng, SeedableRng};
use std::collections::HashMap;

use crate::core::TrackId;
use crate::recommend::model::{SessionPlay, TasteModel};
use crate::recommend::score::{score_all, RankContext, ScoreWeights};
use crate::recommend::signals::{ListenEvent, Signal, TrackMood};
use crate::recommend::RecommendError;
use crate::recommend::SeededRng;

/// HR@10 / NDCG@10 of one scorer under both protocols.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LeaveOneOut {
    pub full_hr10: f64,
    pub full_ndcg10: f64,
    pub sampled_hr10: f64,
    pub sampled_ndcg10: f64,
}

/// The check's result: users, items, ratings, and each scorer's metrics.
#[derive(Clone, Debug, PartialEq)]
pub struct MovieLensReport {
    pub users: usize,
    pub items: usize,
    pub ratings: usize,
    /// ("popularity" | "item_knn" | "mien_session", metrics).
    pub scorers: Vec<(&'static str, LeaveOneOut)>,
}

/// Parses an `.inter` file's text into (user, item, timestamp) in file order.
pub fn parse_inter(text: &str) -> Result<Vec<(String, u64, f64)>, RecommendError> {
    let mut rows = Vec::new();
    for (no, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |what: &str| RecommendError::BadRecord {
            reason: format!("line {}: {what}: {line:?}", no + 1),
        };
        let mut fields = line.split('\t');
        let user = fields.next().ok_or_else(|| bad("no user"))?.to_string();
        let item = fields
            .next()
            .and_then(|f| f.trim().parse::<u64>().ok())
            .ok_or_else(|| bad("no numeric item"))?;
        let _rating = fields.next().ok_or_else(|| bad("no rating"))?;
        let at = fields
            .next()
            .and_then(|f| f.trim().parse::<f64>().ok())
            .ok_or_else(|| bad("no timestamp"))?;
        rows.push((user, item, at));
    }
    Ok(rows)
}

fn add(m: &mut LeaveOneOut, full_rank: usize, sampled_rank: usize) {
    let gain = |r: usize| {
        if r < 10 {
            (1.0, 1.0 / ((r + 2) as f64).log2())
        } else {
            (0.0, 0.0)
        }
    };
    let (h, n) = gain(full_rank);
    m.full_hr10 += h;
    m.full_ndcg10 += n;
    let (h, n) = gain(sampled_rank);
    m.sampled_hr10 += h;
    m.sampled_ndcg10 += n;
}

/// Runs the check. Users with fewer than 2 ratings are skipped.
pub fn leave_one_out(rows: &[(String, u64, f64)], seed: u64) -> MovieLensReport {
    // Per user: (timestamp, row index, item), sorted into listening order below.
    type History = Vec<(f64, usize, u64)>;
    let mut by_user: HashMap<&str, History> = HashMap::new();
    for (i, (user, item, at)) in rows.iter().enumerate() {
        by_user
            .entry(user.as_str())
            .or_default()
            .push((*at, i, *item));
    }
    let mut users: Vec<(&str, History)> =
        by_user.into_iter().filter(|(_, v)| v.len() >= 2).collect();
    users.sort_by(|a, b| a.0.cmp(b.0));
    let mut items: Vec<u64> = rows.iter().map(|r| r.1).collect();
    items.sort_unstable();
    items.dedup();

    // Training: each user's ratings in time order, a minute apart, as one listening session
    // each (users 1 day apart), so the co-consumption window sees each user's recent items.
    let mut model = TasteModel::default();
    let mut popularity: HashMap<u64, f32> = HashMap::new();
    for (u, (_, history)) in users.iter_mut().enumerate() {
        history.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (k, (_, _, item)) in history[..history.len() - 1].iter().enumerate() {
            let at_ms = u as u64 * 86_400_000 + k as u64 * 60_000;
            let signal = Signal::Finished {
                heard: 1.0,
                skipped: false,
                valence_change: None,
            };
            model.apply(&ListenEvent {
                at_ms,
                track: TrackId(*item),
                signal,
                listener: None,
                mood: None,
            });
            *popularity.entry(*item).or_default() += 1.0;
        }
    }

    let mut rng = SeededRng::seed_from_u64(seed);
    let no_moods: HashMap<TrackId, TrackMood> = HashMap::new();
    let mut metrics = [LeaveOneOut::default(); 3];
    for (_, history) in &users {
        let (train, test) = history.split_at(history.len() - 1);
        let target = test[0].2;
        let seen: std::collections::HashSet<u64> = train.iter().map(|h| h.2).collect();
        let candidates: Vec<u64> = items
            .iter()
            .copied()
            .filter(|i| *i == target || !seen.contains(i))
            .collect();
        let Some(target_at) = candidates.iter().position(|i| *i == target) else {
            continue;
        };
        // 100 sampled unrated items plus the target.
        let mut sampled = vec![target_at];
        while sampled.len() < 101.min(candidates.len()) {
            let c = rng.random_range(0..candidates.len());
            if !sampled.contains(&c) {
                sampled.push(c);
            }
        }
        let pop: Vec<f32> = candidates
            .iter()
            .map(|i| popularity.get(i).copied().unwrap_or(0.0))
            .collect();
        let mut knn: HashMap<TrackId, f32> = HashMap::new();
        for (_, _, item) in train {
            for (j, sim) in model.neighbours_of(TrackId(*item)) {
                *knn.entry(j).or_default() += sim;
            }
        }
        let knn: Vec<f32> = candidates
            .iter()
            .map(|i| knn.get(&TrackId(*i)).copied().unwrap_or(0.0))
            .collect();
        model.session = train
            .iter()
            .rev()
            .take(5)
            .rev()
            .map(|h| SessionPlay {
                track: TrackId(h.2),
                at_ms: 0,
                weight: 1.0,
            })
            .collect();
        model.recent.clear();
        let ids: Vec<TrackId> = candidates.iter().map(|i| TrackId(*i)).collect();
        let mut ctx = RankContext {
            listener: None,
            moods: &no_moods,
            rng: &mut rng,
            weights: ScoreWeights::item_item_only(),
        };
        let session: Vec<f32> = score_all(&model, &ids, &mut ctx)
            .into_iter()
            .map(|r| r.score)
            .collect();
        for (m, scores) in metrics.iter_mut().zip([&pop, &knn, &session]) {
            // Ties count against the target (a pessimistic rank), so constant scores get no credit.
            let t = scores[target_at];
            let full = scores
                .iter()
                .enumerate()
                .filter(|(i, s)| *i != target_at && **s >= t)
                .count();
            let samp = sampled[1..].iter().filter(|&&i| scores[i] >= t).count();
            add(m, full, samp);
        }
    }
    let n = users.len().max(1) as f64;
    let scorers = ["popularity", "item_knn", "mien_session"]
        .into_iter()
        .zip(metrics.map(|m| LeaveOneOut {
            full_hr10: m.full_hr10 / n,
            full_ndcg10: m.full_ndcg10 / n,
            sampled_hr10: m.sampled_hr10 / n,
            sampled_ndcg10: m.sampled_ndcg10 / n,
        }))
        .collect();
    MovieLensReport {
        users: users.len(),
        items: items.len(),
        ratings: rows.len(),
        scorers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_always_consumed_together_are_recommended_together() {
        // Two groups of users, each taking the three items of its group in some rotation: the
        // held-out last item must rank first by item-kNN (the other group's items never co-occur).
        let mut text =
            String::from("user_id:token\titem_id:token\trating:float\ttimestamp:float\n");
        for u in 0..30 {
            let group = (u % 2) * 10;
            for k in 0..3 {
                let item = group + 1 + (u / 2 + k) % 3;
                text.push_str(&format!("u{u}\t{item}\t5\t{}\n", 1000 * u + k));
            }
        }
        text.push_str("x\t99\t1\t1\n");
        let rows = parse_inter(&text).expect("parse");
        assert_eq!(rows.len(), 91);
        let report = leave_one_out(&rows, 1);
        assert_eq!(report.users, 30);
        let knn = report.scorers[1].1;
        assert_eq!(knn.full_hr10, 1.0, "{report:?}");
        assert!(knn.full_ndcg10 > 0.99, "{report:?}");
    }

    #[test]
    fn a_malformed_line_is_an_error_naming_the_line() {
        let err = parse_inter("header\n1\tnot-a-number\t3\t5\n").expect_err("bad item");
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
