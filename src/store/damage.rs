//! Naming damage: sled's errors as one clean sentence that says which file and what is wrong
//! (sled's own text repeats itself and ends in "backtrace ()"), and moving damaged files aside
//! to `<data dir>/db.damaged-<time>/`. Pure helpers, run on the thread opening the store.

use super::private_files::sync_dir;
use super::{io_error, Result};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// sled's error as a sentence without its debug text.
pub fn describe_sled(e: &sled::Error) -> String {
    match e {
        sled::Error::Io(io) => io_text(io),
        sled::Error::Corruption { .. } => {
            "the data fails its checksum (the file is damaged)".into()
        }
        sled::Error::Unsupported(what) => what.clone(),
        sled::Error::CollectionNotFound(name) => {
            format!("no tree named {}", String::from_utf8_lossy(name))
        }
        sled::Error::ReportableBug(what) => format!("sled failed: {what}"),
    }
}

/// An io error's text without Rust's "(os error N)".
pub fn io_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Why sled would not open `db_path`, naming the file: a `conf` whose checksum fails is named
/// as such (sled itself calls that "corrupted data" or "a version earlier than 0.29").
pub fn describe_open_error(db_path: &Path, e: &sled::Error) -> String {
    let conf = db_path.join("conf");
    if matches!(
        e,
        sled::Error::Corruption { .. } | sled::Error::Unsupported(_)
    ) {
        if let Some(why) = conf_problem(&conf) {
            return format!("{}: {why}", conf.display());
        }
        if let sled::Error::Corruption { .. } = e {
            return format!("{}: {}", db_path.join("db").display(), describe_sled(e));
        }
    }
    format!("{}: {}", db_path.display(), describe_sled(e))
}

/// What is wrong with sled's `conf` (its settings ending in a little-endian CRC-32), if anything.
fn conf_problem(conf: &Path) -> Option<String> {
    let mut bytes = Vec::new();
    fs::File::open(conf).ok()?.read_to_end(&mut bytes).ok()?;
    if bytes.len() <= 8 {
        return None;
    }
    let (body, crc) = bytes.split_at(bytes.len() - 4);
    let stored = u32::from_le_bytes(crc.try_into().ok()?);
    (crc32fast::hash(body) != stored)
        .then(|| "the settings file fails its checksum (the file is damaged)".to_string())
}

/// The time now in UTC as `20261201T124511Z`.
pub fn utc_stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = crate::core::civil_from_days(days as i64);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Moves `db_path` to `<dir>/db.damaged-<time>` (a free name), if it exists; returns where.
pub fn move_aside(dir: &Path, db_path: &Path) -> Result<Option<PathBuf>> {
    if fs::symlink_metadata(db_path).is_err() {
        return Ok(None);
    }
    let stamp = utc_stamp();
    let mut target = dir.join(format!("db.damaged-{stamp}"));
    let mut n = 2;
    while fs::symlink_metadata(&target).is_ok() {
        target = dir.join(format!("db.damaged-{stamp}-{n}"));
        n += 1;
    }
    fs::rename(db_path, &target).map_err(|e| io_error(db_path, e))?;
    sync_dir(db_path)?;
    tracing::warn!(from = %db_path.display(), to = %target.display(), "moved the damaged database aside");
    Ok(Some(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_stamps_are_sortable_text() {
        let stamp = utc_stamp();
        assert_eq!(stamp.len(), 16, "{stamp}");
        assert!(stamp.starts_with("20") && stamp.ends_with('Z') && stamp.as_bytes()[8] == b'T');
    }

    #[test]
    fn sled_errors_read_as_one_clean_sentence() {
        let e = sled::Error::Corruption {
            at: None,
            bt: Default::default(),
        };
        let text = describe_open_error(Path::new("/nowhere/db"), &e);
        assert_eq!(
            text,
            "/nowhere/db/db: the data fails its checksum (the file is damaged)"
        );
        let io = std::io::Error::from_raw_os_error(13);
        assert_eq!(io_text(&io), "Permission denied");
    }

    #[test]
    fn a_garbage_conf_is_named_as_the_damaged_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("conf"), b"garbage garbage garbage\n").expect("write");
        let e = sled::Error::Unsupported("created using a sled version earlier than 0.29".into());
        let text = describe_open_error(dir.path(), &e);
        assert!(
            text.ends_with("conf: the settings file fails its checksum (the file is damaged)"),
            "{text}"
        );
    }

    #[test]
    fn move_aside_picks_a_free_name_and_keeps_the_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        for round in 0..2 {
            let db = dir.path().join("db");
            fs::create_dir(&db).expect("mkdir");
            fs::write(db.join("x"), [round]).expect("write");
            let to = move_aside(dir.path(), &db).expect("move").expect("moved");
            assert_eq!(fs::read(to.join("x")).expect("kept"), [round]);
            assert!(!db.exists());
        }
        assert_eq!(
            move_aside(dir.path(), &dir.path().join("db")).expect("none"),
            None
        );
    }
}
