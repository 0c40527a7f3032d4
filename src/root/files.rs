//! The files of `mien FILE...` and `mien ctl add FILE...`: playlists and audio files in any mix,
//! turned into the tracks to queue, in order. Runs on the caller's thread (the client, or the
//! player's main thread before the terminal opens).

use std::path::{Path, PathBuf};

use crate::audio::file::regular_metadata;
use crate::library::playlist::{is_playlist_path, open_for_queue};

/// The tracks of the command line's paths, in order, and how many playlist entries were left
/// out because their file is gone (as when a saved playlist is opened: `open_for_queue`).
#[derive(Debug, Default, PartialEq)]
pub struct GivenTracks {
    pub tracks: Vec<PathBuf>,
    pub missing: usize,
}

/// The tracks one command-line path stands for: a playlist's entries (by extension) whose files
/// exist, or the audio file itself, which must be a regular file. New playlist kinds get one arm
/// here.
pub fn tracks_of(path: &Path) -> Result<GivenTracks, String> {
    if is_playlist_path(path) {
        return open_for_queue(path).map(|list| GivenTracks {
            tracks: list.paths,
            missing: list.missing,
        });
    }
    regular_metadata(path)
        .map(|_| GivenTracks {
            tracks: vec![path.to_path_buf()],
            missing: 0,
        })
        .map_err(|e| format!("cannot play {}: {e}", path.display()))
}

/// Every path's tracks, in order; the first path that cannot be read is the error (nothing is
/// queued from a list with a mistake in it: the listener fixes it and runs the command again).
/// A playlist entry whose file is gone is not such a mistake: it is left out and counted.
pub fn tracks_of_all(paths: &[PathBuf]) -> Result<GivenTracks, String> {
    let mut all = GivenTracks::default();
    for p in paths {
        let one = tracks_of(p)?;
        all.tracks.extend(one.tracks);
        all.missing += one.missing;
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn playlists_and_audio_files_mix_in_order_and_a_missing_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let song = dir.path().join("a.wav");
        std::fs::write(&song, b"RIFF").unwrap();
        let b = dir.path().join("b.flac");
        std::fs::write(&b, b"fLaC").unwrap();
        let list = dir.path().join("evening.M3U");
        std::fs::write(&list, "#EXTM3U\nb.flac\n/elsewhere/c.ogg\n").unwrap();
        let got = tracks_of_all(&[song.clone(), list, song.clone()]).unwrap();
        // The playlist's entry that is not on disk is left out and counted.
        assert_eq!(got.tracks, [song.clone(), b, song]);
        assert_eq!(got.missing, 1);
        let missing = dir.path().join("gone.mp3");
        let err = tracks_of_all(std::slice::from_ref(&missing)).unwrap_err();
        assert!(
            err.starts_with(&format!("cannot play {}: ", missing.display())),
            "{err}"
        );
        let err = tracks_of(dir.path()).unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
        let pls = dir.path().join("night.pls");
        std::fs::write(&pls, "[playlist]\nFile1=d.opus\nNumberOfEntries=1\n").unwrap();
        let d = dir.path().join("d.opus");
        assert_eq!(tracks_of(&pls).unwrap().missing, 1);
        std::fs::write(&d, b"OggS").unwrap();
        assert_eq!(tracks_of(&pls).unwrap().tracks, [d]);
        let err = tracks_of(&dir.path().join("none.m3u8")).unwrap_err();
        assert!(err.starts_with("cannot read playlist"), "{err}");
        assert_eq!(
            crate::library::playlist::gone_note(2),
            "2 entries whose files are gone left out"
        );
    }
}
