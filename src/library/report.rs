//! What a scan reports: progress while it runs, and the final report that `mien scan --json`
//! prints. Plain values, sent by value from the scanning thread.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How far a scan has got. `total` is the number of audio files found; while folders are still
/// being walked it grows and `done` stays 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanProgress {
    pub done: usize,
    pub total: usize,
    /// The file (or, while walking, the folder) being looked at; `None` in the final report.
    pub current: Option<PathBuf>,
}

/// A file that is not part of the library, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedEntry {
    #[serde(with = "crate::core::path_serde")]
    pub path: PathBuf,
    pub reason: String,
}

/// The outcome of a scan, over the files under the scanned roots. Tracks under a root or folder
/// that could not be read are left in the store untouched and not counted; each such folder has a
/// warning. `tracks == added + updated + unchanged`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    /// Tracks in the catalogue under the roots after the scan.
    pub tracks: usize,
    /// Files that became tracks (new files, or formerly skipped ones that now read).
    pub added: usize,
    /// Tracks read again because their size or mtime changed.
    pub updated: usize,
    /// Tracks dropped: the file is gone, or it changed and no longer reads (then it is skipped).
    pub removed: usize,
    /// Tracks whose size and mtime matched, not read again.
    pub unchanged: usize,
    /// Format name → number of tracks, over all tracks under the roots.
    pub by_format: BTreeMap<String, usize>,
    /// Every audio file under the roots that is not playable, with the reason, sorted by path.
    pub skipped: Vec<SkippedEntry>,
    pub warnings: Vec<String>,
    /// Wall-clock duration of the scan.
    pub seconds: f64,
}
