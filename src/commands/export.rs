//! `mien export [--output FILE]` and `mien import FILE`: ratings, play history and emotion
//! readings as JSON, for backups. An exported file is 0600 and replaced atomically. `export`
//! works while a player runs (from the journal, which holds the same data).

use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::Context as _;

use super::Context;
use crate::core::text::counted;
use crate::store::backup::{Backup, BACKUP_VERSION};

pub fn export(ctx: &Context, output: Option<&Path>) -> anyhow::Result<()> {
    let backup = match ctx.open_store_or_journal(false)? {
        Some(store) => store.export()?,
        None => crate::store::backup::from_journal(&ctx.data_dir)?,
    };
    let mut json = serde_json::to_vec_pretty(&backup)?;
    json.push(b'\n');
    match output {
        None => std::io::stdout().lock().write_all(&json)?,
        Some(path) => {
            write_private(path, &json)?;
            crate::logging::eprint_line(&format!(
                "exported {}, {} and {} to {}",
                counted(backup.ratings.len(), "rating"),
                counted(backup.history.len(), "play"),
                counted(backup.readings.len(), "emotion reading"),
                path.display()
            ));
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` as a 0600 file: a temp file beside it, fsynced, renamed over it.
pub(super) fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .with_context(|| format!("{}: not a file name", path.display()))?;
    let mut tmp_name = name.to_os_string();
    tmp_name.push(".mien-tmp");
    let tmp = path.with_file_name(tmp_name);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

pub fn import(ctx: &Context, file: &Path) -> anyhow::Result<()> {
    let bytes = fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let backup: Backup = serde_json::from_slice(&bytes)
        .with_context(|| format!("{}: not a mien export", file.display()))?;
    if backup.mien_backup > BACKUP_VERSION {
        anyhow::bail!(
            "{}: written by a newer mien (backup version {}, this mien reads up to {BACKUP_VERSION})",
            file.display(),
            backup.mien_backup
        );
    }
    let store = ctx.open_store()?;
    let done = store.import(&backup)?;
    println!(
        "imported {}, {} and {} ({} already in the history)",
        counted(done.ratings, "rating"),
        counted(done.plays, "play"),
        counted(done.readings, "emotion reading"),
        match done.plays_already_there {
            1 => "1 play was".to_string(),
            n => format!("{n} plays were"),
        }
    );
    Ok(())
}
