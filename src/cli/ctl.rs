//! `mien ctl ...`'s arguments: the subcommands and the parsers of their values (`+10`, `-5`,
//! `1:30`, `off`). Parsing only; `commands::ctl` turns them into requests.

use clap::Subcommand;
use std::path::PathBuf;

/// The moods `mien ctl mood` takes: the seven FER classes (the same list as
/// `core::EMOTIONS`, checked by a test in `commands::ctl`) and `auto`.
pub const MOOD_CHOICES: [&str; 8] = [
    "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral", "auto",
];

/// A number given as a change (`+5`, `-5`) or as a value (`5`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Amount {
    pub value: f64,
    pub relative: bool,
}

/// `mien ctl sleep`: minutes, or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SleepArg {
    Minutes(u32),
    Off,
}

#[derive(Debug, Subcommand)]
pub enum CtlCommand {
    /// What the player is doing: a few lines, JSON, or a line in your own format
    Status {
        /// The state as one JSON object (for scripts and status bars)
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// One line with placeholders, e.g. "{icon} {artist} - {title} {position}/{duration}"
        /// (README lists them; `{{` and `}}` are literal braces)
        #[arg(long, value_name = "FMT")]
        format: Option<String>,
    },
    /// Pause if playing, else play
    PlayPause,
    /// Play (or resume)
    Play,
    /// Pause
    Pause,
    /// The next track in the queue
    Next,
    /// The previous track (or the start of this one, after 3 s)
    Prev,
    /// Stop playing
    Stop,
    /// Seek to a position (90, 1:30) or by an amount (+10, -10), in seconds
    Seek {
        #[arg(value_name = "[+-]SECONDS", allow_hyphen_values = true, value_parser = parse_seek)]
        to: Amount,
    },
    /// Set the volume (0-100) or change it (+5, -5), in percent
    Volume {
        #[arg(value_name = "[+-]N", allow_hyphen_values = true, value_parser = parse_volume)]
        level: Amount,
    },
    /// Rate the playing track 1-5 stars (0 clears the rating)
    Rate {
        #[arg(value_name = "N", value_parser = clap::value_parser!(u8).range(0..=5))]
        stars: u8,
    },
    /// Say how you feel (instead of the camera), or `auto` to let the camera decide again
    Mood {
        #[arg(value_name = "LABEL|auto", value_parser = clap::builder::PossibleValuesParser::new(MOOD_CHOICES))]
        label: String,
    },
    /// Add audio files or playlists to the end of the queue
    Add {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Wind down toward sleep, fade out and stop after MINUTES (the sleep timer), or `off`
    Sleep {
        #[arg(value_name = "MINUTES|off", value_parser = parse_sleep)]
        after: SleepArg,
    },
}

/// `+10`, `-10`, `90`, `1:30`, `+0:30` (seconds; decimals allowed).
fn parse_seek(text: &str) -> Result<Amount, String> {
    let (relative, sign, rest) = signed(text);
    let seconds = match rest.split_once(':') {
        Some((m, s)) => {
            let m: u64 = m.parse().map_err(|_| bad_seek(text))?;
            let s: f64 = s.parse().map_err(|_| bad_seek(text))?;
            if !(0.0..60.0).contains(&s) {
                return Err(bad_seek(text));
            }
            m as f64 * 60.0 + s
        }
        None => rest.parse::<f64>().map_err(|_| bad_seek(text))?,
    };
    if !(0.0..=1e7).contains(&seconds) {
        return Err(bad_seek(text));
    }
    Ok(Amount {
        value: sign * seconds,
        relative,
    })
}

fn bad_seek(text: &str) -> String {
    format!("{text:?} is not a position: give seconds (90), m:ss (1:30) or a change (+10, -10)")
}

/// `50`, `+5`, `-5` (whole percent).
fn parse_volume(text: &str) -> Result<Amount, String> {
    let (relative, sign, rest) = signed(text);
    let bad = || format!("{text:?} is not a volume: give 0-100 or a change (+5, -5)");
    let n: u8 = rest.parse().map_err(|_| bad())?;
    if n > 100 {
        return Err(bad());
    }
    Ok(Amount {
        value: sign * f64::from(n),
        relative,
    })
}

fn parse_sleep(text: &str) -> Result<SleepArg, String> {
    if text == "off" {
        return Ok(SleepArg::Off);
    }
    match text.parse::<u32>() {
        Ok(m) if (1..=24 * 60).contains(&m) => Ok(SleepArg::Minutes(m)),
        _ => Err(format!(
            "{text:?} is not a time: give minutes (1-1440) or off"
        )),
    }
}

/// A leading `+` or `-`: (relative, sign, the rest).
fn signed(text: &str) -> (bool, f64, &str) {
    match (text.strip_prefix('+'), text.strip_prefix('-')) {
        (Some(rest), _) => (true, 1.0, rest),
        (_, Some(rest)) => (true, -1.0, rest),
        _ => (false, 1.0, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seek_takes_seconds_minutes_and_changes() {
        let at = |v, relative| Ok(Amount { value: v, relative });
        assert_eq!(parse_seek("90"), at(90.0, false));
        assert_eq!(parse_seek("1:30"), at(90.0, false));
        assert_eq!(parse_seek("+10"), at(10.0, true));
        assert_eq!(parse_seek("-2.5"), at(-2.5, true));
        assert_eq!(parse_seek("-0:30"), at(-30.0, true));
        for bad in ["", "x", "1:75", "+-3", "nan", "inf", "1:", "--5"] {
            assert!(parse_seek(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn volume_takes_percent_and_changes_and_sleep_takes_minutes_or_off() {
        let at = |v, relative| Ok(Amount { value: v, relative });
        assert_eq!(parse_volume("50"), at(50.0, false));
        assert_eq!(parse_volume("+5"), at(5.0, true));
        assert_eq!(parse_volume("-15"), at(-15.0, true));
        for bad in ["101", "-101", "5.5", "loud", ""] {
            assert!(parse_volume(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_sleep("off"), Ok(SleepArg::Off));
        assert_eq!(parse_sleep("30"), Ok(SleepArg::Minutes(30)));
        for bad in ["0", "1441", "-5", "soon"] {
            assert!(parse_sleep(bad).is_err(), "{bad:?}");
        }
    }
}
