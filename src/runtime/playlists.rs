//! The saved-playlist effects, performed off the UI thread: listing the data dir's
//! `playlists/` (`Effect::ListPlaylists` → `Msg::PlaylistsListed`) and reading one for the queue
//! (`Effect::OpenSavedPlaylist` → `Msg::SavedPlaylistOpened`) or deleting one
//! (`Effect::DeletePlaylist` → `Msg::PlaylistDeleted`), each on a short-lived
//! "playlists" thread that sends its one answer on the UI channel and ends.

use std::path::PathBuf;

use super::executor::Runtime;
use super::UiEvent;
use crate::app::state::{Msg, Status};
use crate::library::playlist::{list_saved, open_for_queue};

impl Runtime {
    pub(super) fn list_playlists(&self) {
        let dir = self.data_dir.join("playlists");
        self.off_thread(move || Msg::PlaylistsListed(list_saved(&dir)));
    }

    pub(super) fn open_saved_playlist(&self, path: PathBuf, append: bool) {
        self.off_thread(move || {
            let result = open_for_queue(&path);
            Msg::SavedPlaylistOpened {
                path,
                append,
                result,
            }
        });
    }

    pub(super) fn delete_playlist(&self, path: PathBuf) {
        self.off_thread(move || {
            let result = std::fs::remove_file(&path).map_err(|e| crate::core::io_reason(&e));
            Msg::PlaylistDeleted { path, result }
        });
    }

    /// Runs `work` on a "playlists" thread and sends its message to `update`; a thread that
    /// cannot start is a status line.
    fn off_thread(&self, work: impl FnOnce() -> Msg + Send + 'static) {
        let tx = self.tx.clone();
        let spawned = std::thread::Builder::new()
            .name("playlists".into())
            .spawn(move || {
                let _ = tx.send(UiEvent::App(work()));
            });
        if let Err(e) = spawned {
            self.answer(Msg::Status(Status::error(format!(
                "cannot read the saved playlists: no thread: {e}"
            ))));
        }
    }
}
