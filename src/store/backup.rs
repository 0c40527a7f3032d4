//! Backups of the listener's data: ratings, play history and emotion readings as one JSON document
//! (`mien export` / `mien import`). Paths are written as `scan --json` writes them (a string, or
//! `{"bytes": [...]}` for a name that is not UTF-8). Called from the command's thread.

use super::journal::Record;
use super::{lock, ReadingRecord, Result, Store};
use crate::core::{path_serde, PlayRecord, Rating, TrackId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The format's version, in `mien_backup`. 2 added `readings` (a version-1 file has none; a mien
/// that reads only version 1 refuses a version-2 file rather than drop its readings).
pub const BACKUP_VERSION: u32 = 2;

/// One exported document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Backup {
    pub mien_backup: u32,
    pub ratings: Vec<RatedTrack>,
    pub history: Vec<PlayRecord>,
    /// The emotion readings, oldest first.
    #[serde(default)]
    pub readings: Vec<ReadingRecord>,
}

/// A rating, with the track's path when the catalogue knows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RatedTrack {
    pub track: TrackId,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_path")]
    pub path: Option<PathBuf>,
    pub stars: u8,
}

mod opt_path {
    use super::*;
    use serde::{Deserializer, Serializer};

    #[derive(Deserialize)]
    struct P(#[serde(with = "path_serde")] PathBuf);

    pub fn serialize<S: Serializer>(
        p: &Option<PathBuf>,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        match p {
            Some(p) => path_serde::serialize(p, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<Option<PathBuf>, D::Error> {
        Ok(Option::<P>::deserialize(d)?.map(|p| p.0))
    }
}

/// What an import changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Imported {
    pub ratings: usize,
    /// Plays added (those already in the history are skipped).
    pub plays: usize,
    pub plays_already_there: usize,
    /// Readings added (those already stored are skipped).
    pub readings: usize,
}

impl Store {
    /// Every rating and the whole history.
    pub fn export(&self) -> Result<Backup> {
        let ratings = self
            .ratings()?
            .into_iter()
            .map(|(track, r)| {
                Ok(RatedTrack {
                    track,
                    path: self.track(track)?.map(|t| t.path),
                    stars: r.stars(),
                })
            })
            .collect::<Result<_>>()?;
        Ok(Backup {
            mien_backup: BACKUP_VERSION,
            ratings,
            history: self.history(None)?,
            readings: self.readings(0, u64::MAX)?,
        })
    }

    /// Sets the backup's ratings (a track named by path gets the id of that path) and adds its
    /// plays that the history lacks. Journalled with one fsync, then flushed.
    pub fn import(&self, backup: &Backup) -> Result<Imported> {
        let ratings: Vec<(TrackId, Option<Rating>)> = backup
            .ratings
            .iter()
            .map(|r| {
                let id = r.path.as_deref().map_or(r.track, TrackId::from_path);
                (id, Rating::new(r.stars))
            })
            .collect();
        let mut have: HashMap<String, usize> = HashMap::new();
        for p in self.history(None)? {
            *have
                .entry(serde_json::to_string(&p).unwrap_or_default())
                .or_default() += 1;
        }
        let mut plays = Vec::new();
        let mut already = 0;
        for p in &backup.history {
            match have.get_mut(&serde_json::to_string(p).unwrap_or_default()) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    already += 1;
                }
                _ => plays.push(p.clone()),
            }
        }
        let mut records: Vec<Record> = ratings
            .iter()
            .map(|(track, r)| Record::Rating {
                track: *track,
                stars: r.map_or(0, Rating::stars),
            })
            .collect();
        records.extend(plays.iter().map(|p| Record::Play { play: p.clone() }));
        let mut have_readings: HashMap<String, usize> = HashMap::new();
        for r in self.readings(0, u64::MAX)? {
            *have_readings
                .entry(serde_json::to_string(&r).unwrap_or_default())
                .or_default() += 1;
        }
        let mut readings = Vec::new();
        for r in &backup.readings {
            match have_readings.get_mut(&serde_json::to_string(r).unwrap_or_default()) {
                Some(n) if *n > 0 => *n -= 1,
                _ => readings.push(r.clone()),
            }
        }
        records.extend(
            readings
                .iter()
                .map(|r| Record::Reading { reading: r.clone() }),
        );
        let mut journal = lock(&self.journal);
        journal.append(&records)?;
        for (id, r) in &ratings {
            self.put_rating(*id, *r)?;
        }
        for p in &plays {
            self.put_play(p)?;
        }
        for r in &readings {
            self.put_reading(r)?;
        }
        self.flush()?;
        journal.compact_if_due();
        Ok(Imported {
            ratings: ratings.len(),
            plays: plays.len(),
            plays_already_there: already,
            readings: readings.len(),
        })
    }
}

/// The same document from the journal of the data dir `dir` alone, for the read-only commands
/// while a player holds the database (sled opens in one process at a time; the journal holds
/// everything a backup does, see `journal.rs`). Ratings name the path of the track's latest
/// play, where the database would name the catalogue's: the same path for every played track.
pub fn from_journal(dir: &Path) -> Result<Backup> {
    let contents = super::journal::read(&dir.join(super::JOURNAL_FILE))?;
    let paths: HashMap<TrackId, &PathBuf> =
        contents.plays.iter().map(|p| (p.track, &p.path)).collect();
    let mut ratings: Vec<RatedTrack> = (contents.ratings.iter())
        .filter(|(_, &stars)| stars > 0)
        .map(|(&track, &stars)| RatedTrack {
            track,
            path: paths.get(&track).map(|p| (*p).clone()),
            stars,
        })
        .collect();
    ratings.sort_by_key(|r| r.track);
    // The database's order: by time, then in the order recorded (the journal's).
    let mut history = contents.plays.clone();
    history.sort_by_key(|p| p.at_ms);
    let mut readings = contents.readings;
    readings.sort_by_key(|r| r.at_ms);
    Ok(Backup {
        mien_backup: BACKUP_VERSION,
        ratings,
        history,
        readings,
    })
}
