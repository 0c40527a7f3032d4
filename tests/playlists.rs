//! `.pls` playlists and the saved-playlist picker (`O`): PLS files as other players write them,
//! read by extension beside m3u; the data dir's playlists listed (counts, damaged files, newest
//! first); the picker through `update` (enter replaces and plays, `e` appends, a damaged or
//! vanished playlist is a clear status line), drawn on `TestBackend`; and the real runtime
//! reading both off the UI thread.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::runtime::Harness;
use common::screen::{draw, lines};
use common::{key, Player};
use mien::app::save_prompt::PromptKey;
use mien::app::state::{Overlay, StatusLevel};
use mien::app::{Action, AppState, Effect, Msg};
use mien::audio::EngineCommand;
use mien::library::m3u::{write_m3u, PlaylistEntry};
use mien::library::playlist::{list_saved, open_for_queue, read_playlist, SavedPlaylist};
use mien::runtime::UiEvent;
use mien::store::Store;
use mien::terminal::TermEvent;

fn touch(path: &Path) -> PathBuf {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, b"").unwrap();
    path.to_path_buf()
}

fn set_age(path: &Path, seconds_ago: u64) {
    let t = SystemTime::now() - Duration::from_secs(seconds_ago);
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

fn status(state: &AppState) -> (String, StatusLevel) {
    let s = state.status.as_ref().expect("a status line");
    (s.text.clone(), s.level)
}

#[test]
fn a_pls_file_reads_like_an_m3u_with_what_it_left_out_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "[playlist]\r\nNumberOfEntries=6\r\nFile1=sub/01 Intro.flac\r\nTitle1=Intro\r\n\
        Length1=61\r\nFile3=http://radio.example/stream\r\nTitle3=Radio\r\nLength3=-1\r\n\
        File2=/abs/02.mp3\r\nFile4=file:///abs/A%20B/%C3%A9t%C3%A9.ogg\r\nthis line is junk\r\n\
        Title5=no file for me\r\nFile6=caf\u{e9}.mp3\r\nVersion=2\r\n";
    // Latin-1, as older players write: the é of File6 is one byte.
    let bytes: Vec<u8> = text.chars().map(|c| c as u8).collect();
    let path = d.join("mix.PLS");
    fs::write(&path, bytes).unwrap();
    let list = read_playlist(&path).unwrap();
    assert_eq!(
        list.entries,
        [
            d.join("sub/01 Intro.flac"),
            PathBuf::from("/abs/02.mp3"),
            PathBuf::from("/abs/A B/été.ogg"),
            d.join("café.mp3"),
        ],
        "by number, relative to the playlist's folder"
    );
    let ignored: Vec<(&str, &str)> = (list.ignored.iter())
        .map(|i| (i.entry.as_str(), i.reason))
        .collect();
    assert_eq!(
        ignored,
        [
            ("entry 5", "a title or length without a File line"),
            ("http://radio.example/stream", "not a local file (URL)"),
            ("this line is junk", "not a key=value line"),
        ]
    );
    // The same function reads m3u by its extension.
    let m3u = d.join("mix.m3u");
    fs::write(&m3u, "#EXTM3U\nsub/a.mp3\n").unwrap();
    assert_eq!(read_playlist(&m3u).unwrap().entries, [d.join("sub/a.mp3")]);
    let missing = read_playlist(&d.join("gone.pls")).unwrap_err().to_string();
    assert!(missing.contains("gone.pls"), "{missing}");
}

#[test]
fn saved_playlists_are_listed_newest_first_with_counts_and_damage_named() {
    let dir = tempfile::tempdir().unwrap();
    let lists = dir.path().join("playlists");
    assert_eq!(
        list_saved(&lists),
        Ok(Vec::new()),
        "no folder: nothing saved yet"
    );
    fs::create_dir_all(&lists).unwrap();
    let a = touch(&dir.path().join("m/a.flac"));
    let b = touch(&dir.path().join("m/b.flac"));
    let entry = |p: &Path| PlaylistEntry {
        path: p.to_path_buf(),
        duration_ms: None,
        artist: None,
        title: None,
    };
    write_m3u(&lists.join("old.m3u8"), &[entry(&a)]).unwrap();
    write_m3u(&lists.join("new.m3u8"), &[entry(&a), entry(&b)]).unwrap();
    fs::write(lists.join("radio.pls"), "[playlist]\nFile1=x.mp3\n").unwrap();
    fs::write(lists.join("broken.m3u8"), b"/m/\xff.mp3\n").unwrap();
    fs::write(lists.join(".new.m3u8.123.tmp"), "").unwrap();
    fs::write(lists.join("notes.txt"), "not a playlist").unwrap();
    set_age(&lists.join("old.m3u8"), 3_600);
    set_age(&lists.join("radio.pls"), 60);
    set_age(&lists.join("broken.m3u8"), 7_200);

    let listed = list_saved(&lists).unwrap();
    let names: Vec<&str> = listed.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["new", "radio", "old", "broken"]);
    assert_eq!(listed[0].tracks, Ok(2));
    assert_eq!(listed[1].tracks, Ok(1));
    let why = listed[3].tracks.clone().unwrap_err();
    assert!(
        why.contains("not valid UTF-8") && why.contains("broken.m3u8"),
        "{why}"
    );

    fs::remove_file(&b).unwrap();
    let opened = open_for_queue(&lists.join("new.m3u8")).unwrap();
    assert_eq!((opened.paths, opened.missing), (vec![a], 1));
}

fn saved(name: &str, tracks: Result<usize, String>) -> SavedPlaylist {
    SavedPlaylist {
        path: PathBuf::from(format!("/data/playlists/{name}.m3u8")),
        name: name.to_string(),
        tracks,
        modified_s: 1_796_139_000,
    }
}

/// The picker open on three playlists, the second unreadable.
fn picker() -> Player {
    let mut p = Player::new();
    assert_eq!(p.press("O"), [Effect::ListPlaylists]);
    assert!(p.state.overlay.is_none(), "opens when the list arrives");
    p.send(Msg::PlaylistsListed(Ok(vec![
        saved("queue-1796139000", Ok(12)),
        saved(
            "damaged",
            Err("playlist damaged.m3u8 is not valid UTF-8 (line 3)".into()),
        ),
        saved("one", Ok(1)),
    ])));
    p
}

#[test]
fn o_lists_the_saved_playlists_and_enter_or_e_opens_one() {
    let mut p = picker();
    assert!(matches!(
        p.state.overlay,
        Some(Overlay::Playlists { cursor: 0, .. })
    ));
    let effects = p.press("enter");
    assert_eq!(
        effects,
        [Effect::OpenSavedPlaylist {
            path: "/data/playlists/queue-1796139000.m3u8".into(),
            append: false
        }]
    );
    assert!(p.state.overlay.is_none());
    let mut p = picker();
    let effects = p.press("j j e");
    assert_eq!(
        effects,
        [Effect::OpenSavedPlaylist {
            path: "/data/playlists/one.m3u8".into(),
            append: true
        }]
    );
    // Keys inside the picker are its own: `e` did not enqueue from the library.
    assert!(p.state.queue.is_empty());
    let mut p = picker();
    p.press("esc");
    assert!(p.state.overlay.is_none());
}

#[test]
fn a_damaged_playlist_is_a_clear_status_line_and_the_picker_stays() {
    let mut p = picker();
    assert!(p.press("j enter").is_empty());
    let (text, level) = status(&p.state);
    assert_eq!(level, StatusLevel::Error);
    assert_eq!(
        text,
        "cannot open playlist damaged: playlist damaged.m3u8 is not valid UTF-8 (line 3)"
    );
    assert!(p.state.overlay.is_some());
    // Gone between the listing and the open: the runtime's answer says so.
    p.send(Msg::SavedPlaylistOpened {
        path: "/data/playlists/one.m3u8".into(),
        append: false,
        result: Err("cannot read playlist /data/playlists/one.m3u8: not found".into()),
    });
    let (text, level) = status(&p.state);
    assert_eq!(level, StatusLevel::Error);
    assert!(
        text.starts_with("cannot open playlist one: cannot read"),
        "{text}"
    );
    // No folder listing at all: said, and no overlay.
    let mut p = Player::new();
    p.press("O");
    p.send(Msg::PlaylistsListed(Err(
        "cannot list /data/playlists: permission denied".into(),
    )));
    assert_eq!(status(&p.state).1, StatusLevel::Error);
    assert!(p.state.overlay.is_none());
    p.send(Msg::PlaylistsListed(Ok(Vec::new())));
    assert_eq!(
        status(&p.state).0,
        "no saved playlists yet: w saves the queue as one"
    );
}

#[test]
fn an_opened_playlist_replaces_the_queue_and_plays_or_is_appended() {
    use mien::library::playlist::OpenedPlaylist;
    let mut p = Player::new();
    p.press("a e");
    assert_eq!(p.state.queue.len(), 1);
    let paths: Vec<PathBuf> = vec!["/m/x.flac".into(), "/m/y.flac".into()];
    let opened = |paths: Vec<PathBuf>| {
        Ok(OpenedPlaylist {
            paths,
            skipped: 1,
            missing: 2,
        })
    };
    let effects = p.send(Msg::SavedPlaylistOpened {
        path: "/data/playlists/mix.m3u8".into(),
        append: false,
        result: opened(paths.clone()),
    });
    let got: Vec<PathBuf> = p.state.queue.items.iter().map(|i| i.path.clone()).collect();
    assert_eq!(got, paths);
    // Its order is the listener's: what follows the first track is pinned, so the recommender
    // leaves it alone.
    let pinned: Vec<bool> = p.state.queue.items.iter().map(|i| i.pinned).collect();
    assert_eq!(pinned, [false, true]);
    assert!(matches!(
        &effects[0],
        Effect::Engine(EngineCommand::Play { track, start_ms: 0 }) if track.path == paths[0]
    ));
    assert_eq!(
        status(&p.state).0,
        "playing mix: 2 tracks (left out: 2 missing, 1 not local files or bad lines)"
    );
    p.send(Msg::SavedPlaylistOpened {
        path: "/data/playlists/more.pls".into(),
        append: true,
        result: opened(vec!["/m/z.flac".into()]),
    });
    assert_eq!(p.state.queue.len(), 3);
    assert_eq!(p.state.queue.current, Some(0), "appending keeps what plays");
    assert!(
        !p.state.queue.items[2].pinned,
        "appended as e appends: not pinned"
    );
    // Nothing left to play: an error, and the queue stays.
    p.send(Msg::SavedPlaylistOpened {
        path: "/data/playlists/gone.m3u8".into(),
        append: false,
        result: opened(Vec::new()),
    });
    assert_eq!(p.state.queue.len(), 3);
    assert_eq!(status(&p.state).1, StatusLevel::Error);
}

#[test]
fn the_picker_draws_name_count_and_date_and_marks_a_damaged_one() {
    let p = picker();
    let buffer = draw(&p, 80, 24);
    let rows = lines(&buffer);
    let at = |needle: &str| {
        rows.iter()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not drawn:\n{}", rows.join("\n")))
            .clone()
    };
    assert!(at("Saved playlists").contains("enter plays · e adds · d deletes · esc closes"));
    let first = at("queue-1796139000");
    assert!(first.contains("12 tracks  2026-12-01 15:30"), "{first}");
    assert!(at("damaged").contains("unreadable"));
    assert!(at("one  ").contains("1 track  2026-12-01"));
}

#[test]
fn d_in_the_picker_asks_in_its_title_and_d_again_deletes_the_one_under_the_cursor() {
    let mut p = picker();
    assert!(p.press("d").is_empty(), "nothing deleted yet");
    let rows = lines(&draw(&p, 80, 24));
    assert!(
        rows.iter()
            .any(|l| l
                .contains("Delete queue-1796139000? d again deletes it · any other key keeps it")),
        "{}",
        rows.join("\n")
    );
    assert_eq!(
        p.press("d"),
        [Effect::DeletePlaylist(
            "/data/playlists/queue-1796139000.m3u8".into()
        )]
    );
    p.send(Msg::PlaylistDeleted {
        path: "/data/playlists/queue-1796139000.m3u8".into(),
        result: Ok(()),
    });
    let Some(Overlay::Playlists { lists, .. }) = &p.state.overlay else {
        panic!("the picker stays open with the others");
    };
    assert_eq!(lists.len(), 2);
    p.send(Msg::PlaylistDeleted {
        path: "/data/playlists/one.m3u8".into(),
        result: Err("permission denied".into()),
    });
    assert_eq!(
        status(&p.state),
        (
            "cannot delete the playlist one: permission denied".into(),
            StatusLevel::Error
        )
    );
}

#[test]
fn the_save_prompt_draws_what_is_typed_and_why_a_name_cannot_be() {
    let mut p = Player::new();
    p.press("tab");
    assert!(p.press("w").is_empty());
    assert_eq!(
        p.state.status.as_ref().map(|s| s.text.as_str()),
        Some("nothing to save: the queue is empty")
    );
    p.press("tab e w");
    let bottom = |p: &Player| lines(&draw(p, 80, 24)).last().cloned().unwrap_or_default();
    assert!(
        bottom(&p).starts_with("save the queue as: ▏ enter: a dated name · esc: not saved"),
        "{}",
        bottom(&p)
    );
    for c in "a/b".chars() {
        p.send(Msg::Prompt(PromptKey::Char(c)));
    }
    assert!(p.send(Msg::Prompt(PromptKey::Confirm)).is_empty());
    assert!(
        bottom(&p).starts_with("save the queue as: a/b▏ a playlist's name cannot hold a /"),
        "{}",
        bottom(&p)
    );
    p.send(Msg::Prompt(PromptKey::Backspace));
    p.send(Msg::Prompt(PromptKey::Backspace));
    let effects = p.send(Msg::Prompt(PromptKey::Confirm));
    assert!(
        matches!(&effects[..], [Effect::WritePlaylist { name: Some(n), replace: false, entries }]
            if n == "a" && entries.len() == p.state.queue.len()),
        "{effects:?}"
    );
    assert_eq!(p.state.save_prompt, None);
}

#[test]
fn a_click_selects_a_picker_row_and_a_double_click_opens_it() {
    use mien::app::mouse::{MouseInput, MouseKind, MouseTarget};
    use std::time::Instant;
    let mut p = picker();
    let rows = lines(&draw(&p, 80, 24));
    let y = rows.iter().position(|l| l.contains("one  ")).unwrap() as u16;
    let target = mien::ui::hit::hit(
        ratatui::layout::Rect::new(0, 0, 80, 24),
        None,
        &p.state,
        40,
        y,
    );
    assert_eq!(target, MouseTarget::PickerRow(2));
    let t = Instant::now();
    let click = |p: &mut Player, at| {
        p.send(Msg::Mouse(MouseInput {
            target,
            kind: MouseKind::Click,
            at,
        }))
    };
    assert!(click(&mut p, t).is_empty());
    assert!(matches!(
        p.state.overlay,
        Some(Overlay::Playlists { cursor: 2, .. })
    ));
    let effects = click(&mut p, t + Duration::from_millis(250));
    assert_eq!(
        effects,
        [Effect::OpenSavedPlaylist {
            path: "/data/playlists/one.m3u8".into(),
            append: false
        }]
    );
}

#[test]
fn the_runtime_lists_and_opens_saved_playlists_off_the_ui_thread() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let music = dir.path().join("music");
    let tracks: Vec<mien::core::Track> = ["a.wav", "b.wav"]
        .iter()
        .map(|n| {
            let p = touch(&music.join(n));
            common::track(p.to_str().unwrap(), n, "A", "B", 1, 2000, 1_000)
        })
        .collect();
    let mut state = AppState::new(tracks, Vec::new());
    state.prepare();
    let mut h = Harness::new(&store, dir.path(), state);
    let press = |h: &mut Harness, k: &str| h.event(UiEvent::Term(TermEvent::Key(key(k))));
    // Both tracks queued and saved with `w` as "mix", then the queue cleared.
    for k in ["a", "e", "j", "e", "w", "m", "i", "x", "enter"] {
        press(&mut h, k);
    }
    assert!(h.pump_until(|s| s
        .status
        .as_ref()
        .is_some_and(|s| s.text == "saved the queue's 2 tracks as the playlist mix")));
    assert!(dir.path().join("playlists/mix.m3u8").is_file());
    // The same name again: not written until a second enter.
    for k in ["w", "m", "i", "x", "enter"] {
        press(&mut h, k);
    }
    assert!(h.pump_until(|s| s.save_prompt.as_ref().is_some_and(|p| p.replace.is_some())));
    assert_eq!(
        h.state.save_prompt.as_ref().map(|p| p.hint()),
        Some("a playlist mix exists: enter replaces it · esc: not saved".into())
    );
    press(&mut h, "esc");
    assert!(h.state.save_prompt.is_none());
    h.send(Msg::Action(Action::QueueClear));
    assert!(h.state.queue.is_empty());
    press(&mut h, "O");
    assert!(h.pump_until(|s| matches!(s.overlay, Some(Overlay::Playlists { .. }))));
    press(&mut h, "enter");
    assert!(h.pump_until(|s| s.queue.len() == 2), "{:?}", h.state.status);
    let got: Vec<PathBuf> = h.state.queue.items.iter().map(|i| i.path.clone()).collect();
    assert_eq!(got, [music.join("a.wav"), music.join("b.wav")]);
    assert_eq!(h.state.queue.current, Some(0));

    // `d` in the picker asks; another key keeps the playlist, `d` twice deletes its file.
    let deleting =
        |s: &AppState| matches!(s.overlay, Some(Overlay::Playlists { deleting, .. }) if deleting);
    press(&mut h, "O");
    assert!(h.pump_until(|s| matches!(s.overlay, Some(Overlay::Playlists { .. }))));
    press(&mut h, "d");
    assert!(deleting(&h.state));
    press(&mut h, "k");
    assert!(!deleting(&h.state));
    assert!(matches!(h.state.overlay, Some(Overlay::Playlists { .. })));
    press(&mut h, "d");
    press(&mut h, "d");
    assert!(h.pump_until(|s| s
        .status
        .as_ref()
        .is_some_and(|s| s.text == "deleted the playlist mix")));
    assert!(!dir.path().join("playlists/mix.m3u8").exists());
    assert_eq!(
        h.state.overlay, None,
        "the last playlist gone, the picker closes"
    );
}
