//! Reading one audio file into a [`Track`]: the decode check (`decode.rs`) and the tags
//! (`tags.rs`). A pure function of the file; runs on whichever thread calls it (scan workers, the
//! watcher thread).

use super::decode::{check_decodes, unsupported_container, StreamInfo};
use super::tags::{read_tags, FileTags};
use crate::audio::file::{open_regular, FileError};
pub use crate::core::file_stamp;
use crate::core::{Track, TrackId};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// File extensions (lower case) treated as audio. Files with one of these are always probed and,
/// when unplayable, listed as skipped with a reason; every other file is ignored silently.
pub const AUDIO_EXTENSIONS: &[&str] = &[
    "mp3", "flac", "ogg", "oga", "opus", "wav", "aif", "aiff", "aifc", "m4a", "mp4", "aac", "alac",
    "wma", "ape", "mka", "webm",
];

/// Why a file cannot be part of the library. The messages are short reasons meant for the list
/// of skipped files, which already names the file.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("cannot read: {}", crate::audio::file::io_reason(.0))]
    Io(#[from] std::io::Error),
    /// Not a regular file, or a broken link: the reason says which.
    #[error("{0}")]
    File(FileError),
    #[error("empty file")]
    Empty,
    #[error("not an audio file")]
    NotAudio,
    /// A container symphonia has no reader for (e.g. "wma", "ape").
    #[error("unsupported format: {0}")]
    UnsupportedFormat(&'static str),
    #[error("no audio track")]
    NoAudioTrack,
    /// A container symphonia reads holding a codec it cannot decode (e.g. "opus").
    #[error("unsupported codec: {0}")]
    UnsupportedCodec(String),
    #[error("corrupt: {0}")]
    Corrupt(String),
}

/// Whether `path`'s extension (any case) is one of [`AUDIO_EXTENSIONS`].
pub fn is_audio_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| AUDIO_EXTENSIONS.iter().any(|a| a.eq_ignore_ascii_case(e)))
}

/// Reads one file into a [`Track`]: tags and properties with lofty, then proves that symphonia can
/// open the container, build a decoder for the default audio track and decode its first packet.
/// A file whose tags cannot be read but which decodes is accepted without tags.
pub fn probe_file(path: &Path) -> Result<Track, ProbeError> {
    let mut file = open_regular(path).map_err(|e| match e {
        FileError::Io(io) => ProbeError::Io(io),
        other => ProbeError::File(other),
    })?;
    let (size, mtime_ns) = file_stamp(&file.metadata()?);
    if size == 0 {
        return Err(ProbeError::Empty);
    }
    let mut magic = [0u8; 16];
    let n = read_up_to(&mut file, &mut magic)?;
    if let Some(name) = unsupported_container(&magic[..n]) {
        return Err(ProbeError::UnsupportedFormat(name));
    }
    file.seek(SeekFrom::Start(0))?;
    let stream = check_decodes(file.try_clone()?, path)?;
    file.seek(SeekFrom::Start(0))?;
    let tags = read_tags(&mut file, path);
    Ok(build_track(path, size, mtime_ns, &stream, tags))
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

fn build_track(
    path: &Path,
    size: u64,
    mtime_ns: i128,
    stream: &StreamInfo,
    tags: FileTags,
) -> Track {
    Track {
        id: TrackId::from_path(path),
        path: path.to_path_buf(),
        size,
        mtime_ns,
        format: stream.format,
        title: tags.title,
        artist: tags.artist,
        album: tags.album,
        album_artist: tags.album_artist,
        track_no: tags.track_no,
        disc_no: tags.disc_no,
        year: tags.year,
        genre: tags.genre,
        // The tags' duration when the file can hold it, else symphonia's (already checked).
        duration_ms: crate::audio::open::plausible_duration_ms(tags.duration_ms, size)
            .unwrap_or(stream.duration_ms),
        sample_rate: tags.sample_rate.unwrap_or(stream.sample_rate),
        channels: tags.channels.unwrap_or(stream.channels),
        replay_gain: tags.replay_gain,
        has_art: tags.has_art,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_extensions_are_recognised_in_any_case_and_others_are_not() {
        for name in [
            "a.mp3", "b.FLAC", "c.Ogg", "d.opus", "e.wma", "f.ape", "g.m4a", "h.aifc",
        ] {
            assert!(is_audio_path(Path::new(name)), "{name}");
        }
        for name in [
            "cover.jpg",
            "notes.txt",
            "mp3",
            "noext",
            ".flac.bak",
            "x.cue",
        ] {
            assert!(!is_audio_path(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn a_missing_file_cannot_be_read() {
        let err = probe_file(Path::new("/nonexistent/mien/x.mp3")).unwrap_err();
        assert!(err.to_string().starts_with("cannot read:"), "{err}");
    }
}
