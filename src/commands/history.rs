//! `mien history`: the play history, oldest first, as text or JSON. While a player holds the
//! database it is read from the journal (tracks then named by their paths).

use super::{mmss, Context};
use crate::core::PlayOutcome;

pub fn run(ctx: &Context, json: bool, limit: Option<usize>) -> anyhow::Result<()> {
    let store = ctx.open_store_or_journal(json)?;
    let records = match &store {
        Some(store) => store.history(limit)?,
        None => {
            let mut all = crate::store::backup::from_journal(&ctx.data_dir)?.history;
            all.drain(..all.len().saturating_sub(limit.unwrap_or(usize::MAX)));
            all
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&records)?);
        return Ok(());
    }
    for r in records {
        let (what, why) = match &r.outcome {
            PlayOutcome::Started => ("started", String::new()),
            PlayOutcome::Completed => ("completed", String::new()),
            PlayOutcome::Skipped => ("skipped", String::new()),
            PlayOutcome::Stopped => ("stopped by the sleep timer", String::new()),
            PlayOutcome::Failed(reason) => ("failed", format!(" ({reason})")),
        };
        let known = match &store {
            Some(store) => store.track(r.track)?,
            None => None,
        };
        let name = known
            .map(|t| format!("{} — {}", t.display_title(), t.display_artist()))
            .unwrap_or_else(|| r.path.display().to_string());
        println!(
            "{}  {what:9} at {:>5}  {name}{why}",
            format_time(r.at_ms),
            mmss(r.position_ms)
        );
    }
    Ok(())
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) for milliseconds since the epoch.
fn format_time(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = crate::core::civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_format_as_utc_dates() {
        assert_eq!(format_time(0), "1970-01-01 00:00:00");
        assert_eq!(format_time(1_795_996_800_000), "2026-11-30 00:00:00");
        assert_eq!(
            format_time(951_782_400_000 + 3_723_000),
            "2000-02-29 01:02:03"
        );
    }
}
