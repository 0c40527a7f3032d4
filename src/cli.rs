//! Command-line arguments (clap). Parsing only: `main.rs` turns these into a `Context` and hands
//! a [`ProductCommand`] to `commands`, an [`EvalCommand`] to `eval`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod ctl;
mod eval;
pub use ctl::{Amount, CtlCommand, SleepArg, MOOD_CHOICES};
pub use eval::{BenchCommand, EvalCommand};

#[derive(Debug, Parser)]
#[command(
    name = "mien",
    version,
    about = "A terminal music player that reads the listener's face and the music's mood"
)]
pub struct Cli {
    /// Audio files or m3u/m3u8/pls playlists to play instead of restoring the last queue; with a
    /// player already running on this data dir, they are added to its queue
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every subcommand accepts.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Configuration file (default: $XDG_CONFIG_HOME/mien/config.toml)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where the database and log live (default: $XDG_DATA_HOME/mien)
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// A music folder; repeat for several (default: the config's folders, else the bundled library/)
    #[arg(long, global = true, value_name = "DIR")]
    pub library: Vec<PathBuf>,
    /// More logging (-v debug, -vv trace) in the log file
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The player reads faces from this image, or folder of images in turn, instead of the webcam
    #[arg(long, value_name = "PATH")]
    pub camera_file: Option<PathBuf>,
}

/// The vision models and options of `emotion`, `eval-fer` and `bench vision`.
#[derive(Debug, Args, Clone, Default)]
pub struct VisionOpts {
    /// The emotion model (default: models/fer-cbam.safetensors)
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// The face detector (default: models/blazeface-short.safetensors)
    #[arg(long, value_name = "FILE")]
    pub detector: Option<PathBuf>,
    /// Also classify each face's mirror image and average the two (the player's pass is the
    /// single one: the mirror doubles the cost for under a point, models/FER.md)
    #[arg(long)]
    pub tta: bool,
    /// The single pass, which is now the default (kept so that older scripts still run)
    #[arg(long, hide = true, conflicts_with = "tta")]
    pub no_tta: bool,
}

/// Every subcommand: the product's own (`commands`) and the evaluations and benchmarks (`eval`).
/// Listed in `--help` in the order of `display_order`.
#[derive(Debug, Subcommand)]
pub enum Command {
    #[command(flatten)]
    Product(ProductCommand),
    #[command(flatten)]
    Eval(EvalCommand),
}

/// The subcommands `commands` runs.
#[derive(Debug, Subcommand)]
pub enum ProductCommand {
    /// Scan the library folders and update the catalogue
    #[command(display_order = 0)]
    Scan {
        /// Print a JSON report instead of a summary
        #[arg(long)]
        json: bool,
    },
    /// Play files without the interface (for scripts and tests)
    #[command(display_order = 1)]
    Play {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Stop after this many seconds
        #[arg(long, value_name = "N")]
        seconds: Option<f64>,
    },
    /// Check audio output, camera, models, data dir and library, with hints
    #[command(display_order = 2)]
    Doctor {
        #[arg(long)]
        json: bool,
    },
    /// Rate a track 1-5 stars (0 clears the rating)
    #[command(display_order = 3)]
    Rate {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[arg(value_name = "STARS", value_parser = clap::value_parser!(u8).range(0..=5))]
        stars: u8,
    },
    /// Show the play history, oldest first
    #[command(display_order = 4)]
    History {
        #[arg(long)]
        json: bool,
        /// Only the newest N entries
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
    },
    /// Rank the catalogue for you now, with scores and explanations
    #[command(display_order = 5)]
    Recommend {
        /// Rank as if you felt this (a FER class: angry, disgust, fear, happy, sad, surprise,
        /// neutral); default: the last emotion reading
        #[arg(long, value_name = "LABEL")]
        emotion: Option<String>,
        /// How many tracks
        #[arg(long, default_value_t = 20)]
        n: usize,
        #[arg(long)]
        json: bool,
    },
    /// Tag files by mood with the musicnn model (tags, valence, arousal, label)
    #[command(display_order = 7)]
    Tag {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print a JSON array, one entry per file
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        models: MoodModelArgs,
    },
    /// Read the emotion on the largest face of each image
    #[command(display_order = 8)]
    Emotion {
        #[arg(required = true, value_name = "IMAGE")]
        images: Vec<PathBuf>,
        /// Print a JSON array, one entry per image
        #[arg(long)]
        json: bool,
        /// Write the aligned face with the model's attention overlaid (OUT-2.png, ... for more images)
        #[arg(long, value_name = "OUT.png")]
        explain: Option<PathBuf>,
        #[command(flatten)]
        vision: VisionOpts,
    },
    /// Check the database against its journal, or rebuild it from the journal
    #[command(display_order = 11)]
    Db {
        #[command(subcommand)]
        which: DbCommand,
    },
    /// Write ratings and play history as JSON, for a backup (stdout unless --output); `export
    /// listens` writes the plays that count as listens, for ListenBrainz or Last.fm
    #[command(display_order = 12)]
    Export {
        /// Write to FILE (mode 0600) instead of stdout
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(subcommand)]
        what: Option<ExportCommand>,
    },
    /// Read ratings and play history from a `mien export` file
    #[command(display_order = 13)]
    Import {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Control the player running on this data dir (status, play-pause, next, volume, add, ...)
    #[command(display_order = 14)]
    Ctl {
        #[command(subcommand)]
        which: CtlCommand,
    },
    /// Your mood per day and hour against what played and what you skipped, and what lifted you
    #[command(display_order = 15)]
    Diary {
        /// How many days, today included
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=400))]
        days: u32,
        #[arg(long)]
        json: bool,
    },
    /// Delete your stored emotion readings (only those) of the last SPAN: 30m, 2h, 1d, 2w or all
    #[command(display_order = 16)]
    Forget {
        /// How far back from now: 30m, 2h, 1d, 2w (minutes, hours, days, weeks) or all
        #[arg(long, value_name = "SPAN", value_parser = parse_span)]
        last: ForgetSpan,
        /// Also remove your emotion from the recommender's events of the span (the plays and
        /// ratings stay; it relearns its mood tables from what is left)
        #[arg(long)]
        reco: bool,
    },
    /// Plan a mood journey over the library, from your mood to a target, without playing it
    #[command(display_order = 17)]
    Journey {
        /// Where to: happy, tense, sad, calm, focus, sleep, or V,A (each in -1..1)
        #[arg(long, value_name = "TARGET", allow_hyphen_values = true)]
        to: String,
        /// Where from: a target's name, a FER class or V,A; default: the last emotion reading
        /// or mood set by hand
        #[arg(long, value_name = "LABEL|V,A", allow_hyphen_values = true)]
        from: Option<String>,
        #[arg(long, default_value_t = 20)]
        minutes: u32,
        #[arg(long)]
        json: bool,
    },
}

/// What `mien forget --last` covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForgetSpan {
    All,
    /// The last this many milliseconds.
    Last(u64),
}

/// `30m`, `2h`, `1d`, `2w` (a whole number and a unit: minutes, hours, days, weeks) or `all`.
pub fn parse_span(text: &str) -> Result<ForgetSpan, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("all") {
        return Ok(ForgetSpan::All);
    }
    let bad = || format!("{text:?} is not a span: use e.g. 30m, 2h, 1d, 2w or all");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let n: u64 = text[..split].parse().map_err(|_| bad())?;
    let unit: u64 = match &text[split..] {
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        _ => return Err(bad()),
    };
    match n.checked_mul(unit) {
        Some(ms) if n > 0 => Ok(ForgetSpan::Last(ms)),
        _ => Err(bad()),
    }
}

/// `mien export ...`.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The plays that count as listens (heard for half the track or 4 minutes; tracks under 30 s
    /// never count), oldest first, dated by when they started. A play whose tags have no title
    /// is named by its file name (without the extension); one with no artist gets MusicBrainz's
    /// "[unknown]"; an unknown album is left out. Nothing is sent anywhere: import the file
    /// yourself
    Listens {
        /// Only listens started at or after this: YYYY-MM-DD (midnight UTC) or RFC 3339
        /// (2026-11-30T18:00:00+01:00)
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// listenbrainz: a JSON array of ListenBrainz listens; jsonl: one listen per line
        #[arg(long, value_enum, default_value_t = ListenFormat::Listenbrainz)]
        format: ListenFormat,
        /// Write to FILE (mode 0600) instead of stdout
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// How `mien export listens` writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListenFormat {
    Listenbrainz,
    Jsonl,
}

/// `mien db ...`.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Say whether the database and journal are whole, naming any damaged file (exit 1 if not)
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Move the database to db.damaged-<time>/ and rebuild it from the journal
    Rebuild,
}

/// The mood model files and patch count (`mien tag`, `mien eval-mood`).
#[derive(Args, Clone, Debug, Default)]
pub struct MoodModelArgs {
    /// The MSD musicnn file (default: models/musicnn-msd.safetensors)
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// The mood head (default: models/mood-head.json)
    #[arg(long, value_name = "FILE")]
    pub head: Option<PathBuf>,
    /// Most 3-second patches per track (default: the player's, see docs/MOOD.md); results
    /// with a non-default count or model are not cached
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub patches: Option<u16>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_a_number_and_a_unit_or_all() {
        assert_eq!(parse_span("30m"), Ok(ForgetSpan::Last(1_800_000)));
        assert_eq!(parse_span("2h"), Ok(ForgetSpan::Last(7_200_000)));
        assert_eq!(parse_span("1d"), Ok(ForgetSpan::Last(86_400_000)));
        assert_eq!(parse_span("2w"), Ok(ForgetSpan::Last(14 * 86_400_000)));
        assert_eq!(parse_span("ALL"), Ok(ForgetSpan::All));
        for bad in ["", "h", "0h", "1y", "-1d", "1.5h", "99999999999999999w"] {
            let err = parse_span(bad).expect_err(bad);
            assert!(err.contains("is not a span"), "{err}");
        }
    }
}
