//! The sled store: one database per data directory holding the library's tracks and skipped
//! files, ratings, play history and the saved queue, behind typed accessors. Called from any
//! thread.
//!
//! [`Store`] is a handle. Cloning it is cheap (sled's `Db` and `Tree` are reference-counted) and
//! it is `Send + Sync`, so the scanner, the player and the UI thread can each hold a clone and
//! call it from their own thread; sled orders concurrent writes itself, so no lock is needed
//! around it. The database stays open until the last clone is dropped.
//!
//! On disk the database is `<data dir>/db`. Its trees (each file documents its own keys):
//! - `meta` (this file): `schema_version` → [`SCHEMA_VERSION`] as a u32, big-endian.
//! - `tracks`, `track_ids` (`tracks.rs`); `skipped` (`skipped.rs`); `ratings` (`ratings.rs`);
//!   `history` (`history.rs`); `state` (`queue.rs`); `reco_events`, `reco_derived` (`events.rs`);
//!   `moods` (`moods.rs`); `loudness` (`loudness.rs`); `readings` (`readings.rs`).
//!
//! Values are JSON unless a file says otherwise. A value or key that cannot be decoded is
//! [`StoreError::Corrupt`], never a panic.
//!
//! Durability: ratings, the play history, emotion readings, the recommender's events and the
//! saved queue are written first to the journal (`journal.rs`, `<data dir>/journal.jsonl`,
//! fsynced) and then to sled; [`Store::set_rating`] and [`Store::save_queue`] also flush sled before returning, the
//! rest sled writes within 500 ms. [`Store::open_reporting`] compares the database with the
//! journal and rebuilds what is missing or damaged (`recovery.rs`), saying what it did. The
//! player makes its writes through [`writer::StoreWriter`], a thread of its own, so that no
//! fsync runs on the UI thread.

pub mod backup;
mod damage;
mod events;
mod health;
mod history;
mod journal;
mod loudness;
mod moods;
mod private_files;
mod queue;
mod ratings;
mod readings;
mod recovery;
mod replay;
mod schema;
mod skipped;
mod tracks;
pub mod writer;

pub use damage::describe_sled;
pub use events::{
    strip_reco_listener_bytes, RecommenderTrees, RECO_EVENTS_PER_CHUNK, RECO_EVENT_BYTES,
};
pub use health::{Health, Problem};
pub use journal::JOURNAL_FILE;
pub use loudness::LoudnessRecord;
pub use moods::MoodRecord;
pub use readings::{journal_listener_data, Forgotten, ReadingRecord};
pub use recovery::{Recovery, Restored};
pub use schema::SCHEMA_VERSION;
pub use skipped::SkippedFile;

use journal::Journal;
use private_files::{restrict_permissions, PrivateUmask};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// What can go wrong in the store. Each variant names the path or key it concerns. None has a
/// `source`: each message already says everything once (sled's and the OS's text cleaned up).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database at {}: {}", path.display(), describe_sled(error))]
    Open { path: PathBuf, error: sled::Error },
    #[error(
        "the database at {} is in use by another mien process: close it or use another \
         --data-dir",
        path.display()
    )]
    InUse { path: PathBuf, error: sled::Error },
    #[error("database error: {}", describe_sled(.0))]
    Sled(sled::Error),
    #[error(
        "database at {} has schema version {found}, but this mien supports up to {supported}: \
         upgrade mien or use another --data-dir",
        path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("corrupt record in the {tree} tree at key {key}: {reason}")]
    Corrupt {
        tree: &'static str,
        key: String,
        reason: String,
    },
    #[error("cannot encode the record for the {tree} tree at key {key}: {error}")]
    Encode {
        tree: &'static str,
        key: String,
        error: serde_json::Error,
    },
    #[error("{}: {}", path.display(), damage::io_text(error))]
    Io { path: PathBuf, error: io::Error },
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> StoreError {
        StoreError::Sled(e)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A handle on the open database. See the module docs for threading and durability.
#[derive(Clone)]
pub struct Store {
    /// `<data dir>/db`, for error messages.
    path: PathBuf,
    db: sled::Db,
    /// Shared by every clone; held across a journalled write so the journal's order is sled's.
    journal: Arc<Mutex<Journal>>,
    meta: sled::Tree,
    tracks: sled::Tree,
    track_ids: sled::Tree,
    skipped: sled::Tree,
    ratings: sled::Tree,
    history: sled::Tree,
    state: sled::Tree,
    moods: sled::Tree,
    loudness: sled::Tree,
    readings: sled::Tree,
}

impl fmt::Debug for Store {
    /// Only the path: sled's own `Debug` prints every tree's contents.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// The journal, whatever a panicking writer left behind (each append is whole or not at all).
fn lock(journal: &Mutex<Journal>) -> MutexGuard<'_, Journal> {
    journal.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Store {
    /// Opens (creating if needed) the database in `dir`, the data directory, as
    /// [`Store::open_reporting`] does; what recovery did goes to the log only. Edges that can
    /// tell the user call `open_reporting`.
    pub fn open(dir: &Path) -> Result<Store> {
        let (store, recovery) = Store::open_reporting(dir)?;
        if let Some(r) = recovery {
            tracing::warn!("{r}");
        }
        Ok(store)
    }

    /// Opens (creating if needed) the database in `dir`, the data directory. `dir` is created
    /// with mode 0700 if missing; everything under `dir/db` is made 0600 (files) or 0700
    /// (directories). Refuses a database written by a newer mien ([`StoreError::NewerSchema`])
    /// and one already open, in this process or another ([`StoreError::InUse`]). A database
    /// that sled refuses, that opens empty or lacking what the journal holds is moved aside and
    /// rebuilt from the journal; the [`Recovery`] says what was done (`None`: nothing was).
    pub fn open_reporting(dir: &Path) -> Result<(Store, Option<Recovery>)> {
        recovery::open(dir)
    }

    /// Moves the database in `dir` aside and rebuilds it from the journal (`mien db rebuild`).
    pub fn rebuild(dir: &Path) -> Result<(Store, Recovery)> {
        recovery::rebuild(dir)
    }

    /// Checks the database in `dir` against its journal, repairing nothing (`mien db check`).
    pub fn check(dir: &Path) -> Result<Health> {
        health::check(dir)
    }

    fn assemble(db: sled::Db, path: PathBuf, journal: Arc<Mutex<Journal>>) -> Result<Store> {
        Ok(Store {
            meta: db.open_tree(schema::TREE)?,
            tracks: db.open_tree(tracks::TREE)?,
            track_ids: db.open_tree(tracks::ID_TREE)?,
            skipped: db.open_tree(skipped::TREE)?,
            ratings: db.open_tree(ratings::TREE)?,
            history: db.open_tree(history::TREE)?,
            state: db.open_tree(queue::TREE)?,
            moods: db.open_tree(moods::TREE)?,
            loudness: db.open_tree(loudness::TREE)?,
            readings: db.open_tree(readings::TREE)?,
            journal,
            db,
            path,
        })
    }

    /// The database's own directory, `<data dir>/db`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes every pending change to disk; returns once it is durable.
    pub fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }
}

/// How long `open` waits for a lock held by a store that is closing.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Opens sled, retrying for up to `LOCK_WAIT` while the lock is held: a store dropped a moment
/// ago (in this process, or a mien that is quitting) releases its lock only once sled's
/// background threads have stopped. A lock still held after that is [`StoreError::InUse`].
fn open_waiting_for_lock(path: &Path) -> Result<sled::Db> {
    let started = std::time::Instant::now();
    loop {
        let opened = {
            let _umask = PrivateUmask::set();
            sled::Config::new().path(path).open()
        };
        match opened.map_err(|source| open_error(path, source)) {
            Err(StoreError::InUse { .. }) if started.elapsed() < LOCK_WAIT => {
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            other => return other,
        }
    }
}

/// Sorts a sled open error: a lock held elsewhere becomes [`StoreError::InUse`].
fn open_error(path: &Path, source: sled::Error) -> StoreError {
    // sled 0.34 reports a failed `flock` as an `Other` io error whose message starts with
    // "could not acquire lock"; the `WouldBlock` check covers versions that pass it through.
    let locked = match &source {
        sled::Error::Io(e) => {
            e.kind() == io::ErrorKind::WouldBlock
                || e.to_string().contains("could not acquire lock")
        }
        _ => false,
    };
    let path = path.to_path_buf();
    if locked {
        StoreError::InUse {
            path,
            error: source,
        }
    } else {
        StoreError::Open {
            path,
            error: source,
        }
    }
}

fn io_error(path: &Path, source: io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        error: source,
    }
}

/// The key of a path-keyed tree: the path's bytes as the OS gives them.
fn path_key(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// A key as shown in errors: binary keys (track ids, history stamps) as hex, the others (paths,
/// names) as lossy text.
fn show_key(tree: &'static str, key: &[u8]) -> String {
    if [
        tracks::ID_TREE,
        ratings::TREE,
        history::TREE,
        moods::TREE,
        loudness::TREE,
        readings::TREE,
    ]
    .contains(&tree)
    {
        key.iter().map(|b| format!("{b:02x}")).collect()
    } else {
        String::from_utf8_lossy(key).into_owned()
    }
}

fn corrupt(tree: &'static str, key: &[u8], reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        tree,
        key: show_key(tree, key),
        reason: reason.into(),
    }
}

fn encode<T: Serialize>(tree: &'static str, key: &[u8], value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|error| StoreError::Encode {
        tree,
        key: show_key(tree, key),
        error,
    })
}

fn decode<T: DeserializeOwned>(tree: &'static str, key: &[u8], bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| corrupt(tree, key, e.to_string()))
}

/// A `TrackId` key: exactly 8 big-endian bytes.
fn decode_track_id(tree: &'static str, key: &[u8]) -> Result<crate::core::TrackId> {
    let bytes: [u8; 8] = key
        .try_into()
        .map_err(|_| corrupt(tree, key, format!("key is {} bytes, not 8", key.len())))?;
    Ok(crate::core::TrackId(u64::from_be_bytes(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    pub(super) fn open_temp() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open store");
        (dir, store)
    }

    #[test]
    fn store_is_clone_send_and_sync() {
        fn assert_shareable<T: Clone + Send + Sync + 'static>() {}
        assert_shareable::<Store>();
    }

    #[test]
    fn open_creates_missing_data_dir_with_mode_0700() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("a").join("data");
        let store = Store::open(&dir).expect("open");
        assert_eq!(store.path(), dir.join("db"));
        let mode = fs::metadata(&dir).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }

    #[test]
    fn opening_an_open_database_again_says_it_is_in_use() {
        let (dir, _store) = open_temp();
        let err = Store::open(dir.path()).expect_err("second open must fail");
        assert!(matches!(err, StoreError::InUse { .. }), "{err:?}");
        assert!(err
            .to_string()
            .contains("is in use by another mien process"));
    }

    #[test]
    fn show_key_prints_binary_keys_as_hex_and_others_as_text() {
        assert_eq!(show_key(tracks::TREE, b"/m/a.flac"), "/m/a.flac");
        assert_eq!(show_key(queue::TREE, b"queue"), "queue");
        assert_eq!(show_key(ratings::TREE, &[0, 0xab]), "00ab");
    }

    #[test]
    fn a_track_id_key_of_the_wrong_length_is_corrupt() {
        let err = decode_track_id(ratings::TREE, &[1, 2, 3]).expect_err("3 bytes");
        assert!(matches!(
            err,
            StoreError::Corrupt {
                tree: "ratings",
                ..
            }
        ));
    }
}
