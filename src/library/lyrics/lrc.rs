//! The LRC lyrics format, parsed: time stamps (`[mm:ss.xx]`, `[mm:ss]`, `[mm:ss:xx]`,
//! `[h:mm:ss.xx]`, several on one line), `[offset:±ms]`, metadata tags, A2 "enhanced" word stamps
//! (`<mm:ss.xx>`, stripped). Pure: text in, [`Parsed`] out; runs on whichever thread reads the
//! lyrics.

use super::{LyricLine, LyricsBody};

/// What one LRC text holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Stamped lines, sorted by time (lines with the same time keep their order in the file),
    /// with the offset applied; or, when no line has a stamp, the text as it is.
    pub body: LyricsBody,
    /// `[ar:]`, `[ti:]`, `[al:]` when present.
    pub artist: Option<String>,
    pub title: Option<String>,
    pub album: Option<String>,
    /// `[offset:]` in milliseconds as written (positive: lyrics appear sooner).
    pub offset_ms: i64,
    /// Lines that could not be read: a bracket that is neither a stamp nor a tag, or (in stamped
    /// lyrics) text with no stamp.
    pub skipped: usize,
}

/// Parses LRC text. Never fails: what cannot be read is counted in `skipped`.
pub fn parse(text: &str) -> Parsed {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Parsed::default();
    let mut stamped: Vec<(u64, String)> = Vec::new();
    let mut plain: Vec<String> = Vec::new();
    let mut unstamped_text = 0;
    for raw in text.lines() {
        let line = raw.trim();
        match read_line(line) {
            Line::Empty => plain.push(String::new()),
            Line::Tag(key, value) => out.tag(&key, value),
            Line::Stamped(times, words) => {
                let words = strip_word_stamps(words);
                stamped.extend(times.into_iter().map(|t| (t, words.clone())));
            }
            Line::Text(t) => {
                unstamped_text += 1;
                plain.push(strip_word_stamps(t));
            }
            Line::Bad => out.skipped += 1,
        }
    }
    if stamped.is_empty() {
        out.body = LyricsBody::Unsynced(trim_blank(plain));
        return out;
    }
    // In stamped lyrics, text without a stamp has no place in time.
    out.skipped += unstamped_text;
    stamped.sort_by_key(|(t, _)| *t);
    let shift = |t: u64| i128::from(t) - i128::from(out.offset_ms);
    out.body = LyricsBody::Synced(
        stamped
            .into_iter()
            .map(|(t, text)| LyricLine {
                at_ms: shift(t).clamp(0, i128::from(u64::MAX)) as u64,
                text,
            })
            .collect(),
    );
    out
}

enum Line<'a> {
    Empty,
    Tag(String, &'a str),
    Stamped(Vec<u64>, &'a str),
    Text(&'a str),
    Bad,
}

fn read_line(line: &str) -> Line<'_> {
    if line.is_empty() {
        return Line::Empty;
    }
    if !line.starts_with('[') {
        return Line::Text(line);
    }
    let mut rest = line;
    let mut times = Vec::new();
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(end) = inner.find(']') else {
            return Line::Bad;
        };
        let body = &inner[..end];
        match parse_stamp(body) {
            Some(t) => times.push(t),
            None if times.is_empty() => {
                // A tag stands alone on its line: `[ar:Someone]`.
                return match tag(body) {
                    Some(key) if inner[end + 1..].trim().is_empty() => {
                        let value = body[key.len() + 1..].trim();
                        Line::Tag(key, value)
                    }
                    _ => Line::Bad,
                };
            }
            // `[00:12.00][chorus]...`: the text starts at the bracket.
            None => break,
        }
        rest = inner[end + 1..].trim_start();
    }
    if times.is_empty() {
        Line::Bad
    } else {
        Line::Stamped(times, rest.trim())
    }
}

/// `key` of `key:value` when it is a metadata tag's name: ASCII letters (and `#`, used for
/// comments), lower-cased.
fn tag(body: &str) -> Option<String> {
    let (key, _) = body.split_once(':')?;
    let ok = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphabetic() || c == '#');
    ok.then(|| key.to_ascii_lowercase())
}

impl Parsed {
    fn tag(&mut self, key: &str, value: &str) {
        let value = (!value.is_empty()).then(|| value.to_string());
        match key {
            "ar" => self.artist = value,
            "ti" => self.title = value,
            "al" => self.album = value,
            "offset" => match value.as_deref().map(parse_offset) {
                Some(Some(ms)) => self.offset_ms = ms,
                Some(None) => self.skipped += 1,
                None => {}
            },
            // au, by, length, re, ve, #, and any other: read and ignored.
            _ => {}
        }
    }
}

/// `+500`, `-250`, `300` (milliseconds).
fn parse_offset(value: &str) -> Option<i64> {
    let v = value.trim();
    let v = v.strip_prefix('+').unwrap_or(v);
    v.parse::<i64>()
        .ok()
        .filter(|ms| ms.unsigned_abs() < 86_400_000)
}

/// A time stamp's milliseconds: `mm:ss`, `mm:ss.f`, `mm:ss.ff`, `mm:ss.fff` (`,` also accepted
/// for the fraction), `mm:ss:ff` (hundredths), `h:mm:ss.ff`. Seconds must be below 60 (minutes
/// may run past 59).
pub fn parse_stamp(body: &str) -> Option<u64> {
    let fields: Vec<&str> = body.trim().split(':').collect();
    let (hours, minutes, seconds, fraction) = match fields[..] {
        [m, s] => {
            let (s, f) = split_fraction(s)?;
            (None, m, s, f)
        }
        // Three fields: `h:mm:ss.ff` when the last has a fraction, else `mm:ss:ff`.
        [a, b, c] if c.contains(['.', ',']) => {
            let (s, f) = split_fraction(c)?;
            (Some(a), b, s, f)
        }
        [m, s, f] => (None, m, s, Some(f)),
        _ => return None,
    };
    let number = |t: &str| -> Option<u64> {
        (!t.is_empty() && t.len() <= 6 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let h = hours.map_or(Some(0), number)?;
    let m = number(minutes)?;
    let s = number(seconds)?;
    if s >= 60 || (hours.is_some() && m >= 60) {
        return None;
    }
    let ms = match fraction {
        None => 0,
        Some(f) => {
            number(f)?;
            // Tenths, hundredths or thousandths; digits past the third are below a millisecond.
            let digits: String = f.chars().take(3).collect();
            let scale = [100, 10, 1][digits.len() - 1];
            digits.parse::<u64>().ok()? * scale
        }
    };
    Some(((h * 60 + m) * 60 + s) * 1000 + ms)
}

fn split_fraction(s: &str) -> Option<(&str, Option<&str>)> {
    match s.split_once(['.', ',']) {
        Some((whole, f)) => Some((whole, Some(f))),
        None => Some((s, None)),
    }
}

/// The text without A2 word stamps (`<00:12.30>word`), spaces tidied.
fn strip_word_stamps(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        match after.find('>') {
            Some(close) if parse_stamp(&after[..close]).is_some() => {
                out.push_str(&rest[..open]);
                rest = &after[close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Drops blank lines at the start and end (keeps those between verses).
fn trim_blank(mut lines: Vec<String>) -> Vec<String> {
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let first = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    lines.drain(..first);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synced(p: &Parsed) -> Vec<(u64, &str)> {
        match &p.body {
            LyricsBody::Synced(lines) => lines.iter().map(|l| (l.at_ms, l.text.as_str())).collect(),
            other => panic!("not synced: {other:?}"),
        }
    }

    #[test]
    fn every_stamp_form_gives_its_milliseconds() {
        assert_eq!(parse_stamp("01:02.34"), Some(62_340));
        assert_eq!(parse_stamp("01:02"), Some(62_000));
        assert_eq!(
            parse_stamp("01:02:34"),
            Some(62_340),
            "mm:ss:xx, hundredths"
        );
        assert_eq!(parse_stamp("1:01:02.34"), Some(3_662_340), "h:mm:ss.xx");
        assert_eq!(parse_stamp("00:05.5"), Some(5_500), "tenths");
        assert_eq!(parse_stamp("00:05.123"), Some(5_123), "milliseconds");
        assert_eq!(
            parse_stamp("00:05.1239"),
            Some(5_123),
            "below a millisecond dropped"
        );
        assert_eq!(parse_stamp("00:05,25"), Some(5_250), "comma fraction");
        assert_eq!(parse_stamp("75:00.00"), Some(4_500_000), "minutes past 59");
        for bad in [
            "",
            "1",
            "a:b",
            "00:60.00",
            "00:-1",
            "1:60:00.00",
            "0:0:0:0",
            "00:05.",
            "ar:x",
        ] {
            assert_eq!(parse_stamp(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn lines_are_sorted_by_time_and_several_stamps_repeat_a_line() {
        let p = parse("[00:30.00]second\n[00:10.00][01:00.00]chorus\n[00:20.00]first verse\n");
        assert_eq!(
            synced(&p),
            [
                (10_000, "chorus"),
                (20_000, "first verse"),
                (30_000, "second"),
                (60_000, "chorus")
            ]
        );
        assert_eq!(p.skipped, 0);
    }

    #[test]
    fn a_positive_offset_makes_lines_appear_sooner_and_a_negative_one_later() {
        let sooner = parse("[offset:+500]\n[00:10.00]a\n[00:00.20]b");
        assert_eq!(synced(&sooner), [(0, "b"), (9_500, "a")], "clamped at 0");
        assert_eq!(sooner.offset_ms, 500);
        let later = parse("[00:10.00]a\n[offset:-250]");
        assert_eq!(
            synced(&later),
            [(10_250, "a")],
            "the offset applies wherever it is"
        );
        let unsigned = parse("[offset:100]\n[00:01.00]a");
        assert_eq!(synced(&unsigned), [(900, "a")]);
    }

    #[test]
    fn metadata_is_read_and_unknown_tags_ignored() {
        let p = parse("[ar: Ada Lin ]\n[ti:Awake]\n[al:Blue Hour]\n[by:someone]\n[length:03:20]\n[re:tool]\n[00:01.00]hi");
        assert_eq!(p.artist.as_deref(), Some("Ada Lin"));
        assert_eq!(p.title.as_deref(), Some("Awake"));
        assert_eq!(p.album.as_deref(), Some("Blue Hour"));
        assert_eq!(synced(&p), [(1_000, "hi")]);
        assert_eq!(p.skipped, 0);
    }

    #[test]
    fn bad_lines_are_skipped_and_counted() {
        let p = parse(
            "[00:01.00]one\n[0x:12.00]broken stamp\n[00:02.00 unclosed\nno stamp here\n\
             [offset:soon]\n[99:99.99]bad seconds\n[00:03.00]three",
        );
        assert_eq!(synced(&p), [(1_000, "one"), (3_000, "three")]);
        assert_eq!(p.skipped, 5);
        assert_eq!(p.offset_ms, 0);
    }

    #[test]
    fn enhanced_word_stamps_are_stripped() {
        let p = parse("[00:12.00]<00:12.00>Hello <00:12.50>bright <00:13.10>world<00:14.00>");
        assert_eq!(synced(&p), [(12_000, "Hello bright world")]);
        let kept = parse("[00:01.00]a <b> c");
        assert_eq!(
            synced(&kept),
            [(1_000, "a <b> c")],
            "only stamps are stripped"
        );
    }

    #[test]
    fn a_stamp_with_no_text_is_a_blank_line_that_ends_the_one_before() {
        let p = parse("[00:01.00]sung\n[00:05.00]\n[00:09.00]again");
        assert_eq!(synced(&p), [(1_000, "sung"), (5_000, ""), (9_000, "again")]);
    }

    #[test]
    fn text_without_stamps_is_unsynced_with_verses_kept() {
        let p = parse("\u{feff}\n[ar:Someone]\nFirst line\r\nSecond line\n\nNext verse\n\n");
        assert_eq!(
            p.body,
            LyricsBody::Unsynced(vec![
                "First line".into(),
                "Second line".into(),
                String::new(),
                "Next verse".into()
            ])
        );
        assert_eq!(p.artist.as_deref(), Some("Someone"));
    }
}
