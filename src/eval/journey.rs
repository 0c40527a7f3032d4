//! `mien eval-journey [--json] [--runs 2000] [--minutes 20] [--seed 42]` (with the global
//! `--library DIR`: over that library's tagged tracks, else a generated DEAM-like catalogue):
//! simulated listeners whose state follows the music they hear, comparing a mood journey
//! (`recommend::journey`, re-planned from the latest reading at each step, as the player does)
//! with jumping straight to the tracks nearest the target, from the same starts with the same
//! random draws. Dynamics and results: docs/RECOMMENDER.md ("Evaluating journeys").

use std::collections::{HashSet, VecDeque};

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};
use serde_json::json;

use super::reco_library::library_catalogue;
use super::simulate::generate_catalogue;
use crate::core::TrackId;
use crate::recommend::journey::{
    plan, replan, JourneyMemory, JourneyTrack, Target, REACHED_WITHIN,
};
use crate::recommend::{ListenerMood, SeededRng, TrackMood};
use crate::root::Context;

/// Every simulated track lasts this long (the bundled tracks are excerpts).
const TRACK_MS: u64 = 210_000;
/// A fully heard track moves the listener this fraction of the way toward its mood ...
const PULL: f32 = 0.4;
/// ... times exp(−d²/(2·σ²)) in the iso dynamics (music far from the listener barely moves
/// them), for each of these σ; in the linear dynamics the pull does not depend on the distance.
const DYNAMICS: [(&str, Option<f32>); 3] = [
    ("iso-0.5", Some(0.5)),
    ("iso-0.8", Some(0.8)),
    ("linear", None),
];
/// Skip chance: SKIP_BASE + SKIP_SLOPE · distance(track, listener), at most 0.9.
const SKIP_BASE: f32 = 0.05;
const SKIP_SLOPE: f32 = 0.45;
/// A skipped track is heard for this fraction (its pull and its time).
const SKIPPED_HEARD: f32 = 0.15;
/// Per track, the listener's state drifts by N(0, DRIFT_SD) on each axis; readings are the state
/// plus N(0, READING_SD).
const DRIFT_SD: f32 = 0.05;
const READING_SD: f32 = 0.1;

/// What one session came to.
#[derive(Default, Clone, Copy)]
struct Outcome {
    reached_end: bool,
    reached_ever: bool,
    skips: u32,
    tracks: u32,
    final_distance: f32,
}

/// One session: `journey` or straight to the target, under dynamics `iso_sd` (None: linear).
#[allow(clippy::too_many_arguments)]
fn session(
    tracks: &[JourneyTrack],
    start: TrackMood,
    to: Target,
    minutes: u32,
    journey: bool,
    iso_sd: Option<f32>,
    rng: &mut SeededRng,
) -> Outcome {
    let noise = Normal::new(0.0f32, 1.0).unwrap_or_else(|_| unreachable!());
    let goal = to.point();
    let span = u64::from(minutes) * 60_000;
    let read = |s: TrackMood, rng: &mut SeededRng| ListenerMood {
        valence: (s.valence + READING_SD * noise.sample(rng)).clamp(-1.0, 1.0),
        arousal: (s.arousal + READING_SD * noise.sample(rng)).clamp(-1.0, 1.0),
    };
    let find = |id: TrackId| tracks.iter().find(|x| x.id == id);
    let mut state = start;
    let mut played: HashSet<TrackId> = HashSet::new();
    let memory = JourneyMemory::default();
    let first = read(state, rng);
    let mut queue: VecDeque<TrackId> = if journey {
        let p = plan(tracks, first, to, minutes, &memory, &played);
        p.steps.iter().map(|s| s.track).collect()
    } else {
        let mut all: Vec<&JourneyTrack> = tracks.iter().collect();
        all.sort_by(|a, b| {
            (a.mood.distance(goal).total_cmp(&b.mood.distance(goal))).then(a.id.cmp(&b.id))
        });
        all.iter().map(|t| t.id).collect()
    };
    let mut out = Outcome::default();
    let mut t = 0u64;
    while t < span {
        let Some(track) = queue.pop_front().and_then(find) else {
            break;
        };
        played.insert(track.id);
        let d = track.mood.distance(state);
        let skipped = rng.random::<f32>() < (SKIP_BASE + SKIP_SLOPE * d).min(0.9);
        let heard = if skipped { SKIPPED_HEARD } else { 1.0 };
        let k = iso_sd.map_or(1.0, |sd| (-d * d / (2.0 * sd * sd)).exp());
        let pull = PULL * heard * k;
        state = TrackMood::new(
            state.valence
                + pull * (track.mood.valence - state.valence)
                + DRIFT_SD * noise.sample(rng),
            state.arousal
                + pull * (track.mood.arousal - state.arousal)
                + DRIFT_SD * noise.sample(rng),
        );
        t += (TRACK_MS as f32 * heard) as u64;
        out.tracks += 1;
        out.skips += u32::from(skipped);
        out.reached_ever |= state.distance(goal) <= REACHED_WITHIN;
        if journey && t < span {
            // The player at each step's start: the rest of the journey is planned again from
            // the latest reading, after the step already queued for gapless play.
            let now = read(state, rng);
            let next = queue.front().copied().and_then(find);
            let after_next = span - t - next.map_or(0, |n| n.duration_ms.min(span - t));
            played.extend(next.map(|n| n.id));
            queue = next.map(|n| n.id).into_iter().collect();
            if next.is_none() || after_next >= TRACK_MS / 2 {
                let left = (after_next / 60_000).max(1) as u32;
                let rest = replan(
                    tracks,
                    now,
                    next.map(|n| n.mood),
                    to,
                    left,
                    &memory,
                    &played,
                );
                queue.extend(rest.steps.iter().map(|s| s.track));
            }
        } else if !journey {
            queue.retain(|q| !played.contains(q));
        }
    }
    out.final_distance = state.distance(goal);
    out.reached_end = out.final_distance <= REACHED_WITHIN;
    out
}

/// Mean and the half-width of its 95% interval.
fn mean_ci(xs: &[f64]) -> (f64, f64) {
    let n = xs.len().max(1) as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, 1.96 * (var / n).sqrt())
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// One method's means over the runs.
fn summary(o: &[Outcome]) -> serde_json::Value {
    let m = |f: &dyn Fn(&Outcome) -> f64| mean_ci(&o.iter().map(f).collect::<Vec<_>>()).0;
    json!({
        "reached_at_end": round(m(&|x| f64::from(u8::from(x.reached_end))), 3),
        "reached_ever": round(m(&|x| f64::from(u8::from(x.reached_ever))), 3),
        "skips_per_session": round(m(&|x| f64::from(x.skips)), 2),
        "tracks_per_session": round(m(&|x| f64::from(x.tracks)), 2),
        "final_distance": round(m(&|x| f64::from(x.final_distance)), 3),
    })
}

/// Journey minus direct, run by run (same start, same draws), with 95% intervals.
fn paired(j: &[Outcome], d: &[Outcome]) -> serde_json::Value {
    let diff = |f: &dyn Fn(&Outcome) -> f64| {
        let xs: Vec<f64> = j.iter().zip(d).map(|(a, b)| f(a) - f(b)).collect();
        let (m, ci) = mean_ci(&xs);
        json!({"mean": round(m, 3), "ci95": round(ci, 3)})
    };
    json!({
        "reached_at_end": diff(&|x| f64::from(u8::from(x.reached_end))),
        "skips_per_session": diff(&|x| f64::from(x.skips)),
    })
}

/// `runs` sessions of each method from the same starts with the same draws: (journeys, direct).
/// Targets take turns; each start lies at least 0.8 from its target.
fn compare(
    pool: &[JourneyTrack],
    runs: usize,
    minutes: u32,
    iso_sd: Option<f32>,
    rng: &mut SeededRng,
) -> (Vec<Outcome>, Vec<Outcome>) {
    let (mut journeys, mut directs) = (Vec::new(), Vec::new());
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
        for (journey, out) in [(true, &mut journeys), (false, &mut directs)] {
            let mut run_rng = SeededRng::seed_from_u64(run_seed);
            let o = session(pool, start, to, minutes, journey, iso_sd, &mut run_rng);
            out.push(o);
        }
    }
    (journeys, directs)
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
        let folders = lib.folders.join(", ");
        (
            lib.catalogue,
            format!("library: {folders} ({n} tagged tracks)"),
        )
    } else {
        let generated = generate_catalogue(tracks, &mut rng);
        (generated, format!("generated: {tracks} tracks"))
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
    for (name, iso_sd) in DYNAMICS {
        let (journeys, directs) = compare(&pool, runs, minutes, iso_sd, &mut rng);
        results.insert(
            name.into(),
            json!({
                "journey": summary(&journeys),
                "direct": summary(&directs),
                "journey_minus_direct": paired(&journeys, &directs),
            }),
        );
    }
    let out = json!({"catalogue": source, "runs": runs, "minutes": minutes, "seed": seed, "dynamics": results});
    if json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("{source}; {runs} runs of {minutes} min, seed {seed}");
    let f = |v: &serde_json::Value| v.as_f64().unwrap_or(0.0);
    for (name, v) in results {
        for m in ["journey", "direct"] {
            let r = &v[m];
            println!(
                "{name:>8} {m:>7}: reached at end {:.3}, ever {:.3}; skips {:.2} of {:.2} tracks; final distance {:.3}",
                f(&r["reached_at_end"]),
                f(&r["reached_ever"]),
                f(&r["skips_per_session"]),
                f(&r["tracks_per_session"]),
                f(&r["final_distance"]),
            );
        }
        let p = &v["journey_minus_direct"];
        println!(
            "{name:>8} journey − direct: reached at end {:+.3} ± {:.3}, skips {:+.2} ± {:.2} (95%)",
            f(&p["reached_at_end"]["mean"]),
            f(&p["reached_at_end"]["ci95"]),
            f(&p["skips_per_session"]["mean"]),
            f(&p["skips_per_session"]["ci95"]),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(n: usize, seed: u64) -> Vec<JourneyTrack> {
        let mut rng = SeededRng::seed_from_u64(seed);
        (generate_catalogue(n, &mut rng).iter())
            .map(|t| JourneyTrack {
                id: t.id,
                mood: t.mood,
                duration_ms: TRACK_MS,
                preference: 0.0,
            })
            .collect()
    }

    fn rate(o: &[Outcome], f: impl Fn(&Outcome) -> f64) -> f64 {
        o.iter().map(f).sum::<f64>() / o.len() as f64
    }

    #[test]
    fn journeys_are_skipped_less_and_reach_at_least_as_often_as_direct_play_on_iso_listeners() {
        let tracks = pool(600, 3);
        let mut rng = SeededRng::seed_from_u64(11);
        let (j, d) = compare(&tracks, 300, 30, Some(0.5), &mut rng);
        let skips = |o: &[Outcome]| rate(o, |x| f64::from(x.skips));
        let reached = |o: &[Outcome]| rate(o, |x| f64::from(u8::from(x.reached_end)));
        assert!(skips(&j) < 0.7 * skips(&d), "{} {}", skips(&j), skips(&d));
        assert!(reached(&j) > reached(&d), "{} {}", reached(&j), reached(&d));
        // Every session fills its minutes or runs out of tracks; none is empty.
        assert!(j.iter().chain(&d).all(|o| o.tracks > 0));
    }

    #[test]
    fn the_comparison_is_reproducible_from_its_seed() {
        let tracks = pool(300, 5);
        let once = |seed| {
            let mut rng = SeededRng::seed_from_u64(seed);
            let (j, _) = compare(&tracks, 40, 20, Some(0.8), &mut rng);
            j.iter()
                .map(|o| (o.skips, o.final_distance.to_bits()))
                .collect::<Vec<_>>()
        };
        assert_eq!(once(9), once(9));
        assert_ne!(once(9), once(10));
    }

    #[test]
    fn paired_differences_have_a_mean_and_an_interval() {
        let (m, ci) = mean_ci(&[1.0, 0.0, 1.0, 0.0]);
        assert!((m - 0.5).abs() < 1e-12);
        // sd 0.577, n 4: 1.96 · 0.577 / 2.
        assert!((ci - 0.566).abs() < 1e-3, "{ci}");
    }
}
