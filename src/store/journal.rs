//! The journal: `<data dir>/journal.jsonl`, an append-only copy of what cannot be rebuilt by a
//! rescan (ratings, play history, emotion readings, recommender events, the saved queue),
//! written and fsynced before sled is. Owned by the [`Store`](super::Store) behind a mutex; read again at every open.
//!
//! Format: one record per line, `CRC JSON\n`, where CRC is the CRC-32 of the JSON text in 8 hex
//! digits and JSON is a [`Record`]. A line whose CRC does not match is damaged and skipped; a last
//! line without its newline was being written when mien stopped (never acknowledged) and is cut
//! off when the journal is opened for writing. The file is 0600.
//!
//! Bounded size: a new rating of a track supersedes its older ones, and a saved queue every older
//! queue. When the superseded bytes outgrow both the live ones and [`COMPACT_MIN_BYTES`], the
//! journal is rewritten with only the live lines (temp file, fsync, rename, fsync of the dir).
//!
//! Forgetting: a `forget` line removes the readings of its span written before it (and with
//! `reco_listener` the listener's emotion from the recommender events of the span), so that
//! whoever reads the journal after it never sees them; `Store::forget` then rewrites the journal
//! without them, and the `forget` line goes too.

use super::events::{reco_event_at, strip_reco_listener_bytes};
use super::private_files::{sync_dir, write_private};
use super::readings::ReadingRecord;
use super::{io_error, Result, StoreError};
use crate::core::{PlayRecord, SavedQueue, TrackId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The journal's file name in the data dir.
pub const JOURNAL_FILE: &str = "journal.jsonl";
/// Superseded bytes below this never trigger a compaction.
pub const COMPACT_MIN_BYTES: u64 = 1 << 20;

/// One journal line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Record {
    /// A track's rating; `stars` 0 is "cleared".
    Rating {
        track: TrackId,
        stars: u8,
    },
    Play {
        play: PlayRecord,
    },
    Queue {
        queue: SavedQueue,
    },
    /// One recommender event in its binary encoding, as hex.
    Reco {
        event: String,
    },
    /// One emotion reading (camera or manual).
    Reading {
        reading: ReadingRecord,
    },
    /// Forget the readings of a span written before this line (see the module docs).
    Forget(Forget),
}

/// A span of readings to forget: `from_ms <= at_ms < to_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forget {
    pub from_ms: u64,
    pub to_ms: u64,
    /// Also strip the listener's emotion from the span's recommender events.
    #[serde(default)]
    pub reco_listener: bool,
}

impl Forget {
    fn covers(&self, at_ms: u64) -> bool {
        (self.from_ms..self.to_ms).contains(&at_ms)
    }
}

/// What a journal holds, replayed in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Contents {
    /// The latest rating of each track the journal names; 0 is "cleared".
    pub ratings: HashMap<TrackId, u8>,
    pub plays: Vec<PlayRecord>,
    pub queue: Option<SavedQueue>,
    pub reco: Vec<Vec<u8>>,
    /// Emotion readings, in journal order, without those a later `forget` line removed.
    pub readings: Vec<ReadingRecord>,
    /// The `forget` lines: their work may be unfinished in the database (a crash after the
    /// line was written), so opening applies them again and compacts.
    pub forgets: Vec<Forget>,
    /// Line length of each of `readings`.
    reading_lens: Vec<u64>,
    /// 1-based numbers of the lines that were damaged (CRC or JSON), skipped.
    pub bad_lines: Vec<usize>,
    /// Bytes of lines a later line supersedes (older ratings of a track, older queues).
    dead_bytes: u64,
    /// Bytes of every complete line.
    total_bytes: u64,
    /// Bytes of the last complete line's end: anything after it is a torn write.
    complete_len: u64,
}

impl Contents {
    /// Whether the journal holds anything worth keeping.
    pub fn is_empty(&self) -> bool {
        self.ratings.is_empty()
            && self.plays.is_empty()
            && self.reco.is_empty()
            && self.readings.is_empty()
    }

    /// Every live record, for a compacted journal: ratings, plays, readings, recommender events,
    /// queue (no `forget` lines: what they removed is not in here).
    pub fn records(&self) -> Vec<Record> {
        let mut ratings: Vec<_> = self.ratings.iter().collect();
        ratings.sort();
        let mut out: Vec<Record> = ratings
            .into_iter()
            .map(|(&track, &stars)| Record::Rating { track, stars })
            .collect();
        out.extend(self.plays.iter().map(|p| Record::Play { play: p.clone() }));
        out.extend(
            self.readings
                .iter()
                .map(|r| Record::Reading { reading: r.clone() }),
        );
        out.extend(self.reco.iter().map(|e| Record::Reco { event: hex(e) }));
        out.extend(
            self.queue
                .iter()
                .map(|q| Record::Queue { queue: q.clone() }),
        );
        out
    }
}

/// The open journal, appending.
pub struct Journal {
    path: PathBuf,
    file: File,
    /// Bytes each track's latest rating line takes, and the latest queue line's.
    rating_len: HashMap<TrackId, u64>,
    queue_len: u64,
    dead_bytes: u64,
    total_bytes: u64,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// `Reco` record of an encoded recommender event.
pub fn reco_record(event: &[u8]) -> Record {
    Record::Reco { event: hex(event) }
}

fn encode_line(record: &Record) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(record).map_err(|error| StoreError::Encode {
        tree: "journal",
        key: String::new(),
        error,
    })?;
    let mut line = format!("{:08x} ", crc32fast::hash(&json)).into_bytes();
    line.extend_from_slice(&json);
    line.push(b'\n');
    Ok(line)
}

fn decode_line(line: &[u8]) -> Option<Record> {
    let (crc, json) = line.split_at_checked(9)?;
    let crc = u32::from_str_radix(std::str::from_utf8(crc.get(..8)?).ok()?, 16).ok()?;
    if crc32fast::hash(json) != crc {
        return None;
    }
    serde_json::from_slice(json).ok()
}

/// Reads the journal at `path` without changing it; a missing file is an empty journal.
pub fn read(path: &Path) -> Result<Contents> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(io_error(path, e)),
    };
    let mut contents = Contents::default();
    let mut rating_len: HashMap<TrackId, u64> = HashMap::new();
    let mut queue_len = 0;
    let mut start = 0;
    for (n, end) in bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
        .enumerate()
    {
        let line = &bytes[start..end];
        let len = (end + 1 - start) as u64;
        start = end + 1;
        contents.total_bytes += len;
        match decode_line(line) {
            Some(record) => apply(&mut contents, record, len, &mut rating_len, &mut queue_len),
            None => {
                contents.bad_lines.push(n + 1);
                contents.dead_bytes += len;
            }
        }
    }
    contents.complete_len = start as u64;
    Ok(contents)
}

fn apply(
    c: &mut Contents,
    record: Record,
    len: u64,
    rating_len: &mut HashMap<TrackId, u64>,
    queue_len: &mut u64,
) {
    match record {
        Record::Rating { track, stars } => {
            c.dead_bytes += rating_len.insert(track, len).unwrap_or(0);
            c.ratings.insert(track, stars);
        }
        Record::Play { play } => c.plays.push(play),
        Record::Queue { queue } => {
            c.dead_bytes += std::mem::replace(queue_len, len);
            c.queue = Some(queue);
        }
        Record::Reco { event } => match unhex(&event) {
            Some(e) => c.reco.push(e),
            None => c.dead_bytes += len,
        },
        Record::Reading { reading } => {
            c.readings.push(reading);
            c.reading_lens.push(len);
        }
        Record::Forget(f) => {
            let mut kept = Vec::with_capacity(c.readings.len());
            let mut kept_lens = Vec::with_capacity(c.readings.len());
            for (r, l) in c.readings.drain(..).zip(c.reading_lens.drain(..)) {
                if f.covers(r.at_ms) {
                    c.dead_bytes += l;
                } else {
                    kept.push(r);
                    kept_lens.push(l);
                }
            }
            (c.readings, c.reading_lens) = (kept, kept_lens);
            if f.reco_listener {
                for e in &mut c.reco {
                    if reco_event_at(e).is_some_and(|at| f.covers(at)) {
                        strip_reco_listener_bytes(e);
                    }
                }
            }
            c.dead_bytes += len;
            c.forgets.push(f);
        }
    }
}

fn open_append(path: &Path) -> Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| io_error(path, e))
}

impl Journal {
    /// Opens the journal for appending (creating it, 0600), cutting off a torn last line, and
    /// returns what it holds.
    pub fn open(path: &Path) -> Result<(Journal, Contents)> {
        let contents = read(path)?;
        let file = open_append(path)?;
        let len = file.metadata().map_err(|e| io_error(path, e))?.len();
        if len > contents.complete_len {
            file.set_len(contents.complete_len)
                .map_err(|e| io_error(path, e))?;
        }
        let mut journal = Journal {
            path: path.to_path_buf(),
            file,
            rating_len: HashMap::new(),
            queue_len: 0,
            dead_bytes: contents.dead_bytes,
            total_bytes: contents.total_bytes,
        };
        // Lengths of the live lines as a compacted journal would write them (close enough for
        // deciding when to compact).
        for record in contents.records() {
            journal.account(&record, encode_line(&record)?.len() as u64);
        }
        journal.dead_bytes = contents.dead_bytes;
        Ok((journal, contents))
    }

    /// Appends `records` and fsyncs: durable when this returns.
    pub fn append(&mut self, records: &[Record]) -> Result<()> {
        let mut buf = Vec::new();
        let mut lens = Vec::with_capacity(records.len());
        for record in records {
            let line = encode_line(record)?;
            lens.push(line.len() as u64);
            buf.extend_from_slice(&line);
        }
        self.file
            .write_all(&buf)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| io_error(&self.path, e))?;
        for (record, len) in records.iter().zip(lens) {
            self.total_bytes += len;
            self.dead_bytes += self.account(record, len);
        }
        Ok(())
    }

    /// Notes `record`'s line length; returns the bytes it supersedes.
    fn account(&mut self, record: &Record, len: u64) -> u64 {
        match record {
            Record::Rating { track, .. } => self.rating_len.insert(*track, len).unwrap_or(0),
            Record::Queue { .. } => std::mem::replace(&mut self.queue_len, len),
            _ => 0,
        }
    }

    /// Whether superseded lines outweigh the live ones (and [`COMPACT_MIN_BYTES`]).
    pub fn wants_compaction(&self) -> bool {
        let live = self.total_bytes.saturating_sub(self.dead_bytes);
        self.dead_bytes > COMPACT_MIN_BYTES.max(live)
    }

    /// Compacts if [`Journal::wants_compaction`]; logs a failure (the journal stays as it was).
    pub fn compact_if_due(&mut self) {
        if self.wants_compaction() {
            if let Err(e) = self.compact() {
                tracing::warn!(error = %e, "could not compact the journal");
            }
        }
    }

    /// Rewrites the journal with only its live lines, atomically.
    pub fn compact(&mut self) -> Result<()> {
        let contents = read(&self.path)?;
        self.replace_with(&contents.records())
    }

    /// Replaces the whole journal with `records`, atomically: a crash leaves the old or the new.
    pub fn replace_with(&mut self, records: &[Record]) -> Result<()> {
        let tmp = self.path.with_extension("jsonl.tmp");
        let mut buf = Vec::new();
        for record in records {
            buf.extend_from_slice(&encode_line(record)?);
        }
        write_private(&tmp, &buf)?;
        fs::rename(&tmp, &self.path).map_err(|e| io_error(&self.path, e))?;
        sync_dir(&self.path)?;
        let (fresh, _) = Journal::open(&self.path)?;
        *self = fresh;
        Ok(())
    }
}

#[cfg(test)]
#[path = "journal_tests.rs"]
mod tests;
