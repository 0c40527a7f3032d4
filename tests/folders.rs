//! The folder view (`F`): the catalogue as it lies on disk, through the keymap and `update`
//! (going in and up, natural order, several library folders, enqueue and play of a whole
//! folder), and drawn on ratatui's `TestBackend`.

mod common;

use common::screen::{draw, lines};
use common::{track, Player, AWAKE, FAR_AWAY, NIGHT_DRIVE, SMALL_RAIN};
use mien::app::Effect;
use mien::audio::EngineCommand;
use std::path::PathBuf;

/// The fixture catalogue (under /music/ada and /music/bruno) plus a badly tagged folder whose
/// names only sort right naturally.
fn player() -> Player {
    let mut p = Player::new();
    for path in [
        "/music/misc/track10.wav",
        "/music/misc/track2.wav",
        "/music/misc/Track1.wav",
        "/music/misc/extra/b.wav",
    ] {
        p.state.catalogue.upsert(track(
            path, "Untitled", "Unknown", "Unknown", 1, 2000, 60_000,
        ));
    }
    p.state.browser.dirty = true;
    p.state.prepare();
    p
}

fn queue_paths(p: &Player) -> Vec<String> {
    let items = p.state.queue.items.iter();
    items.map(|i| i.path.display().to_string()).collect()
}

#[test]
fn f_shows_folders_first_then_files_in_natural_order_and_backspace_goes_up() {
    let mut p = player();
    p.press("F");
    // No library folders given: the folder holding every track is the top.
    assert_eq!(p.state.browser.title(), "Folder /music");
    assert_eq!(p.rows(), ["ada/", "bruno/", "misc/"]);
    p.press("G enter");
    assert_eq!(p.state.browser.title(), "Folder /music/misc");
    assert_eq!(
        p.rows(),
        ["extra/", "Untitled", "Untitled", "Untitled"],
        "the folder, then the three files"
    );
    let files: Vec<PathBuf> = (p.state.browser.rows.iter().skip(1))
        .map(|r| match r {
            mien::app::browser::Row::Track(id) => p.state.catalogue.get(*id).unwrap().path.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    let names: Vec<_> = files.iter().map(|f| f.file_name().unwrap()).collect();
    assert_eq!(names, ["Track1.wav", "track2.wav", "track10.wav"]);
    p.press("backspace");
    assert_eq!(p.state.browser.title(), "Folder /music");
    assert_eq!(
        p.selected(),
        "misc/",
        "the cursor comes back to the folder left"
    );
    p.press("backspace");
    assert_eq!(
        p.state.status.as_ref().map(|s| s.text.as_str()),
        Some("at the top of the library")
    );
    // F again: back to the artists, where the browser was.
    p.press("F");
    assert_eq!(p.state.browser.title(), "Artists");
    // From the folder view, `a` goes to the flat list of all tracks.
    p.press("F a");
    assert!(p.state.browser.title().starts_with("All tracks"));
    assert!(p.state.browser.folders.is_none());
}

#[test]
fn enqueue_and_play_now_on_a_folder_take_every_track_below_it_in_path_order() {
    let mut p = player();
    p.press("F e");
    assert_eq!(queue_paths(&p), [AWAKE, NIGHT_DRIVE, FAR_AWAY, SMALL_RAIN]);
    p.press("G");
    let effects = p.press("P");
    let played: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Engine(EngineCommand::Play { track, .. }) => Some(track.path.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(played, [PathBuf::from("/music/misc/extra/b.wav")]);
    assert_eq!(
        &queue_paths(&p)[..4],
        [
            "/music/misc/extra/b.wav",
            "/music/misc/Track1.wav",
            "/music/misc/track2.wav",
            "/music/misc/track10.wav"
        ],
        "subfolders' tracks by path, naturally"
    );
    // Enter on a file plays it, as anywhere in the library.
    p.press("g g enter enter");
    let effects = p.press("enter");
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::Engine(EngineCommand::Play { track, .. }) if track.path == std::path::Path::new(AWAKE))));
}

#[test]
fn several_library_folders_are_the_top_entries() {
    let mut p = player();
    p.state.browser.roots = vec!["/music/bruno".into(), "/music/ada".into()];
    p.press("F");
    assert_eq!(p.state.browser.title(), "Folders");
    assert_eq!(
        p.rows(),
        ["/music/bruno/", "/music/ada/"],
        "in the configured order"
    );
    p.press("j enter");
    assert_eq!(p.rows(), ["blue/", "rain/"]);
    p.press("enter backspace backspace");
    assert_eq!(p.state.browser.title(), "Folders");
    assert_eq!(p.selected(), "/music/ada/");
    p.press("backspace");
    assert_eq!(p.state.browser.title(), "Folders", "the top stays the top");
}

#[test]
fn the_folder_view_draws_folders_with_counts_and_files_by_name() {
    let mut p = player();
    p.press("F");
    let buffer = draw(&p, 80, 24);
    let rows = lines(&buffer);
    assert!(rows[0].starts_with("┌ Folder /music · 3 ─"), "{}", rows[0]);
    assert!(rows[1].starts_with("│▸ ada/  4 tracks "), "{}", rows[1]);
    assert!(rows[2].starts_with("│▸ bruno/  2 tracks "), "{}", rows[2]);
    assert!(rows[3].starts_with("│▸ misc/  4 tracks "), "{}", rows[3]);
    p.press("enter enter");
    let rows = lines(&draw(&p, 80, 24));
    assert_eq!(p.state.browser.title(), "Folder /music/ada/blue");
    // File names, not the tags (the view is for libraries whose tags are poor).
    assert!(rows[1].starts_with("│  01.wav  4:56 "), "{}", rows[1]);
    assert!(rows[3].starts_with("│  03.wav  4:05 "), "{}", rows[3]);
    assert!(!rows[1].contains("Awake"), "{}", rows[1]);
}

/// The catalogue keeps what an earlier `--library DIR` or a folder since taken out of the config
/// scanned; a reloaded catalogue shows only the tracks of the folders in effect.
#[test]
fn a_reloaded_catalogue_holds_only_the_library_folders_tracks() {
    let mut p = player();
    p.state.browser.roots = vec!["/music/ada".into()];
    let elsewhere = track(
        "/tmp/downloads/x.wav",
        "Stray",
        "Someone",
        "Elsewhere",
        1,
        2000,
        60_000,
    );
    let ada = track(AWAKE, "Awake", "Ada Lin", "Blue Hour", 1, 2019, 296_000);
    p.send(mien::app::Msg::Catalogue(vec![ada, elsewhere]));
    let paths: Vec<PathBuf> = p.state.catalogue.iter().map(|t| t.path.clone()).collect();
    assert_eq!(paths, [PathBuf::from(AWAKE)]);
    p.press("a");
    let screen = lines(&draw(&p, 80, 24)).join("\n");
    assert!(
        screen.contains("Awake") && !screen.contains("Stray"),
        "{screen}"
    );
}

#[test]
fn f_and_a_from_a_search_leave_it_for_the_view_they_name() {
    let mut p = player();
    p.press("/");
    p.type_text("untitled");
    p.press("enter F");
    assert_eq!(
        p.state.browser.query, None,
        "the search hid the folder view"
    );
    assert_eq!(p.state.browser.title(), "Folder /music");
    // A search over the folder view: F shows the folder view again, where it was.
    p.press("G enter /");
    p.type_text("untitled");
    p.press("enter F");
    assert_eq!(p.state.browser.title(), "Folder /music/misc");
    p.press("/");
    p.type_text("untitled");
    p.press("enter a");
    assert_eq!(p.state.browser.query, None);
    assert!(p.state.browser.title().starts_with("All tracks"));
}
