//! The library's tracks: the `tracks` tree and its `track_ids` index.
//!
//! Keys:
//! - `tracks`: the path's bytes (`OsStr::as_encoded_bytes`) → the [`Track`] as JSON.
//! - `track_ids`: the [`TrackId`] as 8 big-endian bytes → the path's bytes, a key of `tracks`.
//!
//! The index is written before `tracks` on put and removed after it on remove, so a crash in
//! between leaves at worst an index entry pointing at a missing or different track, which
//! [`Store::track`] treats as absent.

use super::{decode, encode, path_key, Result, Store};
use crate::core::{Track, TrackId};
use serde::Deserialize;
use std::path::Path;

pub(super) const TREE: &str = "tracks";
pub(super) const ID_TREE: &str = "track_ids";

/// Just the id of a stored track, read without decoding the whole record.
#[derive(Deserialize)]
struct StoredId {
    id: TrackId,
}

fn stored_id(value: &[u8]) -> Option<TrackId> {
    serde_json::from_slice::<StoredId>(value).ok().map(|s| s.id)
}

impl Store {
    /// Inserts or replaces the track at `track.path`.
    pub fn put_track(&self, track: &Track) -> Result<()> {
        let key = path_key(&track.path);
        let value = encode(TREE, key, track)?;
        self.track_ids.insert(track.id.to_be_bytes(), key)?;
        if let Some(old) = self.tracks.insert(key, value)? {
            self.drop_stale_id(&old, track.id, key)?;
        }
        Ok(())
    }

    /// Inserts or replaces many tracks, as one sled batch per tree: cheaper than `put_track` in a
    /// loop, and each tree sees all of the tracks or none.
    pub fn put_tracks(&self, tracks: &[Track]) -> Result<()> {
        let mut ids = sled::Batch::default();
        let mut rows = sled::Batch::default();
        let mut replaced = Vec::new();
        for track in tracks {
            let key = path_key(&track.path);
            ids.insert(&track.id.to_be_bytes()[..], key);
            rows.insert(key, encode(TREE, key, track)?);
            if let Some(old) = self.tracks.get(key)? {
                replaced.push((old, track.id, key));
            }
        }
        self.track_ids.apply_batch(ids)?;
        self.tracks.apply_batch(rows)?;
        for (old, new_id, key) in replaced {
            self.drop_stale_id(&old, new_id, key)?;
        }
        Ok(())
    }

    /// The track stored for `path`, if any.
    pub fn track_by_path(&self, path: &Path) -> Result<Option<Track>> {
        let key = path_key(path);
        self.tracks
            .get(key)?
            .map(|value| decode(TREE, key, &value))
            .transpose()
    }

    /// The track with this id, if any.
    pub fn track(&self, id: TrackId) -> Result<Option<Track>> {
        let Some(key) = self.track_ids.get(id.to_be_bytes())? else {
            return Ok(None);
        };
        let Some(value) = self.tracks.get(&key)? else {
            return Ok(None);
        };
        let track: Track = decode(TREE, &key, &value)?;
        Ok((track.id == id).then_some(track))
    }

    /// Removes the track at `path`; `true` if there was one.
    pub fn remove_track(&self, path: &Path) -> Result<bool> {
        let key = path_key(path);
        let Some(old) = self.tracks.remove(key)? else {
            return Ok(false);
        };
        let id = stored_id(&old).unwrap_or_else(|| TrackId::from_path(path));
        self.remove_id_if_points_at(id, key)?;
        Ok(true)
    }

    /// Every stored track, in path-byte order, in one pass over the tree. A record that no longer
    /// decodes is left out with a warning rather than failing the whole catalogue (and with it
    /// the player's start-up): its file is not in the catalogue, so the next scan reads it again
    /// and overwrites the damaged record.
    pub fn all_tracks(&self) -> Result<Vec<Track>> {
        let mut tracks = Vec::with_capacity(self.tracks.len());
        for entry in self.tracks.iter() {
            let (key, value) = entry?;
            match decode(TREE, &key, &value) {
                Ok(t) => tracks.push(t),
                Err(e) => tracing::warn!(error = %e, "skipping a damaged catalogue record"),
            }
        }
        Ok(tracks)
    }

    /// [`Store::all_tracks`] in the library folders `roots` (none: all of them): what other
    /// folders left in the catalogue stays stored, for their ratings, but is not this library's.
    pub fn library_tracks(&self, roots: &[std::path::PathBuf]) -> Result<Vec<Track>> {
        let mut tracks = self.all_tracks()?;
        tracks.retain(|t| crate::core::in_library(&t.path, roots));
        Ok(tracks)
    }

    /// How many tracks are stored. sled counts by iterating, so this is linear in the library.
    pub fn track_count(&self) -> usize {
        self.tracks.len()
    }

    /// After `key` was overwritten with a track whose id is `new_id`, removes the index entry of
    /// the old record's id if it differs and still points at `key`.
    fn drop_stale_id(&self, old: &[u8], new_id: TrackId, key: &[u8]) -> Result<()> {
        match stored_id(old) {
            Some(old_id) if old_id != new_id => self.remove_id_if_points_at(old_id, key),
            _ => Ok(()),
        }
    }

    fn remove_id_if_points_at(&self, id: TrackId, key: &[u8]) -> Result<()> {
        // A failed compare means another path now owns the id: leave it.
        let _ = self
            .track_ids
            .compare_and_swap(id.to_be_bytes(), Some(key), None::<&[u8]>)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::open_temp;
    use super::super::StoreError;
    use super::*;
    use crate::core::{AudioFormat, ReplayGain};
    use std::path::PathBuf;

    fn track(path: &str) -> Track {
        let path = PathBuf::from(path);
        Track {
            id: TrackId::from_path(&path),
            path,
            size: 1234,
            mtime_ns: 1_700_000_000_000_000_000,
            format: AudioFormat::Flac,
            title: Some("Title".into()),
            artist: Some("Artist".into()),
            album: None,
            album_artist: None,
            track_no: Some(3),
            disc_no: None,
            year: Some(1999),
            genre: None,
            duration_ms: 180_000,
            sample_rate: 44_100,
            channels: 2,
            replay_gain: ReplayGain::default(),
            has_art: false,
        }
    }

    #[test]
    fn put_track_is_found_by_path_and_by_id() {
        let (_dir, store) = open_temp();
        let t = track("/m/a.flac");
        store.put_track(&t).expect("put");
        assert_eq!(store.track_by_path(&t.path).expect("get"), Some(t.clone()));
        assert_eq!(store.track(t.id).expect("get"), Some(t));
        assert_eq!(store.track(TrackId(42)).expect("get"), None);
    }

    #[test]
    fn put_tracks_then_all_tracks_returns_each_once_in_path_order() {
        let (_dir, store) = open_temp();
        let tracks = vec![track("/m/b.flac"), track("/m/a.flac"), track("/m/c.flac")];
        store.put_tracks(&tracks).expect("put");
        store.put_tracks(&tracks[..1]).expect("put again");
        let paths: Vec<_> = store
            .all_tracks()
            .expect("all")
            .into_iter()
            .map(|t| t.path)
            .collect();
        assert_eq!(
            paths,
            ["/m/a.flac", "/m/b.flac", "/m/c.flac"].map(PathBuf::from)
        );
        assert_eq!(store.track_count(), 3);
    }

    #[test]
    fn library_tracks_are_those_under_the_folders_in_effect() {
        let (_dir, store) = open_temp();
        let tracks = vec![
            track("/m/a.flac"),
            track("/tmp/one-off/b.flac"),
            track("/mx/c.flac"),
        ];
        store.put_tracks(&tracks).expect("put");
        let paths = |roots: &[PathBuf]| -> Vec<PathBuf> {
            let all = store.library_tracks(roots).expect("read");
            all.into_iter().map(|t| t.path).collect()
        };
        assert_eq!(paths(&[PathBuf::from("/m")]), [PathBuf::from("/m/a.flac")]);
        assert_eq!(paths(&[]).len(), 3, "no folders: every track");
    }

    #[test]
    fn remove_track_drops_the_track_and_its_id_entry() {
        let (_dir, store) = open_temp();
        let t = track("/m/a.flac");
        store.put_track(&t).expect("put");
        assert!(store.remove_track(&t.path).expect("remove"));
        assert!(!store.remove_track(&t.path).expect("remove again"));
        assert_eq!(store.track(t.id).expect("get"), None);
        assert!(store.track_ids.is_empty());
    }

    #[test]
    fn replacing_a_track_with_another_id_moves_its_index_entry() {
        let (_dir, store) = open_temp();
        let mut t = track("/m/a.flac");
        store.put_track(&t).expect("put");
        let old_id = t.id;
        t.id = TrackId(7);
        store.put_tracks(std::slice::from_ref(&t)).expect("put");
        assert_eq!(store.track(old_id).expect("get"), None);
        assert_eq!(store.track(TrackId(7)).expect("get"), Some(t));
        assert_eq!(store.track_ids.len(), 1);
    }

    #[test]
    fn an_undecodable_track_is_corrupt_by_path_and_left_out_of_the_catalogue() {
        let (_dir, store) = open_temp();
        store
            .tracks
            .insert("/m/bad.flac", "{not json")
            .expect("insert");
        match store.track_by_path(Path::new("/m/bad.flac")) {
            Err(StoreError::Corrupt { tree, key, .. }) => {
                assert_eq!((tree, key.as_str()), ("tracks", "/m/bad.flac"));
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
        // The catalogue as a whole still loads, without the damaged record.
        let good = track("/m/good.flac");
        store.put_track(&good).expect("put");
        assert_eq!(store.all_tracks().expect("all"), vec![good]);
    }

    #[test]
    fn a_track_with_a_non_utf8_path_is_stored_and_read_back_byte_for_byte() {
        use std::os::unix::ffi::OsStrExt;
        let (_dir, store) = open_temp();
        let path = PathBuf::from(std::ffi::OsStr::from_bytes(b"/m/\xff.flac"));
        let mut t = track("/m/x.flac");
        t.path = path.clone();
        t.id = TrackId::from_path(&path);
        store.put_track(&t).expect("put");
        assert_eq!(store.track_by_path(&path).expect("get"), Some(t.clone()));
        assert_eq!(store.track(t.id).expect("by id"), Some(t.clone()));
        assert_eq!(store.all_tracks().expect("all"), vec![t]);
    }
}
