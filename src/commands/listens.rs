//! `mien export listens`: the plays in the history that count as listens by the Last.fm and
//! ListenBrainz rule (heard for half the track or 4 minutes; never a track under 30 s), written
//! in ListenBrainz's JSON listen format or as JSON lines, for importing into a scrobbling
//! service. Reads the store (while a player holds it, the journal and the files' tags); mien
//! never touches the network.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use serde::Serialize;

use super::Context;
use crate::cli::ListenFormat;
use crate::core::{PlayOutcome, PlayRecord, Track, TrackId};

/// Tracks shorter than this never count.
const MIN_TRACK_MS: u64 = 30_000;
/// Heard this long, a play counts whatever the track's length.
const ENOUGH_MS: u64 = 240_000;
/// MusicBrainz's name for an unknown artist, used when the tags have none.
pub const UNKNOWN_ARTIST: &str = "[unknown]";

/// One listen in ListenBrainz's format (field names as its JSON documentation spells them).
#[derive(Debug, PartialEq, Serialize)]
pub struct Listen {
    pub listened_at: u64,
    pub track_metadata: TrackMetadata,
}

#[derive(Debug, PartialEq, Serialize)]
pub struct TrackMetadata {
    pub artist_name: String,
    pub track_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    pub additional_info: AdditionalInfo,
}

#[derive(Debug, PartialEq, Serialize)]
pub struct AdditionalInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    pub media_player: &'static str,
    pub submission_client: &'static str,
    pub submission_client_version: &'static str,
}

pub fn run(
    ctx: &Context,
    since: Option<&str>,
    format: ListenFormat,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let since_s = since.map(parse_since).transpose()?;
    let (history, tracks) = history_and_tracks(ctx)?;
    let listens: Vec<Listen> = listens(&history, |id| tracks.get(&id).cloned().flatten())
        .into_iter()
        .filter(|l| since_s.is_none_or(|s| l.listened_at >= s))
        .collect();
    let mut bytes = match format {
        ListenFormat::Listenbrainz => serde_json::to_vec_pretty(&listens)?,
        ListenFormat::Jsonl => {
            let mut out = Vec::new();
            for l in &listens {
                serde_json::to_writer(&mut out, l)?;
                out.push(b'\n');
            }
            out
        }
    };
    if format == ListenFormat::Listenbrainz {
        bytes.push(b'\n');
    }
    match output {
        None => std::io::stdout()
            .lock()
            .write_all(&bytes)
            .context("cannot write to stdout")?,
        Some(path) => {
            super::export::write_private(path, &bytes)?;
            crate::logging::eprint_line(&format!(
                "exported {} listens to {}",
                listens.len(),
                path.display()
            ));
        }
    }
    Ok(())
}

/// Each played track's catalogue entry (or tags read from its file), if it has one.
type Played = HashMap<TrackId, Option<Track>>;

/// The play history and each played track's tags and length: from the database, or, while a
/// player holds it, from the journal and the files themselves (a file that is gone or cannot be
/// read gives its listens the file name, as a track the catalogue lost does).
fn history_and_tracks(ctx: &Context) -> anyhow::Result<(Vec<PlayRecord>, Played)> {
    let mut tracks = HashMap::new();
    let Some(store) = ctx.open_store_or_journal(true)? else {
        crate::logging::eprint_line(
            "mien: a player has the database open: reading its journal, and the tags from the \
             files",
        );
        let history = crate::store::backup::from_journal(&ctx.data_dir)?.history;
        for r in &history {
            tracks
                .entry(r.track)
                .or_insert_with(|| crate::library::probe_file(&r.path).ok());
        }
        return Ok((history, tracks));
    };
    let history = store.history(None)?;
    for r in &history {
        if let std::collections::hash_map::Entry::Vacant(e) = tracks.entry(r.track) {
            e.insert(store.track(r.track)?);
        }
    }
    Ok((history, tracks))
}

/// The history's listens, oldest first. `track` gives the catalogue's entry of a play (its tags
/// and length), if the catalogue still has it.
pub fn listens(history: &[PlayRecord], track: impl Fn(TrackId) -> Option<Track>) -> Vec<Listen> {
    // When each track last started, to date a listen by its start, as ListenBrainz wants.
    let mut started: HashMap<TrackId, u64> = HashMap::new();
    let mut out = Vec::new();
    for r in history {
        let completed = match r.outcome {
            PlayOutcome::Started => {
                started.insert(r.track, r.at_ms);
                continue;
            }
            PlayOutcome::Completed => true,
            PlayOutcome::Skipped | PlayOutcome::Stopped | PlayOutcome::Failed(_) => false,
        };
        let start_ms = started
            .remove(&r.track)
            .filter(|&s| s <= r.at_ms)
            .unwrap_or(r.at_ms.saturating_sub(r.position_ms));
        let t = track(r.track);
        let known = t.as_ref().map(|t| t.duration_ms).filter(|&d| d > 0);
        let duration = known.or(completed.then_some(r.position_ms).filter(|&d| d > 0));
        let heard = if completed {
            r.position_ms.max(duration.unwrap_or(0))
        } else {
            r.position_ms
        };
        if !counts(heard, duration) {
            continue;
        }
        let file_name = || {
            r.path.file_stem().map_or_else(
                || r.path.display().to_string(),
                |s| s.to_string_lossy().into(),
            )
        };
        let tag = |v: Option<&String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let t = t.as_ref();
        out.push(Listen {
            listened_at: start_ms / 1000,
            track_metadata: TrackMetadata {
                artist_name: tag(t.and_then(|t| t.artist.as_ref().or(t.album_artist.as_ref())))
                    .unwrap_or_else(|| UNKNOWN_ARTIST.to_string()),
                track_name: tag(t.and_then(|t| t.title.as_ref())).unwrap_or_else(file_name),
                release_name: tag(t.and_then(|t| t.album.as_ref())),
                additional_info: AdditionalInfo {
                    duration_ms: duration,
                    media_player: "mien",
                    submission_client: "mien",
                    submission_client_version: env!("CARGO_PKG_VERSION"),
                },
            },
        });
    }
    out
}

/// The Last.fm/ListenBrainz rule: a track of at least 30 s, heard for half its length or for 4
/// minutes. Without a known length only the 4 minutes count.
pub fn counts(heard_ms: u64, duration_ms: Option<u64>) -> bool {
    match duration_ms {
        Some(d) if d < MIN_TRACK_MS => false,
        Some(d) => heard_ms >= ENOUGH_MS || heard_ms.saturating_mul(2) >= d,
        None => heard_ms >= ENOUGH_MS,
    }
}

/// `--since`: `YYYY-MM-DD` (midnight UTC) or RFC 3339 (`2026-11-30T18:00:00+01:00`, `Z`,
/// fractional seconds), as Unix seconds.
pub fn parse_since(text: &str) -> anyhow::Result<u64> {
    let bad = || {
        anyhow::anyhow!(
            "--since {text:?}: not a date; use YYYY-MM-DD or RFC 3339, e.g. 2026-11-30 or \
             2026-11-30T18:00:00+01:00"
        )
    };
    let t = text.trim();
    let (date, time) = match t.split_once(['T', 't', ' ']) {
        Some((d, rest)) => (d, Some(rest)),
        None => (t, None),
    };
    let days = parse_date(date).ok_or_else(bad)?;
    let secs = match time {
        None => 0,
        Some(time) => parse_time(time).ok_or_else(bad)?,
    };
    let at = days * 86_400 + secs;
    u64::try_from(at).map_err(|_| anyhow::anyhow!("--since {text:?}: before 1970"))
}

/// Days since 1970-01-01 of a valid `YYYY-MM-DD`.
fn parse_date(d: &str) -> Option<i64> {
    let parts: Vec<&str> = d.split('-').collect();
    let [y, m, day] = parts[..] else { return None };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(day, 2)) {
        return None;
    }
    let (y, m, day): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, day.parse().ok()?);
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || day == 0 || day > month_days[m as usize - 1] {
        return None;
    }
    Some(days_from_civil(y, m, day))
}

/// Seconds of `HH:MM:SS[.frac](Z|±HH:MM)` after midnight UTC (negative or past a day with the
/// offset applied).
fn parse_time(t: &str) -> Option<i64> {
    let (clock, offset) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else {
        let at = t.rfind(['+', '-'])?;
        let (c, off) = t.split_at(at);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off[1..].split_once(':')?;
        let (oh, om) = (two_digits(oh, 23)?, two_digits(om, 59)?);
        (c, sign * (oh * 3600 + om * 60))
    };
    let clock = clock.split_once('.').map_or(clock, |(whole, frac)| {
        if !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()) {
            whole
        } else {
            "bad"
        }
    });
    let parts: Vec<&str> = clock.split(':').collect();
    let [h, m, s] = parts[..] else { return None };
    let (h, m, s) = (two_digits(h, 23)?, two_digits(m, 59)?, two_digits(s, 60)?);
    Some(h * 3600 + m * 60 + s.min(59) - offset)
}

fn two_digits(s: &str, max: i64) -> Option<i64> {
    let ok = s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| s.parse().ok()).flatten().filter(|&v| v <= max)
}

/// Days since 1970-01-01 of a Gregorian date (Howard Hinnant's algorithm; the inverse of
/// `core::civil_from_days`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_is_half_the_track_or_four_minutes_and_never_under_thirty_seconds() {
        assert!(counts(100_000, Some(200_000)), "exactly half");
        assert!(!counts(99_999, Some(200_000)));
        assert!(
            counts(240_000, Some(1_200_000)),
            "4 minutes of a long track"
        );
        assert!(!counts(239_999, Some(1_200_000)));
        assert!(
            !counts(29_000, Some(29_000)),
            "a track under 30 s, heard whole"
        );
        assert!(counts(15_000, Some(30_000)), "30 s is long enough");
        assert!(
            !counts(200_000, None) && counts(240_000, None),
            "unknown length"
        );
    }

    #[test]
    fn since_takes_dates_and_rfc3339_times() {
        assert_eq!(parse_since("1970-01-01").unwrap(), 0);
        assert_eq!(parse_since("2026-11-30").unwrap(), 1_795_996_800);
        assert_eq!(parse_since("2026-11-30T00:00:00Z").unwrap(), 1_795_996_800);
        assert_eq!(
            parse_since("2026-11-30T01:30:00+01:30").unwrap(),
            1_795_996_800
        );
        assert_eq!(
            parse_since("2026-11-29T23:00:00.250-01:00").unwrap(),
            1_795_996_800
        );
        assert_eq!(parse_since("2000-02-29").unwrap(), 951_782_400);
        for bad in [
            "yesterday",
            "2026-13-01",
            "2026-02-29",
            "2026-1-05",
            "2026-11-30T25:00:00Z",
            "2026-11-30T10:00:00",
            "2026-11-30T10:00Z",
            "2026-11-30T10:00:00.Z",
            "",
        ] {
            let e = parse_since(bad).expect_err(bad).to_string();
            assert!(e.contains("use YYYY-MM-DD or RFC 3339"), "{bad}: {e}");
        }
    }
}
