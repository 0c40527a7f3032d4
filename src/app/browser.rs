//! The browser over the UI thread's catalogue (`app::catalogue`): artists → albums → tracks, a
//! flat list of all tracks, or the folder view (`folders.rs`), sorting, and search.

use std::collections::{BTreeMap, HashMap};

pub use super::catalogue::{album_key, artist_key, matches, Catalogue};
use super::folders::{self, FolderView};
use crate::core::{Track, TrackId};
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Level {
    Artists,
    Albums { artist: String },
    Tracks { artist: String, album: String },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Row {
    Artist {
        name: String,
        albums: usize,
        tracks: usize,
    },
    Album {
        artist: String,
        name: String,
        year: Option<u32>,
        tracks: usize,
    },
    Track(TrackId),
    /// A folder of the folder view, with the tracks in it at any depth.
    Folder {
        path: PathBuf,
        name: String,
        tracks: usize,
    },
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// Album artist, album, disc, track number.
    #[default]
    Album,
    Title,
    Year,
    Duration,
}

impl SortKey {
    pub fn cycle(self) -> SortKey {
        match self {
            SortKey::Album => SortKey::Title,
            SortKey::Title => SortKey::Year,
            SortKey::Year => SortKey::Duration,
            SortKey::Duration => SortKey::Album,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Album => "album",
            SortKey::Title => "title",
            SortKey::Year => "year",
            SortKey::Duration => "duration",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Browser {
    pub level: Level,
    /// Flat list of every track instead of the artist tree.
    pub all_tracks: bool,
    pub sort: SortKey,
    /// Active search: the list shows the matching tracks.
    pub query: Option<String>,
    pub rows: Vec<Row>,
    pub cursor: usize,
    /// Cursors of the levels above, restored by Back.
    stack: Vec<usize>,
    /// The catalogue changed since `rows` were built.
    pub dirty: bool,
    /// The library folders, the folder view's top entries (empty: the folder holding every
    /// track).
    pub roots: Vec<PathBuf>,
    /// The folder view, when it is on (`F`); it takes the place of the other views.
    pub folders: Option<FolderView>,
}

impl Default for Browser {
    fn default() -> Self {
        Browser {
            level: Level::Artists,
            all_tracks: false,
            sort: SortKey::Album,
            query: None,
            rows: Vec::new(),
            cursor: 0,
            stack: Vec::new(),
            dirty: true,
            roots: Vec::new(),
            folders: None,
        }
    }
}

impl Browser {
    /// Rebuilds `rows` from the catalogue for the current level, search and sort.
    pub fn rebuild(&mut self, cat: &Catalogue) {
        let folder_view = self.folders.as_ref().filter(|_| self.query.is_none());
        self.rows = match (&self.query, self.all_tracks, &self.level) {
            _ if folder_view.is_some() => folder_view.map_or_else(Vec::new, |v| v.rows(cat)),
            (Some(q), _, _) => self.track_rows(cat, |t| matches(t, q)),
            (None, true, _) => self.track_rows(cat, |_| true),
            (None, false, Level::Artists) => artist_rows(cat),
            (None, false, Level::Albums { artist }) => album_rows(cat, artist),
            (None, false, Level::Tracks { artist, album }) => {
                let (a, b) = (artist.clone(), album.clone());
                self.track_rows(cat, |t| artist_key(t) == a && album_key(t) == b)
            }
        };
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
        self.dirty = false;
    }

    fn track_rows(&self, cat: &Catalogue, keep: impl Fn(&Track) -> bool) -> Vec<Row> {
        let mut tracks: Vec<&Track> = cat.iter().filter(|t| keep(t)).collect();
        sort_tracks(&mut tracks, self.sort);
        tracks.into_iter().map(|t| Row::Track(t.id)).collect()
    }

    /// Goes into the selected artist or album. Returns false on a track row.
    pub fn open(&mut self) -> bool {
        let next = match self.rows.get(self.cursor) {
            Some(Row::Artist { name, .. }) => Level::Albums {
                artist: name.clone(),
            },
            Some(Row::Album { artist, name, .. }) => Level::Tracks {
                artist: artist.clone(),
                album: name.clone(),
            },
            Some(Row::Folder { path, .. }) => {
                let (path, cursor) = (path.clone(), self.cursor);
                let Some(view) = self.folders.as_mut() else {
                    return false;
                };
                view.enter(path, cursor);
                self.cursor = 0;
                self.dirty = true;
                return true;
            }
            _ => return false,
        };
        self.stack.push(self.cursor);
        self.level = next;
        self.cursor = 0;
        self.dirty = true;
        true
    }

    /// Goes up one level (or leaves search). Returns false at the top.
    pub fn back(&mut self) -> bool {
        if self.query.take().is_some() {
            self.dirty = true;
            return true;
        }
        if let Some(view) = self.folders.as_mut() {
            let Some(cursor) = view.back() else {
                return false;
            };
            self.cursor = cursor;
            self.dirty = true;
            return true;
        }
        let up = match &self.level {
            Level::Artists => return false,
            Level::Albums { .. } => Level::Artists,
            Level::Tracks { artist, .. } => Level::Albums {
                artist: artist.clone(),
            },
        };
        self.level = up;
        self.cursor = self.stack.pop().unwrap_or(0);
        self.dirty = true;
        true
    }

    /// The tracks under the selected row, in album order.
    pub fn selected_tracks(&self, cat: &Catalogue) -> Vec<TrackId> {
        let mut tracks: Vec<&Track> = match self.rows.get(self.cursor) {
            Some(Row::Track(id)) => return vec![*id],
            Some(Row::Folder { path, .. }) => return folders::tracks_under(cat, path),
            Some(Row::Artist { name, .. }) => {
                cat.iter().filter(|t| artist_key(t) == name).collect()
            }
            Some(Row::Album { artist, name, .. }) => cat
                .iter()
                .filter(|t| artist_key(t) == artist && album_key(t) == name)
                .collect(),
            None => return Vec::new(),
        };
        sort_tracks(&mut tracks, SortKey::Album);
        tracks.into_iter().map(|t| t.id).collect()
    }

    /// What `enter` on a track plays: in an album or a folder, the selected track and the ones
    /// after it there (so the album plays on, as in other players); in a search or the flat list
    /// of every track, the selected track alone. Empty off a track row.
    pub fn from_here(&self) -> Vec<TrackId> {
        let Some(Row::Track(id)) = self.rows.get(self.cursor) else {
            return Vec::new();
        };
        let in_album = matches!(self.level, Level::Tracks { .. }) && !self.all_tracks;
        if self.query.is_some() || !(in_album || self.folders.is_some()) {
            return vec![*id];
        }
        let rest = self.rows[self.cursor..].iter();
        rest.filter_map(|r| match r {
            Row::Track(id) => Some(*id),
            _ => None,
        })
        .collect()
    }

    /// Turns the folder view on (at its top) or off (back to the view before). From a search it
    /// is left, and the folder view shown (where it was, if the search hid it).
    pub fn toggle_folders(&mut self, cat: &Catalogue) {
        if self.query.take().is_some() && self.folders.is_some() {
            self.dirty = true;
            return;
        }
        self.folders = match self.folders {
            Some(_) => None,
            None => Some(FolderView::new(folders::roots(&self.roots, cat))),
        };
        self.cursor = 0;
        self.dirty = true;
    }

    /// Shows track `id` with the cursor on it: in the flat list where that is on, else in its
    /// album (Back goes up to its artist, then to the artists, each with its row selected).
    /// A search and the folder view are left. False if the catalogue does not hold it.
    pub fn reveal(&mut self, cat: &Catalogue, id: TrackId) -> bool {
        let Some(t) = cat.get(id) else {
            return false;
        };
        self.query = None;
        self.folders = None;
        if !self.all_tracks {
            let (artist, album) = (artist_key(t).to_string(), album_key(t).to_string());
            let at = |rows: &[Row], want: &dyn Fn(&Row) -> bool| rows.iter().position(want);
            let artist_at = at(
                &artist_rows(cat),
                &|r| matches!(r, Row::Artist { name, .. } if *name == artist),
            );
            let album_at = at(
                &album_rows(cat, &artist),
                &|r| matches!(r, Row::Album { name, .. } if *name == album),
            );
            self.stack = vec![artist_at.unwrap_or(0), album_at.unwrap_or(0)];
            self.level = Level::Tracks { artist, album };
        }
        self.rebuild(cat);
        self.cursor = (self.rows.iter().position(|r| *r == Row::Track(id))).unwrap_or(0);
        true
    }

    /// A short description of where the browser is, for the pane title.
    pub fn title(&self) -> String {
        match (&self.query, self.all_tracks, &self.level) {
            (Some(q), _, _) => format!("Search: {q}"),
            _ if self.folders.is_some() => self
                .folders
                .as_ref()
                .map_or_else(String::new, FolderView::title),
            (None, true, _) => format!("All tracks (by {})", self.sort.label()),
            (None, false, Level::Artists) => "Artists".into(),
            (None, false, Level::Albums { artist }) => artist.clone(),
            (None, false, Level::Tracks { artist, album }) => format!("{artist} › {album}"),
        }
    }
}

pub fn sort_tracks(tracks: &mut [&Track], key: SortKey) {
    match key {
        // A missing disc number is disc 1 (formats like WAV cannot store one); a missing track
        // number sorts after the numbered tracks.
        SortKey::Album => tracks.sort_by_cached_key(|t| {
            (
                artist_key(t).to_lowercase(),
                album_key(t).to_lowercase(),
                t.disc_no.unwrap_or(1),
                t.track_no.unwrap_or(u32::MAX),
                t.path.clone(),
            )
        }),
        SortKey::Title => {
            tracks.sort_by_key(|t| (t.display_title().to_lowercase(), t.path.clone()))
        }
        SortKey::Year => tracks.sort_by_key(|t| (t.year, t.path.clone())),
        SortKey::Duration => tracks.sort_by_key(|t| (t.duration_ms, t.path.clone())),
    }
}

fn artist_rows(cat: &Catalogue) -> Vec<Row> {
    let mut by: BTreeMap<(String, String), (std::collections::HashSet<&str>, usize)> =
        BTreeMap::new();
    for t in cat.iter() {
        let name = artist_key(t);
        let e = by
            .entry((name.to_lowercase(), name.to_string()))
            .or_default();
        e.0.insert(album_key(t));
        e.1 += 1;
    }
    by.into_iter()
        .map(|((_, name), (albums, tracks))| Row::Artist {
            name,
            albums: albums.len(),
            tracks,
        })
        .collect()
}

fn album_rows(cat: &Catalogue, artist: &str) -> Vec<Row> {
    let mut by: BTreeMap<(Option<u32>, String), usize> = BTreeMap::new();
    let mut years: HashMap<String, Option<u32>> = HashMap::new();
    for t in cat.iter().filter(|t| artist_key(t) == artist) {
        let year = *years.entry(album_key(t).to_string()).or_insert(t.year);
        *by.entry((year, album_key(t).to_string())).or_default() += 1;
    }
    by.into_iter()
        .map(|((year, name), tracks)| Row::Album {
            artist: artist.to_string(),
            name,
            year,
            tracks,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{AudioFormat, ReplayGain};
    use std::path::PathBuf;

    fn track(path: &str, disc: Option<u32>, no: Option<u32>) -> Track {
        let path = PathBuf::from(path);
        Track {
            id: TrackId::from_path(&path),
            path,
            size: 0,
            mtime_ns: 0,
            format: AudioFormat::Wav,
            title: None,
            artist: Some("A".into()),
            album: Some("B".into()),
            album_artist: None,
            track_no: no,
            disc_no: disc,
            year: None,
            genre: None,
            duration_ms: 0,
            sample_rate: 44_100,
            channels: 2,
            replay_gain: ReplayGain::default(),
            has_art: false,
        }
    }

    #[test]
    fn album_order_treats_a_missing_disc_as_disc_one() {
        let (a, b, c, d) = (
            track("/4.wav", None, Some(4)),
            track("/1.flac", Some(1), Some(1)),
            track("/x.mp3", Some(1), None),
            track("/2-1.flac", Some(2), Some(1)),
        );
        let mut v = vec![&d, &c, &a, &b];
        sort_tracks(&mut v, SortKey::Album);
        let order: Vec<&str> = v.iter().map(|t| t.path.to_str().unwrap()).collect();
        assert_eq!(order, ["/1.flac", "/4.wav", "/x.mp3", "/2-1.flac"]);
    }
}
