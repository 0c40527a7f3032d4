//! M3U / M3U8 playlists: reading them into paths and writing the queue out as one. Pure file I/O;
//! runs on whichever thread asks (the UI thread for a save, the library thread for a load).

use crate::audio::file::{read_regular, FileError};
use crate::core::Track;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The local files a playlist names, in order, and the lines it had to leave out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Playlist {
    /// Absolute when the playlist's own path was; relative entries are joined to its folder. They
    /// are not checked for existence.
    pub entries: Vec<PathBuf>,
    pub ignored: Vec<IgnoredEntry>,
}

/// A non-comment line that names no local file (a stream URL, a remote `file://` host, a broken
/// percent escape).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoredEntry {
    /// 1-based line number in the playlist.
    pub line: usize,
    pub entry: String,
    pub reason: &'static str,
}

/// One track to write: its `#EXTINF` line from the optional fields, then its path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlaylistEntry {
    pub path: PathBuf,
    pub duration_ms: Option<u64>,
    pub artist: Option<String>,
    pub title: Option<String>,
}

impl From<&Track> for PlaylistEntry {
    fn from(track: &Track) -> Self {
        PlaylistEntry {
            path: track.path.clone(),
            duration_ms: (track.duration_ms > 0).then_some(track.duration_ms),
            artist: track.artist.clone().or_else(|| track.album_artist.clone()),
            title: track.title.clone(),
        }
    }
}

/// Playlists larger than this are refused (a text list of 64 MiB is far beyond any real one).
const MAX_PLAYLIST_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum PlaylistError {
    #[error("cannot read playlist {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: FileError,
    },
    #[error("playlist {} is not valid UTF-8 (line {line})", path.display())]
    NotUtf8 { path: PathBuf, line: usize },
    #[error("cannot write playlist {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Reads an `.m3u` or `.m3u8` playlist. `.m3u8` must be UTF-8; anything else is read as UTF-8 when
/// it is valid and as Latin-1 otherwise. `#` lines and blank lines are skipped, CRLF is accepted,
/// `file://` URIs are percent-decoded, and other URLs go to [`Playlist::ignored`].
pub fn read_m3u(path: &Path) -> Result<Playlist, PlaylistError> {
    let text = read_text(path, is_m3u8(path))?;
    let folder = path.parent().unwrap_or(Path::new(""));
    let mut playlist = Playlist::default();
    for (index, raw) in text.lines().enumerate() {
        let entry = raw.trim();
        if entry.is_empty() || entry.starts_with('#') {
            continue;
        }
        match parse_entry(entry) {
            Ok(p) => playlist.entries.push(folder.join(p).components().collect()),
            Err(reason) => playlist.ignored.push(IgnoredEntry {
                line: index + 1,
                entry: entry.to_string(),
                reason,
            }),
        }
    }
    Ok(playlist)
}

/// A playlist file's text, without a UTF-8 byte-order mark: UTF-8 when it is valid, else (unless
/// `utf8_only`, which makes it an error naming the line) Latin-1. Shared with the `.pls` reader.
pub(super) fn read_text(path: &Path, utf8_only: bool) -> Result<String, PlaylistError> {
    let bytes = read_regular(path, MAX_PLAYLIST_BYTES).map_err(|source| PlaylistError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(e) if utf8_only => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            let path = path.to_path_buf();
            Err(PlaylistError::NotUtf8 { path, line })
        }
        Err(_) => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// Writes `#EXTM3U`, then `#EXTINF:<seconds>,<artist> - <title>` and the absolute path for each
/// entry, as UTF-8. A path that is not UTF-8 or holds a line break is written as a percent-encoded
/// `file://` URI, which [`read_m3u`] reads back. The file is replaced atomically: the text goes to
/// a temporary file in the same folder, which is then renamed over `path`.
pub fn write_m3u(path: &Path, tracks: &[PlaylistEntry]) -> Result<(), PlaylistError> {
    let write_err = |source| PlaylistError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut text = String::from("#EXTM3U\n");
    for entry in tracks {
        let absolute = std::path::absolute(&entry.path).map_err(write_err)?;
        text.push_str(&extinf(entry));
        text.push('\n');
        match absolute.to_str() {
            Some(s) if !s.contains(['\n', '\r']) && s.trim() == s => text.push_str(s),
            _ => text.push_str(&file_uri(&absolute)),
        }
        text.push('\n');
    }
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    // 0600: a playlist says what its user listens to.
    let written = crate::core::private::private_file(&temp, false).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.sync_all()
    });
    let result = written.and_then(|()| fs::rename(&temp, path));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.map_err(write_err)
}

fn is_m3u8(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("m3u8"))
}

/// `#EXTINF:<seconds>,<label>`: -1 seconds when unknown; the label is `artist - title`, the title,
/// or the file name, with line breaks flattened.
fn extinf(entry: &PlaylistEntry) -> String {
    let seconds = entry.duration_ms.map_or(-1, |ms| {
        i64::try_from((ms + 500) / 1000).unwrap_or(i64::MAX)
    });
    let stem = || {
        entry
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
    };
    let label = match (&entry.artist, &entry.title) {
        (Some(artist), Some(title)) => format!("{artist} - {title}"),
        (None, Some(title)) => title.clone(),
        (_, None) => stem().unwrap_or_default(),
    };
    format!("#EXTINF:{seconds},{}", label.replace(['\r', '\n'], " "))
}

/// What a non-comment line names: a path (maybe relative), or why it names none. Shared with the
/// `.pls` reader, whose `FileN=` values are the same kind of entry.
pub(super) fn parse_entry(entry: &str) -> Result<PathBuf, &'static str> {
    let lower = entry.get(..7).map(str::to_ascii_lowercase);
    if lower.as_deref() == Some("file://") {
        let rest = &entry[7..];
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) {
            return Err("file:// URI on another host");
        }
        return percent_decode(path).map(os_string).map(PathBuf::from);
    }
    if has_url_scheme(entry) {
        return Err("not a local file (URL)");
    }
    Ok(PathBuf::from(entry))
}

/// `scheme://` with a scheme of two or more characters (so `C:\` stays a path).
fn has_url_scheme(entry: &str) -> bool {
    entry.split_once("://").is_some_and(|(scheme, _)| {
        scheme.len() >= 2
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

fn percent_decode(s: &str) -> Result<Vec<u8>, &'static str> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
            out.push(byte.ok_or("broken percent escape in file:// URI")?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

#[cfg(unix)]
fn os_string(bytes: Vec<u8>) -> OsString {
    std::os::unix::ffi::OsStringExt::from_vec(bytes)
}

#[cfg(not(unix))]
fn os_string(bytes: Vec<u8>) -> OsString {
    OsString::from(String::from_utf8_lossy(&bytes).into_owned())
}

/// `file://` + the path's bytes, percent-encoding all but unreserved characters and `/`.
fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for &b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_are_percent_decoded_and_remote_hosts_refused() {
        let p = parse_entry("file:///music/A%20B/%C3%A9t%C3%A9.flac");
        assert_eq!(p, Ok(PathBuf::from("/music/A B/été.flac")));
        let p = parse_entry("FILE://localhost/x%2fy.mp3");
        assert_eq!(p, Ok(PathBuf::from("/x/y.mp3")));
        assert!(parse_entry("file://nas/share/a.mp3").is_err());
        assert!(parse_entry("file:///bad%2").is_err());
        assert!(parse_entry("file:///bad%zz").is_err());
    }

    #[test]
    fn urls_are_refused_but_drive_letters_and_odd_names_are_paths() {
        assert!(parse_entry("http://radio.example/stream").is_err());
        assert!(parse_entry("rtsp://cam/feed").is_err());
        assert_eq!(
            parse_entry("C:\\m\\a.mp3"),
            Ok(PathBuf::from("C:\\m\\a.mp3"))
        );
        assert_eq!(parse_entry("a :// b.mp3"), Ok(PathBuf::from("a :// b.mp3")));
    }

    #[test]
    fn file_uri_round_trips_through_the_reader() {
        let path = Path::new("/m/a b/é\n%.mp3");
        let uri = file_uri(path);
        assert!(uri.is_ascii() && !uri.contains(' '), "{uri}");
        assert_eq!(parse_entry(&uri), Ok(path.to_path_buf()));
    }

    #[test]
    fn extinf_uses_artist_title_then_title_then_file_name() {
        let mut e = PlaylistEntry {
            path: PathBuf::from("/m/01 Song.flac"),
            duration_ms: Some(61_600),
            artist: Some("A".into()),
            title: Some("T\nU".into()),
        };
        assert_eq!(extinf(&e), "#EXTINF:62,A - T U");
        e.artist = None;
        assert_eq!(extinf(&e), "#EXTINF:62,T U");
        e.title = None;
        e.duration_ms = None;
        assert_eq!(extinf(&e), "#EXTINF:-1,01 Song");
    }
}
