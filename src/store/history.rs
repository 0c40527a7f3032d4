//! The play history: the `history` tree, one entry per play event, oldest first.
//!
//! Keys:
//! - `history`: `at_ms` as 8 big-endian bytes ++ a sequence number from `Db::generate_id` as 8
//!   big-endian bytes → the [`PlayRecord`] as JSON. Iteration order is chronological, and two
//!   events in the same millisecond get different keys, so both are kept (in recording order).

use super::journal::Record;
use super::{decode, encode, lock, Result, Store};
use crate::core::PlayRecord;

pub(super) const TREE: &str = "history";

fn history_key(at_ms: u64, seq: u64) -> [u8; 16] {
    let mut key = [0; 16];
    key[..8].copy_from_slice(&at_ms.to_be_bytes());
    key[8..].copy_from_slice(&seq.to_be_bytes());
    key
}

impl Store {
    /// Appends one play event: journalled (fsynced) first, then into the tree, which sled
    /// writes within half a second (the journal is what makes it durable).
    pub fn record_play(&self, record: &PlayRecord) -> Result<()> {
        let mut journal = lock(&self.journal);
        journal.append(&[Record::Play {
            play: record.clone(),
        }])?;
        self.put_play(record)?;
        journal.compact_if_due();
        Ok(())
    }

    /// Adds a play to the tree only (the journal already holds it).
    pub(super) fn put_play(&self, record: &PlayRecord) -> Result<()> {
        let key = history_key(record.at_ms, self.db.generate_id()?);
        self.history.insert(key, encode(TREE, &key, record)?)?;
        Ok(())
    }

    /// The newest `limit` events (all of them with `None`), oldest first. With a limit, reads
    /// only those entries, from the end of the tree.
    pub fn history(&self, limit: Option<usize>) -> Result<Vec<PlayRecord>> {
        let decode_entry = |entry: sled::Result<(sled::IVec, sled::IVec)>| {
            let (key, value) = entry?;
            decode(TREE, &key, &value)
        };
        match limit {
            None => self.history.iter().map(decode_entry).collect(),
            Some(limit) => {
                let mut newest = self
                    .history
                    .iter()
                    .rev()
                    .take(limit)
                    .map(decode_entry)
                    .collect::<Result<Vec<PlayRecord>>>()?;
                newest.reverse();
                Ok(newest)
            }
        }
    }

    /// How many events are stored. sled counts by iterating, so this is linear in the history.
    pub fn history_len(&self) -> usize {
        self.history.len()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::open_temp;
    use super::super::StoreError;
    use super::*;
    use crate::core::{PlayOutcome, TrackId};
    use std::path::PathBuf;

    fn play(at_ms: u64, n: u64) -> PlayRecord {
        PlayRecord {
            at_ms,
            track: TrackId(n),
            path: PathBuf::from(format!("/m/{n}.flac")),
            outcome: PlayOutcome::Completed,
            position_ms: n,
        }
    }

    #[test]
    fn history_is_chronological_whatever_the_recording_order() {
        let (_dir, store) = open_temp();
        for (at, n) in [(300, 3), (100, 1), (200, 2)] {
            store.record_play(&play(at, n)).expect("record");
        }
        let order: Vec<u64> = store
            .history(None)
            .expect("history")
            .iter()
            .map(|r| r.at_ms)
            .collect();
        assert_eq!(order, [100, 200, 300]);
        assert_eq!(store.history_len(), 3);
    }

    #[test]
    fn history_limit_returns_the_newest_entries_oldest_first() {
        let (_dir, store) = open_temp();
        for n in 1..=5 {
            store.record_play(&play(n * 10, n)).expect("record");
        }
        let newest = store.history(Some(2)).expect("history");
        assert_eq!(newest, vec![play(40, 4), play(50, 5)]);
        assert!(store.history(Some(0)).expect("history").is_empty());
        assert_eq!(store.history(Some(99)).expect("history").len(), 5);
    }

    #[test]
    fn two_events_in_the_same_millisecond_are_both_kept_in_order() {
        let (_dir, store) = open_temp();
        store.record_play(&play(1_000, 1)).expect("record");
        store.record_play(&play(1_000, 2)).expect("record");
        assert_eq!(
            store.history(None).expect("history"),
            vec![play(1_000, 1), play(1_000, 2)]
        );
    }

    #[test]
    fn an_undecodable_history_entry_is_corrupt_with_a_hex_key() {
        let (_dir, store) = open_temp();
        store
            .history
            .insert(history_key(1, 2), "nope")
            .expect("insert");
        match store.history(Some(1)) {
            Err(StoreError::Corrupt { tree, key, .. }) => {
                assert_eq!(tree, "history");
                assert_eq!(key, "00000000000000010000000000000002");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }
}
