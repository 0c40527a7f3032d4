//! `mien recommend [--emotion LABEL] [--n 20] [--json]`: ranks the catalogue in the store for the
//! listener now (or as if they felt LABEL), with scores and explanations.

use rand::SeedableRng;
use std::collections::HashMap;

use anyhow::Context as _;
use serde_json::json;

use super::Context;
use crate::core::{PlayOutcome, TrackId, EMOTIONS};
use crate::recommend::{
    rank, ListenEvent, ListenerMood, RankContext, RecoStore, ScoreWeights, SeededRng, Signal,
    TrackMood,
};

pub fn run(ctx: &Context, emotion: Option<&str>, n: usize, json: bool) -> anyhow::Result<()> {
    let listener = match emotion {
        Some(label) => Some(ListenerMood::from_label(label).with_context(|| {
            format!(
                "unknown emotion {label:?}: use one of {}",
                EMOTIONS.join(", ")
            )
        })?),
        None => None,
    };
    let store = ctx.open_store()?;
    let (reco, mut model) =
        RecoStore::open(&store).context("cannot open the recommender's tables")?;
    // Until the player logs listening events itself, fold the play history in (in memory only).
    if reco.event_count() == 0 {
        for record in store.history(None)? {
            let signal = match record.outcome {
                PlayOutcome::Started => Signal::Started,
                PlayOutcome::Completed => Signal::Finished {
                    heard: 1.0,
                    skipped: false,
                    valence_change: None,
                },
                // A damaged file that stopped early says nothing about taste.
                PlayOutcome::Failed(_) | PlayOutcome::Stopped => continue,
                PlayOutcome::Skipped => {
                    let duration = store
                        .track(record.track)?
                        .map_or(0, |t| t.duration_ms)
                        .max(1);
                    let heard = (record.position_ms as f32 / duration as f32).clamp(0.0, 1.0);
                    Signal::Finished {
                        heard,
                        skipped: true,
                        valence_change: None,
                    }
                }
            };
            model.apply(&ListenEvent {
                at_ms: record.at_ms,
                track: record.track,
                signal,
                listener: None,
                mood: None,
            });
        }
    }
    // The ratings tree is where `mien rate` and the player keep ratings.
    for (track, rating) in store.ratings()? {
        model.items.entry(track).or_default().rating = rating.stars();
    }
    // The library folders in effect, as the player shows them.
    let tracks = store.library_tracks(&ctx.library)?;
    if tracks.is_empty() {
        anyhow::bail!("the catalogue holds no track of the library folders: run `mien scan` first");
    }
    let ids: Vec<TrackId> = tracks.iter().map(|t| t.id).collect();
    // Mood vectors: what `mien tag` (the mood tagger) cached in the store, for tracks whose file
    // has not changed since; untagged tracks get no content term.
    let by_path: HashMap<TrackId, (u64, i128)> = tracks
        .iter()
        .map(|t| (t.id, (t.size, t.mtime_ns)))
        .collect();
    let moods: HashMap<TrackId, TrackMood> = store
        .moods()?
        .into_iter()
        .filter(|(id, r)| {
            by_path
                .get(id)
                .is_some_and(|(size, mtime)| r.size == *size && r.mtime_ns == *mtime)
        })
        .map(|(id, r)| (id, TrackMood::new(r.valence, r.arousal)))
        .collect();
    let mut rng = SeededRng::seed_from_u64(reco.event_count() as u64);
    let mut rank_ctx = RankContext {
        listener,
        moods: &moods,
        rng: &mut rng,
        weights: ScoreWeights::default(),
    };
    let ranked = rank(&model, &ids, &mut rank_ctx, n);
    let by_id: HashMap<TrackId, &crate::core::Track> = tracks.iter().map(|t| (t.id, t)).collect();
    let title = |id: TrackId| {
        by_id
            .get(&id)
            .map_or_else(|| id.to_string(), |t| t.display_title())
    };
    if json {
        let rows: Vec<_> = ranked
            .iter()
            .map(|r| {
                let t = by_id.get(&r.track);
                json!({
                    "path": t.map(|t| crate::core::path_serde::to_json(&t.path)),
                    "title": title(r.track),
                    "artist": t.map(|t| t.display_artist().to_string()),
                    // A just-played track's score is its penalty, not a fit: none is given.
                    "score": (!just_played(r)).then(|| (f64::from(r.score) * 1000.0).round() / 1000.0),
                    "just_played": just_played(r),
                    "explanation": r.explain(&title),
                })
            })
            .collect();
        let out = json!({
            "emotion": emotion,
            "events": reco.event_count(),
            "tagged_tracks": moods.len(),
            "tracks": rows,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    for (i, r) in ranked.iter().enumerate() {
        let artist = by_id.get(&r.track).map_or("", |t| t.display_artist());
        let score = match just_played(r) {
            true => "—".to_string(),
            false => format!("{:.3}", r.score),
        };
        println!(
            "{:>3}. {score:>7}  {} — {}  ({})",
            i + 1,
            title(r.track),
            artist,
            r.explain(&title)
        );
    }
    Ok(())
}

/// Played among the last few tracks: ranked last whatever its fit (`recommend::score`).
fn just_played(r: &crate::recommend::score::Recommendation) -> bool {
    r.reason == crate::recommend::score::Reason::JustPlayed
}
