//! The runtime, headless: the real `runtime::Runtime` (null audio output, a store in a temp dir)
//! fed the events the terminal, MPRIS and the store send. Every state change goes through
//! `update`: page up/down move by the list height of the terminal's real size, a rating's stars
//! change only once the store has answered, and a media controller's volume lands in the state.

mod common;

use common::runtime::Harness;
use mien::runtime::UiEvent;

use common::{id, key, track, AWAKE};
use mien::app::{Action, AppState, Msg};
use mien::mpris::MprisRequest;
use mien::store::Store;
use mien::terminal::TermEvent;

/// A runtime over the fixture catalogue plus `extra` generated tracks, in a temp dir.
fn harness(extra: usize) -> (tempfile::TempDir, Store, Harness) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    let mut catalogue = common::tracks();
    catalogue.extend((0..extra).map(|i| {
        let path = format!("/music/zed/long/{i:03}.wav");
        track(
            &path,
            &format!("Song {i:03}"),
            "Zed",
            "Long",
            1,
            2000,
            1_000,
        )
    }));
    let mut state = AppState::new(catalogue, Vec::new());
    state.prepare();
    let h = Harness::new(&store, dir.path(), state);
    (dir, store, h)
}

fn press(h: &mut Harness, name: &str) {
    h.event(UiEvent::Term(TermEvent::Key(key(name))));
}

#[test]
fn page_down_moves_by_the_list_height_of_the_terminal_size_and_follows_a_resize() {
    let (_dir, _store, mut h) = harness(100);
    h.event(UiEvent::App(Msg::Action(Action::ToggleAllTracks)));
    assert!(h.state.browser.rows.len() > 100);
    // 120×40: 39 rows above the status line, 10 for now playing, 2 for the list's border.
    h.event(UiEvent::Term(TermEvent::Resize {
        width: 120,
        height: 40,
    }));
    assert_eq!(h.state.list_rows, 27);
    press(&mut h, "pagedown");
    assert_eq!(h.state.browser.cursor, 27);
    // A smaller window: 80×24 shows 11 rows.
    h.event(UiEvent::Term(TermEvent::Resize {
        width: 80,
        height: 24,
    }));
    assert_eq!(h.state.list_rows, 11);
    press(&mut h, "ctrl-d");
    assert_eq!(h.state.browser.cursor, 38);
    press(&mut h, "pageup");
    assert_eq!(h.state.browser.cursor, 27);
}

#[test]
fn the_stars_change_only_when_the_store_has_saved_the_rating() {
    let (_dir, store, mut h) = harness(0);
    h.state.player.path = Some(AWAKE.into());
    h.state.focus = mien::app::Pane::Queue; // nothing selected there: the playing track is rated
    press(&mut h, "4");
    assert_eq!(
        h.state.rating(id(AWAKE)),
        None,
        "not before the store answers"
    );
    assert!(h.pump_until(|s| s.rating(id(AWAKE)).is_some()));
    assert_eq!(h.state.rating(id(AWAKE)).map(|r| r.stars()), Some(4));
    let stored = store.ratings().expect("ratings");
    assert!(stored
        .iter()
        .any(|(t, r)| *t == id(AWAKE) && r.stars() == 4));
}

#[test]
fn a_media_controllers_volume_goes_through_update() {
    let (_dir, _store, mut h) = harness(0);
    h.event(UiEvent::Mpris(MprisRequest::SetVolume(0.3)));
    assert_eq!(h.state.player.volume, 30);
    h.event(UiEvent::Mpris(MprisRequest::Pause));
    assert!(
        !h.state.player.paused,
        "nothing plays: a pause changes nothing"
    );
}
