//! The control socket's wire protocol: one JSON request line from `mien ctl`, one JSON response
//! line from the player, both carrying the protocol version `v`. Pure types and their encoding;
//! the listener (`server.rs`) and the client (`client.rs`) move the lines.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The protocol spoken by this build. A request with another version is answered with an error
/// naming both, never guessed at.
pub const VERSION: u32 = 1;

/// Longest request line the player reads (an `add` of a few thousand paths fits easily).
pub const MAX_LINE_BYTES: u64 = 1024 * 1024;

/// What `mien ctl` asks of the player.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "kebab-case")]
pub enum Command {
    /// The player's state, as a [`StatusReport`].
    Status,
    PlayPause,
    Play,
    Pause,
    Next,
    Prev,
    Stop,
    /// Seek to `ms`, or by `ms` (negative: back) when `relative`.
    Seek {
        ms: i64,
        relative: bool,
    },
    /// Set the volume to `percent`, or change it by `percent` when `relative` (clamped 0..=100).
    Volume {
        percent: i32,
        relative: bool,
    },
    /// Rate the playing track 1-5 stars; 0 clears the rating.
    Rate {
        stars: u8,
    },
    /// Set the listener's emotion by hand (a FER class), or `auto`: let the camera decide again.
    Mood {
        label: String,
    },
    /// Append these audio files (absolute paths, playlists already read) to the queue.
    Add {
        #[serde(with = "crate::core::path_serde::many")]
        paths: Vec<PathBuf>,
    },
    /// The wind-down timer: fade out and pause after this many minutes; `None` turns it off.
    Sleep {
        minutes: Option<u32>,
    },
}

/// The player's answer to one [`Command`].
// One reply per request, sent once and dropped: the status variant's size costs nothing worth
// a box (clippy's large_enum_variant).
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Reply {
    /// Done (or asked of the engine): what happened, in one line for the terminal.
    Done {
        message: String,
    },
    Status {
        status: StatusReport,
    },
    /// Not done: why, in one sentence.
    Error {
        message: String,
    },
}

impl Reply {
    pub fn done(message: impl Into<String>) -> Reply {
        Reply::Done {
            message: message.into(),
        }
    }

    pub fn error(message: impl Into<String>) -> Reply {
        Reply::Error {
            message: message.into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlayState {
    Playing,
    Paused,
    Stopped,
}

impl PlayState {
    pub fn name(self) -> &'static str {
        match self {
            PlayState::Playing => "playing",
            PlayState::Paused => "paused",
            PlayState::Stopped => "stopped",
        }
    }
}

/// `mien ctl status --json`, field for field (the order is the documented one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusReport {
    pub state: PlayState,
    /// The track playing or paused; `None` when stopped.
    pub track: Option<TrackInfo>,
    pub position_s: f64,
    /// Percent, 0..=100.
    pub volume: u8,
    /// The track's stars (1-5), `None` when unrated or stopped.
    pub rating: Option<u8>,
    /// The track's mood from the tagger, when it has been tagged.
    pub mood: Option<MoodInfo>,
    /// The listener's emotion (camera or set by hand), when there is a reading.
    pub emotion: Option<EmotionInfo>,
    pub queue_len: usize,
    /// The current item's place in the queue, from 1; `None` when no item is current.
    /// (Absent from older players' replies: read as `None`.)
    #[serde(default)]
    pub queue_position: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackInfo {
    #[serde(with = "crate::core::path_serde")]
    pub path: PathBuf,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub duration_s: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MoodInfo {
    pub valence: f32,
    pub arousal: f32,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmotionInfo {
    pub label: String,
    pub valence: f32,
    pub arousal: f32,
    /// `camera` or `manual`.
    pub source: String,
}

/// A line that is not a request this player understands.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ProtocolError {
    #[error("not a JSON request line: {0}")]
    Json(String),
    #[error("the request has no protocol version \"v\"")]
    NoVersion,
    #[error("protocol version {got} is not understood (this mien speaks version {VERSION}): use the same mien for the player and ctl")]
    Version { got: u64 },
    #[error("not a request: {0}")]
    Command(String),
}

/// The request line for `command` (with its newline).
pub fn encode_request(command: &Command) -> String {
    encode(command)
}

/// The response line for `reply` (with its newline).
pub fn encode_reply(reply: &Reply) -> String {
    encode(reply)
}

fn encode<T: Serialize>(body: &T) -> String {
    let mut value = serde_json::to_value(body).unwrap_or(serde_json::Value::Null);
    if let Some(map) = value.as_object_mut() {
        map.insert("v".into(), VERSION.into());
    }
    let mut line = value.to_string();
    line.push('\n');
    line
}

/// Reads a request line: the version first, so that a newer client gets a version error rather
/// than "unknown command".
pub fn decode_request(line: &str) -> Result<Command, ProtocolError> {
    decode(line)
}

/// Reads a response line, checked the same way.
pub fn decode_reply(line: &str) -> Result<Reply, ProtocolError> {
    decode(line)
}

fn decode<T: for<'de> Deserialize<'de>>(line: &str) -> Result<T, ProtocolError> {
    let mut value: serde_json::Value =
        serde_json::from_str(line.trim_end()).map_err(|e| ProtocolError::Json(e.to_string()))?;
    let map = value
        .as_object_mut()
        .ok_or_else(|| ProtocolError::Json("not a JSON object".into()))?;
    match map.remove("v").map(|v| v.as_u64()) {
        None => return Err(ProtocolError::NoVersion),
        Some(Some(v)) if v == u64::from(VERSION) => {}
        Some(got) => {
            return Err(ProtocolError::Version {
                got: got.unwrap_or(0),
            })
        }
    }
    serde_json::from_value(value).map_err(|e| ProtocolError::Command(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_round_trips_through_its_line() {
        let commands = [
            Command::Status,
            Command::PlayPause,
            Command::Play,
            Command::Pause,
            Command::Next,
            Command::Prev,
            Command::Stop,
            Command::Seek {
                ms: -5_000,
                relative: true,
            },
            Command::Volume {
                percent: 40,
                relative: false,
            },
            Command::Rate { stars: 4 },
            Command::Mood {
                label: "auto".into(),
            },
            Command::Add {
                paths: vec!["/m/a b.flac".into()],
            },
            Command::Sleep { minutes: None },
            Command::Sleep { minutes: Some(30) },
        ];
        for c in commands {
            let line = encode_request(&c);
            assert!(line.ends_with('\n') && !line[..line.len() - 1].contains('\n'));
            assert_eq!(decode_request(&line), Ok(c), "{line}");
        }
    }

    #[test]
    fn the_request_line_is_small_versioned_json() {
        let line = encode_request(&Command::Seek {
            ms: 90_000,
            relative: false,
        });
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"v": 1, "cmd": "seek", "ms": 90000, "relative": false})
        );
        let play_pause: serde_json::Value =
            serde_json::from_str(&encode_request(&Command::PlayPause)).unwrap();
        assert_eq!(play_pause, serde_json::json!({"v": 1, "cmd": "play-pause"}));
    }

    #[test]
    fn a_bad_line_says_what_is_wrong_with_it() {
        assert!(matches!(
            decode_request("hello"),
            Err(ProtocolError::Json(_))
        ));
        assert!(matches!(decode_request("[1]"), Err(ProtocolError::Json(_))));
        assert_eq!(
            decode_request(r#"{"cmd": "next"}"#),
            Err(ProtocolError::NoVersion)
        );
        let newer = decode_request(r#"{"v": 2, "cmd": "next"}"#).unwrap_err();
        assert_eq!(newer, ProtocolError::Version { got: 2 });
        assert!(newer.to_string().contains("version 2"), "{newer}");
        let unknown = decode_request(r#"{"v": 1, "cmd": "dance"}"#).unwrap_err();
        assert!(
            matches!(&unknown, ProtocolError::Command(m) if m.contains("dance")),
            "{unknown}"
        );
        let missing = decode_request(r#"{"v": 1, "cmd": "rate"}"#).unwrap_err();
        assert!(
            matches!(&missing, ProtocolError::Command(m) if m.contains("stars")),
            "{missing}"
        );
    }

    #[test]
    fn the_status_reply_has_the_documented_fields_in_order() {
        let report = StatusReport {
            state: PlayState::Paused,
            track: Some(TrackInfo {
                path: "/m/a.flac".into(),
                title: Some("Awake".into()),
                artist: Some("Ada Lin".into()),
                album: None,
                duration_s: Some(296.0),
            }),
            position_s: 12.5,
            volume: 80,
            rating: Some(4),
            mood: Some(MoodInfo {
                valence: 0.5,
                arousal: -0.25,
                label: "calm/peaceful".into(),
            }),
            emotion: Some(EmotionInfo {
                label: "happy".into(),
                valence: 0.75,
                arousal: 0.5,
                source: "manual".into(),
            }),
            queue_len: 3,
            queue_position: Some(2),
        };
        let text = serde_json::to_string(&report).unwrap();
        assert_eq!(
            text,
            concat!(
                r#"{"state":"paused","track":{"path":"/m/a.flac","title":"Awake","#,
                r#""artist":"Ada Lin","album":null,"duration_s":296.0},"position_s":12.5,"#,
                r#""volume":80,"rating":4,"mood":{"valence":0.5,"arousal":-0.25,"#,
                r#""label":"calm/peaceful"},"emotion":{"label":"happy","valence":0.75,"#,
                r#""arousal":0.5,"source":"manual"},"queue_len":3,"queue_position":2}"#
            )
        );
        let reply = Reply::Status { status: report };
        assert_eq!(decode_reply(&encode_reply(&reply)), Ok(reply));
        let err = Reply::error("nothing is playing");
        assert_eq!(decode_reply(&encode_reply(&err)), Ok(err));
    }
}
