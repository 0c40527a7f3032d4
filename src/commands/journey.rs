//! `mien journey --to TARGET [--from LABEL|V,A] [--minutes 20] [--json]`: plans a mood journey
//! over the catalogue in the store (`recommend::journey`) and prints it without playing. The
//! start is `--from`, else the last emotion the recommender's log holds (a camera reading or a
//! mood set by hand in the player).

use std::collections::{HashMap, HashSet};

use anyhow::Context as _;
use rand::SeedableRng;
use serde_json::json;

use super::Context;
use crate::core::{Track, TrackId, EMOTIONS};
use crate::recommend::journey::{
    plan, preference, preferences_from_scores, JourneyMemory, JourneyTrack, Target,
};
use crate::recommend::{
    score_all, ListenerMood, RankContext, RecoStore, ScoreWeights, SeededRng, TrackMood,
};

/// `--from`: a target's name, a FER class (`sad`, `neutral`, …) or `V,A`.
pub fn parse_from(text: &str) -> anyhow::Result<ListenerMood> {
    if let Some(l) = ListenerMood::from_label(text) {
        return Ok(l);
    }
    let p = Target::parse(text)
        .map_err(|e| anyhow::anyhow!("--from: {e}, or a FER class ({})", EMOTIONS.join(", ")))?
        .point();
    Ok(ListenerMood {
        valence: p.valence,
        arousal: p.arousal,
    })
}

pub fn run(
    ctx: &Context,
    to: &str,
    from: Option<&str>,
    minutes: u32,
    json: bool,
) -> anyhow::Result<()> {
    let to = Target::parse(to).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
    anyhow::ensure!(
        (1..=600).contains(&minutes),
        "--minutes must be 1 to 600, not {minutes}"
    );
    let from = from.map(parse_from).transpose()?;
    let store = ctx.open_store()?;
    // The library folders in effect, as the player shows them.
    let tracks = store.library_tracks(&ctx.library)?;
    if tracks.is_empty() {
        anyhow::bail!("the catalogue holds no track of the library folders: run `mien scan` first");
    }
    let by_id: HashMap<TrackId, &Track> = tracks.iter().map(|t| (t.id, t)).collect();
    // The tagger's moods (with confidence) for files unchanged since they were tagged.
    let moods: HashMap<TrackId, TrackMood> = store
        .moods()?
        .into_iter()
        .filter(|(id, r)| {
            by_id
                .get(id)
                .is_some_and(|t| t.size == r.size && t.mtime_ns == r.mtime_ns)
        })
        .map(|(id, r)| (id, TrackMood::tagged(r.valence, r.arousal, r.confidence)))
        .collect();
    if moods.is_empty() {
        anyhow::bail!(
            "no track has a mood yet: run `mien tag FILE...` (or let the player tag them)"
        );
    }
    let (reco, mut model) =
        RecoStore::open(&store).context("cannot open the recommender's tables")?;
    let events: Vec<_> = reco.events_from(0)?.into_iter().map(|(_, e)| e).collect();
    let memory = JourneyMemory::from_events(&events);
    let from = match from.or_else(|| events.iter().rev().find_map(|e| e.listener)) {
        Some(l) => l,
        None => anyhow::bail!(
            "no emotion reading or manual mood is stored yet: pass --from LABEL|V,A \
             (or set your mood with m in the player)"
        ),
    };
    let ratings: HashMap<TrackId, u8> = store
        .ratings()?
        .into_iter()
        .map(|(t, r)| (t, r.stars()))
        .collect();
    for (track, stars) in &ratings {
        model.items.entry(*track).or_default().rating = *stars;
    }
    // The learned taste, as `mien recommend` ranks it for the listener at the start.
    let ids: Vec<TrackId> = moods.keys().copied().collect();
    let points: HashMap<TrackId, TrackMood> = moods
        .iter()
        .map(|(id, m)| (*id, TrackMood::new(m.valence, m.arousal)))
        .collect();
    let mut rng = SeededRng::seed_from_u64(reco.event_count() as u64);
    let mut rank_ctx = RankContext {
        listener: Some(from),
        moods: &points,
        rng: &mut rng,
        weights: ScoreWeights::default(),
    };
    let scores: Vec<(TrackId, f32)> = score_all(&model, &ids, &mut rank_ctx)
        .into_iter()
        .map(|r| (r.track, r.score))
        .collect();
    let taste = preferences_from_scores(&scores);
    let candidates: Vec<JourneyTrack> = (moods.iter())
        .filter_map(|(id, m)| {
            let t = by_id.get(id)?;
            Some(JourneyTrack {
                id: *id,
                mood: *m,
                duration_ms: t.duration_ms,
                preference: preference(ratings.get(id).copied(), taste.get(id).copied()),
            })
        })
        .collect();
    let p = plan(&candidates, from, to, minutes, &memory, &HashSet::new());
    let round = |x: f32| (f64::from(x) * 1000.0).round() / 1000.0;
    if json {
        let steps: Vec<_> = (p.steps.iter())
            .filter_map(|s| {
                let t = by_id.get(&s.track)?;
                Some(json!({
                    "path": crate::core::path_serde::to_json(&t.path),
                    "title": t.display_title(),
                    "artist": t.display_artist(),
                    "valence": round(s.mood.valence),
                    "arousal": round(s.mood.arousal),
                    "start_minute": (s.start_ms as f64 / 600.0).round() / 100.0,
                }))
            })
            .collect();
        let goal = to.point();
        let out = json!({
            "from": {"valence": round(from.valence), "arousal": round(from.arousal)},
            "to": {"valence": round(goal.valence), "arousal": round(goal.arousal)},
            "minutes": minutes,
            "steps": steps,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let goal = to.point();
    println!(
        "journey from {:.2},{:.2} toward {} ({:.2},{:.2}) over {minutes} min: {}, {}",
        from.valence,
        from.arousal,
        to.name(),
        goal.valence,
        goal.arousal,
        crate::core::text::counted(p.steps.len(), "step"),
        crate::core::mmss(p.total_ms())
    );
    for (k, s) in p.steps.iter().enumerate() {
        let Some(t) = by_id.get(&s.track) else {
            continue;
        };
        println!(
            "{:>3}. {:>6}  {} — {}  ({:+.2}, {:+.2}{})",
            k + 1,
            crate::core::mmss(s.start_ms),
            t.display_title(),
            t.display_artist(),
            s.mood.valence,
            s.mood.arousal,
            if s.mood.is_uncertain() {
                ", uncertain"
            } else {
                ""
            }
        );
    }
    if p.total_ms() + 60_000 < u64::from(minutes) * 60_000 {
        println!(
            "(the library's tagged tracks fill {} of the {minutes} minutes)",
            crate::core::mmss(p.total_ms())
        );
    }
    Ok(())
}
