//! `mien forget --last SPAN [--reco]`: deletes the stored emotion readings of the span (and
//! only them) from the database and the journal, and says what else still holds the listener's
//! emotion. Refuses while a player holds the data dir: the player writes readings as it goes, so
//! forgetting under it could not promise anything.

use super::Context;
use crate::cli::ForgetSpan;
use crate::core::text::counted;
use crate::store::StoreError;

pub fn run(ctx: &Context, span: ForgetSpan, reco: bool) -> anyhow::Result<()> {
    let store = match ctx.open_store() {
        Ok(s) => s,
        Err(e) if matches!(e.downcast_ref(), Some(StoreError::InUse { .. })) => anyhow::bail!(
            "a mien player has {} open: quit it, then run `mien forget` again (nothing was deleted)",
            ctx.data_dir.display()
        ),
        Err(e) => return Err(e),
    };
    let now = crate::core::now_ms();
    let (from_ms, what) = match span {
        ForgetSpan::All => (0, "all your emotion readings".to_string()),
        ForgetSpan::Last(ms) => {
            let from = now.saturating_sub(ms);
            (
                from,
                format!("your emotion readings since {} UTC", utc(from)),
            )
        }
    };
    let done = store.forget(from_ms, u64::MAX, reco)?;
    println!(
        "forgot {} ({what}), from the database and its journal",
        counted(done.readings, "emotion reading")
    );
    if reco {
        println!(
            "removed your emotion from {} of that span: their plays, skips and ratings stay, \
             and the recommender relearns its mood tables without it when the player next starts",
            counted(done.reco_events, "recommender event")
        );
    } else {
        let left = store.reco_events_with_listener(from_ms, u64::MAX)?;
        if left > 0 {
            println!(
                "kept: your emotion at the time in {} of that span (from them it learns which \
                 music suits which mood); add --reco to remove it there too",
                counted(left, "recommender event")
            );
        }
    }
    let kept: Vec<String> = std::fs::read_dir(&ctx.data_dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("db.damaged-") || n.starts_with("journal.damaged-"))
        .collect();
    if !kept.is_empty() {
        println!(
            "not changed: copies kept from earlier repairs in {} ({}) hold what they held then; \
             delete them if you do not need them",
            ctx.data_dir.display(),
            kept.join(", ")
        );
    }
    Ok(())
}

/// `YYYY-MM-DD HH:MM` (UTC).
fn utc(ms: u64) -> String {
    let secs = ms / 1000;
    let (y, m, d) = crate::core::civil_from_days((secs / 86_400) as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        secs % 86_400 / 3600,
        secs % 3600 / 60
    )
}
