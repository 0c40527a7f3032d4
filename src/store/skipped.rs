//! Files the scanner could not use: the `skipped` tree, so an unchanged skipped file is not
//! probed again on rescan and `mien scan --json` can list every one with its reason.
//!
//! Keys:
//! - `skipped`: the path's bytes (`OsStr::as_encoded_bytes`) → the [`SkippedFile`] as JSON.
//!
//! A path is normally either a track or skipped; keeping it so (removing the skipped entry when
//! the file becomes a track, and the reverse) is the scanner's job.

use super::{decode, encode, path_key, Result, Store};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub(super) const TREE: &str = "skipped";

/// A file the scanner skipped, with the size and modification time it had then: if both are
/// unchanged at the next scan, the file is skipped again without being read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SkippedFile {
    #[serde(with = "crate::core::path_serde")]
    pub path: PathBuf,
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch (as in [`crate::core::Track`]).
    pub mtime_ns: i128,
    /// Why the file was skipped, for people: "not an audio file", "unsupported codec: opus".
    pub reason: String,
}

impl Store {
    /// Records (or replaces) the skipped file at `file.path`.
    pub fn put_skipped(&self, file: &SkippedFile) -> Result<()> {
        let key = path_key(&file.path);
        self.skipped.insert(key, encode(TREE, key, file)?)?;
        Ok(())
    }

    /// The skipped file recorded for `path`, if any.
    pub fn skipped(&self, path: &Path) -> Result<Option<SkippedFile>> {
        let key = path_key(path);
        self.skipped
            .get(key)?
            .map(|value| decode(TREE, key, &value))
            .transpose()
    }

    /// Forgets the skipped file at `path`; `true` if there was one.
    pub fn remove_skipped(&self, path: &Path) -> Result<bool> {
        Ok(self.skipped.remove(path_key(path))?.is_some())
    }

    /// Every skipped file, in path-byte order.
    pub fn all_skipped(&self) -> Result<Vec<SkippedFile>> {
        self.skipped
            .iter()
            .map(|entry| {
                let (key, value) = entry?;
                decode(TREE, &key, &value)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::open_temp;
    use super::super::StoreError;
    use super::*;

    fn skipped(path: &str) -> SkippedFile {
        SkippedFile {
            path: PathBuf::from(path),
            size: 10,
            mtime_ns: -5,
            reason: "not an audio file".into(),
        }
    }

    #[test]
    fn put_skipped_is_listed_and_found_until_removed() {
        let (_dir, store) = open_temp();
        let b = skipped("/m/b.txt");
        let a = skipped("/m/a.jpg");
        store.put_skipped(&b).expect("put");
        store.put_skipped(&a).expect("put");
        assert_eq!(
            store.all_skipped().expect("all"),
            vec![a.clone(), b.clone()]
        );
        assert_eq!(store.skipped(&a.path).expect("get"), Some(a.clone()));
        assert!(store.remove_skipped(&a.path).expect("remove"));
        assert!(!store.remove_skipped(&a.path).expect("remove again"));
        assert_eq!(store.all_skipped().expect("all"), vec![b]);
    }

    #[test]
    fn put_skipped_replaces_the_entry_for_the_same_path() {
        let (_dir, store) = open_temp();
        let mut s = skipped("/m/a.ogg");
        store.put_skipped(&s).expect("put");
        s.reason = "unsupported codec: opus".into();
        store.put_skipped(&s).expect("put");
        assert_eq!(store.all_skipped().expect("all"), vec![s]);
    }

    #[test]
    fn an_undecodable_skipped_entry_is_corrupt() {
        let (_dir, store) = open_temp();
        store.skipped.insert("/m/x", "[]").expect("insert");
        assert!(matches!(
            store.all_skipped(),
            Err(StoreError::Corrupt {
                tree: "skipped",
                ..
            })
        ));
    }
}
