//! `mien ctl status` as text: the `--format` template for one-line status bars (waybar,
//! i3blocks, tmux) and the plain few lines. Pure: a [`StatusReport`] in, a string out.

use super::protocol::{PlayState, StatusReport};
use crate::core::text::counted;

/// Every placeholder `--format` knows, with what it stands for (README lists the same).
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("state", "playing, paused or stopped"),
    ("icon", "▶, ⏸ or ■"),
    ("title", "the title (the file name when untagged)"),
    ("artist", "the artist"),
    ("album", "the album"),
    ("path", "the file"),
    ("position", "the position, m:ss"),
    ("duration", "the length, m:ss"),
    ("position_s", "the position in whole seconds"),
    ("duration_s", "the length in whole seconds"),
    ("volume", "the volume in percent"),
    ("rating", "the stars as ★★★☆☆ (empty when unrated)"),
    ("stars", "the stars as a number 0-5"),
    ("mood", "the track's mood label"),
    ("emotion", "the listener's emotion"),
    ("emotion_source", "camera or manual"),
    ("queue_len", "the number of tracks in the queue"),
    (
        "queue_position",
        "the current track's place in the queue, from 1",
    ),
];

/// A `--format` string that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FormatError {
    #[error("unknown placeholder {{{name}}} in --format (known: {})", known())]
    Unknown { name: String },
    #[error("unclosed {{ in --format at byte {at} (write {{{{ for a literal brace)")]
    Unclosed { at: usize },
    #[error("a lone }} in --format at byte {at} (write }}}} for a literal brace)")]
    LoneClose { at: usize },
}

fn known() -> String {
    let names: Vec<String> = PLACEHOLDERS
        .iter()
        .map(|(n, _)| format!("{{{n}}}"))
        .collect();
    names.join(" ")
}

#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Text(String),
    Field(&'static str),
}

/// A parsed `--format` string: literal text and placeholders; `{{` and `}}` are literal braces.
#[derive(Clone, Debug, PartialEq)]
pub struct Template(Vec<Piece>);

impl Template {
    /// Parses `text`, rejecting unknown placeholders (before any player is asked).
    pub fn parse(text: &str) -> Result<Template, FormatError> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|p| p.1) == Some('{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().map(|p| p.1) == Some('}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => return Err(FormatError::LoneClose { at }),
                '{' => {
                    let rest = &text[at + 1..];
                    let end = rest.find('}').ok_or(FormatError::Unclosed { at })?;
                    let name = &rest[..end];
                    let field = PLACEHOLDERS
                        .iter()
                        .map(|(n, _)| *n)
                        .find(|n| *n == name)
                        .ok_or_else(|| FormatError::Unknown {
                            name: name.to_string(),
                        })?;
                    if !literal.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Field(field));
                    while chars.peek().is_some_and(|p| p.0 <= at + 1 + end) {
                        chars.next();
                    }
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Template(pieces))
    }

    /// The line for `status`; a field with no value (no track, unrated, untagged) is empty.
    pub fn render(&self, status: &StatusReport) -> String {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Field(name) => out.push_str(&field(status, name)),
            }
        }
        out
    }
}

/// `m:ss` of whole seconds.
fn mmss(seconds: f64) -> String {
    let s = seconds.max(0.0) as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

fn stars(n: u8) -> String {
    let n = usize::from(n.min(5));
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}

/// The title, else the file's name without its extension.
fn title(status: &StatusReport) -> String {
    let Some(t) = &status.track else {
        return String::new();
    };
    t.title.clone().unwrap_or_else(|| {
        t.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    })
}

fn field(s: &StatusReport, name: &str) -> String {
    let track = s.track.as_ref();
    let opt = |v: Option<&String>| v.cloned().unwrap_or_default();
    match name {
        "state" => s.state.name().to_string(),
        "icon" => match s.state {
            PlayState::Playing => "▶",
            PlayState::Paused => "⏸",
            PlayState::Stopped => "■",
        }
        .to_string(),
        "title" => title(s),
        "artist" => opt(track.and_then(|t| t.artist.as_ref())),
        "album" => opt(track.and_then(|t| t.album.as_ref())),
        "path" => track.map_or_else(String::new, |t| t.path.display().to_string()),
        "position" if track.is_some() => mmss(s.position_s),
        "duration" => track
            .and_then(|t| t.duration_s)
            .map_or_else(String::new, mmss),
        "position_s" if track.is_some() => format!("{}", s.position_s.max(0.0) as u64),
        "duration_s" => track
            .and_then(|t| t.duration_s)
            .map_or_else(String::new, |d| format!("{}", d.max(0.0) as u64)),
        "volume" => s.volume.to_string(),
        "rating" => s.rating.map_or_else(String::new, stars),
        "stars" => s.rating.unwrap_or(0).to_string(),
        "mood" => s
            .mood
            .as_ref()
            .map_or_else(String::new, |m| m.label.clone()),
        "emotion" => (s.emotion.as_ref()).map_or_else(String::new, |e| e.label.clone()),
        "emotion_source" => (s.emotion.as_ref()).map_or_else(String::new, |e| e.source.clone()),
        "queue_len" => s.queue_len.to_string(),
        "queue_position" => s.queue_position.map_or_else(String::new, |i| i.to_string()),
        _ => String::new(),
    }
}

/// Plain `mien ctl status`: a few lines for a person.
pub fn plain(s: &StatusReport) -> String {
    let mut lines = Vec::new();
    match &s.track {
        Some(t) => {
            let who = t
                .artist
                .as_deref()
                .map_or(String::new(), |a| format!("{a} – "));
            let album = t
                .album
                .as_deref()
                .map_or(String::new(), |a| format!(" ({a})"));
            lines.push(format!("{}: {who}{}{album}", s.state.name(), title(s)));
            let duration = t.duration_s.map_or_else(|| "?".into(), mmss);
            let rating = s.rating.map_or_else(|| "unrated".into(), stars);
            lines.push(format!(
                "  {} / {duration} · volume {}% · {rating}",
                mmss(s.position_s),
                s.volume
            ));
            lines.push(format!("  file: {}", t.path.display()));
        }
        None => lines.push(format!("stopped · volume {}%", s.volume)),
    }
    if let Some(m) = &s.mood {
        lines.push(format!(
            "  track mood: {} (valence {:+.2}, arousal {:+.2})",
            m.label, m.valence, m.arousal
        ));
    }
    match &s.emotion {
        Some(e) => lines.push(format!(
            "  your emotion: {} ({}; valence {:+.2}, arousal {:+.2})",
            e.label, e.source, e.valence, e.arousal
        )),
        None => lines.push("  your emotion: no reading".into()),
    }
    let n = s.queue_len;
    lines.push(match s.queue_position {
        Some(i) => format!("  queue: track {i} of {n}"),
        None => format!("  queue: {}", counted(n, "track")),
    });
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::super::protocol::{EmotionInfo, MoodInfo, TrackInfo};
    use super::*;

    fn playing() -> StatusReport {
        StatusReport {
            state: PlayState::Playing,
            track: Some(TrackInfo {
                path: "/m/Ada Lin/01 Awake.flac".into(),
                title: Some("Awake".into()),
                artist: Some("Ada Lin".into()),
                album: Some("Blue Hour".into()),
                duration_s: Some(296.4),
            }),
            position_s: 62.9,
            volume: 80,
            rating: Some(4),
            mood: Some(MoodInfo {
                valence: 0.4,
                arousal: -0.3,
                label: "calm/peaceful".into(),
            }),
            emotion: Some(EmotionInfo {
                label: "happy".into(),
                valence: 0.8,
                arousal: 0.4,
                source: "camera".into(),
            }),
            queue_len: 6,
            queue_position: Some(2),
        }
    }

    fn stopped() -> StatusReport {
        StatusReport {
            state: PlayState::Stopped,
            track: None,
            position_s: 0.0,
            volume: 100,
            rating: None,
            mood: None,
            emotion: None,
            queue_len: 0,
            queue_position: None,
        }
    }

    #[test]
    fn the_status_bar_example_renders_every_field() {
        let t = Template::parse(
            "{state} {artist} - {title} {position}/{duration} {rating} {mood} {emotion}",
        )
        .unwrap();
        assert_eq!(
            t.render(&playing()),
            "playing Ada Lin - Awake 1:02/4:56 ★★★★☆ calm/peaceful happy"
        );
        let all: String = PLACEHOLDERS
            .iter()
            .map(|(n, _)| format!("[{{{n}}}]"))
            .collect();
        let t = Template::parse(&all).unwrap();
        assert_eq!(
            t.render(&playing()),
            "[playing][▶][Awake][Ada Lin][Blue Hour][/m/Ada Lin/01 Awake.flac][1:02][4:56][62]\
             [296][80][★★★★☆][4][calm/peaceful][happy][camera][6][2]"
        );
    }

    #[test]
    fn fields_without_a_value_are_empty_when_stopped() {
        let t = Template::parse(
            "{icon} {title}{artist} {position} {rating}|{stars} {queue_len}{queue_position}",
        )
        .unwrap();
        assert_eq!(t.render(&stopped()), "■   |0 0");
    }

    #[test]
    fn plain_status_says_which_track_of_the_queue_plays() {
        assert!(plain(&playing()).ends_with("\n  queue: track 2 of 6"));
        assert!(plain(&stopped()).ends_with("\n  queue: 0 tracks"));
    }

    #[test]
    fn an_untagged_track_shows_its_file_name_as_title() {
        let mut s = playing();
        if let Some(t) = s.track.as_mut() {
            t.title = None;
        }
        assert_eq!(Template::parse("{title}").unwrap().render(&s), "01 Awake");
    }

    #[test]
    fn braces_can_be_doubled_and_bad_templates_are_refused_with_the_reason() {
        let t = Template::parse("{{{volume}}} }}{{").unwrap();
        assert_eq!(t.render(&playing()), "{80} }{");
        let e = Template::parse("{state} {titel}").unwrap_err();
        assert_eq!(
            e,
            FormatError::Unknown {
                name: "titel".into()
            }
        );
        let text = e.to_string();
        assert!(
            text.starts_with("unknown placeholder {titel} in --format (known: {state} {icon}"),
            "{text}"
        );
        assert_eq!(
            Template::parse("a {state").unwrap_err(),
            FormatError::Unclosed { at: 2 }
        );
        assert_eq!(
            Template::parse("a } b").unwrap_err(),
            FormatError::LoneClose { at: 2 }
        );
        assert_eq!(Template::parse("").unwrap().render(&playing()), "");
    }

    #[test]
    fn plain_status_is_a_few_readable_lines() {
        let text = plain(&playing());
        assert_eq!(
            text,
            "playing: Ada Lin – Awake (Blue Hour)\n  1:02 / 4:56 · volume 80% · ★★★★☆\n  \
             file: /m/Ada Lin/01 Awake.flac\n  track mood: calm/peaceful (valence +0.40, \
             arousal -0.30)\n  your emotion: happy (camera; valence +0.80, arousal +0.40)\n  \
             queue: track 2 of 6"
        );
        assert_eq!(
            plain(&stopped()),
            "stopped · volume 100%\n  your emotion: no reading\n  queue: 0 tracks"
        );
    }
}
