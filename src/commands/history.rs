//! `mien history`: the play history, oldest first, as text or JSON.

use super::{mmss, Context};
use crate::core::PlayOutcome;

pub fn run(ctx: &Context, json: bool, limit: Option<usize>) -> anyhow::Result<()> {
    let store = ctx.open_store()?;
    let records = store.history(limit)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&records)?);
        return Ok(());
    }
    for r in records {
        let (what, why) = match &r.outcome {
            PlayOutcome::Started => ("started", String::new()),
            PlayOutcome::Completed => ("completed", String::new()),
            PlayOutcome::Skipped => ("skipped", String::new()),
            PlayOutcome::Failed(reason) => ("failed", format!(" ({reason})")),
        };
        let name = store
            .track(r.track)?
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
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Gregorian date from days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
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
