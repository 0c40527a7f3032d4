//! Lyrics stored in the audio file's tags, read with lofty: ID3v2 `SYLT` (synced) and `USLT`,
//! Vorbis comments `LYRICS` and `UNSYNCEDLYRICS`, MP4 `©lyr`, APE `Lyrics`. Text lyrics that carry
//! LRC stamps (common in `LYRICS`) are synced too. Runs on the caller's thread.

use std::io::{BufReader, Seek, SeekFrom};
use std::path::Path;

use lofty::config::ParseOptions;
use lofty::file::{AudioFile, FileType, TaggedFile, TaggedFileExt};
use lofty::id3::v2::{
    Frame, Id3v2Tag, SyncTextContentType, SynchronizedTextFrame, TimestampFormat,
};
use lofty::tag::ItemKey;

use super::{lrc, LyricLine, Lyrics, LyricsBody, LyricsError, LyricsSource};
use crate::audio::file::open_regular;

/// The lyrics in `path`'s tags, if any.
pub(super) fn read(path: &Path) -> Result<Option<Lyrics>, LyricsError> {
    let tags_error = |reason: String| LyricsError::Tags {
        path: path.to_path_buf(),
        reason,
    };
    let file = open_regular(path).map_err(|source| LyricsError::File {
        path: path.to_path_buf(),
        source,
    })?;
    let options = ParseOptions::new()
        .read_properties(false)
        .read_cover_art(false);
    let probe = lofty::probe::Probe::new(BufReader::new(file))
        .options(options)
        .guess_file_type()
        .map_err(|e| tags_error(e.to_string()))?;
    let Some(file_type) = probe.file_type() else {
        return Ok(None); // not a format lofty knows: no tags to read
    };
    // ID3v2's SYLT frames are not carried into lofty's generic tag: read them from the file's own
    // ID3v2 tag first.
    let read_err = |e: lofty::error::LoftyError| tags_error(e.to_string());
    let tagged: TaggedFile = match file_type {
        FileType::Mpeg | FileType::Wav | FileType::Aiff => {
            let mut reader = probe.into_inner();
            reader
                .seek(SeekFrom::Start(0))
                .map_err(|e| tags_error(e.to_string()))?;
            let (sylt_found, tagged) = match file_type {
                FileType::Mpeg => {
                    let f =
                        lofty::mpeg::MpegFile::read_from(&mut reader, options).map_err(read_err)?;
                    (f.id3v2().and_then(sylt), f.into())
                }
                FileType::Wav => {
                    let f = lofty::iff::wav::WavFile::read_from(&mut reader, options)
                        .map_err(read_err)?;
                    (f.id3v2().and_then(sylt), f.into())
                }
                _ => {
                    let f = lofty::iff::aiff::AiffFile::read_from(&mut reader, options)
                        .map_err(read_err)?;
                    (f.id3v2().and_then(sylt), f.into())
                }
            };
            if sylt_found.is_some() {
                return Ok(sylt_found);
            }
            tagged
        }
        _ => probe.read().map_err(read_err)?,
    };
    Ok(text_lyrics(&tagged))
}

/// The first SYLT frame holding lyrics (or a transcription) with millisecond stamps.
fn sylt(tag: &Id3v2Tag) -> Option<Lyrics> {
    tag.into_iter().find_map(|frame| {
        let Frame::Binary(binary) = frame else {
            return None;
        };
        if binary.id().as_str() != "SYLT" {
            return None;
        }
        let parsed = SynchronizedTextFrame::parse(&binary.data, binary.flags()).ok()?;
        let lyrics = matches!(
            parsed.content_type,
            SyncTextContentType::Lyrics | SyncTextContentType::TextTranscription
        );
        // MPEG-frame stamps would need the frame length; writers use milliseconds.
        if !lyrics || parsed.timestamp_format != TimestampFormat::MS {
            return None;
        }
        let lines = sylt_lines(parsed.content);
        (!lines.is_empty()).then_some(Lyrics {
            body: LyricsBody::Synced(lines),
            source: LyricsSource::Embedded("ID3v2 SYLT"),
            skipped: 0,
        })
    })
}

/// SYLT entries as lines. Writers store either one line per entry, or syllables where each line
/// starts with an entry beginning with a line break.
fn sylt_lines(content: Vec<(u32, String)>) -> Vec<LyricLine> {
    let syllables = content
        .iter()
        .skip(1)
        .any(|(_, t)| t.starts_with(['\n', '\r']));
    let mut lines: Vec<LyricLine> = Vec::new();
    for (at, text) in content {
        let starts_line = !syllables || text.starts_with(['\n', '\r']) || lines.is_empty();
        let text = text.trim_start_matches(['\n', '\r']);
        match lines.last_mut() {
            Some(last) if !starts_line => last.text.push_str(text),
            _ => lines.push(LyricLine {
                at_ms: u64::from(at),
                text: text.to_string(),
            }),
        }
    }
    for l in &mut lines {
        l.text = l.text.trim().to_string();
    }
    lines.sort_by_key(|l| l.at_ms);
    lines
}

/// Text lyrics from any tag: synced when the text carries LRC stamps.
fn text_lyrics(tagged: &TaggedFile) -> Option<Lyrics> {
    let unsynced = ItemKey::Unknown("UNSYNCEDLYRICS".into());
    tagged.tags().iter().find_map(|tag| {
        let (key, text) = [(&ItemKey::Lyrics, "LYRICS"), (&unsynced, "UNSYNCEDLYRICS")]
            .into_iter()
            .find_map(|(key, name)| {
                let text = tag.get_string(key)?;
                (!text.trim().is_empty()).then_some((name, text))
            })?;
        let parsed = lrc::parse(text);
        if parsed.body.is_empty() {
            return None;
        }
        Some(Lyrics {
            body: parsed.body,
            source: LyricsSource::Embedded(source_name(tag.tag_type(), key)),
            skipped: parsed.skipped,
        })
    })
}

fn source_name(tag: lofty::tag::TagType, key: &str) -> &'static str {
    use lofty::tag::TagType;
    match (tag, key) {
        (TagType::Id3v2, _) => "ID3v2 USLT",
        (TagType::VorbisComments, "UNSYNCEDLYRICS") => "Vorbis UNSYNCEDLYRICS",
        (TagType::VorbisComments, _) => "Vorbis LYRICS",
        (TagType::Mp4Ilst, _) => "MP4 ©lyr",
        (TagType::Ape, _) => "APE Lyrics",
        _ => "tag lyrics",
    }
}
