//! The music library: reading audio files (`probe`, `decode`, `tags`), scanning music folders
//! into the store (`scan`, `walk`, `report`), watching them for changes (`watch`), and the
//! "library" thread that runs it all (`service`); plus cover art (`art`), lyrics (`lyrics`) and
//! playlists (`m3u`, `pls`, and `playlist`, which opens either and lists the saved ones).

pub mod art;
mod decode;
pub mod lyrics;
pub mod m3u;
pub mod playlist;
pub mod pls;
mod probe;
mod report;
mod scan;
mod service;
mod tags;
mod walk;
mod watch;

/// Whether a path lies in the library folders in effect (`core`, so that the workers can ask).
pub use crate::core::in_library;
pub use probe::{file_stamp, is_audio_path, probe_file, ProbeError, AUDIO_EXTENSIONS};
pub use report::{ScanProgress, ScanReport, SkippedEntry};
pub use scan::{scan, scan_cancellable};
pub use service::{LibraryCommand, LibraryEvent, LibraryService};
pub use watch::LibraryWatcher;

use crate::store::StoreError;
use std::path::PathBuf;

/// Failures of the library as a whole. A single unreadable file is never one of these: it is a
/// [`ProbeError`] and ends up in the skipped list.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("library store: {0}")]
    Store(#[from] StoreError),
    #[error("cannot watch music folder {}: {source}", path.display())]
    Watch {
        path: PathBuf,
        #[source]
        source: notify::Error,
    },
    #[error("cannot start the file watcher: {0}")]
    WatcherInit(#[source] notify::Error),
    #[error("cannot start thread {name}: {source}")]
    Thread {
        name: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("scan cancelled")]
    Cancelled,
}
