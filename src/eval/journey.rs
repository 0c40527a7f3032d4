//! `mien eval-journey [--json] [--runs 500] [--minutes 20] [--seed 42]` (with the global
//! `--library DIR`: over that library's tagged tracks, else a generated DEAM-like catalogue):
//! simulated listeners whose state follows the music they hear, comparing a mood journey
//! (`recommend::journey`, re-planned on adverse readings) with jumping straight to the tracks
//! nearest the target. Dynamics and results: docs/RECOMMENDER.md ("Evaluating journeys").

use std::collections::{HashSet, VecDeque};

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};
use serde_json::json;

use super::reco_library::library_catalogue;
use super::simulate::generate_catalogue;
use crate::core::TrackId;
use crate::recommend::journey::{
    plan, JourneyMemory, JourneyTrack, Target, ADVERSE_THRESHOLD, REACHED_WITHIN,
};
use crate::recommend::{ListenerMood, SeededRng, TrackMood};
use crate::root::Context;

/// Every simulated track lasts this long (the bundled tracks are excerpts).
const TRACK_MS: u64 = 210_000;
/// A fully heard track moves the listener this fraction of the way toward its mood ...
const PULL: f32 = 0.4;
/// ... times exp(−d²/(2·ISO_SD²)) in the iso dynamics (music far from the listener barely moves
/// them); in the linear dynamics the pull does not depend on the distance.
const ISO_SD: f32 = 0.8;
/// Skip chance: SKIP_BASE + SKIP_SLOPE · distance(track, listener), at most 0.9.
const SKIP_BASE: f32 = 0.05;
const SKIP_SLOPE: f32 = 0.45;
/// A skipped track is heard for this fraction (its pull and its time).
const SKIPPED_HEARD: f32 = 0.15;
/// Per track, the listener's state drifts by N(0, DRIFT_SD) on each axis; readings are the state
/// plus N(0, READING_SD).
const DRIFT_SD: f32 = 0.05;
const READING_SD: f32 = 0.1;

#[derive(Default, Clone, Copy)]
struct Tally {
    reached_end: u32,
    reached_ever: u32,
    skips: u32,
    tracks: u32,
    final_distance: f64,
}

fn clampv(m: TrackMood) -> TrackMood {
    TrackMood::new(m.valence, m.arousal)
}

/// One session: `journey` or straight to the target; `iso` dynamics or linear.
#[allow(clippy::too_many_arguments)]
fn session(
    tracks: &[JourneyTrack],
    start: TrackMood,
    to: Target,
    minutes: u32,
    journey: bool,
    iso: bool,
    rng: &mut SeededRng,
    tally: &mut Tally,
) {
    let noise = Normal::new(0.0f32, 1.0).unwrap_or_else(|_| unreachable!());
    let goal = to.point();
    let span = u64::from(minutes) * 60_000;
    let read = |s: TrackMood, rng: &mut SeededRng| ListenerMood {
        valence: (s.valence + READING_SD * noise.sample(rng)).clamp(-1.0, 1.0),
        arousal: (s.arousal + READING_SD * noise.sample(rng)).clamp(-1.0, 1.0),
    };
    let mut state = start;
    let mut played: HashSet<TrackId> = HashSet::new();
    let memory = JourneyMemory::default();
    let mut plan_from = read(state, rng);
    let mut queue: VecDeque<TrackId> = if journey {
        plan(tracks, plan_from, to, minutes, &memory, &played)
            .steps
            .iter()
            .map(|s| s.track)
            .collect()
    } else {
        let mut all: Vec<&JourneyTrack> = tracks.iter().collect();
        all.sort_by(|a, b| {
            a.mood
                .distance(goal)
                .total_cmp(&b.mood.distance(goal))
                .then(a.id.cmp(&b.id))
        });
        all.iter().map(|t| t.id).collect()
    };
    let mut t = 0u64;
    let mut ever = false;
    while t < span {
        let Some(id) = queue.pop_front() else { break };
        let Some(track) = tracks.iter().find(|x| x.id == id) else {
            continue;
        };
        played.insert(id);
        let before = read(state, rng);
        let d = track.mood.distance(state);
        let skipped = rng.random::<f32>() < (SKIP_BASE + SKIP_SLOPE * d).min(0.9);
        let heard = if skipped { SKIPPED_HEARD } else { 1.0 };
        let pull = PULL
            * heard
            * if iso {
                (-d * d / (2.0 * ISO_SD * ISO_SD)).exp()
            } else {
                1.0
            };
        state = clampv(TrackMood::new(
            state.valence
                + pull * (track.mood.valence - state.valence)
                + DRIFT_SD * noise.sample(rng),
            state.arousal
                + pull * (track.mood.arousal - state.arousal)
                + DRIFT_SD * noise.sample(rng),
        ));
        t += (TRACK_MS as f32 * heard) as u64;
        tally.tracks += 1;
        tally.skips += u32::from(skipped);
        ever |= state.distance(goal) <= REACHED_WITHIN;
        if journey && t < span {
            // The player's check, per track: moved against the plan's direction → re-plan.
            let after = read(state, rng);
            let (pv, pa) = (
                goal.valence - plan_from.valence,
                goal.arousal - plan_from.arousal,
            );
            let n = (pv * pv + pa * pa).sqrt().max(1e-6);
            let along =
                ((after.valence - before.valence) * pv + (after.arousal - before.arousal) * pa) / n;
            if along < -ADVERSE_THRESHOLD || queue.is_empty() {
                plan_from = after;
                let left = ((span - t) / 60_000).max(1) as u32;
                queue = plan(tracks, after, to, left, &memory, &played)
                    .steps
                    .iter()
                    .map(|s| s.track)
                    .collect();
            }
        } else if !journey {
            queue.retain(|q| !played.contains(q));
        }
    }
    let fd = state.distance(goal);
    tally.reached_end += u32::from(fd <= REACHED_WITHIN);
    tally.reached_ever += u32::from(ever);
    tally.final_distance += f64::from(fd);
}

pub fn run(
    ctx: &Context,
    json: bool,
    runs: usize,
    minutes: u32,
    tracks: usize,
    seed: u64,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        runs > 0 && minutes > 0,
        "eval-journey needs at least 1 run of at least 1 minute"
    );
    let mut rng = SeededRng::seed_from_u64(seed);
    let (catalogue, source) = if ctx.library_given {
        let lib = library_catalogue(ctx, !json)?;
        let n = lib.catalogue.len();
        (
            lib.catalogue,
            format!("library: {} ({n} tagged tracks)", lib.folders.join(", ")),
        )
    } else {
        (
            generate_catalogue(tracks, &mut rng),
            format!("generated: {tracks} tracks"),
        )
    };
    let pool: Vec<JourneyTrack> = (catalogue.iter())
        .map(|t| JourneyTrack {
            id: t.id,
            mood: t.mood,
            duration_ms: TRACK_MS,
            preference: 0.0,
        })
        .collect();
    let mut results = serde_json::Map::new();
    for (dyn_name, iso) in [("iso", true), ("linear", false)] {
        let mut tallies = [Tally::default(); 2];
        for r in 0..runs {
            let to = Target::NAMED[r % Target::NAMED.len()].1;
            let goal = to.point();
            let start = loop {
                let p = TrackMood::new(rng.random_range(-0.9..0.9), rng.random_range(-0.9..0.9));
                if p.distance(goal) >= 0.8 {
                    break p;
                }
            };
            let run_seed: u64 = rng.random();
            for (k, journey) in [true, false].into_iter().enumerate() {
                let mut run_rng = SeededRng::seed_from_u64(run_seed);
                session(
                    &pool,
                    start,
                    to,
                    minutes,
                    journey,
                    iso,
                    &mut run_rng,
                    &mut tallies[k],
                );
            }
        }
        let row = |t: &Tally| {
            let n = runs as f64;
            json!({
                "reached_at_end": (f64::from(t.reached_end) / n * 1000.0).round() / 1000.0,
                "reached_ever": (f64::from(t.reached_ever) / n * 1000.0).round() / 1000.0,
                "skips_per_session": (f64::from(t.skips) / n * 100.0).round() / 100.0,
                "tracks_per_session": (f64::from(t.tracks) / n * 100.0).round() / 100.0,
                "final_distance": (t.final_distance / n * 1000.0).round() / 1000.0,
            })
        };
        results.insert(
            dyn_name.into(),
            json!({"journey": row(&tallies[0]), "direct": row(&tallies[1])}),
        );
    }
    let out = json!({"catalogue": source, "runs": runs, "minutes": minutes, "seed": seed, "dynamics": results});
    if json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("{source}; {runs} runs of {minutes} min, seed {seed}");
    for (name, v) in results {
        for m in ["journey", "direct"] {
            let r = &v[m];
            println!(
                "{name:>6} {m:>7}: reached at end {:.3}, ever {:.3}; skips {:.2} of {:.2} tracks; final distance {:.3}",
                r["reached_at_end"].as_f64().unwrap_or(0.0),
                r["reached_ever"].as_f64().unwrap_or(0.0),
                r["skips_per_session"].as_f64().unwrap_or(0.0),
                r["tracks_per_session"].as_f64().unwrap_or(0.0),
                r["final_distance"].as_f64().unwrap_or(0.0),
            );
        }
    }
    Ok(())
}
