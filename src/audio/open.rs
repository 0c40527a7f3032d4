//! Opening an audio file with symphonia, the one path shared by the library's decode check and
//! the engine's `TrackDecoder`: probe the container (the file's extension as a hint) → its
//! default audio track → header values bounded (channels, rate) → a decoder for that track (from
//! [`super::codecs`], so Opus too); plus the duration sanity check against the file's size. Each
//! caller then decodes the first packet its own way and maps [`OpenError`] to its own error.
//! Runs on the caller's thread.

use std::fs::File;
use std::path::Path;

use symphonia::core::codecs::audio::{
    AudioCodecId, AudioCodecParameters, AudioDecoder, AudioDecoderOptions,
};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, Track, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

/// An opened file: the container reader, its default audio track and a decoder for it.
pub struct OpenStream {
    pub reader: Box<dyn FormatReader>,
    /// A copy of the default audio track (id, time base, frame count, ...).
    pub track: Track,
    pub params: AudioCodecParameters,
    pub decoder: Box<dyn AudioDecoder>,
}

/// Why symphonia could not open a file, with symphonia's own error where it gave one.
#[derive(Debug)]
pub enum OpenError {
    /// No container reader accepts the file (`Unsupported`), or reading it failed.
    Probe(SymphoniaError),
    /// The container has no audio track.
    NoAudioTrack,
    /// The audio track does not say its codec.
    NoCodecParameters,
    /// The header declares a value no real file has (e.g. 42,000 channels); refused before
    /// anything sized by it is allocated.
    Implausible(String),
    /// No decoder could be made for the track's codec.
    Decoder {
        codec: AudioCodecId,
        source: SymphoniaError,
    },
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Probe(e) => write!(f, "{e}"),
            OpenError::NoAudioTrack => f.write_str("no audio track"),
            OpenError::NoCodecParameters => f.write_str("no audio codec parameters"),
            OpenError::Implausible(why) => f.write_str(why),
            OpenError::Decoder { source, .. } => write!(f, "{source}"),
        }
    }
}

/// The most channels a file may declare (more is a damaged header; 22.2 sound has 24).
pub const MAX_CHANNELS: usize = 32;
/// The highest sample rate a file may declare, in Hz (8× 192 kHz).
pub const MAX_SAMPLE_RATE: u32 = 1_536_000;
/// The lowest bitrate any real stream has, in bits per second: a file of `n` bytes holds at most
/// `n · 8 / MIN_BITRATE` seconds of audio. Durations beyond that come from a damaged header.
pub const MIN_BITRATE: u64 = 4_000;

/// Refuses header values that no real file has, before a decoder sized by them is made.
fn check_bounds(params: &AudioCodecParameters) -> Result<(), OpenError> {
    let channels = params.channels.as_ref().map_or(0, |c| c.count());
    if channels > MAX_CHANNELS {
        return Err(OpenError::Implausible(format!(
            "damaged header: declares {channels} channels (at most {MAX_CHANNELS})"
        )));
    }
    if let Some(rate) = params.sample_rate.filter(|r| *r > MAX_SAMPLE_RATE) {
        return Err(OpenError::Implausible(format!(
            "damaged header: declares a sample rate of {rate} Hz (at most {MAX_SAMPLE_RATE})"
        )));
    }
    Ok(())
}

/// `duration_ms` when a file of `file_bytes` bytes can hold that much audio at
/// [`MIN_BITRATE`]; `None` (unknown) when it cannot, or when it is 0.
pub fn plausible_duration_ms(duration_ms: u64, file_bytes: u64) -> Option<u64> {
    let most_ms = file_bytes.saturating_mul(8).saturating_mul(1000) / MIN_BITRATE;
    (duration_ms > 0 && duration_ms <= most_ms).then_some(duration_ms)
}

/// Opens `file` (named `path`) up to a ready decoder; nothing is decoded yet. Header values
/// beyond [`MAX_CHANNELS`] or [`MAX_SAMPLE_RATE`] are refused ([`OpenError::Implausible`]).
pub fn open_stream(file: File, path: &Path) -> Result<OpenStream, OpenError> {
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let reader = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(OpenError::Probe)?;
    let track = reader
        .default_track(TrackType::Audio)
        .ok_or(OpenError::NoAudioTrack)?
        .clone();
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .cloned()
        .ok_or(OpenError::NoCodecParameters)?;
    check_bounds(&params)?;
    let decoder = super::codecs::codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|source| OpenError::Decoder {
            codec: params.codec,
            source,
        })?;
    Ok(OpenStream {
        reader,
        track,
        params,
        decoder,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_beyond_what_the_file_size_can_hold_are_unknown() {
        // 300 kB holds at most 600 s at 4 kbit/s.
        assert_eq!(plausible_duration_ms(3_000, 300_000), Some(3_000));
        assert_eq!(plausible_duration_ms(600_000, 300_000), Some(600_000));
        assert_eq!(plausible_duration_ms(600_001, 300_000), None);
        // "(1869917:44)" for a 3 s mp3 of 50 kB.
        assert_eq!(plausible_duration_ms(112_195_084_000, 50_000), None);
        assert_eq!(plausible_duration_ms(0, 50_000), None);
    }
}
