//! The files of `mien FILE...` and `mien ctl add FILE...`: playlists and audio files in any mix,
//! turned into the tracks to queue, in order. Runs on the caller's thread (the client, or the
//! player's main thread before the terminal opens).

use std::path::{Path, PathBuf};

use crate::audio::file::regular_metadata;
use crate::library::playlist::{is_playlist_path, read_playlist};

/// The tracks one command-line path stands for: a playlist's entries (by extension), or the
/// audio file itself, which must be a regular file. New playlist kinds get one arm here.
pub fn tracks_of(path: &Path) -> Result<Vec<PathBuf>, String> {
    if is_playlist_path(path) {
        return read_playlist(path)
            .map(|list| list.entries)
            .map_err(|e| e.to_string());
    }
    regular_metadata(path)
        .map(|_| vec![path.to_path_buf()])
        .map_err(|e| format!("cannot play {}: {e}", path.display()))
}

/// Every path's tracks, in order; the first path that cannot be read is the error (nothing is
/// queued from a list with a mistake in it: the listener fixes it and runs the command again).
pub fn tracks_of_all(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut tracks = Vec::new();
    for p in paths {
        tracks.extend(tracks_of(p)?);
    }
    Ok(tracks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn playlists_and_audio_files_mix_in_order_and_a_missing_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let song = dir.path().join("a.wav");
        std::fs::write(&song, b"RIFF").unwrap();
        let list = dir.path().join("evening.M3U");
        std::fs::write(&list, "#EXTM3U\nb.flac\n/elsewhere/c.ogg\n").unwrap();
        let got = tracks_of_all(&[song.clone(), list, song.clone()]).unwrap();
        assert_eq!(
            got,
            [
                song.clone(),
                dir.path().join("b.flac"),
                PathBuf::from("/elsewhere/c.ogg"),
                song
            ]
        );
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
        assert_eq!(tracks_of(&pls).unwrap(), [dir.path().join("d.opus")]);
        let err = tracks_of(&dir.path().join("none.m3u8")).unwrap_err();
        assert!(err.starts_with("cannot read playlist"), "{err}");
    }
}
