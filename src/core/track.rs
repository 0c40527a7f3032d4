//! The `Track` model: one audio file of the library with its tags and stream properties.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// A stable identifier for a track: the 64-bit FNV-1a hash of its path's bytes. The same path
/// always gives the same id, across runs and machines, so ids can key ratings and history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TrackId(pub u64);

impl TrackId {
    pub fn from_path(path: &Path) -> TrackId {
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        let mut hash = OFFSET;
        for byte in path.as_os_str().as_encoded_bytes() {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
        TrackId(hash)
    }

    pub fn to_be_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }
}

impl fmt::Display for TrackId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// The codec of a track's audio, as far as the player distinguishes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AudioFormat {
    Mp3,
    Flac,
    Vorbis,
    Wav,
    Aiff,
    Aac,
    Alac,
    Opus,
}

impl AudioFormat {
    pub fn name(self) -> &'static str {
        match self {
            AudioFormat::Mp3 => "mp3",
            AudioFormat::Flac => "flac",
            AudioFormat::Vorbis => "vorbis",
            AudioFormat::Wav => "wav",
            AudioFormat::Aiff => "aiff",
            AudioFormat::Aac => "aac",
            AudioFormat::Alac => "alac",
            AudioFormat::Opus => "opus",
        }
    }
}

impl fmt::Display for AudioFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// ReplayGain values from the file's tags; gains in dB, peaks as linear amplitude (1.0 = full
/// scale). Any of them may be missing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplayGain {
    pub track_gain_db: Option<f32>,
    pub track_peak: Option<f32>,
    pub album_gain_db: Option<f32>,
    pub album_peak: Option<f32>,
}

/// One playable audio file of the library.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Track {
    pub id: TrackId,
    #[serde(with = "crate::core::path_serde")]
    pub path: PathBuf,
    /// File size in bytes and modification time (ns since the epoch) when it was read: the pair
    /// that decides whether a rescan must read the file again.
    pub size: u64,
    pub mtime_ns: i128,
    pub format: AudioFormat,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub album_artist: Option<String>,
    pub track_no: Option<u32>,
    pub disc_no: Option<u32>,
    pub year: Option<u32>,
    pub genre: Option<String>,
    pub duration_ms: u64,
    pub sample_rate: u32,
    pub channels: u16,
    pub replay_gain: ReplayGain,
    /// Whether the file carries embedded cover art.
    pub has_art: bool,
}

impl Track {
    /// The title to show: the tag, else the file name without extension.
    pub fn display_title(&self) -> String {
        match &self.title {
            Some(t) if !t.trim().is_empty() => t.clone(),
            _ => self
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| self.path.display().to_string()),
        }
    }

    /// The artist to show: track artist, else album artist, else "Unknown artist".
    pub fn display_artist(&self) -> &str {
        self.artist
            .as_deref()
            .or(self.album_artist.as_deref())
            .unwrap_or("Unknown artist")
    }

    pub fn path_buf(&self) -> PathBuf {
        self.path.clone()
    }
}

/// Size in bytes and modification time in nanoseconds since the epoch (negative before it; 0
/// where the platform has no mtime): the pair that decides whether a file must be read again.
pub fn file_stamp(meta: &std::fs::Metadata) -> (u64, i128) {
    let mtime_ns = match meta.modified() {
        Ok(t) => match t.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i128,
            Err(before) => -(before.duration().as_nanos() as i128),
        },
        Err(_) => 0,
    };
    (meta.len(), mtime_ns)
}

/// Whether `path` lies in one of the library folders in effect (`roots`; none: every path). The
/// catalogue keeps what was scanned from other folders before (a one-off `--library DIR`, a
/// folder since taken out of the config: their tags, and the ratings by track id, stay), and
/// the player, the commands and the background workers (mood, loudness) take only the tracks of
/// the folders in effect.
pub fn in_library(path: &Path, roots: &[PathBuf]) -> bool {
    roots.is_empty() || roots.iter().any(|r| path.starts_with(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn track_id_is_stable_for_a_path_and_differs_between_paths() {
        let a = TrackId::from_path(Path::new("/music/a.flac"));
        assert_eq!(a, TrackId::from_path(Path::new("/music/a.flac")));
        assert_ne!(a, TrackId::from_path(Path::new("/music/b.flac")));
        // FNV-1a of the empty string is the offset basis.
        assert_eq!(TrackId::from_path(Path::new("")).0, 0xcbf2_9ce4_8422_2325);
    }

    #[test]
    fn a_path_is_in_the_library_when_under_one_of_its_folders_by_whole_components() {
        let roots = [PathBuf::from("/music"), PathBuf::from("/mnt/usb/songs")];
        assert!(in_library(Path::new("/music/a/b.flac"), &roots));
        assert!(in_library(Path::new("/mnt/usb/songs/c.ogg"), &roots));
        assert!(!in_library(Path::new("/tmp/ut/a.mp3"), &roots));
        assert!(
            !in_library(Path::new("/musicals/x.mp3"), &roots),
            "not by prefix of a name"
        );
        assert!(in_library(Path::new("/anything.mp3"), &[]));
    }
}
