//! The recommender in sled: the append-only event log (`reco_events`) and checkpoints of the
//! derived tables (`reco_derived`). Run by the thread (or command) that owns the [`RecoStore`].
//!
//! Keys (integers big-endian in keys, little-endian in values):
//! - `reco_events`: chunk number u64 (sequence number / [`EVENTS_PER_CHUNK`]) → up to 32
//!   [`ListenEvent`]s in their 42-byte encoding, in sequence order.
//! - `reco_derived`, one value per table:
//!   - `meta` → the last sequence number the tables include u64 (`u64::MAX`: none) ++ the layout
//!     version u8 ([`DERIVED_VERSION`]);
//!   - `items` → n × (track u64, [`ItemStats`]: plays u32, liked, disliked, norm f32,
//!     last_played_ms u64, rating u8, then its [`StateAffinity`] in each of the 5 states:
//!     sum, count f32);
//!   - `pairs` → n × (track a u64, track b u64, co-consumption dot product f32), a < b;
//!   - `states` → for each of the 5 states, its mood centroid (3 f32) and 3 Beta posteriors
//!     (α, β f32);
//!   - `session` → listener valence, arousal f32 (NaN: none), n u8, n × (track u64, at_ms u64,
//!     weight f32), m u8, m × recent track u64.
//!
//! Why checkpoints and not a row per pair: sled rewrites a page for every changed row, and an
//! early layout with a row per pair written through on every event took 83 MiB of disk for 100k
//! events; whole-table values are stored by sled as blobs that are replaced, not accumulated.
//!
//! Durability: [`RecoStore::append`] writes the event to the store's journal (fsynced), then to
//! the log, and flushes before it returns
//! (an acknowledged event survives kill -9), then applies it to the in-memory model. The tables are
//! checkpointed every [`CHECKPOINT_EVERY`] events and on [`RecoStore::checkpoint`] (the thread
//! calls it on shutdown). On open, events after the checkpoint are replayed from the log; tables
//! that are missing, of another layout or that cannot be decoded are rebuilt from the whole log.

use super::codec::{decode_table, encode_tables};
use super::model::TasteModel;
use super::signals::{ListenEvent, EVENT_BYTES};
use super::RecommendError;
use crate::store::Store;

/// The layout of `reco_derived`; a different stored version means "rebuild from the log".
pub const DERIVED_VERSION: u8 = 3;
/// Events per key of the `reco_events` tree (the store rebuilds the log from its journal with it).
pub const EVENTS_PER_CHUNK: u64 = crate::store::RECO_EVENTS_PER_CHUNK;
const _: () = assert!(EVENT_BYTES == crate::store::RECO_EVENT_BYTES);
/// Events between two checkpoints of the derived tables.
pub const CHECKPOINT_EVERY: u64 = 500;
const TABLES: [&str; 4] = ["items", "pairs", "states", "session"];

type Result<T> = std::result::Result<T, RecommendError>;

/// The open log and derived tables. One owner at a time (the recommender thread).
pub struct RecoStore {
    store: Store,
    events: sled::Tree,
    derived: sled::Tree,
    next_seq: u64,
    /// Events applied since the last checkpoint.
    unsaved: u64,
}

fn chunk_number(key: &[u8]) -> Result<u64> {
    let bytes: [u8; 8] = key.try_into().map_err(|_| RecommendError::BadRecord {
        reason: format!("event chunk key is {} bytes, not 8", key.len()),
    })?;
    Ok(u64::from_be_bytes(bytes))
}

impl RecoStore {
    /// Opens the trees and loads the model: the last checkpoint plus the events after it, or a
    /// rebuild from the whole log when the tables are missing, of another layout or damaged.
    pub fn open(store: &Store) -> Result<(RecoStore, TasteModel)> {
        let trees = store.recommender_trees()?;
        let next_seq = match trees.events.last()? {
            Some((key, value)) => {
                chunk_number(&key)? * EVENTS_PER_CHUNK + (value.len() / EVENT_BYTES) as u64
            }
            None => 0,
        };
        let mut reco = RecoStore {
            store: store.clone(),
            events: trees.events,
            derived: trees.derived,
            next_seq,
            unsaved: 0,
        };
        let model = match reco.load() {
            Ok(Some((mut model, applied))) => {
                for (_, event) in reco.events_from(applied.map_or(0, |a| a + 1))? {
                    model.apply(&event);
                    reco.unsaved += 1;
                }
                if reco.unsaved > 0 {
                    reco.checkpoint(&model)?;
                }
                model
            }
            Ok(None) => reco.rebuild()?,
            Err(e) => {
                tracing::warn!(error = %e, "recommender tables damaged; rebuilding them from the event log");
                reco.rebuild()?
            }
        };
        Ok((reco, model))
    }

    /// Appends an event to the log and flushes (durable when this returns), then applies it to
    /// `model`, checkpointing every [`CHECKPOINT_EVERY`] events. Returns its sequence number.
    pub fn append(&mut self, model: &mut TasteModel, event: &ListenEvent) -> Result<u64> {
        let seq = self.log_only(event)?;
        self.store.flush()?;
        self.applied(model, std::slice::from_ref(event))?;
        Ok(seq)
    }

    /// Appends several events with one flush (group commit): all are durable when this returns.
    pub fn append_all(&mut self, model: &mut TasteModel, events: &[ListenEvent]) -> Result<()> {
        let encoded: Vec<[u8; EVENT_BYTES]> = events.iter().map(ListenEvent::encode).collect();
        let refs: Vec<&[u8]> = encoded.iter().map(|e| &e[..]).collect();
        self.store.journal_reco_events(&refs)?;
        for event in events {
            self.log_raw(event)?;
        }
        self.store.flush()?;
        self.applied(model, events)
    }

    fn applied(&mut self, model: &mut TasteModel, events: &[ListenEvent]) -> Result<()> {
        for event in events {
            model.apply(event);
        }
        self.unsaved += events.len() as u64;
        if self.unsaved >= CHECKPOINT_EVERY {
            self.checkpoint(model)?;
        }
        Ok(())
    }

    /// Adds an event to the journal and the log only (not flushed, model and tables untouched),
    /// as a crash right after the log write would leave it; returns its sequence number. Tests
    /// use it to fake that.
    pub fn log_only(&mut self, event: &ListenEvent) -> Result<u64> {
        self.store.journal_reco_events(&[&event.encode()])?;
        self.log_raw(event)
    }

    /// Adds an event to the log (the journal already holds it).
    fn log_raw(&mut self, event: &ListenEvent) -> Result<u64> {
        let seq = self.next_seq;
        let key = (seq / EVENTS_PER_CHUNK).to_be_bytes();
        let mut chunk = self
            .events
            .get(key)?
            .map(|v| v.to_vec())
            .unwrap_or_default();
        let expected = (seq % EVENTS_PER_CHUNK) as usize * EVENT_BYTES;
        if chunk.len() != expected {
            return Err(RecommendError::BadRecord {
                reason: format!(
                    "event chunk {} is {} bytes, expected {expected}",
                    seq / EVENTS_PER_CHUNK,
                    chunk.len()
                ),
            });
        }
        chunk.extend_from_slice(&event.encode());
        self.events.insert(key, chunk)?;
        self.next_seq += 1;
        Ok(seq)
    }

    /// How many events the log holds.
    pub fn event_count(&self) -> usize {
        self.next_seq as usize
    }

    /// The log's events from sequence number `seq` on, in order.
    pub fn events_from(&self, seq: u64) -> Result<Vec<(u64, ListenEvent)>> {
        let mut out = Vec::new();
        for entry in self.events.range((seq / EVENTS_PER_CHUNK).to_be_bytes()..) {
            let (key, value) = entry?;
            let first = chunk_number(&key)? * EVENTS_PER_CHUNK;
            if value.len() % EVENT_BYTES != 0 {
                return Err(RecommendError::BadRecord {
                    reason: format!(
                        "event chunk {} is {} bytes, not a multiple of {EVENT_BYTES}",
                        first / EVENTS_PER_CHUNK,
                        value.len()
                    ),
                });
            }
            for (i, bytes) in value.chunks_exact(EVENT_BYTES).enumerate() {
                let s = first + i as u64;
                if s >= seq {
                    out.push((s, ListenEvent::decode(bytes)?));
                }
            }
        }
        Ok(out)
    }

    /// Replays the whole log into a fresh model and checkpoints it.
    pub fn rebuild(&mut self) -> Result<TasteModel> {
        let mut model = TasteModel::default();
        for (_, event) in self.events_from(0)? {
            model.apply(&event);
        }
        self.checkpoint(&model)?;
        Ok(model)
    }

    /// Writes every derived table and the sequence number they include, in one atomic batch.
    /// Not flushed: the log is the truth, and sled writes the batch within half a second.
    pub fn checkpoint(&mut self, model: &TasteModel) -> Result<()> {
        let mut batch = sled::Batch::default();
        for (name, value) in TABLES.iter().zip(encode_tables(model)) {
            batch.insert(name.as_bytes(), value);
        }
        let mut meta = self
            .next_seq
            .checked_sub(1)
            .unwrap_or(u64::MAX)
            .to_be_bytes()
            .to_vec();
        meta.push(DERIVED_VERSION);
        batch.insert(&b"meta"[..], meta);
        self.derived.apply_batch(batch)?;
        self.unsaved = 0;
        Ok(())
    }

    /// The model from the last checkpoint and the last sequence number it includes; `None` when
    /// there is no checkpoint (or one of another layout), an error when a table is missing or
    /// damaged.
    fn load(&self) -> Result<Option<(TasteModel, Option<u64>)>> {
        let Some(meta) = self.derived.get(b"meta")? else {
            return Ok(None);
        };
        if meta.len() != 9 || meta[8] != DERIVED_VERSION {
            return Ok(None);
        }
        let applied = chunk_number(&meta[..8])?;
        let mut model = TasteModel::default();
        for name in TABLES {
            let corrupt = |reason: &str| RecommendError::Corrupt {
                tree: "reco_derived",
                key: name.to_string(),
                reason: reason.to_string(),
            };
            let value = self
                .derived
                .get(name)?
                .ok_or_else(|| corrupt("the table is missing"))?;
            decode_table(&mut model, name, &value)
                .ok_or_else(|| corrupt("the table cannot be decoded"))?;
        }
        Ok(Some((model, (applied != u64::MAX).then_some(applied))))
    }
}
