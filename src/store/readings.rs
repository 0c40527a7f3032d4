//! The listener's emotion readings: the `readings` tree, one entry per stored reading (a smoothed
//! camera estimate or a mood set by hand), oldest first, and forgetting a span of them.
//!
//! Keys:
//! - `readings`: `at_ms` as 8 big-endian bytes ++ a sequence number from `Db::generate_id` as 8
//!   big-endian bytes → the [`ReadingRecord`] as JSON. Iteration is chronological and a span of
//!   time is one key range.
//!
//! Durability as for plays: journalled (fsynced) first, then into the tree. Forgetting
//! ([`Store::forget`]) is crash-safe in three steps: a `Forget` line is appended to the journal
//! (from then on, reading the journal drops the span's earlier readings, so a rebuild cannot bring
//! them back); the span is removed from the tree (and, if asked, the listener's emotion from the
//! recommender's events in it) and flushed; the journal is rewritten without the span's lines
//! (temp file, fsync, rename). A crash between the steps leaves the `Forget` line, and the next
//! open finishes the job (`recovery.rs`).

use serde::{Deserialize, Serialize};

use super::journal::{Forget, Record};
use super::{decode, encode, lock, Result, Store};
use crate::core::EmotionSource;

pub(super) const TREE: &str = "readings";

/// One stored emotion reading. Plain data: `label` is the most probable FER class's name
/// (`core::EMOTIONS`), `confidence` 0–1 (for the camera, `1 − H(p)/ln 7` of the smoothed
/// probabilities; 1 for a mood set by hand).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReadingRecord {
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
    pub source: EmotionSource,
    pub label: String,
    pub valence: f32,
    pub arousal: f32,
    pub confidence: f32,
}

/// What [`Store::forget`] removed.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Forgotten {
    /// Readings removed from the database (the journal's copies went with them).
    pub readings: usize,
    /// Recommender events whose listener emotion was removed (0 unless asked).
    pub reco_events: usize,
}

fn reading_key(at_ms: u64, seq: u64) -> [u8; 16] {
    let mut key = [0; 16];
    key[..8].copy_from_slice(&at_ms.to_be_bytes());
    key[8..].copy_from_slice(&seq.to_be_bytes());
    key
}

/// The key range of readings with `from_ms <= at_ms < to_ms`.
fn span(from_ms: u64, to_ms: u64) -> std::ops::Range<[u8; 16]> {
    reading_key(from_ms, 0)..reading_key(to_ms, 0)
}

impl Store {
    /// Appends one reading: journalled (fsynced) first, then into the tree.
    pub fn record_reading(&self, reading: &ReadingRecord) -> Result<()> {
        let mut journal = lock(&self.journal);
        journal.append(&[Record::Reading {
            reading: reading.clone(),
        }])?;
        self.put_reading(reading)?;
        journal.compact_if_due();
        Ok(())
    }

    /// Adds a reading to the tree only (the journal already holds it).
    pub(super) fn put_reading(&self, reading: &ReadingRecord) -> Result<()> {
        let key = reading_key(reading.at_ms, self.db.generate_id()?);
        self.readings.insert(key, encode(TREE, &key, reading)?)?;
        Ok(())
    }

    /// The readings with `from_ms <= at_ms < to_ms`, oldest first.
    pub fn readings(&self, from_ms: u64, to_ms: u64) -> Result<Vec<ReadingRecord>> {
        self.readings
            .range(span(from_ms, to_ms))
            .map(|entry| {
                let (key, value) = entry?;
                decode(TREE, &key, &value)
            })
            .collect()
    }

    /// How many readings are stored (linear in their number).
    pub fn readings_len(&self) -> usize {
        self.readings.len()
    }

    /// Deletes the readings with `from_ms <= at_ms < to_ms`, from the database and the journal,
    /// and with `reco_listener` also the listener's emotion from the recommender's events in the
    /// span (the events stay; the recommender's tables are rebuilt from its log on its next
    /// start). Durable when it returns; see the module docs for the order of the steps.
    pub fn forget(&self, from_ms: u64, to_ms: u64, reco_listener: bool) -> Result<Forgotten> {
        let forget = Forget {
            from_ms,
            to_ms,
            reco_listener,
        };
        let mut journal = lock(&self.journal);
        journal.append(&[Record::Forget(forget)])?;
        let done = self.apply_forget(&forget)?;
        journal.compact()?;
        Ok(done)
    }

    /// The tree side of a forget (idempotent): readings in the span removed, recommender events
    /// stripped, then flushed.
    pub(super) fn apply_forget(&self, f: &Forget) -> Result<Forgotten> {
        let mut done = Forgotten::default();
        let keys: Vec<sled::IVec> = self
            .readings
            .range(span(f.from_ms, f.to_ms))
            .keys()
            .collect::<sled::Result<_>>()?;
        for key in keys {
            self.readings.remove(key)?;
            done.readings += 1;
        }
        if f.reco_listener {
            done.reco_events = self.strip_reco_listener(f.from_ms, f.to_ms)?;
        }
        self.flush()?;
        Ok(done)
    }
}

/// The plays and readings in the journal of the data dir `dir`, read without opening the
/// database (so while a player holds it): the journal is appended whole lines at a time and
/// replaced by a rename, so a read sees a consistent copy (a line being written is left out).
pub fn journal_listener_data(
    dir: &std::path::Path,
) -> Result<(Vec<crate::core::PlayRecord>, Vec<ReadingRecord>)> {
    let contents = super::journal::read(&dir.join(super::JOURNAL_FILE))?;
    Ok((contents.plays, contents.readings))
}

#[cfg(test)]
mod tests {
    use super::super::tests::open_temp;
    use super::*;

    pub(crate) fn reading(at_ms: u64, valence: f32) -> ReadingRecord {
        ReadingRecord {
            at_ms,
            source: EmotionSource::Camera,
            label: "happy".into(),
            valence,
            arousal: 0.1,
            confidence: 0.8,
        }
    }

    #[test]
    fn readings_come_back_by_span_in_time_order() {
        let (_dir, store) = open_temp();
        for at in [300, 100, 200, 100] {
            store.record_reading(&reading(at, 0.5)).expect("record");
        }
        let at = |v: Vec<ReadingRecord>| v.iter().map(|r| r.at_ms).collect::<Vec<_>>();
        assert_eq!(
            at(store.readings(0, u64::MAX).expect("all")),
            [100, 100, 200, 300]
        );
        assert_eq!(at(store.readings(100, 300).expect("span")), [100, 100, 200]);
        assert_eq!(store.readings_len(), 4);
    }

    #[test]
    fn forget_removes_exactly_the_span_and_reports_the_count() {
        let (_dir, store) = open_temp();
        for at in [10, 20, 30, 40] {
            store.record_reading(&reading(at, 0.0)).expect("record");
        }
        let done = store.forget(20, 40, false).expect("forget");
        assert_eq!(done.readings, 2);
        let left: Vec<u64> = store
            .readings(0, u64::MAX)
            .expect("all")
            .iter()
            .map(|r| r.at_ms)
            .collect();
        assert_eq!(left, [10, 40]);
        assert_eq!(store.forget(20, 40, false).expect("again").readings, 0);
    }

    #[test]
    fn a_forget_cut_short_after_its_journal_line_is_finished_at_the_next_open() {
        let (dir, store) = open_temp();
        for at in [10, 20, 30] {
            store.record_reading(&reading(at, 0.0)).expect("record");
        }
        // The crash: the `forget` line is in the journal, the tree was not touched.
        lock(&store.journal)
            .append(&[Record::Forget(Forget {
                from_ms: 15,
                to_ms: 25,
                reco_listener: false,
            })])
            .expect("append");
        store.flush().expect("flush");
        drop(store);
        let (store, _) = Store::open_reporting(dir.path()).expect("reopen");
        let at = |s: &Store| -> Vec<u64> {
            s.readings(0, u64::MAX)
                .expect("all")
                .iter()
                .map(|r| r.at_ms)
                .collect()
        };
        assert_eq!(at(&store), [10, 30], "finished in the tree");
        let journal =
            std::fs::read_to_string(dir.path().join(super::super::JOURNAL_FILE)).expect("journal");
        assert!(!journal.contains("\"forget\""), "compacted away: {journal}");
        assert_eq!(journal.matches("\"t\":\"reading\"").count(), 2, "{journal}");
        drop(store);
        let (store, rec) = Store::rebuild(dir.path()).expect("rebuild");
        assert_eq!(rec.restored.readings, 2);
        assert_eq!(at(&store), [10, 30], "a rebuild does not bring it back");
    }

    #[test]
    fn a_journal_read_after_a_forget_line_lacks_the_span_even_before_compaction() {
        let (dir, store) = open_temp();
        for at in [10, 20] {
            store.record_reading(&reading(at, 0.0)).expect("record");
        }
        let f = Forget {
            from_ms: 0,
            to_ms: 15,
            reco_listener: false,
        };
        lock(&store.journal)
            .append(&[Record::Forget(f)])
            .expect("append");
        store
            .record_reading(&reading(12, 0.0))
            .expect("a later reading in the span stays");
        let (_, readings) = journal_listener_data(dir.path()).expect("read");
        let at: Vec<u64> = readings.iter().map(|r| r.at_ms).collect();
        assert_eq!(at, [20, 12]);
    }
}
