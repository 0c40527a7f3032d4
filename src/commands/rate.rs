//! `mien rate FILE STARS`: set or clear a track's rating (durable before this returns).

use std::path::Path;

use super::{absolute, Context};
use crate::core::{Rating, TrackId};

pub fn run(ctx: &Context, file: &Path, stars: u8) -> anyhow::Result<()> {
    let path = absolute(file);
    match std::fs::metadata(&path) {
        Err(e) => anyhow::bail!("{}: {}", file.display(), crate::core::io_reason(&e)),
        Ok(m) if m.is_dir() => anyhow::bail!("{}: a folder, not a track", file.display()),
        Ok(m) if !m.is_file() => anyhow::bail!("{}: not a regular file", file.display()),
        Ok(_) => {}
    }
    let store = ctx.open_store()?;
    let id = TrackId::from_path(&path);
    let rating = Rating::new(stars);
    store.set_rating(id, rating)?;
    let name = store
        .track(id)?
        .map(|t| format!("{} — {}", t.display_title(), t.display_artist()))
        .unwrap_or_else(|| path.display().to_string());
    match rating {
        Some(r) => println!("{name}: {}", stars_text(r.stars())),
        None => println!("{name}: rating cleared"),
    }
    Ok(())
}

/// `★★★☆☆` for 3.
pub fn stars_text(n: u8) -> String {
    let n = usize::from(n.min(5));
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}
