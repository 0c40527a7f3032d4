//! The incremental library scan: walks the music folders, re-reads only files whose size or mtime
//! changed (in parallel, on scoped worker threads), and brings the store's catalogue in line with
//! the disk. Runs on the calling thread (the library thread, or `mien scan`).

use super::probe::{probe_file, ProbeError};
use super::report::{ScanProgress, ScanReport, SkippedEntry};
use super::walk::{normalize_root, walk_root, FoundFile, Walk};
use super::LibraryError;
use crate::core::{AudioFormat, Track};
use crate::store::{SkippedFile, Store};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Tracks are written to the store in batches of this many.
const BATCH: usize = 256;
/// Progress is reported at most this often (plus once at the end).
const PROGRESS_EVERY: Duration = Duration::from_millis(50);

/// What the catalogue knew about a file before the scan.
struct Known {
    size: u64,
    mtime_ns: i128,
    /// `Ok(format)` for a track, `Err(reason)` for a skipped file.
    kind: Result<AudioFormat, String>,
    seen: bool,
}

/// What a file to be read was before the scan.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Previous {
    New,
    Track,
    Skipped,
}

/// Scans `roots` into `store`; see [`ScanReport`]. `progress` is called on this thread at most
/// every ~50 ms and once at the end. A missing or unreadable root is a warning, not an error.
pub fn scan(
    store: &Store,
    roots: &[PathBuf],
    progress: &mut dyn FnMut(ScanProgress),
) -> Result<ScanReport, LibraryError> {
    scan_cancellable(store, roots, progress, &AtomicBool::new(false))
}

/// [`scan`] that stops early with [`LibraryError::Cancelled`] once `cancel` becomes true. Tracks
/// read before that are kept; nothing is removed from a cancelled scan.
pub fn scan_cancellable(
    store: &Store,
    roots: &[PathBuf],
    progress: &mut dyn FnMut(ScanProgress),
    cancel: &AtomicBool,
) -> Result<ScanReport, LibraryError> {
    let started = Instant::now();
    let roots: Vec<PathBuf> = roots.iter().map(|r| normalize_root(r)).collect();
    let mut catalogue = load_catalogue(store)?;
    let mut walk = Walk::default();
    let mut visited = HashSet::new();
    let mut last = Instant::now();
    for root in &roots {
        walk_root(root, &mut visited, &mut walk, &mut |dir, found| {
            if last.elapsed() >= PROGRESS_EVERY {
                last = Instant::now();
                progress(ScanProgress {
                    done: 0,
                    total: found,
                    current: Some(dir.to_path_buf()),
                });
            }
            !cancel.load(Ordering::Relaxed)
        });
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(LibraryError::Cancelled);
    }
    let total = walk.files.len();
    let mut report = ScanReport {
        warnings: std::mem::take(&mut walk.warnings),
        ..Default::default()
    };
    let mut skipped: BTreeMap<PathBuf, String> =
        std::mem::take(&mut walk.skipped).into_iter().collect();
    let mut to_probe: Vec<(FoundFile, Previous)> = Vec::new();
    for file in walk.files {
        match catalogue.get_mut(&file.path) {
            Some(known) => {
                known.seen = true;
                if known.size == file.size && known.mtime_ns == file.mtime_ns {
                    match &known.kind {
                        Ok(format) => {
                            report.unchanged += 1;
                            *report
                                .by_format
                                .entry(format.name().to_string())
                                .or_default() += 1;
                        }
                        Err(reason) => {
                            skipped.insert(file.path, reason.clone());
                        }
                    }
                } else {
                    let previous = if known.kind.is_ok() {
                        Previous::Track
                    } else {
                        Previous::Skipped
                    };
                    to_probe.push((file, previous));
                }
            }
            None => to_probe.push((file, Previous::New)),
        }
    }
    let already_done = total - to_probe.len();
    let mut reporter = |done: usize, current: &Path| {
        if last.elapsed() >= PROGRESS_EVERY {
            last = Instant::now();
            progress(ScanProgress {
                done: already_done + done,
                total,
                current: Some(current.to_path_buf()),
            });
        }
    };
    probe_all(
        store,
        &to_probe,
        &mut report,
        &mut skipped,
        &mut reporter,
        cancel,
    )?;
    if cancel.load(Ordering::Relaxed) {
        return Err(LibraryError::Cancelled);
    }
    remove_stale(store, &catalogue, &roots, &walk.unreadable, &mut report)?;
    report.tracks = report.added + report.updated + report.unchanged;
    report.skipped = skipped
        .into_iter()
        .map(|(path, reason)| SkippedEntry { path, reason })
        .collect();
    report.seconds = started.elapsed().as_secs_f64();
    progress(ScanProgress {
        done: total,
        total,
        current: None,
    });
    Ok(report)
}

fn load_catalogue(store: &Store) -> Result<HashMap<PathBuf, Known>, LibraryError> {
    let mut catalogue = HashMap::new();
    for s in store.all_skipped()? {
        let known = Known {
            size: s.size,
            mtime_ns: s.mtime_ns,
            kind: Err(s.reason),
            seen: false,
        };
        catalogue.insert(s.path, known);
    }
    for t in store.all_tracks()? {
        let known = Known {
            size: t.size,
            mtime_ns: t.mtime_ns,
            kind: Ok(t.format),
            seen: false,
        };
        catalogue.insert(t.path, known);
    }
    Ok(catalogue)
}

/// Probes `files` on scoped workers and records the results. Results are written by this thread,
/// tracks in batches.
fn probe_all(
    store: &Store,
    files: &[(FoundFile, Previous)],
    report: &mut ScanReport,
    skipped: &mut BTreeMap<PathBuf, String>,
    progress: &mut dyn FnMut(usize, &Path),
    cancel: &AtomicBool,
) -> Result<(), LibraryError> {
    if files.is_empty() {
        return Ok(());
    }
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len());
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, Result<Track, ProbeError>)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= files.len() || cancel.load(Ordering::Relaxed) {
                    break;
                }
                if tx.send((i, probe_file(&files[i].0.path))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut batch = Vec::with_capacity(BATCH);
        let outcome = (|| {
            for (done, (i, result)) in rx.iter().enumerate() {
                let (file, previous) = (&files[i].0, files[i].1);
                progress(done + 1, &file.path);
                match result {
                    Ok(track) => {
                        match previous {
                            Previous::Track => report.updated += 1,
                            Previous::New => report.added += 1,
                            Previous::Skipped => {
                                report.added += 1;
                                store.remove_skipped(&track.path)?;
                            }
                        }
                        *report
                            .by_format
                            .entry(track.format.name().to_string())
                            .or_default() += 1;
                        batch.push(track);
                        if batch.len() >= BATCH {
                            store.put_tracks(&batch)?;
                            batch.clear();
                        }
                    }
                    Err(e) => {
                        let reason = e.to_string();
                        tracing::debug!(path = %file.path.display(), %reason, "skipped");
                        if previous == Previous::Track && store.remove_track(&file.path)? {
                            report.removed += 1;
                        }
                        let entry = SkippedFile {
                            path: file.path.clone(),
                            size: file.size,
                            mtime_ns: file.mtime_ns,
                            reason: reason.clone(),
                        };
                        store.put_skipped(&entry)?;
                        skipped.insert(file.path.clone(), reason);
                    }
                }
            }
            store.put_tracks(&batch)?;
            Ok(())
        })();
        if outcome.is_err() {
            // Stop the workers; their next send fails once `rx` is dropped below.
            next.store(files.len(), Ordering::Relaxed);
        }
        drop(rx);
        outcome
    })
}

/// Removes catalogue entries under the scanned roots whose file was not found, except under
/// folders that could not be read.
fn remove_stale(
    store: &Store,
    catalogue: &HashMap<PathBuf, Known>,
    roots: &[PathBuf],
    unreadable: &[PathBuf],
    report: &mut ScanReport,
) -> Result<(), LibraryError> {
    for (path, known) in catalogue {
        let stale = !known.seen
            && roots.iter().any(|r| path.starts_with(r))
            && !unreadable.iter().any(|u| path.starts_with(u));
        if !stale {
            continue;
        }
        match known.kind {
            Ok(_) => {
                if store.remove_track(path)? {
                    report.removed += 1;
                }
            }
            Err(_) => {
                store.remove_skipped(path)?;
            }
        }
    }
    Ok(())
}
