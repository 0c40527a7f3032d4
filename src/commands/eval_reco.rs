//! `mien eval-reco [--json]`: the recommender evaluation on simulated listeners (protocol in
//! `recommend::eval` and docs/RECOMMENDER.md).

use std::time::Instant;

use serde_json::{json, Map, Value};

use crate::recommend::eval::{evaluate, EvalConfig, Metrics, METHODS, N};

/// The metrics of `METHODS[range]` as `{name: {"hr@10", "ndcg@10"}}`.
fn methods_json(metrics: &[Metrics; N], range: std::ops::Range<usize>) -> Value {
    let mut map = Map::new();
    for (name, m) in METHODS[range.clone()].iter().zip(&metrics[range]) {
        map.insert(
            (*name).to_string(),
            json!({"hr@10": round4(m.hr10), "ndcg@10": round4(m.ndcg10)}),
        );
    }
    Value::Object(map)
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

pub fn run(json: bool, tracks: usize, listeners: usize, seed: u64) -> anyhow::Result<()> {
    if tracks < 100 || listeners == 0 {
        anyhow::bail!("eval-reco needs at least 100 tracks and 1 listener");
    }
    let config = EvalConfig {
        tracks,
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
            "methods": methods_json(&last, 0..5),
            "ablations": methods_json(&last, 5..N),
            "curves": curves,
            "mien_over_item_item_ndcg": round4(ratio),
            "seconds": (seconds * 100.0).round() / 100.0,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
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
    Ok(())
}
