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

pub use probe::{file_stamp, is_audio_path, probe_file, ProbeError, AUDIO_EXTENSIONS};
pub use report::{ScanProgress, ScanReport, SkippedEntry};
pub use scan::{scan, scan_cancellable};
pub use service::{LibraryCommand, LibraryEvent, LibraryService};
pub use watch::LibraryWatcher;

use crate::store::StoreError;
use std::path::{Path, PathBuf};

/// Whether `path` lies in one of the library folders in effect (`roots`; none: every path). The
/// catalogue keeps what was scanned from other folders before (a one-off `--library DIR`, a
/// folder since taken out of the config: their tags, and the ratings by track id, stay), and
/// the player and the commands show only the tracks of the folders in effect.
pub fn in_library(path: &Path, roots: &[PathBuf]) -> bool {
    roots.is_empty() || roots.iter().any(|r| path.starts_with(r))
}

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

#[cfg(test)]
mod tests {
    #[test]
    fn a_path_is_in_the_library_when_under_one_of_its_folders_by_whole_components() {
        use super::in_library;
        use std::path::{Path, PathBuf};
        let roots = [PathBuf::from("/music"), PathBuf::from("/mnt/usb/songs")];
        assert!(in_library(Path::new("/music/a/b.flac"), &roots));
        assert!(in_library(Path::new("/mnt/usb/songs/c.ogg"), &roots));
        assert!(!in_library(Path::new("/tmp/ut/a.mp3"), &roots));
        assert!(
            !in_library(Path::new("/musicals/x.mp3"), &roots),
            "not by prefix of a name"
        );
        assert!(in_library(Path::new("/anything.mp3"), &[]));
    }
}
