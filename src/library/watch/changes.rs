//! How the watcher thread applies one changed path to the catalogue: re-reading, adding,
//! skipping or removing tracks, and reporting each change as a [`LibraryEvent`].

use super::{RootState, WatchState};
use crate::library::probe::{file_stamp, is_audio_path, probe_file};
use crate::library::service::LibraryEvent;
use crate::library::walk::{audio_files_under, is_hidden_below, FoundFile};
use crate::store::{SkippedFile, StoreError};
use std::path::Path;

impl WatchState {
    /// Brings the catalogue in line with what is now at `path`, whatever the event said.
    pub(super) fn reconcile(&mut self, path: &Path) {
        if self
            .roots
            .iter()
            .any(|(root, _)| is_hidden_below(root, path))
        {
            return;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                for file in audio_files_under(path) {
                    self.refresh_file(&file);
                }
            }
            Ok(meta) if meta.is_file() && is_audio_path(path) => {
                let (size, mtime_ns) = file_stamp(&meta);
                self.refresh_file(&FoundFile {
                    path: path.to_path_buf(),
                    size,
                    mtime_ns,
                });
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => self.remove(path),
            Err(e) => tracing::debug!(path = %path.display(), error = %e, "cannot stat"),
        }
    }

    /// Re-reads one audio file unless its size and mtime match the catalogue.
    fn refresh_file(&mut self, file: &FoundFile) {
        let previous = match self.store.track_by_path(&file.path) {
            Ok(previous) => previous,
            Err(e) => return self.store_failed(e),
        };
        if previous
            .as_ref()
            .is_some_and(|t| t.size == file.size && t.mtime_ns == file.mtime_ns)
        {
            return;
        }
        if previous.is_none() {
            match self.store.skipped(&file.path) {
                Ok(Some(s)) if s.size == file.size && s.mtime_ns == file.mtime_ns => return,
                Ok(_) => {}
                Err(e) => return self.store_failed(e),
            }
        }
        match probe_file(&file.path) {
            Ok(track) => {
                let stored = self
                    .store
                    .put_track(&track)
                    .and_then(|()| self.store.remove_skipped(&track.path).map(|_| ()));
                if let Err(e) = stored {
                    return self.store_failed(e);
                }
                self.send(match previous {
                    Some(_) => LibraryEvent::TrackUpdated(track),
                    None => LibraryEvent::TrackAdded(track),
                });
            }
            Err(e) => {
                let reason = e.to_string();
                let skipped = SkippedFile {
                    path: file.path.clone(),
                    size: file.size,
                    mtime_ns: file.mtime_ns,
                    reason: reason.clone(),
                };
                if let Err(e) = self.store.put_skipped(&skipped) {
                    return self.store_failed(e);
                }
                if previous.is_some() {
                    match self.store.remove_track(&file.path) {
                        Ok(_) => self.send(LibraryEvent::TrackRemoved(file.path.clone())),
                        Err(e) => return self.store_failed(e),
                    }
                }
                self.send(LibraryEvent::Skipped {
                    path: file.path.clone(),
                    reason,
                });
            }
        }
    }

    /// `path` is gone: drops the track there, or every track under it if it was a folder. A root
    /// (or a folder holding one) is handled as a lost root instead.
    fn remove(&mut self, path: &Path) {
        if self.roots.iter().any(|(root, _)| root.starts_with(path)) {
            for i in 0..self.roots.len() {
                if self.roots[i].0.starts_with(path) && self.roots[i].1 == RootState::Watched {
                    self.lose_root(i);
                }
            }
            return self.check_roots(true);
        }
        if let Err(e) = self.remove_under(path) {
            self.store_failed(e);
        }
    }

    fn remove_under(&mut self, path: &Path) -> Result<(), StoreError> {
        self.store.remove_skipped(path)?;
        if self.store.remove_track(path)? {
            self.send(LibraryEvent::TrackRemoved(path.to_path_buf()));
            return Ok(());
        }
        for track in self.store.all_tracks()? {
            if track.path.starts_with(path) && self.store.remove_track(&track.path)? {
                self.send(LibraryEvent::TrackRemoved(track.path));
            }
        }
        for skipped in self.store.all_skipped()? {
            if skipped.path.starts_with(path) {
                self.store.remove_skipped(&skipped.path)?;
            }
        }
        Ok(())
    }
}
