//! Effects performed off the UI thread or beside it that answer with one message: saving the
//! queue as an m3u playlist (`Effect::WritePlaylist` → `Msg::Status`, or `Msg::PlaylistExists`
//! for a name taken and not to be replaced), the mood diary (`Effect::LoadDiary` →
//! `Msg::DiaryLoaded`) and the playing track's cover art (`Effect::LoadArt` → `UiEvent::Art`),
//! the last two each on a short-lived thread that sends its answer on the UI channel and ends.

use std::path::PathBuf;

use super::executor::Runtime;
use super::UiEvent;
use crate::app::state::{Msg, Status};
use crate::library::art::{decode_cover, find_cover};
use crate::library::m3u::{write_m3u, PlaylistEntry};

/// Where `w` saves the queue at `secs` (UTC): `queue-2026-12-03-115403.m3u8`, a name a listener
/// can read in the picker and the file manager (it was the Unix time, `queue-1796298847`), and a
/// free one: a second save within the same second gets `-2`, not the first one's file.
fn playlist_path(dir: &std::path::Path, secs: u64) -> PathBuf {
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = crate::core::civil_from_days(days as i64);
    let (h, min, s) = (rest / 3600, rest / 60 % 60, rest % 60);
    let stem = format!("queue-{y:04}-{m:02}-{d:02}-{h:02}{min:02}{s:02}");
    let mut path = dir.join(format!("{stem}.m3u8"));
    let mut n = 2;
    while std::fs::symlink_metadata(&path).is_ok() {
        path = dir.join(format!("{stem}-{n}.m3u8"));
        n += 1;
    }
    path
}

impl Runtime {
    pub(super) fn write_playlist(
        &mut self,
        name: Option<String>,
        replace: bool,
        entries: &[PlaylistEntry],
    ) {
        let dir = self.data_dir.join("playlists");
        let path = match &name {
            Some(name) => dir.join(format!("{name}.m3u8")),
            None => playlist_path(&dir, crate::core::now_ms() / 1000),
        };
        let existed = std::fs::symlink_metadata(&path).is_ok();
        if let (Some(name), true, false) = (&name, existed, replace) {
            self.answer(Msg::PlaylistExists { name: name.clone() });
            return;
        }
        let result = crate::core::private::private_dir(&dir)
            .map_err(|e| e.to_string())
            .and_then(|_| write_m3u(&path, entries).map_err(|e| e.to_string()));
        let tracks = crate::core::text::counted(entries.len(), "track");
        let what = match (&name, existed) {
            (Some(name), true) => format!("replaced the playlist {name} with the queue's {tracks}"),
            (Some(name), false) => format!("saved the queue's {tracks} as the playlist {name}"),
            (None, _) => format!("saved the queue's {tracks} to {}", path.display()),
        };
        self.answer(Msg::Status(match result {
            Ok(()) => Status::info(what),
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

#[cfg(test)]
mod tests {
    use super::playlist_path;

    #[test]
    fn a_saved_queue_is_named_by_its_utc_time_and_never_replaces_another() {
        let dir = tempfile::tempdir().unwrap();
        // 2026-12-03 11:54:07 UTC.
        let secs = 1_796_298_847;
        let first = playlist_path(dir.path(), secs);
        assert_eq!(first, dir.path().join("queue-2026-12-03-115407.m3u8"));
        std::fs::write(&first, "#EXTM3U\n").unwrap();
        let second = playlist_path(dir.path(), secs);
        assert_eq!(second, dir.path().join("queue-2026-12-03-115407-2.m3u8"));
    }
}
