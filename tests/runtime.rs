//! The runtime, headless: the real `runtime::Runtime` (null audio output, a store in a temp dir)
//! fed the events the terminal, MPRIS and the store send. Every state change goes through
//! `update`: page up/down move by the list height of the terminal's real size, a rating's stars
//! change only once the store has answered, and a media controller's volume lands in the state.

mod common;

use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use common::{id, key, track, AWAKE};
use mien::app::keymap::Keymap;
use mien::app::keys::KeyState;
use mien::app::{Action, AppState, Msg};
use mien::audio::{Engine, EngineConfig, OutputChoice};
use mien::mpris::MprisRequest;
use mien::runtime::{Runtime, UiEvent};
use mien::store::Store;
use mien::terminal::TermEvent;

struct Harness {
    rt: Runtime,
    state: AppState,
    keymap: Keymap,
    keys: KeyState,
    rx: Receiver<UiEvent>,
    _dir: tempfile::TempDir,
    store: Store,
}

impl Harness {
    /// A player over `tracks` generated tracks plus the fixture catalogue.
    fn new(tracks: usize) -> Harness {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store");
        let (tx, rx) = mpsc::channel();
        let (engine_tx, _engine_rx) = mpsc::channel();
        let config = EngineConfig {
            output: OutputChoice::Null {
                rate: 44_100,
                channels: 2,
            },
            ..EngineConfig::default()
        };
        let engine = Engine::spawn(config, engine_tx).expect("engine on the null output");
        let rt = Runtime::new(store.clone(), engine, None, dir.path().to_path_buf(), tx)
            .expect("runtime");
        let mut catalogue = common::tracks();
        catalogue.extend((0..tracks).map(|i| {
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
        Harness {
            rt,
            state,
            keymap: Keymap::vim_defaults(),
            keys: KeyState::default(),
            rx,
            _dir: dir,
            store,
        }
    }

    fn event(&mut self, ev: UiEvent) {
        self.rt
            .handle(&mut self.state, &self.keymap, &mut self.keys, ev);
        self.state.prepare();
    }

    fn press(&mut self, name: &str) {
        self.event(UiEvent::Term(TermEvent::Key(key(name))));
    }

    /// Handles what comes back on the UI channel until `done` or 10 s.
    fn pump_until(&mut self, done: impl Fn(&AppState) -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done(&self.state) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(ev) => self.event(ev),
                Err(_) => return false,
            }
        }
        true
    }
}

#[test]
fn page_down_moves_by_the_list_height_of_the_terminal_size_and_follows_a_resize() {
    let mut h = Harness::new(100);
    h.event(UiEvent::App(Msg::Action(Action::ToggleAllTracks)));
    assert!(h.state.browser.rows.len() > 100);
    // 120×40: 39 rows above the status line, 10 for now playing, 2 for the list's border.
    h.event(UiEvent::Term(TermEvent::Resize {
        width: 120,
        height: 40,
    }));
    assert_eq!(h.state.list_rows, 27);
    h.press("pagedown");
    assert_eq!(h.state.browser.cursor, 27);
    // A smaller window: 80×24 shows 11 rows.
    h.event(UiEvent::Term(TermEvent::Resize {
        width: 80,
        height: 24,
    }));
    assert_eq!(h.state.list_rows, 11);
    h.press("ctrl-d");
    assert_eq!(h.state.browser.cursor, 38);
    h.press("pageup");
    assert_eq!(h.state.browser.cursor, 27);
}

#[test]
fn the_stars_change_only_when_the_store_has_saved_the_rating() {
    let mut h = Harness::new(0);
    h.state.player.path = Some(AWAKE.into());
    h.state.focus = mien::app::Pane::Queue; // nothing selected there: the playing track is rated
    h.press("4");
    assert_eq!(
        h.state.rating(id(AWAKE)),
        None,
        "not before the store answers"
    );
    assert!(h.pump_until(|s| s.rating(id(AWAKE)).is_some()));
    assert_eq!(h.state.rating(id(AWAKE)).map(|r| r.stars()), Some(4));
    let stored = h.store.ratings().expect("ratings");
    assert!(stored
        .iter()
        .any(|(t, r)| *t == id(AWAKE) && r.stars() == 4));
}

#[test]
fn a_media_controllers_volume_goes_through_update() {
    let mut h = Harness::new(0);
    h.event(UiEvent::Mpris(MprisRequest::SetVolume(0.3)));
    assert_eq!(h.state.player.volume, 30);
    h.event(UiEvent::Mpris(MprisRequest::Pause));
    assert!(
        !h.state.player.paused,
        "nothing plays: a pause changes nothing"
    );
}
