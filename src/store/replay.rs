//! The database against the journal: what the database lacks, adding it back, rebuilding every
//! journalled tree from scratch, and the database's listener data as journal records (the first
//! journal of a database made before journals existed). Writes here bypass the journal: they
//! restore what it already holds.

use super::journal::{reco_record, Contents, Record};
use super::recovery::{Missing, Restored};
use super::{ReadingRecord, Result, Store};
use crate::core::{PlayRecord, Rating, TrackId};
use std::collections::HashMap;

/// A play as a comparable key (records are compared whole).
fn play_key(p: &PlayRecord) -> String {
    json_key(p)
}

/// A record as a comparable key: its JSON.
fn json_key<T: serde::Serialize>(r: &T) -> String {
    serde_json::to_string(r).unwrap_or_default()
}

impl Store {
    /// The journal's records this database lacks (or holds differently). A record that cannot
    /// be decoded counts as lacking (the journal's copy replaces it); only sled's own errors
    /// are errors here.
    pub(super) fn missing(&self, journal: &Contents) -> Result<Missing> {
        let mut have: HashMap<TrackId, u8> = HashMap::new();
        for entry in self.ratings.iter() {
            let (key, value) = entry?;
            if let (Ok(key), [stars]) = (<[u8; 8]>::try_from(key.as_ref()), value.as_ref()) {
                have.insert(TrackId(u64::from_be_bytes(key)), *stars);
            }
        }
        let mut ratings: Vec<_> = journal
            .ratings
            .iter()
            .filter(|(id, stars)| have.get(id).copied().unwrap_or(0) != **stars)
            .map(|(id, stars)| (*id, *stars))
            .collect();
        ratings.sort();
        let mut plays = Vec::new();
        if self.history_len() < journal.plays.len() {
            let mut counts: HashMap<String, usize> = HashMap::new();
            for entry in self.history.iter() {
                let (_, value) = entry?;
                if let Ok(p) = serde_json::from_slice::<PlayRecord>(&value) {
                    *counts.entry(play_key(&p)).or_default() += 1;
                }
            }
            for p in &journal.plays {
                match counts.get_mut(&play_key(p)) {
                    Some(n) if *n > 0 => *n -= 1,
                    _ => plays.push(p.clone()),
                }
            }
        }
        let mut readings = Vec::new();
        if self.readings_len() < journal.readings.len() {
            let mut counts: HashMap<String, usize> = HashMap::new();
            for entry in self.readings.iter() {
                let (_, value) = entry?;
                if let Ok(r) = serde_json::from_slice::<ReadingRecord>(&value) {
                    *counts.entry(json_key(&r)).or_default() += 1;
                }
            }
            for r in &journal.readings {
                match counts.get_mut(&json_key(r)) {
                    Some(n) if *n > 0 => *n -= 1,
                    _ => readings.push(r.clone()),
                }
            }
        }
        let stored = self.reco_event_count()? as usize;
        let reco = journal.reco.get(stored..).unwrap_or_default().to_vec();
        let queue = match (&journal.queue, self.load_queue()) {
            (Some(q), Ok(Some(have))) if *q == have => None,
            (q, _) => q.clone(),
        };
        Ok(Missing {
            ratings,
            plays,
            reco,
            queue,
            readings,
        })
    }

    /// Writes what [`Store::missing`] found back into the database, and flushes.
    pub(super) fn add_missing(&self, missing: &Missing) -> Result<()> {
        for (id, stars) in &missing.ratings {
            self.put_rating(*id, Rating::new(*stars))?;
        }
        for play in &missing.plays {
            self.put_play(play)?;
        }
        for reading in &missing.readings {
            self.put_reading(reading)?;
        }
        self.put_reco_events(&missing.reco)?;
        if let Some(q) = &missing.queue {
            self.put_queue(q)?;
        }
        self.flush()
    }

    /// Writes every journalled record into this (new, empty) database, and flushes.
    pub(super) fn replay_all(&self, journal: &Contents) -> Result<Restored> {
        let mut restored = Restored::default();
        for (id, stars) in &journal.ratings {
            if let Some(r) = Rating::new(*stars) {
                self.put_rating(*id, Some(r))?;
                restored.ratings += 1;
            }
        }
        for play in &journal.plays {
            self.put_play(play)?;
        }
        restored.plays = journal.plays.len();
        for reading in &journal.readings {
            self.put_reading(reading)?;
        }
        restored.readings = journal.readings.len();
        self.put_reco_events(&journal.reco)?;
        restored.reco_events = journal.reco.len();
        if let Some(q) = &journal.queue {
            self.put_queue(q)?;
            restored.queue = true;
        }
        self.flush()?;
        Ok(restored)
    }

    /// The database's listener data as journal records; entries that cannot be read are left
    /// out (and logged).
    pub(super) fn live_records(&self) -> Vec<Record> {
        let mut out = Vec::new();
        let warn = |what: &str, e: &dyn std::fmt::Display| {
            tracing::warn!(error = %e, "cannot copy the {what} into the journal");
        };
        match self.ratings() {
            Ok(all) => out.extend(all.into_iter().map(|(track, r)| Record::Rating {
                track,
                stars: r.stars(),
            })),
            Err(e) => warn("ratings", &e),
        }
        match self.history(None) {
            Ok(all) => out.extend(all.into_iter().map(|play| Record::Play { play })),
            Err(e) => warn("history", &e),
        }
        match self.readings(0, u64::MAX) {
            Ok(all) => out.extend(all.into_iter().map(|reading| Record::Reading { reading })),
            Err(e) => warn("emotion readings", &e),
        }
        match self.reco_events_raw() {
            Ok(all) => out.extend(all.iter().map(|e| reco_record(e))),
            Err(e) => warn("recommender events", &e),
        }
        match self.load_queue() {
            Ok(Some(queue)) => out.push(Record::Queue { queue }),
            Ok(None) => {}
            Err(e) => warn("queue", &e),
        }
        out
    }
}
