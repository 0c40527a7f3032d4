//! Tags and stream properties of one audio file, read with lofty. Pure; runs on the thread that
//! probes the file.

use crate::core::ReplayGain;
use lofty::file::{AudioFile, TaggedFileExt};
use lofty::tag::{Accessor, ItemKey, Tag};
use std::borrow::Cow;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// What lofty read: tag values trimmed (`None` when empty), properties where known (0 / `None`
/// otherwise).
#[derive(Debug, Default)]
pub(crate) struct FileTags {
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub album_artist: Option<String>,
    pub track_no: Option<u32>,
    pub disc_no: Option<u32>,
    pub year: Option<u32>,
    pub genre: Option<String>,
    pub replay_gain: ReplayGain,
    /// Whether any tag holds a picture.
    pub has_art: bool,
    pub duration_ms: u64,
    pub sample_rate: Option<u32>,
    pub channels: Option<u16>,
}

/// Reads the tags of `file` (positioned at its start), guessing the type from its content. A file
/// lofty cannot read gives empty tags (and a debug log): it may still be playable.
pub(crate) fn read_tags(file: &mut File, path: &Path) -> FileTags {
    let tagged = lofty::probe::Probe::new(BufReader::new(file))
        .guess_file_type()
        .map_err(lofty::error::LoftyError::from)
        .and_then(|probe| probe.read());
    let tagged = match tagged {
        Ok(tagged) => tagged,
        Err(e) => {
            tracing::debug!(path = %path.display(), error = %e, "no readable tags; accepting untagged");
            return FileTags::default();
        }
    };
    // The primary tag first, then the others as fallbacks.
    let tags: Vec<&Tag> = tagged
        .primary_tag()
        .into_iter()
        .chain(tagged.tags())
        .collect();
    let text = |get: &dyn Fn(&Tag) -> Option<Cow<'_, str>>| {
        tags.iter().find_map(|t| get(t).and_then(|v| clean(&v)))
    };
    let item = |key: ItemKey| tags.iter().find_map(|t| t.get_string(&key).and_then(clean));
    let number = |get: &dyn Fn(&Tag) -> Option<u32>| tags.iter().find_map(|t| get(t));
    let props = tagged.properties();
    FileTags {
        title: text(&|t| t.title()),
        artist: text(&|t| t.artist()),
        album: text(&|t| t.album()),
        album_artist: item(ItemKey::AlbumArtist),
        track_no: number(&|t| t.track()),
        disc_no: number(&|t| t.disk()),
        year: number(&|t| t.year()),
        genre: text(&|t| t.genre()),
        replay_gain: ReplayGain {
            track_gain_db: item(ItemKey::ReplayGainTrackGain).and_then(|s| parse_gain_db(&s)),
            track_peak: item(ItemKey::ReplayGainTrackPeak).and_then(|s| parse_peak(&s)),
            album_gain_db: item(ItemKey::ReplayGainAlbumGain).and_then(|s| parse_gain_db(&s)),
            album_peak: item(ItemKey::ReplayGainAlbumPeak).and_then(|s| parse_peak(&s)),
        },
        has_art: tags.iter().any(|t| !t.pictures().is_empty()),
        duration_ms: props.duration().as_millis() as u64,
        sample_rate: props.sample_rate().filter(|r| *r > 0),
        channels: props.channels().filter(|c| *c > 0).map(u16::from),
    }
}

/// A tag value trimmed, `None` when nothing is left.
fn clean(value: &str) -> Option<String> {
    let v = value.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    (!v.is_empty()).then(|| v.to_string())
}

/// Parses a ReplayGain gain such as "-3.21 dB", "+1.5dB" or "0.00"; `None` if not a finite number.
pub(crate) fn parse_gain_db(value: &str) -> Option<f32> {
    let v = value.trim();
    let v = v
        .strip_suffix("dB")
        .or_else(|| v.strip_suffix("db"))
        .or_else(|| v.strip_suffix("DB"))
        .unwrap_or(v)
        .trim();
    let v = v.strip_prefix('+').unwrap_or(v);
    v.parse::<f32>().ok().filter(|g| g.is_finite())
}

/// Parses a ReplayGain peak such as "0.988553" (linear amplitude); `None` if not a finite,
/// non-negative number.
pub(crate) fn parse_peak(value: &str) -> Option<f32> {
    value
        .trim()
        .parse::<f32>()
        .ok()
        .filter(|p| p.is_finite() && *p >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gain_strings_parse_with_and_without_unit_and_sign() {
        assert_eq!(parse_gain_db("-3.21 dB"), Some(-3.21));
        assert_eq!(parse_gain_db("+1.50 dB"), Some(1.5));
        assert_eq!(parse_gain_db(" 0.00dB "), Some(0.0));
        assert_eq!(parse_gain_db("-7.1"), Some(-7.1));
        assert_eq!(parse_gain_db("-2 db"), Some(-2.0));
        assert_eq!(parse_gain_db("loud"), None);
        assert_eq!(parse_gain_db(""), None);
        assert_eq!(parse_gain_db("NaN dB"), None);
    }

    #[test]
    fn peak_strings_parse_as_linear_amplitude() {
        assert_eq!(parse_peak("0.988553"), Some(0.988553));
        assert_eq!(parse_peak(" 1.2 "), Some(1.2));
        assert_eq!(parse_peak("-0.5"), None);
        assert_eq!(parse_peak("x"), None);
    }

    #[test]
    fn tag_values_are_trimmed_and_empty_ones_dropped() {
        assert_eq!(clean("  Song \0"), Some("Song".to_string()));
        assert_eq!(clean("   "), None);
        assert_eq!(clean(""), None);
    }
}
