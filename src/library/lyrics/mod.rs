//! A track's lyrics: where they come from (an `.lrc` file beside the track, else the tags), the
//! LRC parser (`lrc`), the tag reader (`embedded`), and which line is sung at a position. Pure
//! but for the file reads in [`load`], which runs on a short-lived `lyrics` thread of the
//! runtime.

mod embedded;
pub mod lrc;

use std::path::{Path, PathBuf};

use crate::audio::file::{read_regular, FileError};

/// The largest `.lrc` file read (a long song's synced lyrics are a few KiB).
const MAX_LRC_BYTES: u64 = 1 << 20;

/// One line of synced lyrics: from `at_ms` until the next line's time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LyricLine {
    pub at_ms: u64,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LyricsBody {
    /// Sorted by `at_ms`.
    Synced(Vec<LyricLine>),
    /// Plain text, one entry per line (empty entries between verses).
    Unsynced(Vec<String>),
}

impl Default for LyricsBody {
    fn default() -> Self {
        LyricsBody::Unsynced(Vec::new())
    }
}

impl LyricsBody {
    pub fn is_empty(&self) -> bool {
        match self {
            LyricsBody::Synced(l) => l.iter().all(|l| l.text.is_empty()),
            LyricsBody::Unsynced(l) => l.iter().all(String::is_empty),
        }
    }
}

/// Where lyrics were found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LyricsSource {
    /// An `.lrc` file beside the track.
    File(PathBuf),
    /// A tag in the audio file: `"ID3v2 SYLT"`, `"ID3v2 USLT"`, `"Vorbis LYRICS"`, ...
    Embedded(&'static str),
}

impl LyricsSource {
    /// A short name for the pane's title: `song.lrc`, `ID3v2 SYLT`.
    pub fn label(&self) -> String {
        match self {
            LyricsSource::File(p) => p
                .file_name()
                .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into()),
            LyricsSource::Embedded(what) => (*what).to_string(),
        }
    }
}

/// A track's lyrics, ready to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lyrics {
    pub body: LyricsBody,
    pub source: LyricsSource,
    /// Lines of the source that could not be read and were left out.
    pub skipped: usize,
}

/// What looking for a track's lyrics found: the lyrics (if any) and what went wrong on the way
/// (a damaged `.lrc` file, an unreadable tag), each naming its file. Problems do not stop the
/// search: a broken `.lrc` file still lets embedded lyrics show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LyricsReport {
    pub lyrics: Option<Lyrics>,
    pub problems: Vec<String>,
}

/// Why one source of lyrics could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LyricsError {
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: FileError,
    },
    #[error("{path}: not UTF-8 or UTF-16 text (invalid byte at offset {at})")]
    NotText { path: PathBuf, at: usize },
    #[error("{path}: no lyric lines ({skipped} unreadable)")]
    NoLines { path: PathBuf, skipped: usize },
    #[error("{path}: tags unreadable: {reason}")]
    Tags { path: PathBuf, reason: String },
}

/// The index of the line sung at `position_ms`: the last line starting at or before it. `None`
/// before the first line.
pub fn current_line(lines: &[LyricLine], position_ms: u64) -> Option<usize> {
    lines
        .partition_point(|l| l.at_ms <= position_ms)
        .checked_sub(1)
}

/// When the line after the one at `position_ms` starts, if one does.
pub fn next_change(lines: &[LyricLine], position_ms: u64) -> Option<u64> {
    let i = lines.partition_point(|l| l.at_ms <= position_ms);
    lines.get(i).map(|l| l.at_ms)
}

/// The `.lrc` files that may hold `track`'s lyrics: same folder and stem, `.lrc` or `.LRC`.
pub fn lrc_candidates(track: &Path) -> [PathBuf; 2] {
    [track.with_extension("lrc"), track.with_extension("LRC")]
}

/// Looks for `track`'s lyrics: an `.lrc` file beside it first, then its tags (ID3v2 SYLT, then
/// USLT, Vorbis `LYRICS`/`UNSYNCEDLYRICS`, MP4 `©lyr`). Reads files; never panics.
pub fn load(track: &Path) -> LyricsReport {
    let mut report = LyricsReport::default();
    for path in lrc_candidates(track) {
        match read_lrc(&path) {
            Ok(Some(lyrics)) => {
                report.lyrics = Some(lyrics);
                return report;
            }
            Ok(None) => {}
            Err(e) => report.problems.push(e.to_string()),
        }
    }
    match embedded::read(track) {
        Ok(found) => report.lyrics = found,
        Err(e) => report.problems.push(e.to_string()),
    }
    report
}

/// Reads one `.lrc` file; `Ok(None)` when there is none.
pub fn read_lrc(path: &Path) -> Result<Option<Lyrics>, LyricsError> {
    let bytes = match read_regular(path, MAX_LRC_BYTES) {
        Ok(b) => b,
        Err(e) if e.io_kind() == Some(std::io::ErrorKind::NotFound) => return Ok(None),
        Err(source) => {
            return Err(LyricsError::File {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let text = decode_text(&bytes).map_err(|at| LyricsError::NotText {
        path: path.to_path_buf(),
        at,
    })?;
    let parsed = lrc::parse(&text);
    if parsed.body.is_empty() {
        return Err(LyricsError::NoLines {
            path: path.to_path_buf(),
            skipped: parsed.skipped,
        });
    }
    Ok(Some(Lyrics {
        body: parsed.body,
        source: LyricsSource::File(path.to_path_buf()),
        skipped: parsed.skipped,
    }))
}

/// UTF-8 (with or without a BOM) or UTF-16 with a BOM; else the offset of the first bad byte.
fn decode_text(bytes: &[u8]) -> Result<String, usize> {
    let utf16 = |be: bool| -> Result<String, usize> {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| match (c, be) {
                ([a, b], true) => u16::from_be_bytes([*a, *b]),
                ([a, b], false) => u16::from_le_bytes([*a, *b]),
                _ => 0xD800, // an odd last byte: a lone surrogate, rejected below
            })
            .collect();
        char::decode_utf16(units.iter().copied())
            .enumerate()
            .map(|(i, c)| c.map_err(|_| 2 + 2 * i))
            .collect()
    };
    match bytes {
        [0xFE, 0xFF, ..] => utf16(true),
        [0xFF, 0xFE, ..] => utf16(false),
        _ => std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|e| e.valid_up_to()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(stamps: &[u64]) -> Vec<LyricLine> {
        stamps
            .iter()
            .map(|&at_ms| LyricLine {
                at_ms,
                text: format!("at {at_ms}"),
            })
            .collect()
    }

    #[test]
    fn the_current_line_is_the_last_one_started() {
        let l = lines(&[1_000, 5_000, 9_000]);
        assert_eq!(current_line(&l, 0), None, "before the first line");
        assert_eq!(current_line(&l, 999), None);
        assert_eq!(current_line(&l, 1_000), Some(0), "exactly on a stamp");
        assert_eq!(current_line(&l, 4_999), Some(0), "between");
        assert_eq!(current_line(&l, 5_000), Some(1));
        assert_eq!(current_line(&l, 9_000), Some(2));
        assert_eq!(current_line(&l, 600_000), Some(2), "after the last");
        assert_eq!(current_line(&[], 5), None);
    }

    #[test]
    fn the_next_change_is_the_following_stamp() {
        let l = lines(&[1_000, 5_000]);
        assert_eq!(next_change(&l, 0), Some(1_000));
        assert_eq!(next_change(&l, 1_000), Some(5_000));
        assert_eq!(next_change(&l, 5_000), None);
    }

    #[test]
    fn an_lrc_file_beside_the_track_is_found_in_either_case() {
        let dir = tempfile::tempdir().expect("tempdir");
        let track = dir.path().join("01 - Song.flac");
        std::fs::write(&track, b"not audio at all").expect("write");
        assert_eq!(load(&track), LyricsReport::default(), "nothing anywhere");
        std::fs::write(dir.path().join("01 - Song.LRC"), "[00:01.00]upper").expect("write");
        let got = load(&track).lyrics.expect("found");
        assert_eq!(
            got.body,
            LyricsBody::Synced(vec![LyricLine {
                at_ms: 1_000,
                text: "upper".into()
            }])
        );
        assert_eq!(got.source.label(), "01 - Song.LRC");
    }

    #[test]
    fn a_damaged_lrc_file_is_a_problem_that_names_it_never_a_panic() {
        let dir = tempfile::tempdir().expect("tempdir");
        let track = dir.path().join("song.mp3");
        let lrc = dir.path().join("song.lrc");
        std::fs::write(&lrc, b"[00:01.00]caf\xe9\n").expect("write");
        let report = load(&track);
        assert_eq!(report.lyrics, None);
        assert_eq!(
            report.problems[0],
            format!(
                "{}: not UTF-8 or UTF-16 text (invalid byte at offset 13)",
                lrc.display()
            )
        );
        std::fs::write(&lrc, "[xx]\n[0:zz]\n").expect("write");
        let report = load(&track);
        assert!(
            report.problems[0].ends_with("no lyric lines (2 unreadable)"),
            "{report:?}"
        );
        std::fs::remove_file(&lrc).expect("rm");
        std::fs::create_dir(&lrc).expect("a folder named like the file");
        let report = load(&track);
        assert!(
            report.problems[0].ends_with("not a regular file (folder)"),
            "{report:?}"
        );
    }

    #[test]
    fn utf16_lrc_files_with_a_bom_are_read() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("[00:02.00]été".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode_text(&le).as_deref(), Ok("[00:02.00]été"));
        let mut be = vec![0xFE, 0xFF];
        be.extend("ok".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode_text(&be).as_deref(), Ok("ok"));
        assert_eq!(
            decode_text(&[0xFF, 0xFE, 0x41]),
            Err(2),
            "an odd byte count"
        );
    }
}
