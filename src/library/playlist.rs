//! Opening any playlist mien reads (`.m3u`, `.m3u8`, `.pls`) by its extension, and the saved
//! playlists in the data dir's `playlists/` folder (what `w` writes), listed for the player's
//! picker. File I/O: runs on a helper thread of the runtime, never on the UI thread.

use std::path::{Path, PathBuf};

use super::m3u::{read_m3u, Playlist, PlaylistError};
use super::pls::read_pls;

/// Reads a playlist, choosing the format by extension: `.pls` is PLS, anything else m3u.
pub fn read_playlist(path: &Path) -> Result<Playlist, PlaylistError> {
    let pls = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pls"));
    if pls {
        read_pls(path)
    } else {
        read_m3u(path)
    }
}

/// Whether mien opens this file as a playlist.
pub fn is_playlist_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["m3u", "m3u8", "pls"].contains(&e.to_ascii_lowercase().as_str()))
}

/// One file of the saved-playlists folder, as the picker lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedPlaylist {
    pub path: PathBuf,
    /// The file name without its extension.
    pub name: String,
    /// Local files it names, or why it cannot be read.
    pub tracks: Result<usize, String>,
    /// Last modified, in seconds since the Unix epoch (0 when unknown).
    pub modified_s: u64,
}

/// The playlists in `dir`, newest first (then by name). A missing folder is an empty list (no
/// playlist saved yet); a folder that cannot be listed is an error naming it. Each playlist is
/// read to count its tracks: one that cannot be read is listed with the reason.
pub fn list_saved(dir: &Path) -> Result<Vec<SavedPlaylist>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            let why = crate::core::io_reason(&e);
            return Err(format!("cannot list {}: {why}", dir.display()));
        }
    };
    let mut lists: Vec<SavedPlaylist> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| is_playlist_path(p) && !hidden(p))
        .map(|path| {
            let modified_s = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs());
            let tracks = read_playlist(&path)
                .map(|p| p.entries.len())
                .map_err(|e| e.to_string());
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            SavedPlaylist {
                path,
                name,
                tracks,
                modified_s,
            }
        })
        .collect();
    lists.sort_by(|a, b| b.modified_s.cmp(&a.modified_s).then(a.name.cmp(&b.name)));
    Ok(lists)
}

/// A dot file (such as the temporary file of a save in progress).
fn hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// A saved playlist read for the queue: the files that still exist, in order, and what was left
/// out (entries that name no local file, files that are gone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedPlaylist {
    pub paths: Vec<PathBuf>,
    /// Entries that name no local file (a stream URL, a bad line).
    pub skipped: usize,
    /// Local files that no longer exist.
    pub missing: usize,
}

/// "1 entry whose file is gone left out" (and the plural): what the status line and
/// `mien ctl add` say of the entries [`open_for_queue`] dropped.
pub fn gone_note(missing: usize) -> String {
    match missing {
        1 => "1 entry whose file is gone left out".into(),
        n => format!("{n} entries whose files are gone left out"),
    }
}

/// Reads `path` for the player: [`read_playlist`], then drops the files that are gone.
pub fn open_for_queue(path: &Path) -> Result<OpenedPlaylist, String> {
    let list = read_playlist(path).map_err(|e| e.to_string())?;
    let total = list.entries.len();
    let paths: Vec<PathBuf> = list.entries.into_iter().filter(|p| p.is_file()).collect();
    Ok(OpenedPlaylist {
        missing: total - paths.len(),
        skipped: list.ignored.len(),
        paths,
    })
}
