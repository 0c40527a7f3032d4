//! `mien eval-reco [--json] [--library DIR]`: the recommender evaluation on simulated listeners
//! (protocol in `eval::reco_protocol` and docs/RECOMMENDER.md), over a generated catalogue or, with
//! the global `--library DIR`, over that library's real tracks and mood tags
//! (`eval_library.rs`).

use std::time::Instant;

use serde_json::{json, Map, Value};

use super::reco_library::{library_catalogue, LibraryCatalogue};
use super::reco_protocol::{evaluate, recent_window, EvalConfig, Metrics, METHODS, N};
use crate::root::Context;

/// The metrics of `METHODS[range]` as `{name: {"hr@10", "ndcg@10"}}`.
fn methods_json(metrics: &[Metrics; N], range: std::ops::Range<usize>) -> Value {
    let mut map = Map::new();
    for (name, m) in METHODS[range.clone()].iter().zip(&metrics[range]) {
        map.insert(
            (*name).to_string(),
            json!({
                "hr@10": round4(m.hr10),
                "ndcg@10": round4(m.ndcg10),
                "hr@1": round4(m.hr1),
                "hr@3": round4(m.hr3),
            }),
        );
    }
    Value::Object(map)
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Fewer tracks than this and HR@10 says nothing (every candidate is in everyone's top 10).
const SMALL_LIBRARY: usize = 30;

pub fn run(
    ctx: &Context,
    json: bool,
    tracks: usize,
    listeners: usize,
    seed: u64,
) -> anyhow::Result<()> {
    if listeners == 0 {
        anyhow::bail!("eval-reco needs at least 1 listener");
    }
    let library = if ctx.library_given {
        Some(library_catalogue(ctx, !json)?)
    } else {
        if tracks < 100 {
            anyhow::bail!("eval-reco needs at least 100 generated tracks");
        }
        None
    };
    let config = EvalConfig {
        tracks: library.as_ref().map_or(tracks, |l| l.catalogue.len()),
        catalogue: library.as_ref().map(|l| l.catalogue.clone()),
        listeners,
        seed,
        ..EvalConfig::default()
    };
    let started = Instant::now();
    let report = evaluate(&config);
    let seconds = started.elapsed().as_secs_f64();
    let last = report.final_metrics();
    let ratio = last[4].ndcg10 / last[3].ndcg10.max(1e-9);
    if json {
        let curves: Vec<Value> = report
            .curves
            .iter()
            .map(|(plays, m)| json!({"plays": plays, "methods": methods_json(m, 0..N)}))
            .collect();
        let out = json!({
            "plays": config.plays,
            "listeners": config.listeners,
            "tracks": config.tracks,
            "seed": config.seed,
            "catalogue": library.as_ref().map_or_else(
                || json!("generated"),
                |l| library_json(l, config.tracks),
            ),
            "methods": methods_json(&last, 0..5),
            "ablations": methods_json(&last, 5..N),
            "curves": curves,
            "mien_over_item_item_ndcg": round4(ratio),
            "seconds": (seconds * 100.0).round() / 100.0,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    if let Some(l) = &library {
        println!("{}", library_summary(l, config.tracks));
    }
    println!(
        "{} simulated listeners, {} tracks, seed {}; HR@10 / NDCG@10 over the {} picks after N plays",
        config.listeners, config.tracks, config.seed, config.window
    );
    print!("{:>27}", "HR@10 / NDCG@10 after");
    for (plays, _) in &report.curves {
        print!("  {:>15}", format!("{plays} plays"));
    }
    println!();
    for (k, name) in METHODS.iter().enumerate() {
        print!("{name:>27}");
        for (_, metrics) in &report.curves {
            print!("  {:>6.4} / {:>6.4}", metrics[k].hr10, metrics[k].ndcg10);
        }
        println!();
    }
    println!(
        "mien / item_item NDCG@10 after {} plays: {ratio:.2}× ({seconds:.1} s)",
        config.plays
    );
    if config.tracks < SMALL_LIBRARY {
        print!("HR@1 / HR@3 after {} plays:", config.plays);
        for (k, name) in METHODS[..5].iter().enumerate() {
            print!("  {name} {:.3} / {:.3}", last[k].hr1, last[k].hr3);
        }
        println!();
    }
    Ok(())
}

/// What `--json` says about a real library: where it came from, and how far to trust HR@10.
fn library_json(l: &LibraryCatalogue, tracks: usize) -> Value {
    json!({
        "folders": l.folders,
        "tracks": tracks,
        "tagged_now": l.tagged_now,
        "untagged_left_out": l.untagged,
        "albums": l.albums,
        "recent_window": recent_window(tracks),
        "note": small_note(tracks),
    })
}

fn library_summary(l: &LibraryCatalogue, tracks: usize) -> String {
    let mut s = format!(
        "library {}: {tracks} tagged tracks ({} tagged now, {} left out untagged), {} album(s)",
        l.folders.join(", "),
        l.tagged_now,
        l.untagged,
        l.albums
    );
    if let Some(note) = small_note(tracks) {
        s.push_str(&format!("\n{note}"));
    }
    s
}

fn small_note(tracks: usize) -> Option<String> {
    (tracks < SMALL_LIBRARY).then(|| {
        format!(
            "a small library: with {tracks} tracks (the last {} picks excluded) at most {} are \
             ranked, so HR@10 is 1 or nearly for every method; NDCG@10 (a full ranking here), \
             HR@1 and HR@3 still compare them",
            recent_window(tracks),
            tracks - recent_window(tracks)
        )
    })
}
