//! The recommender's trees (owned and laid out by `crate::recommend::persist`, which documents
//! their keys): `reco_events`, the append-only listening-event log, and `reco_derived`, the tables
//! derived from it. The store opens them, journals each event before the log takes it, and
//! rebuilds the log from the journal (it knows the log's chunking for that, and only that).

use super::journal::reco_record;
use super::{lock, Result, Store, StoreError};

pub(super) const EVENTS_TREE: &str = "reco_events";
pub(super) const DERIVED_TREE: &str = "reco_derived";
/// Events per key of `reco_events` (the key is the chunk number, u64 big-endian).
pub const RECO_EVENTS_PER_CHUNK: u64 = 32;
/// Bytes of one encoded event.
pub const RECO_EVENT_BYTES: usize = 42;

/// The recommender's two trees in this database.
#[derive(Clone)]
pub struct RecommenderTrees {
    pub events: sled::Tree,
    pub derived: sled::Tree,
}

impl Store {
    /// Opens (creating if needed) the recommender's trees.
    pub fn recommender_trees(&self) -> Result<RecommenderTrees> {
        Ok(RecommenderTrees {
            events: self.db.open_tree(EVENTS_TREE)?,
            derived: self.db.open_tree(DERIVED_TREE)?,
        })
    }

    /// Journals encoded recommender events (one fsync for all): call before adding them to the
    /// log, so an acknowledged event survives a damaged database.
    pub fn journal_reco_events(&self, events: &[&[u8]]) -> Result<()> {
        let records: Vec<_> = events.iter().map(|e| reco_record(e)).collect();
        lock(&self.journal).append(&records)
    }

    /// How many events the log holds.
    pub(super) fn reco_event_count(&self) -> Result<u64> {
        let events = self.db.open_tree(EVENTS_TREE)?;
        Ok(match events.last()? {
            Some((key, value)) => {
                chunk_number(&key)? * RECO_EVENTS_PER_CHUNK
                    + (value.len() / RECO_EVENT_BYTES) as u64
            }
            None => 0,
        })
    }

    /// Every event of the log, in order.
    pub(super) fn reco_events_raw(&self) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        for entry in self.db.open_tree(EVENTS_TREE)?.iter() {
            let (_, value) = entry?;
            out.extend(value.chunks_exact(RECO_EVENT_BYTES).map(<[u8]>::to_vec));
        }
        Ok(out)
    }

    /// Appends events to the log (not journalled, not flushed).
    pub(super) fn put_reco_events(&self, events: &[Vec<u8>]) -> Result<()> {
        let tree = self.db.open_tree(EVENTS_TREE)?;
        let first = self.reco_event_count()?;
        for (seq, event) in (first..).zip(events) {
            let key = (seq / RECO_EVENTS_PER_CHUNK).to_be_bytes();
            let mut chunk = tree.get(key)?.map(|v| v.to_vec()).unwrap_or_default();
            chunk.truncate((seq % RECO_EVENTS_PER_CHUNK) as usize * RECO_EVENT_BYTES);
            chunk.extend_from_slice(event);
            tree.insert(key, chunk)?;
        }
        Ok(())
    }
}

fn chunk_number(key: &[u8]) -> Result<u64> {
    let bytes: [u8; 8] = key.try_into().map_err(|_| StoreError::Corrupt {
        tree: EVENTS_TREE,
        key: super::show_key(EVENTS_TREE, key),
        reason: format!("chunk key is {} bytes, not 8", key.len()),
    })?;
    Ok(u64::from_be_bytes(bytes))
}
