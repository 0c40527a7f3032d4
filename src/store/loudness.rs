//! Measured loudness: the `loudness` tree, so that an unchanged file is measured once.
//!
//! Keys:
//! - `loudness`: the [`TrackId`] as 8 big-endian bytes → a JSON [`LoudnessRecord`]: the EBU R128
//!   integrated loudness, the ReplayGain 2.0 track gain and the sample peak, with the file's
//!   size and mtime (ns) when it was measured. [`Store::fresh_loudness`] returns a record only
//!   while both still match.

use serde::{Deserialize, Serialize};

use super::{decode, encode, Result, Store};
use crate::core::TrackId;

pub(super) const TREE: &str = "loudness";

/// One file's measured loudness. Plain data: the store does not depend on the meter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoudnessRecord {
    pub size: u64,
    pub mtime_ns: i128,
    /// Integrated loudness in LUFS; `None` for silence.
    pub integrated_lufs: Option<f64>,
    /// The gain to −18 LUFS in dB; `None` for silence.
    pub gain_db: Option<f32>,
    pub peak: f32,
    /// When it was measured, ms since the epoch.
    pub measured_at_ms: u64,
}

impl Store {
    /// Stores (replacing) the loudness of a track.
    pub fn set_loudness(&self, id: TrackId, record: &LoudnessRecord) -> Result<()> {
        let key = id.to_be_bytes();
        self.loudness.insert(key, encode(TREE, &key, record)?)?;
        Ok(())
    }

    /// The track's loudness, measured from the file as it is now (same size and mtime).
    pub fn fresh_loudness(
        &self,
        id: TrackId,
        size: u64,
        mtime_ns: i128,
    ) -> Result<Option<LoudnessRecord>> {
        let key = id.to_be_bytes();
        let record: Option<LoudnessRecord> = self
            .loudness
            .get(key)?
            .map(|value| decode(TREE, &key, &value))
            .transpose()?;
        Ok(record.filter(|r| r.size == size && r.mtime_ns == mtime_ns))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::open_temp;
    use super::*;

    #[test]
    fn a_loudness_is_fresh_only_for_the_same_size_and_mtime() {
        let (_dir, store) = open_temp();
        let r = LoudnessRecord {
            size: 10,
            mtime_ns: 5,
            integrated_lufs: Some(-14.2),
            gain_db: Some(-3.8),
            peak: 0.9,
            measured_at_ms: 1,
        };
        store.set_loudness(TrackId(3), &r).unwrap();
        assert_eq!(store.fresh_loudness(TrackId(3), 10, 5).unwrap(), Some(r));
        assert_eq!(store.fresh_loudness(TrackId(3), 11, 5).unwrap(), None);
        assert_eq!(store.fresh_loudness(TrackId(4), 10, 5).unwrap(), None);
    }
}
