//! The store's health for `mien db check` and `mien doctor`: the database and the journal
//! compared, each problem naming its file and what is wrong, nothing repaired. Runs on the
//! calling thread.

use super::damage::describe_open_error;
use super::journal::{self, Contents, Journal, JOURNAL_FILE};
use super::{open_waiting_for_lock, Result, Store, StoreError};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Checked by `mien db check` and `mien doctor`: the database against the journal.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Health {
    /// Each problem names its file and what is wrong; empty when all is well.
    pub problems: Vec<Problem>,
    pub tracks: usize,
    pub ratings: usize,
    pub plays: usize,
    #[serde(with = "crate::core::path_serde")]
    pub journal: PathBuf,
    pub journal_ratings: usize,
    pub journal_plays: usize,
    pub journal_reco_events: usize,
    pub readings: usize,
    pub journal_readings: usize,
    /// Earlier damaged databases kept in the data dir.
    #[serde(with = "crate::core::path_serde::many")]
    pub kept_damaged: Vec<PathBuf>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Problem {
    #[serde(with = "crate::core::path_serde")]
    pub file: PathBuf,
    pub what: String,
}

/// Checks `dir`'s database and journal, repairing nothing.
pub(super) fn check(dir: &Path) -> Result<Health> {
    let journal_path = dir.join(JOURNAL_FILE);
    let contents: Contents = journal::read(&journal_path)?;
    let mut health = Health {
        journal: journal_path.clone(),
        journal_ratings: contents.ratings.values().filter(|s| **s > 0).count(),
        journal_plays: contents.plays.len(),
        journal_reco_events: contents.reco.len(),
        journal_readings: contents.readings.len(),
        ..Health::default()
    };
    let mut problem = |file: &Path, what: String| {
        health.problems.push(Problem {
            file: file.to_path_buf(),
            what,
        })
    };
    if !contents.bad_lines.is_empty() {
        problem(
            &journal_path,
            format!("damaged lines {:?}", contents.bad_lines),
        );
    }
    let db_path = dir.join("db");
    if let Ok(entries) = fs::read_dir(dir) {
        let mut kept: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("db.damaged-"))
            .map(|e| e.path())
            .collect();
        kept.sort();
        health.kept_damaged = kept;
    }
    if !db_path.exists() {
        if !contents.is_empty() {
            problem(&db_path, "is missing, but the journal holds data".into());
        }
        return Ok(health);
    }
    let db = match open_waiting_for_lock(&db_path) {
        Ok(db) => db,
        Err(StoreError::Open { error: source, .. }) => {
            let what = describe_open_error(&db_path, &source);
            problem(&db_path, what);
            return Ok(health);
        }
        Err(e) => return Err(e),
    };
    let (journal, _) = Journal::open(&journal_path)?;
    let store = Store::assemble(db, db_path.clone(), Arc::new(Mutex::new(journal)))?;
    let empty = matches!(store.schema_version(), Ok(None));
    match store.missing(&contents) {
        Ok(m) if empty && m.count() > 0 => problem(
            &db_path,
            format!("opened empty, but the journal holds {}", m.restored()),
        ),
        Ok(m) if m.count() > 0 => problem(&db_path, m.describe()),
        Ok(_) => {}
        Err(e) => problem(&db_path, e.to_string()),
    }
    health.tracks = store.track_count();
    health.ratings = store.ratings().map(|r| r.len()).unwrap_or(0);
    health.plays = store.history_len();
    health.readings = store.readings_len();
    Ok(health)
}
