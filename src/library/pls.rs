//! PLS playlists (`[playlist]`, `FileN=`, `TitleN=`, `LengthN=`, `NumberOfEntries=`): a small
//! reader of our own, giving the same [`Playlist`] as the m3u reader. Pure file I/O on whichever
//! thread asks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::m3u::{parse_entry, read_text, IgnoredEntry, Playlist, PlaylistError};

/// One `FileN` entry with what the file said about it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlsEntry {
    pub file: Option<String>,
    pub title: Option<String>,
    /// `LengthN` in seconds; `-1` (a stream) and bad numbers are `None`.
    pub length_s: Option<u64>,
    /// Line of the `FileN=` key, for messages.
    line: usize,
}

/// A parsed PLS file: the entries by number, the lines that were not understood, and the
/// declared `NumberOfEntries` (not trusted: the `FileN` keys decide).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlsFile {
    pub entries: BTreeMap<u32, PlsEntry>,
    pub bad_lines: Vec<IgnoredEntry>,
    pub declared: Option<usize>,
}

/// Parses PLS text. Keys are case-insensitive, blank lines and `;`/`#` comments are skipped; a
/// line that is not `key=value`, a key outside `[playlist]`, an unknown key or a bad number goes
/// to `bad_lines` with its line number and why, and the rest is still read.
pub fn parse_pls(text: &str) -> PlsFile {
    let mut pls = PlsFile::default();
    let mut in_playlist = false;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let mut bad = |reason: &'static str| {
            pls_bad(&mut pls.bad_lines, index + 1, line, reason);
        };
        if line.is_empty() || line.starts_with([';', '#']) {
            continue;
        }
        if line.starts_with('[') {
            in_playlist = line.eq_ignore_ascii_case("[playlist]");
            if !in_playlist {
                bad("a section other than [playlist]");
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            bad("not a key=value line");
            continue;
        };
        if !in_playlist {
            bad("outside the [playlist] section");
            continue;
        }
        let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
        match key.as_str() {
            "numberofentries" => match value.parse() {
                Ok(n) => pls.declared = Some(n),
                Err(_) => bad("NumberOfEntries is not a number"),
            },
            "version" => {}
            _ => {
                let Some((field, n)) = numbered_key(&key) else {
                    bad("unknown key");
                    continue;
                };
                let entry = pls.entries.entry(n).or_default();
                match field {
                    Field::File => {
                        entry.file = Some(value.to_string());
                        entry.line = index + 1;
                    }
                    Field::Title => entry.title = Some(value.to_string()),
                    Field::Length => entry.length_s = value.parse().ok(),
                }
            }
        }
    }
    pls
}

fn pls_bad(bad: &mut Vec<IgnoredEntry>, line: usize, entry: &str, reason: &'static str) {
    bad.push(IgnoredEntry {
        line,
        entry: entry.to_string(),
        reason,
    });
}

enum Field {
    File,
    Title,
    Length,
}

/// `file12` → (File, 12). Numbers start at 1.
fn numbered_key(key: &str) -> Option<(Field, u32)> {
    let digits = key.find(|c: char| c.is_ascii_digit())?;
    let (name, n) = key.split_at(digits);
    let field = match name {
        "file" => Field::File,
        "title" => Field::Title,
        "length" => Field::Length,
        _ => return None,
    };
    let n: u32 = n.parse().ok()?;
    (n > 0).then_some((field, n))
}

/// Reads a `.pls` playlist: UTF-8 when it is valid, Latin-1 otherwise. Entries come in `FileN`
/// order; relative paths are joined to the playlist's folder, `file://` URIs are decoded, and
/// stream URLs, bad lines and `TitleN`/`LengthN` without a `FileN` go to [`Playlist::ignored`].
pub fn read_pls(path: &Path) -> Result<Playlist, PlaylistError> {
    let pls = parse_pls(&read_text(path, false)?);
    let folder = path.parent().unwrap_or(Path::new(""));
    let mut playlist = Playlist {
        ignored: pls.bad_lines,
        ..Playlist::default()
    };
    for (n, entry) in pls.entries {
        let Some(file) = entry.file else {
            pls_bad(
                &mut playlist.ignored,
                0,
                &format!("entry {n}"),
                "a title or length without a File line",
            );
            continue;
        };
        match parse_entry(&file) {
            Ok(p) => playlist
                .entries
                .push(folder.join(p).components().collect::<PathBuf>()),
            Err(reason) => pls_bad(&mut playlist.ignored, entry.line, &file, reason),
        }
    }
    playlist.ignored.sort_by_key(|i| i.line);
    Ok(playlist)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_titles_and_lengths_are_read_by_number_whatever_the_order_and_case() {
        let pls = parse_pls(
            "[playlist]\r\nFile2=b.ogg\r\nfile1=a.mp3\r\nTitle1=A song\r\nLength1=241\r\n\
             Length2=-1\r\nNumberOfEntries=2\r\nVersion=2\r\n",
        );
        assert!(pls.bad_lines.is_empty(), "{:?}", pls.bad_lines);
        assert_eq!(pls.declared, Some(2));
        let files: Vec<_> = pls.entries.values().map(|e| e.file.as_deref()).collect();
        assert_eq!(files, [Some("a.mp3"), Some("b.ogg")]);
        assert_eq!(pls.entries[&1].title.as_deref(), Some("A song"));
        assert_eq!(pls.entries[&1].length_s, Some(241));
        assert_eq!(pls.entries[&2].length_s, None, "-1 is a stream");
    }

    #[test]
    fn bad_lines_are_counted_with_their_line_and_reading_goes_on() {
        let pls = parse_pls(
            "File1=early.mp3\n[playlist]\njunk\nFile0=zero.mp3\nFoo3=x\nNumberOfEntries=two\n\
             ; a comment\nFile1=ok.mp3\n[other]\nFile2=elsewhere.mp3\n",
        );
        let lines: Vec<usize> = pls.bad_lines.iter().map(|b| b.line).collect();
        assert_eq!(lines, [1, 3, 4, 5, 6, 9, 10], "{:?}", pls.bad_lines);
        assert_eq!(pls.entries.len(), 1);
        assert_eq!(pls.entries[&1].file.as_deref(), Some("ok.mp3"));
    }
}
