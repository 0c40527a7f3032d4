//! `mien db check [--json]` and `mien db rebuild`: the database against its journal, and a
//! rebuild from the journal with the old database moved aside.

use anyhow::Context as _;

use super::Context;
use crate::store::Store;

/// Prints what is wrong (or the counts when nothing is); an error (exit 1) on damage.
pub fn check(ctx: &Context, json: bool) -> anyhow::Result<()> {
    let health = Store::check(&ctx.data_dir)
        .with_context(|| format!("cannot check the database in {}", ctx.data_dir.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&health)?);
    } else {
        for p in &health.problems {
            println!("damaged: {}: {}", p.file.display(), p.what);
        }
        if health.problems.is_empty() {
            println!(
                "ok: {} tracks, {} ratings, {} plays; the journal {} holds {} ratings, {} plays, \
                 {} recommender events",
                health.tracks,
                health.ratings,
                health.plays,
                health.journal.display(),
                health.journal_ratings,
                health.journal_plays,
                health.journal_reco_events
            );
        }
        for kept in &health.kept_damaged {
            println!(
                "kept: {} (a damaged database moved aside earlier)",
                kept.display()
            );
        }
    }
    if !health.problems.is_empty() {
        anyhow::bail!(
            "the database is damaged: `mien db rebuild` (or any other mien command) rebuilds it \
             from the journal"
        );
    }
    Ok(())
}

/// Moves the database aside and rebuilds it from the journal; says what it did.
pub fn rebuild(ctx: &Context) -> anyhow::Result<()> {
    let (_store, recovery) = Store::rebuild(&ctx.data_dir)?;
    println!("{recovery}");
    Ok(())
}
