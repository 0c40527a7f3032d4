//! The developers' subcommands: the evaluations (`eval-reco`, `eval-journey`, `eval-mood`,
//! `eval-fer`) and the benchmarks (`bench ...`).

use std::path::PathBuf;

use clap::Subcommand;

use super::{MoodModelArgs, VisionOpts};

/// The evaluations and benchmarks `eval` runs.
#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Evaluate the recommender on simulated listeners (see docs/RECOMMENDER.md); with
    /// --library DIR over that library's tracks and mood tags instead of a generated catalogue
    #[command(display_order = 6)]
    EvalReco {
        #[arg(long)]
        json: bool,
        /// Size of the generated catalogue (not used with --library)
        #[arg(long, default_value_t = 2000)]
        tracks: usize,
        /// Number of simulated listeners
        #[arg(long, default_value_t = 100)]
        listeners: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Compare mood journeys with jumping straight to the target on simulated listeners whose
    /// mood follows the music (see docs/RECOMMENDER.md); with --library DIR over its tracks
    #[command(display_order = 7)]
    EvalJourney {
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 2000)]
        runs: usize,
        #[arg(long, default_value_t = 20)]
        minutes: u32,
        /// Size of the generated catalogue (not used with --library)
        #[arg(long, default_value_t = 2000)]
        tracks: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Score the mood model on labelled music: a folder with a labels.tsv, or the TSV itself
    /// (file<TAB>quadrant, quadrant one of happy, tense, sad, calm)
    #[command(display_order = 9)]
    EvalMood {
        #[arg(value_name = "DIR_OR_TSV")]
        labels: PathBuf,
        #[arg(long)]
        json: bool,
        /// Also write every clip's mood-head inputs as JSON lines (for tools/mood/fit_head.py)
        #[arg(long, value_name = "FILE")]
        dump: Option<PathBuf>,
        #[command(flatten)]
        models: MoodModelArgs,
    },
    /// Score the emotion model on face crops (npz: x uint8 [N,48,48], y uint8 [N])
    #[command(display_order = 9)]
    EvalFer {
        #[arg(value_name = "DATA.npz")]
        data: PathBuf,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        vision: VisionOpts,
    },
    /// Run a benchmark (see docs/BENCHMARKS.md)
    #[command(display_order = 10)]
    Bench {
        #[command(subcommand)]
        which: BenchCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Scan throughput on generated files, cold and unchanged
    Scan {
        #[arg(long, default_value_t = 10_000)]
        files: usize,
        #[arg(long)]
        json: bool,
    },
    /// Time to the first frame of the player with a catalogue of N tracks in the store
    Startup {
        #[arg(long, default_value_t = 10_000)]
        tracks: usize,
        #[arg(long)]
        json: bool,
    },
    /// Recommender speed and size: re-rank 10,000 candidates, apply one event, 100k events on disk
    Reco {
        #[arg(long, default_value_t = 100_000)]
        events: usize,
        #[arg(long, default_value_t = 10_000)]
        candidates: usize,
        /// Flush the event log every N events while loading (1: after each, as the player does)
        #[arg(long, default_value_t = 1)]
        commit_every: usize,
        #[arg(long)]
        json: bool,
    },
    /// Vision speed per frame (detect + align + emotion) and of the emotion model alone per face
    Vision {
        /// Frames: an image or a folder (default: tests/fixtures/blazeface/frame_*.jpg, 640×480)
        #[arg(long, value_name = "PATH")]
        frames: Option<PathBuf>,
        /// Timed runs of each measurement (medians are reported)
        #[arg(long, default_value_t = 200)]
        runs: usize,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        vision: VisionOpts,
    },
    /// Leave-one-out HR@10 of the item-item core on MovieLens-100k (RecBole's ml-100k.inter)
    Movielens {
        #[arg(value_name = "INTER_FILE")]
        inter: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Cost of the EBU R128 loudness measurement per file (decode and meter, as the player's
    /// background meter does it)
    Loudness {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// CPU use while playing FILE to the null output and while paused, and peak memory
    Play {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        #[arg(long)]
        json: bool,
        /// Meanwhile, have the player's background mood tagger (same process, same thread
        /// priority) tag every track under DIR into a scratch database
        #[arg(long, value_name = "DIR")]
        tag_dir: Option<PathBuf>,
    },
}
