//! Effects performed off the UI thread or beside it that answer with one message: saving the
//! queue as an m3u playlist (`Effect::WritePlaylist`), the mood diary (`Effect::LoadDiary` →
//! `Msg::DiaryLoaded`) and the playing track's cover art (`Effect::LoadArt` → `UiEvent::Art`),
//! the last two each on a short-lived thread that sends its answer on the UI channel and ends.

use std::path::PathBuf;

use super::executor::Runtime;
use super::UiEvent;
use crate::app::state::{Msg, Status};
use crate::library::art::{decode_cover, find_cover};
use crate::library::m3u::{write_m3u, PlaylistEntry};

impl Runtime {
    pub(super) fn write_playlist(&mut self, entries: &[PlaylistEntry]) {
        let dir = self.data_dir.join("playlists");
        let stamp = crate::core::now_ms() / 1000;
        let path = dir.join(format!("queue-{stamp}.m3u8"));
        let result = crate::core::private::private_dir(&dir)
            .map_err(|e| e.to_string())
            .and_then(|_| write_m3u(&path, entries).map_err(|e| e.to_string()));
        self.answer(Msg::Status(match result {
            Ok(()) => Status::info(format!("saved the queue to {}", path.display())),
            Err(e) => Status::error(format!("cannot save the queue: {e}")),
        }));
    }

    /// Builds the mood diary off the UI thread; the answer comes back as `Msg::DiaryLoaded`.
    pub(super) fn load_diary(&mut self, days: u32) {
        let (store, tx) = (self.store.clone(), self.tx.clone());
        let spawned = std::thread::Builder::new()
            .name("diary".into())
            .spawn(move || {
                let result = crate::diary::load(&store, days, crate::core::now_ms())
                    .map_err(|e| e.to_string());
                let _ = tx.send(UiEvent::App(Msg::DiaryLoaded(result)));
            });
        if let Err(e) = spawned {
            self.answer(Msg::DiaryLoaded(Err(format!("no thread to read it: {e}"))));
        }
    }

    /// Finds and decodes the cover off the UI thread; the answer comes back as `UiEvent::Art`.
    pub(super) fn load_art(&mut self, path: Option<PathBuf>) {
        if !self.art.want(path.as_deref()) {
            return;
        }
        let Some(path) = path else { return };
        let tx = self.tx.clone();
        let spawned = std::thread::Builder::new()
            .name("art".into())
            .spawn(move || {
                let img = find_cover(&path).and_then(|c| decode_cover(&c.bytes).ok());
                let _ = tx.send(UiEvent::Art(Some(path), img));
            });
        if let Err(e) = spawned {
            self.answer(Msg::Status(Status::error(format!(
                "cover art not shown: cannot start its thread: {e}"
            ))));
        }
    }
}
