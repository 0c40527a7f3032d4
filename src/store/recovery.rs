//! Opening the store without ever starting silently empty: sled's own errors, and a database
//! lacking what the journal holds, are damage; damaged files are moved to
//! `<data dir>/db.damaged-<time>/` (nothing is deleted) and the database is rebuilt from the
//! journal. What was done comes back as a [`Recovery`] for the edges to show. Runs on the thread
//! calling `Store::open_reporting` or `Store::rebuild`.

use super::damage::{describe_open_error, move_aside, utc_stamp};
use super::journal::{self, Journal, JOURNAL_FILE};
use super::{io_error, open_waiting_for_lock, restrict_permissions, Result, Store, StoreError};
use std::fmt;
use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A database lacking at most this many of the journal's records was cut short by a crash
/// (each writer has at most one write in flight); more is damage.
const CRASH_SLACK: usize = 4;

/// What opening the store had to do. Shown to the user as one line (its `Display`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recovery {
    /// What was wrong, naming the file; `None` when the database only lacked a write cut short,
    /// or was rebuilt on request.
    pub damage: Option<String>,
    /// Where the old database went.
    pub moved_to: Option<PathBuf>,
    /// The database was rebuilt from the journal (else only the missing records were added).
    pub rebuilt: bool,
    pub restored: Restored,
    /// Damaged journal lines skipped (1-based), and the copy of the journal as it was.
    pub journal_damage: Option<(Vec<usize>, PathBuf)>,
    pub journal: PathBuf,
}

/// How much came back from the journal.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Restored {
    pub ratings: usize,
    pub plays: usize,
    pub reco_events: usize,
    pub queue: bool,
    pub readings: usize,
}

impl Restored {
    fn total(&self) -> usize {
        self.ratings + self.plays + self.reco_events + self.readings
    }
}

impl fmt::Display for Restored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut parts = Vec::new();
        if self.ratings > 0 {
            parts.push(plural(self.ratings, "rating", "ratings"));
        }
        if self.plays > 0 {
            parts.push(plural(self.plays, "play", "plays"));
        }
        if self.reco_events > 0 {
            parts.push(plural(
                self.reco_events,
                "recommender event",
                "recommender events",
            ));
        }
        if self.readings > 0 {
            parts.push(plural(self.readings, "emotion reading", "emotion readings"));
        }
        if self.queue {
            parts.push("the saved queue".into());
        }
        match parts.len() {
            0 => f.write_str("nothing (the journal was empty)"),
            1 => f.write_str(&parts[0]),
            n => write!(f, "{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
        }
    }
}

impl fmt::Display for Recovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let journal = self.journal.display();
        let mut sep = "";
        if self.rebuilt {
            if let Some(damage) = &self.damage {
                write!(f, "{damage}: ")?;
            }
            match &self.moved_to {
                Some(to) if self.damage.is_some() => {
                    write!(f, "moved it to {} and rebuilt", to.display())?
                }
                Some(to) => write!(f, "moved the database to {} and rebuilt", to.display())?,
                None => f.write_str("rebuilt")?,
            }
            write!(f, " {} from {journal}", self.restored)?;
            if self.damage.is_some() {
                f.write_str("; run `mien scan` to list the library again")?;
            }
            sep = "; ";
        } else if self.restored.total() > 0 || self.restored.queue {
            write!(
                f,
                "restored {} the database lacked (a write cut short) from {journal}",
                self.restored
            )?;
            sep = "; ";
        }
        if let Some((lines, copy)) = &self.journal_damage {
            let shown: Vec<String> = lines.iter().take(5).map(|n| n.to_string()).collect();
            let more = if lines.len() > 5 { ", ..." } else { "" };
            write!(
                f,
                "{sep}{journal}: skipped damaged line(s) {}{more} (the journal as it was is kept in {})",
                shown.join(", "),
                copy.display()
            )?;
        }
        Ok(())
    }
}

/// The journal records a database lacks.
#[derive(Default)]
pub(super) struct Missing {
    pub ratings: Vec<(crate::core::TrackId, u8)>,
    pub plays: Vec<crate::core::PlayRecord>,
    pub reco: Vec<Vec<u8>>,
    pub queue: Option<crate::core::SavedQueue>,
    pub readings: Vec<super::ReadingRecord>,
}

impl Missing {
    pub fn count(&self) -> usize {
        self.ratings.len() + self.plays.len() + self.reco.len() + self.readings.len()
    }

    pub fn restored(&self) -> Restored {
        Restored {
            ratings: self.ratings.len(),
            plays: self.plays.len(),
            reco_events: self.reco.len(),
            queue: self.queue.is_some(),
            readings: self.readings.len(),
        }
    }

    /// "lacks 3 ratings and 2 plays that the journal holds".
    pub fn describe(&self) -> String {
        format!("lacks {} that the journal holds", self.restored())
    }
}

pub(super) fn make_data_dir(dir: &Path) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| io_error(dir, source))
}

/// `Store::open_reporting`: see the module docs.
pub(super) fn open(dir: &Path) -> Result<(Store, Option<Recovery>)> {
    make_data_dir(dir)?;
    let db_path = dir.join("db");
    let db_existed = db_path.exists();
    let mut rec = Recovery {
        journal: dir.join(JOURNAL_FILE),
        ..Recovery::default()
    };
    let db = match open_waiting_for_lock(&db_path) {
        Ok(db) => db,
        Err(StoreError::Open { error: source, .. }) => {
            rec.damage = Some(describe_open_error(&db_path, &source));
            rec.moved_to = move_aside(dir, &db_path)?;
            open_waiting_for_lock(&db_path)?
        }
        Err(e) => return Err(e),
    };
    // sled's lock is held from here on, so no other mien touches the journal meanwhile.
    let journal_existed = rec.journal.exists();
    let (journal, contents) = Journal::open(&rec.journal)?;
    let journal = Arc::new(Mutex::new(journal));
    restrict_permissions(&db_path)?;
    if !contents.bad_lines.is_empty() {
        let copy = dir.join(format!("journal.damaged-{}.jsonl", utc_stamp()));
        fs::copy(&rec.journal, &copy).map_err(|e| io_error(&copy, e))?;
        super::lock(&journal).replace_with(&contents.records())?;
        rec.journal_damage = Some((contents.bad_lines.clone(), copy));
    }
    let mut store = Store::assemble(db, db_path.clone(), journal.clone())?;
    if rec.damage.is_none() {
        let was_new = matches!(store.schema_version(), Ok(None));
        match store.check_schema() {
            // Another mien's layout is not damage: refused, as before journals.
            Err(e) => return Err(e),
            Ok(()) if !journal_existed => {
                // The first open with a journal: it starts as a copy of the database.
                let records = store.live_records();
                super::lock(&journal).replace_with(&records)?;
                return Ok((store, rec.journal_damage.is_some().then_some(rec)));
            }
            Ok(()) => match store.missing(&contents) {
                Err(e) => rec.damage = Some(format!("{}: {e}", db_path.display())),
                Ok(m) if was_new && !contents.is_empty() => {
                    rec.damage = Some(if db_existed {
                        format!(
                            "{} opened empty, but the journal holds {}",
                            db_path.display(),
                            m.restored()
                        )
                    } else {
                        format!("{} is missing", db_path.display())
                    });
                }
                Ok(m) if m.count() > CRASH_SLACK => {
                    rec.damage = Some(format!("{} {}", db_path.display(), m.describe()));
                }
                Ok(m) => {
                    store.add_missing(&m)?;
                    rec.restored = m.restored();
                }
            },
        }
        // A missing database was just created empty by sled: nothing to keep, it is reused.
        if rec.damage.is_some() && db_existed {
            drop(store);
            rec.moved_to = move_aside(dir, &db_path)?;
            let db = open_waiting_for_lock(&db_path)?;
            store = Store::assemble(db, db_path.clone(), journal)?;
        }
    }
    if rec.damage.is_some() {
        store.check_schema()?;
        rec.restored = store.replay_all(&contents)?;
        rec.rebuilt = true;
    }
    finish_forgets(&store, &contents)?;
    let happened =
        rec.rebuilt || rec.restored != Restored::default() || rec.journal_damage.is_some();
    Ok((store, happened.then_some(rec)))
}

/// A `forget` line in the journal may be a forget cut short by a crash: its span is removed
/// from the database again (nothing happens if it already was) and the journal rewritten without
/// the forgotten lines.
fn finish_forgets(store: &Store, contents: &journal::Contents) -> Result<()> {
    if contents.forgets.is_empty() {
        return Ok(());
    }
    let mut journal = super::lock(&store.journal);
    for f in &contents.forgets {
        let done = store.apply_forget(f)?;
        tracing::info!(
            readings = done.readings,
            "finished forgetting a span of readings"
        );
    }
    journal.replace_with(&contents.records())
}

/// `Store::rebuild`: opens (repairing what needs it), then moves the database aside and
/// rebuilds it from the journal all the same.
pub(super) fn rebuild(dir: &Path) -> Result<(Store, Recovery)> {
    let (store, first) = open(dir)?;
    if let Some(rec) = first.filter(|r| r.rebuilt) {
        return Ok((store, rec));
    }
    let journal = store.journal.clone();
    let db_path = store.path.clone();
    drop(store);
    let mut rec = Recovery {
        journal: dir.join(JOURNAL_FILE),
        moved_to: move_aside(dir, &db_path)?,
        rebuilt: true,
        ..Recovery::default()
    };
    let contents = journal::read(&rec.journal)?;
    let db = open_waiting_for_lock(&db_path)?;
    restrict_permissions(&db_path)?;
    let store = Store::assemble(db, db_path, journal)?;
    store.check_schema()?;
    rec.restored = store.replay_all(&contents)?;
    Ok((store, rec))
}
