//! Opening an audio file with symphonia, the one path shared by the library's decode check and
//! the engine's `TrackDecoder`: probe the container (the file's extension as a hint) → its
//! default audio track → a decoder for that track (from [`super::codecs`], so Opus too). Each caller then decodes the first packet its
//! own way and maps [`OpenError`] to its own error. Runs on the caller's thread.

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
            OpenError::Decoder { source, .. } => write!(f, "{source}"),
        }
    }
}

/// Opens `file` (named `path`) up to a ready decoder; nothing is decoded yet.
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
