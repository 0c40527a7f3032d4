//! The schema version in the `meta` tree: written on a new database, checked on every open, and
//! the hook where upgrades of older databases slot in.
//!
//! Keys of the `meta` tree:
//! - `schema_version` → the version the data is laid out in, a u32 in 4 big-endian bytes.

use super::{corrupt, Result, Store, StoreError};

pub(super) const TREE: &str = "meta";
const VERSION_KEY: &[u8] = b"schema_version";

/// The layout of the data this mien reads and writes. Bump it with every change to a tree's keys
/// or values that an older mien could misread, and add the upgrade step to `upgrade_from`.
pub const SCHEMA_VERSION: u32 = 1;

impl Store {
    /// The version stored in `meta`, `None` on a database that has none yet (a new one).
    pub fn schema_version(&self) -> Result<Option<u32>> {
        let Some(bytes) = self.meta.get(VERSION_KEY)? else {
            return Ok(None);
        };
        let bytes: [u8; 4] = bytes.as_ref().try_into().map_err(|_| {
            corrupt(
                TREE,
                VERSION_KEY,
                format!("value is {} bytes, not 4", bytes.len()),
            )
        })?;
        Ok(Some(u32::from_be_bytes(bytes)))
    }

    /// Stamps a new database with [`SCHEMA_VERSION`], refuses a newer one and upgrades an older
    /// one step by step.
    pub(super) fn check_schema(&self) -> Result<()> {
        let Some(found) = self.schema_version()? else {
            self.write_schema_version(SCHEMA_VERSION)?;
            return self.flush();
        };
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: self.path.clone(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        let mut version = found;
        while version < SCHEMA_VERSION {
            version = self.upgrade_from(version)?;
            self.write_schema_version(version)?;
        }
        if found != SCHEMA_VERSION {
            tracing::info!(from = found, to = SCHEMA_VERSION, path = %self.path.display(),
                "upgraded the database schema");
            self.flush()?;
        }
        Ok(())
    }

    /// Upgrades the data from `version` to the next version and returns that version. One arm
    /// per past version; none exist yet. A future arm looks like
    /// `1 => { self.upgrade_1_to_2()?; Ok(2) }`.
    fn upgrade_from(&self, version: u32) -> Result<u32> {
        match version {
            0 => Err(corrupt(
                TREE,
                VERSION_KEY,
                "schema version 0 was never written by any mien",
            )),
            other => Err(corrupt(
                TREE,
                VERSION_KEY,
                format!("no upgrade is known from schema version {other}"),
            )),
        }
    }

    fn write_schema_version(&self, version: u32) -> Result<()> {
        self.meta.insert(VERSION_KEY, &version.to_be_bytes()[..])?;
        Ok(())
    }

    /// Overwrites the stored schema version, so tests can fake a database from another mien.
    #[doc(hidden)]
    pub fn set_schema_version_for_test(&self, version: u32) -> Result<()> {
        self.write_schema_version(version)?;
        self.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::open_temp;
    use super::*;

    #[test]
    fn a_new_database_is_stamped_with_the_current_schema_version() {
        let (_dir, store) = open_temp();
        assert_eq!(store.schema_version().expect("read"), Some(SCHEMA_VERSION));
        let raw = store.meta.get(VERSION_KEY).expect("get").expect("present");
        assert_eq!(raw.as_ref(), SCHEMA_VERSION.to_be_bytes());
    }

    #[test]
    fn a_newer_schema_version_is_refused_with_the_path_in_the_message() {
        let (dir, store) = open_temp();
        store.set_schema_version_for_test(7).expect("set");
        drop(store);
        let err = Store::open(dir.path()).expect_err("newer schema");
        assert!(
            matches!(
                err,
                StoreError::NewerSchema {
                    found: 7,
                    supported: SCHEMA_VERSION,
                    ..
                }
            ),
            "{err:?}"
        );
        let shown = dir.path().join("db").display().to_string();
        assert_eq!(
            err.to_string(),
            format!(
                "database at {shown} has schema version 7, but this mien supports up to 1: \
                 upgrade mien or use another --data-dir"
            )
        );
    }

    #[test]
    fn schema_version_zero_is_corrupt_not_upgraded() {
        let (dir, store) = open_temp();
        store.set_schema_version_for_test(0).expect("set");
        drop(store);
        let err = Store::open(dir.path()).expect_err("version 0");
        assert!(
            matches!(err, StoreError::Corrupt { tree: "meta", .. }),
            "{err:?}"
        );
    }

    #[test]
    fn a_schema_version_of_the_wrong_width_is_corrupt() {
        let (_dir, store) = open_temp();
        store.meta.insert(VERSION_KEY, &[1u8][..]).expect("insert");
        assert!(matches!(
            store.schema_version(),
            Err(StoreError::Corrupt { tree: "meta", .. })
        ));
    }
}
