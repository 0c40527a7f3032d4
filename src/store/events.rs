//! The recommender's trees (owned and laid out by `crate::recommend::persist`, which documents
//! their keys): `reco_events`, the append-only listening-event log, and `reco_derived`, the tables
//! derived from it. The store opens them, journals each event before the log takes it, and
//! rebuilds the log from the journal (it knows the log's chunking for that), and removes the
//! listener's emotion from the events of a span on `mien forget --reco` (it knows where an event
//! keeps its time and the listener's emotion for that, checked by `recommend::signals`' tests).

use super::journal::reco_record;
use super::{lock, Result, Store, StoreError};

pub(super) const EVENTS_TREE: &str = "reco_events";
pub(super) const DERIVED_TREE: &str = "reco_derived";
/// Events per key of `reco_events` (the key is the chunk number, u64 big-endian).
pub const RECO_EVENTS_PER_CHUNK: u64 = 32;
/// Bytes of one encoded event.
pub const RECO_EVENT_BYTES: usize = 42;

/// Where an encoded event keeps its time (u64 little-endian), its kind (1: a finished track),
/// the finished track's change of listener valence (f32) and the listener's valence and arousal
/// (2 × f32); NaN is "none".
pub const RECO_EVENT_AT_MS: std::ops::Range<usize> = 1..9;
pub const RECO_EVENT_FINISHED: u8 = 1;
pub const RECO_EVENT_VALENCE_CHANGE: std::ops::Range<usize> = 21..25;
pub const RECO_EVENT_LISTENER: std::ops::Range<usize> = 26..34;

/// The event's time, if it is an event.
pub(super) fn reco_event_at(event: &[u8]) -> Option<u64> {
    let bytes: [u8; 8] = event.get(RECO_EVENT_AT_MS)?.try_into().ok()?;
    (event.len() == RECO_EVENT_BYTES).then_some(u64::from_le_bytes(bytes))
}

/// Removes the listener's emotion (and a finished track's valence change) from an encoded
/// event; `true` if it held any.
pub fn strip_reco_listener_bytes(event: &mut [u8]) -> bool {
    if event.len() != RECO_EVENT_BYTES {
        return false;
    }
    let nan = f32::NAN.to_le_bytes();
    let mut fields = vec![RECO_EVENT_LISTENER.start, RECO_EVENT_LISTENER.start + 4];
    if event[0] == RECO_EVENT_FINISHED {
        fields.push(RECO_EVENT_VALENCE_CHANGE.start);
    }
    let mut held = false;
    for at in fields {
        let f = f32::from_le_bytes([event[at], event[at + 1], event[at + 2], event[at + 3]]);
        held |= f.is_finite();
        event[at..at + 4].copy_from_slice(&nan);
    }
    held
}

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

impl Store {
    /// How many logged events with `from_ms <= at_ms < to_ms` hold the listener's emotion.
    pub fn reco_events_with_listener(&self, from_ms: u64, to_ms: u64) -> Result<usize> {
        let mut n = 0;
        for entry in self.db.open_tree(EVENTS_TREE)?.iter() {
            let (_, value) = entry?;
            for event in value.chunks_exact(RECO_EVENT_BYTES) {
                let mut copy = event.to_vec();
                if reco_event_at(event).is_some_and(|at| (from_ms..to_ms).contains(&at))
                    && strip_reco_listener_bytes(&mut copy)
                {
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    /// Strips the listener's emotion from the logged events with `from_ms <= at_ms < to_ms`
    /// (not journalled: the journal's `Forget` line does the same on reading) and drops the
    /// derived tables' checkpoint, so the recommender rebuilds them from the log on its next
    /// start. Returns how many events held an emotion.
    pub(super) fn strip_reco_listener(&self, from_ms: u64, to_ms: u64) -> Result<usize> {
        let tree = self.db.open_tree(EVENTS_TREE)?;
        let mut stripped = 0;
        for entry in tree.iter() {
            let (key, value) = entry?;
            let mut chunk = value.to_vec();
            let mut changed = false;
            for event in chunk.chunks_exact_mut(RECO_EVENT_BYTES) {
                if reco_event_at(event).is_some_and(|at| (from_ms..to_ms).contains(&at))
                    && strip_reco_listener_bytes(event)
                {
                    stripped += 1;
                    changed = true;
                }
            }
            if changed {
                tree.insert(key, chunk)?;
            }
        }
        // Always, so that a forget finished after a crash drops them too.
        self.db.open_tree(DERIVED_TREE)?.remove(b"meta")?;
        Ok(stripped)
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
