//! Cached mood tags: the `moods` tree, so that an unchanged file is never tagged twice.
//!
//! Keys:
//! - `moods`: the [`TrackId`] as 8 big-endian bytes → a JSON [`MoodRecord`]: the tags and mood
//!   together with the file's size and mtime (ns) when it was tagged and the model that tagged
//!   it. [`Store::fresh_mood`] returns a record only while all three still match.

use serde::{Deserialize, Serialize};

use super::{decode, decode_track_id, encode, Result, Store};
use crate::core::TrackId;

pub(super) const TREE: &str = "moods";

/// The tags and mood of one file, as the tagger found them. Plain data: the store does not
/// depend on the tagger; `label` is the mood label's name (`"calm/peaceful"`, ...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MoodRecord {
    /// File size in bytes when tagged.
    pub size: u64,
    /// File modification time (ns since the epoch) when tagged.
    pub mtime_ns: i128,
    /// Which model tagged it (e.g. `musicnn-msd`); another model's record is stale.
    pub model: String,
    /// Every tag with its probability, in the model's order; empty for silence.
    pub tags: Vec<(String, f32)>,
    pub valence: f32,
    pub arousal: f32,
    pub label: String,
    pub confidence: f32,
    /// When it was tagged, ms since the epoch.
    pub tagged_at_ms: u64,
}

impl MoodRecord {
    /// True when this record was made by `model` from a file with this size and mtime.
    pub fn is_fresh(&self, size: u64, mtime_ns: i128, model: &str) -> bool {
        self.size == size && self.mtime_ns == mtime_ns && self.model == model
    }
}

impl Store {
    /// Stores (replacing) the mood record of a track.
    pub fn set_mood(&self, id: TrackId, record: &MoodRecord) -> Result<()> {
        let key = id.to_be_bytes();
        self.moods.insert(key, encode(TREE, &key, record)?)?;
        Ok(())
    }

    /// The track's mood record, fresh or not.
    pub fn mood(&self, id: TrackId) -> Result<Option<MoodRecord>> {
        let key = id.to_be_bytes();
        self.moods
            .get(key)?
            .map(|value| decode(TREE, &key, &value))
            .transpose()
    }

    /// The track's mood record only if it was made by `model` from the file as it is now
    /// (same size and mtime); `None` means the track must be tagged (again).
    pub fn fresh_mood(
        &self,
        id: TrackId,
        size: u64,
        mtime_ns: i128,
        model: &str,
    ) -> Result<Option<MoodRecord>> {
        Ok(self.mood(id)?.filter(|r| r.is_fresh(size, mtime_ns, model)))
    }

    /// Forgets a track's mood (e.g. when the file left the library).
    pub fn remove_mood(&self, id: TrackId) -> Result<()> {
        self.moods.remove(id.to_be_bytes())?;
        Ok(())
    }

    /// Every stored mood record, in track-id order.
    pub fn moods(&self) -> Result<Vec<(TrackId, MoodRecord)>> {
        self.moods
            .iter()
            .map(|entry| {
                let (key, value) = entry?;
                Ok((decode_track_id(TREE, &key)?, decode(TREE, &key, &value)?))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::open_temp;
    use super::super::StoreError;
    use super::*;

    fn record(size: u64, mtime_ns: i128) -> MoodRecord {
        MoodRecord {
            size,
            mtime_ns,
            model: "musicnn-msd".into(),
            tags: vec![("ambient".into(), 0.4), ("sad".into(), 0.1)],
            valence: 0.2,
            arousal: -0.5,
            label: "calm/peaceful".into(),
            confidence: 0.6,
            tagged_at_ms: 1_700_000_000_000,
        }
    }

    #[test]
    fn a_mood_is_fresh_only_for_the_same_size_mtime_and_model() {
        let (_dir, store) = open_temp();
        let id = TrackId(7);
        store.set_mood(id, &record(1000, 42)).expect("set");
        assert_eq!(
            store.fresh_mood(id, 1000, 42, "musicnn-msd").expect("get"),
            Some(record(1000, 42))
        );
        assert_eq!(
            store.fresh_mood(id, 1001, 42, "musicnn-msd").expect("get"),
            None
        );
        assert_eq!(
            store.fresh_mood(id, 1000, 43, "musicnn-msd").expect("get"),
            None
        );
        assert_eq!(store.fresh_mood(id, 1000, 42, "other").expect("get"), None);
        assert_eq!(
            store
                .fresh_mood(TrackId(8), 1000, 42, "musicnn-msd")
                .expect("get"),
            None
        );
    }

    #[test]
    fn moods_are_listed_in_id_order_and_can_be_removed() {
        let (_dir, store) = open_temp();
        store.set_mood(TrackId(9), &record(1, 1)).expect("set");
        store.set_mood(TrackId(2), &record(2, 2)).expect("set");
        let ids: Vec<TrackId> = store
            .moods()
            .expect("all")
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(ids, vec![TrackId(2), TrackId(9)]);
        store.remove_mood(TrackId(2)).expect("remove");
        assert_eq!(store.mood(TrackId(2)).expect("get"), None);
    }

    #[test]
    fn moods_survive_reopening_the_database() {
        let (dir, store) = open_temp();
        store.set_mood(TrackId(3), &record(5, 6)).expect("set");
        store.flush().expect("flush");
        drop(store);
        let store = Store::open(dir.path()).expect("reopen");
        assert_eq!(store.mood(TrackId(3)).expect("get"), Some(record(5, 6)));
    }

    #[test]
    fn an_undecodable_record_is_corrupt_not_a_panic() {
        let (_dir, store) = open_temp();
        store
            .moods
            .insert(TrackId(1).to_be_bytes(), &b"not json"[..])
            .expect("raw insert");
        let err = store.mood(TrackId(1)).expect_err("corrupt");
        assert!(
            matches!(err, StoreError::Corrupt { tree: "moods", .. }),
            "{err:?}"
        );
    }
}
