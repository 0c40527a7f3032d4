//! The UI thread's copy of the library (`Catalogue`), and how its tracks are grouped (artist and
//! album keys) and found (search).

use std::collections::HashMap;

use crate::core::{Track, TrackId};

/// The UI thread's copy of the library's tracks.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    tracks: HashMap<TrackId, Track>,
}

impl Catalogue {
    pub fn new(tracks: Vec<Track>) -> Catalogue {
        Catalogue {
            tracks: tracks.into_iter().map(|t| (t.id, t)).collect(),
        }
    }

    pub fn get(&self, id: TrackId) -> Option<&Track> {
        self.tracks.get(&id)
    }

    pub fn upsert(&mut self, t: Track) {
        self.tracks.insert(t.id, t);
    }

    pub fn remove(&mut self, id: TrackId) -> Option<Track> {
        self.tracks.remove(&id)
    }

    pub fn len(&self) -> usize {
        self.tracks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Track> {
        self.tracks.values()
    }
}

/// The name a track is grouped under: album artist, else artist.
pub fn artist_key(t: &Track) -> &str {
    t.album_artist
        .as_deref()
        .or(t.artist.as_deref())
        .unwrap_or("Unknown artist")
}

pub fn album_key(t: &Track) -> &str {
    t.album.as_deref().unwrap_or("Unknown album")
}

/// Case-insensitive match of every word of `query` against title, artist, album or genre.
pub fn matches(t: &Track, query: &str) -> bool {
    let hay = format!(
        "{} {} {} {} {}",
        t.display_title(),
        t.artist.as_deref().unwrap_or(""),
        t.album_artist.as_deref().unwrap_or(""),
        t.album.as_deref().unwrap_or(""),
        t.genre.as_deref().unwrap_or("")
    )
    .to_lowercase();
    query
        .to_lowercase()
        .split_whitespace()
        .all(|w| hay.contains(w))
}
