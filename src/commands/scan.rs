//! `mien scan`: scan the library folders into the catalogue, with a progress bar on a terminal.

use anyhow::Context as _;

use super::Context;
use crate::library::{scan, ScanProgress};
use crate::logging;

pub fn run(ctx: &Context, json: bool) -> anyhow::Result<()> {
    let store = ctx.open_store()?;
    let bar = logging::stderr_is_terminal();
    let mut progress = |p: ScanProgress| {
        if bar {
            logging::eprint_raw(&progress_line(&p));
        }
    };
    let report = scan(&store, &ctx.library, &mut progress).context("scan failed")?;
    if bar {
        logging::eprint_raw("\r\x1b[2K");
    }
    for w in &report.warnings {
        logging::eprint_line(&format!("warning: {w}"));
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let formats: Vec<String> = report
        .by_format
        .iter()
        .map(|(f, n)| format!("{f} {n}"))
        .collect();
    println!(
        "{} tracks ({}) in {:.2} s: {} added, {} updated, {} removed, {} unchanged",
        report.tracks,
        formats.join(", "),
        report.seconds,
        report.added,
        report.updated,
        report.removed,
        report.unchanged
    );
    for s in &report.skipped {
        println!("skipped {}: {}", s.path.display(), s.reason);
    }
    Ok(())
}

/// A one-line progress bar, redrawn in place.
fn progress_line(p: &ScanProgress) -> String {
    const WIDTH: usize = 30;
    if p.done == 0 || p.total == 0 {
        return format!("\r\x1b[2Kscanning: {} audio files found", p.total);
    }
    let filled = (p.done * WIDTH / p.total).min(WIDTH);
    format!(
        "\r\x1b[2K[{}{}] {}/{}",
        "#".repeat(filled),
        "-".repeat(WIDTH - filled),
        p.done,
        p.total
    )
}
