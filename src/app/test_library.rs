//! A mood-tagged fixture library for the unit tests of the journey, the mood map and the
//! wind-down timer: 49 tracks on a 7 × 7 grid of the valence/arousal plane, 3 minutes each.

use std::path::PathBuf;

use super::state::AppState;
use crate::core::{AudioFormat, ReplayGain, Track, TrackId};
use crate::store::MoodRecord;

/// Grid position (i, j) → valence −0.9 + 0.3·i, arousal −0.9 + 0.3·j.
pub fn mood_of(i: u32, j: u32) -> (f32, f32) {
    (-0.9 + 0.3 * i as f32, -0.9 + 0.3 * j as f32)
}

pub fn path(i: u32, j: u32) -> PathBuf {
    PathBuf::from(format!("/music/grid/{i}-{j}.wav"))
}

pub fn id(i: u32, j: u32) -> TrackId {
    TrackId::from_path(&path(i, j))
}

fn track(i: u32, j: u32) -> Track {
    let mut t = wav_track(path(i, j), format!("T{i}{j}"), 180_000);
    t.artist = Some("Grid".into());
    t.album = Some(format!("Row {i}"));
    t.track_no = Some(j + 1);
    t
}

/// A WAV track at `path` with this title and length, 44.1 kHz stereo, no art: the base of the
/// unit tests' fixture catalogues (callers set artist, album and number as they need).
pub fn wav_track(path: PathBuf, title: String, duration_ms: u64) -> Track {
    Track {
        id: TrackId::from_path(&path),
        path,
        size: 1,
        mtime_ns: 0,
        format: AudioFormat::Wav,
        title: Some(title),
        artist: None,
        album: None,
        album_artist: None,
        track_no: None,
        disc_no: Some(1),
        year: None,
        genre: None,
        duration_ms,
        sample_rate: 44_100,
        channels: 2,
        replay_gain: ReplayGain::default(),
        has_art: false,
    }
}

/// The grid's catalogue with every mood tagged (confidence 0.8).
pub fn state() -> AppState {
    let cells: Vec<(u32, u32)> = (0..7).flat_map(|i| (0..7).map(move |j| (i, j))).collect();
    let mut s = AppState::new(
        cells.iter().map(|&(i, j)| track(i, j)).collect(),
        Vec::new(),
    );
    for &(i, j) in &cells {
        let (valence, arousal) = mood_of(i, j);
        s.moods.insert(
            id(i, j),
            MoodRecord {
                size: 1,
                mtime_ns: 0,
                model: "test".into(),
                tags: Vec::new(),
                valence,
                arousal,
                label: String::new(),
                confidence: 0.8,
                tagged_at_ms: 0,
            },
        );
    }
    s
}
