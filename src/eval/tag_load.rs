//! Background mood tagging as a load for `mien bench play --tag-dir DIR`: the player's own
//! `MoodWorker` (same thread, same nice-19 priority) tagging every track under DIR into a scratch
//! database, so that ring-buffer underruns are measured with tagging inside the player process.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;

use crate::mood::{ModelFiles, MoodEvent, MoodWorker};
use crate::store::Store;

/// A running tagging load. Dropping it stops the worker and removes the scratch database.
pub struct TagLoad {
    worker: Option<MoodWorker>,
    tagged: Arc<AtomicUsize>,
    total: usize,
    scratch: PathBuf,
}

impl TagLoad {
    /// Scans `dir` into a scratch database and starts tagging it; returns once the worker has
    /// begun (its first progress report).
    pub fn start(dir: &Path) -> anyhow::Result<TagLoad> {
        let scratch = std::env::temp_dir().join(format!("mien-tag-load-{}", std::process::id()));
        let store = Store::open(&scratch)
            .with_context(|| format!("cannot open a scratch database in {}", scratch.display()))?;
        let report = crate::library::scan(&store, &[dir.to_path_buf()], &mut |_| {})
            .with_context(|| format!("cannot scan {}", dir.display()))?;
        let total = report.tracks;
        anyhow::ensure!(total > 0, "no playable tracks under {}", dir.display());
        let (tx, rx) = mpsc::channel();
        let worker = MoodWorker::spawn(&ModelFiles::shipped(), store, tx)
            .context("cannot start the mood tagger")?;
        worker.tag_library(&[]);
        let tagged = Arc::new(AtomicUsize::new(0));
        wait_started(&rx)?;
        let counter = Arc::clone(&tagged);
        std::thread::spawn(move || {
            for event in rx {
                if matches!(event, MoodEvent::Tagged { .. }) {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        Ok(TagLoad {
            worker: Some(worker),
            tagged,
            total,
            scratch,
        })
    }

    /// Tracks tagged so far.
    pub fn tagged(&self) -> usize {
        self.tagged.load(Ordering::Relaxed)
    }

    /// Tracks queued in all.
    pub fn total(&self) -> usize {
        self.total
    }
}

fn wait_started(rx: &Receiver<MoodEvent>) -> anyhow::Result<()> {
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(MoodEvent::Unavailable { reason }) => anyhow::bail!("mood tagger unavailable: {reason}"),
        Ok(_) => Ok(()),
        Err(_) => anyhow::bail!("the mood tagger did not start within 60 s"),
    }
}

impl Drop for TagLoad {
    fn drop(&mut self) {
        // Joining the worker waits for the track in hand; the store closes with it.
        drop(self.worker.take());
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}
