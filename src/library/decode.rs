//! The decode check: proves that symphonia can open a file's container and build a decoder for
//! its default audio track (the shared `audio::open` path), decodes its first packet, and maps the
//! codec to an [`AudioFormat`]. Pure; runs on the thread that probes the file.

use super::probe::ProbeError;
use crate::audio::open::{open_stream, plausible_duration_ms, OpenError, OpenStream};
use crate::core::AudioFormat;
use std::fs::File;
use std::path::Path;
use symphonia::core::codecs::audio::well_known as codec;
use symphonia::core::codecs::audio::AudioCodecId;
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::well_known::FORMAT_ID_AIFF;

/// How many packets of other tracks may precede the first packet of the audio track.
const MAX_PACKETS_BEFORE_AUDIO: usize = 256;
/// How many audio packets may fail to decode before the file counts as corrupt.
const MAX_DECODE_ATTEMPTS: usize = 4;

/// What symphonia learned about the stream.
pub(crate) struct StreamInfo {
    pub format: AudioFormat,
    pub sample_rate: u32,
    pub channels: u16,
    /// From the frame count, else the container; 0 if neither knows.
    pub duration_ms: u64,
}

/// Recognises containers by their magic bytes that symphonia has no reader for, so that they get
/// an honest reason instead of "not an audio file".
pub(crate) fn unsupported_container(magic: &[u8]) -> Option<&'static str> {
    const ASF: [u8; 8] = [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11];
    if magic.starts_with(&ASF) {
        Some("wma (asf)")
    } else if magic.starts_with(b"MAC ") {
        Some("ape (monkey's audio)")
    } else if magic.starts_with(b"wvpk") {
        Some("wavpack")
    } else {
        None
    }
}

fn corrupt(err: SymphoniaError) -> ProbeError {
    match err {
        SymphoniaError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            ProbeError::Corrupt("truncated (unexpected end of file)".into())
        }
        other => ProbeError::Corrupt(other.to_string()),
    }
}

/// Opens `file` (named `path`, whose extension is a hint) with symphonia and decodes the start.
/// A duration the file's size cannot hold is reported as unknown (0).
pub(crate) fn check_decodes(file: File, path: &Path) -> Result<StreamInfo, ProbeError> {
    let file_bytes = file.metadata()?.len();
    let OpenStream {
        mut reader,
        track,
        params,
        mut decoder,
    } = open_stream(file, path).map_err(|e| match e {
        OpenError::Probe(SymphoniaError::Unsupported(_)) => ProbeError::NotAudio,
        OpenError::Probe(other) => corrupt(other),
        OpenError::NoAudioTrack | OpenError::NoCodecParameters => ProbeError::NoAudioTrack,
        OpenError::Implausible(why) => ProbeError::Corrupt(why),
        OpenError::Decoder { codec, source } => match source {
            SymphoniaError::Unsupported(why) => {
                // A decoder that exists but not for this stream says why (e.g. Opus in 5.1).
                let name = codec_name(codec);
                let why = why.strip_prefix(&format!("{name}: ")).unwrap_or(why);
                let known = crate::audio::codecs().get_audio_decoder(codec).is_some();
                ProbeError::UnsupportedCodec(if known {
                    format!("{name} ({why})")
                } else {
                    name
                })
            }
            _ if audio_format(codec, false).is_none() => {
                ProbeError::UnsupportedCodec(codec_name(codec))
            }
            other => corrupt(other),
        },
    })?;
    let container_is_aiff = reader.format_info().format == FORMAT_ID_AIFF;
    let track_id = track.id;
    // Frames over the sample rate, else the container's duration in its time base.
    let container_ms = match (track.time_base, track.duration) {
        (Some(base), Some(duration)) => base.calc_duration(duration).map(|t| t.as_millis()),
        _ => None,
    };
    let num_frames = track.num_frames;
    let format = audio_format(params.codec, container_is_aiff)
        .ok_or_else(|| ProbeError::UnsupportedCodec(codec_name(params.codec)))?;
    // Decode the first packet; a few more may be tried, since a stream cut at the start (an mp3
    // whose first frame refers to a missing bit reservoir) only decodes from the second one.
    let mut failures = 0;
    let mut packets = 0;
    loop {
        let packet = match reader.next_packet().map_err(corrupt)? {
            Some(packet) => packet,
            None if failures == 0 => return Err(ProbeError::Corrupt("no audio data".into())),
            None => return Err(ProbeError::Corrupt("no packet decodes".into())),
        };
        packets += 1;
        if packet.track_id != track_id {
            if packets > MAX_PACKETS_BEFORE_AUDIO {
                return Err(ProbeError::Corrupt("no audio packet found".into()));
            }
            continue;
        }
        match decoder.decode(&packet) {
            Ok(_) => break,
            Err(SymphoniaError::DecodeError(_)) if failures + 1 < MAX_DECODE_ATTEMPTS => {
                failures += 1
            }
            Err(e) => return Err(corrupt(e)),
        }
    }
    let sample_rate = params.sample_rate.unwrap_or(0);
    let duration_ms = match (num_frames, sample_rate) {
        (Some(frames), rate) if rate > 0 => frames.saturating_mul(1000) / u64::from(rate),
        _ => container_ms.map_or(0, |ms| u64::try_from(ms).unwrap_or(0)),
    };
    let duration_ms = plausible_duration_ms(duration_ms, file_bytes).unwrap_or(0);
    Ok(StreamInfo {
        format,
        sample_rate,
        channels: params.channels.as_ref().map_or(0, |c| c.count() as u16),
        duration_ms,
    })
}

/// The player's format for a codec, `None` for codecs it does not handle.
fn audio_format(id: AudioCodecId, container_is_aiff: bool) -> Option<AudioFormat> {
    let pcm = (codec::CODEC_ID_PCM_S32LE..=codec::CODEC_ID_PCM_MULAW).contains(&id)
        || (codec::CODEC_ID_ADPCM_G722..=codec::CODEC_ID_ADPCM_IMA_QT).contains(&id);
    Some(match id {
        _ if pcm && container_is_aiff => AudioFormat::Aiff,
        _ if pcm => AudioFormat::Wav,
        codec::CODEC_ID_MP1 | codec::CODEC_ID_MP2 | codec::CODEC_ID_MP3 => AudioFormat::Mp3,
        codec::CODEC_ID_FLAC => AudioFormat::Flac,
        codec::CODEC_ID_VORBIS => AudioFormat::Vorbis,
        codec::CODEC_ID_AAC => AudioFormat::Aac,
        codec::CODEC_ID_ALAC => AudioFormat::Alac,
        codec::CODEC_ID_OPUS => AudioFormat::Opus,
        _ => return None,
    })
}

/// A readable name for a codec, for skip reasons.
fn codec_name(id: AudioCodecId) -> String {
    let name = match id {
        codec::CODEC_ID_OPUS => "opus",
        codec::CODEC_ID_WMA => "wma",
        codec::CODEC_ID_SPEEX => "speex",
        codec::CODEC_ID_MUSEPACK => "musepack",
        codec::CODEC_ID_AC3 => "ac3",
        codec::CODEC_ID_EAC3 => "eac3",
        codec::CODEC_ID_DCA => "dts",
        codec::CODEC_ID_WAVPACK => "wavpack",
        codec::CODEC_ID_MONKEYS_AUDIO => "ape",
        codec::CODEC_ID_TTA => "tta",
        codec::CODEC_ID_TRUEHD => "truehd",
        _ => return format!("codec id {id}"),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codecs_map_to_player_formats_by_container() {
        assert_eq!(
            audio_format(codec::CODEC_ID_PCM_S16LE, false),
            Some(AudioFormat::Wav)
        );
        assert_eq!(
            audio_format(codec::CODEC_ID_PCM_S16BE, true),
            Some(AudioFormat::Aiff)
        );
        assert_eq!(
            audio_format(codec::CODEC_ID_ALAC, false),
            Some(AudioFormat::Alac)
        );
        assert_eq!(
            audio_format(codec::CODEC_ID_OPUS, false),
            Some(AudioFormat::Opus)
        );
        assert_eq!(audio_format(codec::CODEC_ID_SPEEX, false), None);
        assert_eq!(codec_name(codec::CODEC_ID_SPEEX), "speex");
    }

    #[test]
    fn known_unsupported_containers_are_named_by_magic() {
        let asf = [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9];
        assert_eq!(unsupported_container(&asf), Some("wma (asf)"));
        assert_eq!(
            unsupported_container(b"MAC \x96\x0f"),
            Some("ape (monkey's audio)")
        );
        assert_eq!(unsupported_container(b"RIFF....WAVE"), None);
    }
}
