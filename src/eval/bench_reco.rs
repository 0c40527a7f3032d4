//! `mien bench reco` and `mien bench movielens`: the recommender's speed, size on disk and the
//! item-item sanity check on MovieLens-100k (docs/RECOMMENDER.md, docs/BENCHMARKS.md).

use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use serde_json::json;

use crate::store::Store;

/// `mien bench reco`: `events` generated listening events (over `candidates` tracks) go into a
/// fresh store, flushed every `group` events (1: each one, as the player does); then the size on disk, the time to apply one more event
/// (durable: log write + flush + model update; and the model update alone), a checkpoint of the
/// derived tables, and a full re-ranking of `candidates` tracks are measured.
pub fn reco(events: usize, candidates: usize, group: usize, json_out: bool) -> anyhow::Result<()> {
    let group = group.max(1);
    use crate::core::TrackId;
    use crate::recommend::{
        rank, ListenEvent, ListenerMood, RankContext, RecoStore, ScoreWeights, SeededRng, Signal,
        TrackMood,
    };
    let root = std::env::temp_dir().join(format!("mien-bench-reco-{}", std::process::id()));
    let result = (|| {
        let store = Store::open(&root)?;
        let (mut reco, mut model) = RecoStore::open(&store)?;
        let mut rng = SeededRng::seed_from_u64(1);
        let tracks = candidates.max(1) as u64;
        let mood_of = |t: u64| {
            TrackMood::new(
                ((t * 37) % 200) as f32 / 100.0 - 1.0,
                ((t * 91) % 200) as f32 / 100.0 - 1.0,
            )
        };
        let event = |i: usize, rng: &mut SeededRng| {
            let track = 1 + rng.random_range(0..tracks as usize) as u64;
            let listener = Some(ListenerMood {
                valence: rng.sample::<f64, _>(StandardNormal) as f32 * 0.5,
                arousal: rng.sample::<f64, _>(StandardNormal) as f32 * 0.5,
            });
            let at_ms = 1_700_000_000_000 + (i as u64) * 120_000 + (i as u64 / 24) * 4 * 3_600_000;
            let signal = if i.is_multiple_of(2) {
                Signal::Started
            } else {
                let skipped = rng.random::<f64>() < 0.2;
                Signal::Finished {
                    heard: if skipped { 0.2 } else { 1.0 },
                    skipped,
                    valence_change: Some(0.1),
                }
            };
            ListenEvent {
                at_ms,
                track: TrackId(track),
                signal,
                listener,
                mood: Some(mood_of(track)),
            }
        };
        let t = Instant::now();
        let mut i = 0;
        while i < events {
            let chunk: Vec<ListenEvent> = (i..(i + group).min(events))
                .map(|k| event(k, &mut rng))
                .collect();
            reco.append_all(&mut model, &chunk)?;
            i += chunk.len();
        }
        let load_s = t.elapsed().as_secs_f64();
        store.flush()?;
        let bytes = dir_size(&root.join("db"));
        let trees = store.recommender_trees()?;
        let raw_bytes: u64 = [&trees.events, &trees.derived]
            .iter()
            .flat_map(|t| t.iter().flatten())
            .map(|(k, v)| (k.len() + v.len()) as u64)
            .sum();
        // The same log without derived tables, to see where the bytes go.
        let log_only_bytes = {
            let dir = root.join("log-only");
            let other = Store::open(&dir)?;
            let (mut log, _) = RecoStore::open(&other)?;
            let mut rng = SeededRng::seed_from_u64(1);
            for k in 0..events {
                log.log_only(&event(k, &mut rng))?;
            }
            other.flush()?;
            dir_size(&dir.join("db"))
        };
        let mut durable = Vec::new();
        let mut in_memory = Vec::new();
        for k in 0..200 {
            let e = event(events + k, &mut rng);
            let t = Instant::now();
            reco.append(&mut model, &e)?;
            durable.push(t.elapsed().as_secs_f64() * 1e3);
            let mut copy = e;
            copy.at_ms += 1;
            let t = Instant::now();
            model.apply(&copy);
            in_memory.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let t = Instant::now();
        reco.checkpoint(&model)?;
        let checkpoint_ms = t.elapsed().as_secs_f64() * 1e3;
        let ids: Vec<TrackId> = (1..=tracks).map(TrackId).collect();
        let moods: crate::recommend::model::FixedMap<TrackId, TrackMood> =
            ids.iter().map(|t| (*t, mood_of(t.0))).collect();
        let mut rank_ms = Vec::new();
        for _ in 0..50 {
            let mut ctx = RankContext {
                listener: Some(ListenerMood {
                    valence: -0.5,
                    arousal: -0.3,
                }),
                moods: &moods,
                rng: &mut rng,
                weights: ScoreWeights::default(),
            };
            let t = Instant::now();
            let ranked = rank(&model, &ids, &mut ctx, ids.len());
            rank_ms.push(t.elapsed().as_secs_f64() * 1e3);
            anyhow::ensure!(ranked.len() == ids.len(), "ranking lost candidates");
        }
        Ok::<_, anyhow::Error>((
            load_s,
            (bytes, raw_bytes, log_only_bytes),
            durable,
            in_memory,
            rank_ms,
            model.pair_count(),
            checkpoint_ms,
        ))
    })();
    let _ = std::fs::remove_dir_all(&root);
    let (
        load_s,
        (bytes, raw_bytes, log_only_bytes),
        mut durable,
        mut in_memory,
        mut rank_ms,
        pairs,
        checkpoint_ms,
    ) = result?;
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v[v.len() * 99 / 100])
    };
    let (durable_med, durable_p99) = median(&mut durable);
    let (mem_med, mem_p99) = median(&mut in_memory);
    let (rank_med, rank_p99) = median(&mut rank_ms);
    let (fill_med, fill_p99) = median(&mut autofill_request_ms(candidates.max(1))?);
    let report = json!({
        "events": events,
        "candidates": candidates,
        "commit_every": group,
        "pairs": pairs,
        "load_seconds": load_s,
        "store_bytes": bytes,
        "store_mib": bytes as f64 / 1_048_576.0,
        "records_mib": raw_bytes as f64 / 1_048_576.0,
        "log_only_store_mib": log_only_bytes as f64 / 1_048_576.0,
        "apply_event_durable_ms": {"median": durable_med, "p99": durable_p99},
        "apply_event_in_memory_ms": {"median": mem_med, "p99": mem_p99},
        "rerank_ms": {"median": rank_med, "p99": rank_p99},
        "checkpoint_ms": checkpoint_ms,
        "autofill_request_ms": {"median": fill_med, "p99": fill_p99},
    });
    if json_out {
        println!("{report}");
    } else {
        let mib = |b: u64| b as f64 / 1_048_576.0;
        println!(
            "{events} events ({pairs} item pairs) loaded in {load_s:.2} s; store {:.1} MiB on disk \
             ({:.1} MiB of keys and values; the log alone {:.1} MiB on disk)",
            mib(bytes),
            mib(raw_bytes),
            mib(log_only_bytes)
        );
        println!("apply one event: {durable_med:.3} ms median, {durable_p99:.3} ms p99 (log write + flush + model update); {mem_med:.4} ms model update alone");
        println!("checkpoint of the derived tables (every 500 events, on the recommender thread): {checkpoint_ms:.1} ms");
        println!("re-rank {candidates} candidates: {rank_med:.2} ms median, {rank_p99:.2} ms p99");
        println!("auto mode's fill request over a {candidates}-track catalogue (UI thread): {fill_med:.2} ms median, {fill_p99:.2} ms p99");
    }
    Ok(())
}

/// Total size of the files under `dir`, recursively.
fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// `mien bench movielens FILE`: the leave-one-out check of `eval::movielens` on RecBole's
/// `ml-100k.inter` (see docs/RECOMMENDER.md for how to fetch it; it is never committed).
pub fn movielens(inter: &Path, json_out: bool) -> anyhow::Result<()> {
    use super::movielens::{leave_one_out, parse_inter};
    let text = std::fs::read_to_string(inter)
        .with_context(|| format!("cannot read {}", inter.display()))?;
    let rows = parse_inter(&text).with_context(|| format!("in {}", inter.display()))?;
    let t = Instant::now();
    let report = leave_one_out(&rows, 42);
    let seconds = t.elapsed().as_secs_f64();
    if json_out {
        let scorers: serde_json::Map<String, serde_json::Value> = report
            .scorers
            .iter()
            .map(|(name, m)| {
                let v = json!({
                    "full_ranking": {"hr@10": m.full_hr10, "ndcg@10": m.full_ndcg10},
                    "sampled_100": {"hr@10": m.sampled_hr10, "ndcg@10": m.sampled_ndcg10},
                });
                ((*name).to_string(), v)
            })
            .collect();
        println!(
            "{}",
            json!({"users": report.users, "items": report.items, "ratings": report.ratings, "scorers": scorers, "seconds": seconds})
        );
        return Ok(());
    }
    println!(
        "{} users, {} items, {} ratings; leave-one-out, HR@10 / NDCG@10 ({seconds:.1} s)",
        report.users, report.items, report.ratings
    );
    for (name, m) in &report.scorers {
        println!(
            "{name:>13}: full ranking {:.4} / {:.4}; 100 sampled negatives {:.4} / {:.4}",
            m.full_hr10, m.full_ndcg10, m.sampled_hr10, m.sampled_ndcg10
        );
    }
    Ok(())
}

/// The UI thread's share of auto mode: building the fill request over a tagged catalogue of `n`
/// tracks (a queued-set lookup and a mood lookup per track), timed through `reco::toggle_auto`
/// as the `A` key runs it. 50 runs, in ms.
fn autofill_request_ms(n: usize) -> anyhow::Result<Vec<f64>> {
    use crate::app::state::{AppState, Effect};
    use crate::core::{AudioFormat, ReplayGain, Track, TrackId};
    use crate::store::MoodRecord;
    let tracks: Vec<Track> = (0..n)
        .map(|i| {
            let path = std::path::PathBuf::from(format!(
                "/music/artist{}/album{}/{i}.flac",
                i % 500,
                i % 2000
            ));
            Track {
                id: TrackId::from_path(&path),
                path,
                size: 1_000,
                mtime_ns: 0,
                format: AudioFormat::Flac,
                title: Some(format!("track {i}")),
                artist: Some(format!("artist {}", i % 500)),
                album: Some(format!("album {}", i % 2000)),
                album_artist: None,
                track_no: Some((i % 12) as u32 + 1),
                disc_no: None,
                year: None,
                genre: None,
                duration_ms: 200_000,
                sample_rate: 44_100,
                channels: 2,
                replay_gain: ReplayGain::default(),
                has_art: false,
            }
        })
        .collect();
    let mut state = AppState::new(tracks, Vec::new());
    let ids: Vec<TrackId> = state.catalogue.iter().map(|t| t.id).collect();
    for (i, id) in ids.into_iter().enumerate() {
        let record = MoodRecord {
            size: 1_000,
            mtime_ns: 0,
            model: "bench".into(),
            tags: Vec::new(),
            valence: (i % 7) as f32 / 7.0 - 0.5,
            arousal: (i % 5) as f32 / 5.0 - 0.5,
            label: "calm/peaceful".into(),
            confidence: 0.5,
            tagged_at_ms: 0,
        };
        state.moods.insert(id, record);
    }
    state.reco.enabled = true;
    let mut times = Vec::new();
    for _ in 0..50 {
        state.reco.settings.auto = false;
        let t = Instant::now();
        let effects = crate::app::reco::toggle_auto(&mut state);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        let asked = effects
            .iter()
            .any(|e| matches!(e, Effect::RecoRank(r) if r.candidates.len() == n));
        anyhow::ensure!(asked, "auto mode asked for no fill over the catalogue");
    }
    Ok(times)
}
