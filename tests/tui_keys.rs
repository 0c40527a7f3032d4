//! Headless key-sequence tests (helix style): key names go through `mien::app::keys::key_to_msg` and the
//! real keymap, the messages through `mien::app::update`, and the tests assert the resulting state
//! and the effects the runtime would perform. Engine events are fed the same way.

mod common;

use std::path::{Path, PathBuf};

use common::{id, key, Player, AWAKE, FAR_AWAY, MORNING, NIGHT_DRIVE, PAPER_BOATS, SMALL_RAIN};
use mien::app::keymap::Keymap;
use mien::app::keys::key_to_msg;
use mien::app::queue::Repeat;
use mien::app::state::Overlay;
use mien::app::{update, Effect, Msg, Pane};
use mien::audio::{EngineCommand, EngineEvent, TrackRequest};
use mien::config::Config;
use mien::core::{EmotionSource, Rating, SavedQueue};

/// What the player asks the engine for a path: the catalogue's track (with its album slot), or
/// the bare path for a file outside it.
fn req(path: impl AsRef<Path>) -> TrackRequest {
    let path = path.as_ref();
    common::tracks()
        .iter()
        .find(|t| t.path == path)
        .map(TrackRequest::for_track)
        .unwrap_or_else(|| TrackRequest::new(path))
}

fn play(path: &str, start_ms: u64) -> Effect {
    Effect::Engine(EngineCommand::Play {
        track: req(path),
        start_ms,
    })
}

fn set_next(path: Option<&str>) -> Effect {
    Effect::Engine(EngineCommand::SetNext(path.map(req)))
}

fn engine_commands(effects: &[Effect]) -> Vec<EngineCommand> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Engine(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

fn started(path: &str) -> Msg {
    Msg::Engine(EngineEvent::TrackStarted {
        path: PathBuf::from(path),
        duration_ms: Some(200_000),
    })
}

fn failed(path: &str) -> Msg {
    Msg::Engine(EngineEvent::TrackFailed {
        path: PathBuf::from(path),
        reason: "corrupt".into(),
    })
}

/// A player whose queue holds the whole Blue Hour album (Awake, Night Drive, Far Away), the
/// library showing Ada Lin's albums.
fn with_blue_hour_queued() -> Player {
    let mut p = Player::new();
    p.press("enter");
    assert_eq!(p.selected(), "Blue Hour");
    p.press("e");
    assert_eq!(p.queue_titles(), ["Awake", "Night Drive", "Far Away"]);
    p
}

// --- Moving around -------------------------------------------------------------------------

#[test]
fn g_g_goes_to_the_top_and_shift_g_to_the_bottom() {
    let mut p = Player::new();
    p.press("a");
    assert_eq!(p.rows().len(), 6);
    p.press("G");
    assert_eq!(p.state.browser.cursor, 5);
    assert_eq!(p.selected(), "Paper Boats");
    p.press("g");
    assert_eq!(
        p.state.browser.cursor, 5,
        "a lone g waits for the second key"
    );
    p.press("g");
    assert_eq!(p.state.browser.cursor, 0);
    assert_eq!(p.selected(), "Awake");
}

#[test]
fn j_j_k_moves_the_cursor_down_twice_and_up_once() {
    let mut p = Player::new();
    p.press("a j j k");
    assert_eq!(p.state.browser.cursor, 1);
    assert_eq!(p.selected(), "Night Drive");
}

#[test]
fn the_cursor_stops_at_both_ends_of_the_list() {
    let mut p = Player::new();
    p.press("k k");
    assert_eq!(p.state.browser.cursor, 0);
    p.press("j j j j j");
    assert_eq!(p.state.browser.cursor, 1, "two artists");
}

#[test]
fn a_broken_sequence_reads_its_last_key_on_its_own() {
    let mut p = Player::new();
    p.press("a g j");
    assert_eq!(
        p.state.browser.cursor, 1,
        "`g j` is not a binding: the j moves down"
    );
}

#[test]
fn enter_opens_an_artist_and_backspace_returns_with_the_cursor_restored() {
    let mut p = Player::new();
    assert_eq!(p.rows(), ["Ada Lin", "Bruno Moss"]);
    p.press("j enter");
    assert_eq!(p.state.browser.title(), "Bruno Moss");
    assert_eq!(p.rows(), ["Fields"]);
    p.press("backspace");
    assert_eq!(p.rows(), ["Ada Lin", "Bruno Moss"]);
    assert_eq!(p.selected(), "Bruno Moss");

    p.press("k enter");
    assert_eq!(p.rows(), ["Blue Hour", "Rain Songs"], "albums by year");
    p.press("j enter");
    assert_eq!(p.state.browser.title(), "Ada Lin › Rain Songs");
    assert_eq!(p.rows(), ["Small Rain"]);
    p.press("backspace");
    assert_eq!(p.selected(), "Rain Songs");
    p.press("backspace");
    assert_eq!(p.selected(), "Ada Lin");
}

#[test]
fn backspace_at_the_top_of_the_library_says_so() {
    let mut p = Player::new();
    p.press("backspace");
    assert_eq!(p.rows(), ["Ada Lin", "Bruno Moss"]);
    assert_eq!(
        p.state.status.as_ref().map(|s| s.text.as_str()),
        Some("at the top of the library")
    );
}

#[test]
fn a_toggles_between_the_artist_tree_and_all_tracks() {
    let mut p = Player::new();
    p.press("a");
    assert!(p.state.browser.all_tracks);
    assert_eq!(
        p.rows(),
        [
            "Awake",
            "Night Drive",
            "Far Away",
            "Small Rain",
            "Morning",
            "Paper Boats"
        ],
        "album order: artist, album, track number"
    );
    p.press("a");
    assert!(!p.state.browser.all_tracks);
    assert_eq!(p.rows(), ["Ada Lin", "Bruno Moss"]);
}

#[test]
fn keys_that_arrive_before_a_redraw_act_on_the_level_just_opened() {
    // The UI loop handles every queued event before it redraws (and rebuilds the rows), so a
    // quick `enter e` reaches `update` back to back. The `e` must enqueue the first album of the
    // artist just opened, not the artist row that was under the cursor before.
    let mut p = Player::new();
    for name in ["enter", "e"] {
        if let Some(msg) = key_to_msg(&p.state, &p.keymap, &mut p.keys, key(name)) {
            update(&mut p.state, msg);
        }
    }
    assert_eq!(p.queue_titles(), ["Awake", "Night Drive", "Far Away"]);
}

// --- Search ---------------------------------------------------------------------------------

#[test]
fn slash_then_typing_filters_to_matching_tracks_and_esc_clears_it() {
    let mut p = Player::new();
    p.press("/");
    assert_eq!(p.state.search_input.as_deref(), Some(""));
    p.type_text("awa");
    assert_eq!(p.state.search_input.as_deref(), Some("awa"));
    assert_eq!(p.state.browser.title(), "Search: awa");
    assert_eq!(p.rows(), ["Awake", "Far Away"]);
    p.press("backspace");
    assert_eq!(p.state.search_input.as_deref(), Some("aw"));
    p.press("esc");
    assert_eq!(p.state.search_input, None);
    assert_eq!(p.state.browser.query, None);
    assert_eq!(p.rows(), ["Ada Lin", "Bruno Moss"]);
}

#[test]
fn enter_keeps_the_filter_and_backspace_then_leaves_it() {
    let mut p = Player::new();
    p.press("/");
    p.type_text("awa");
    p.press("enter");
    assert_eq!(p.state.search_input, None, "the search line closes");
    assert_eq!(p.rows(), ["Awake", "Far Away"], "the filter stays");
    p.press("j");
    assert_eq!(p.selected(), "Far Away", "keys are actions again");
    p.press("backspace");
    assert_eq!(p.rows(), ["Ada Lin", "Bruno Moss"]);
}

#[test]
fn typing_in_the_search_line_triggers_no_actions() {
    let mut p = Player::new();
    p.press("/");
    let effects = p.type_text("q ea4");
    assert!(!p.state.quit, "q is a letter while searching");
    assert!(effects.is_empty(), "{effects:?}");
    assert!(p.state.queue.is_empty(), "e is a letter while searching");
    assert_eq!(p.state.search_input.as_deref(), Some("q ea4"));
    assert!(p.rows().is_empty());
}

// --- The queue from the library ---------------------------------------------------------------

#[test]
fn e_enqueues_the_selection_in_album_order() {
    let mut p = Player::new();
    let effects = p.press("e");
    assert!(effects.is_empty());
    assert_eq!(
        p.queue_titles(),
        ["Awake", "Night Drive", "Far Away", "Small Rain"]
    );
    p.press("j e");
    assert_eq!(p.state.queue.len(), 6);
    assert_eq!(
        p.state.status.as_ref().unwrap().text,
        "added 2 tracks to the queue"
    );
    p.press("a e");
    assert_eq!(p.state.queue.len(), 7, "one track row adds one track");
}

#[test]
fn enter_on_a_track_plays_it_and_the_rest_of_its_album_follows() {
    let mut p = Player::new();
    let effects = p.press("enter enter j");
    assert!(effects.is_empty(), "opening levels does nothing outside");
    let effects = p.press("enter");
    assert_eq!(effects, [play(NIGHT_DRIVE, 0)]);
    assert_eq!(p.state.queue.current, Some(0));
    assert_eq!(p.queue_titles(), ["Night Drive", "Far Away"]);
    assert_eq!(
        p.state.status.as_ref().map(|s| s.text.as_str()),
        Some("then 1 more track of Blue Hour")
    );
    // The album's order is the listener's: the followers are pinned, so the recommender leaves it.
    let pinned: Vec<bool> = p.state.queue.items.iter().map(|i| i.pinned).collect();
    assert_eq!(pinned, [false, true]);
    // From the album's first track: its tracks are not queued twice (Far Away, upcoming and
    // pinned, moves).
    p.send(started(NIGHT_DRIVE));
    p.press("k enter");
    assert_eq!(
        p.queue_titles(),
        ["Night Drive", "Awake", "Night Drive", "Far Away"]
    );
    assert_eq!(p.state.queue.current, Some(1));
    let pinned: Vec<bool> = p.state.queue.items.iter().map(|i| i.pinned).collect();
    assert_eq!(pinned, [false, false, true, true]);
}

#[test]
fn z_shuffles_an_album_started_from_its_first_track_though_its_followers_are_pinned() {
    let mut p = Player::new();
    p.press("enter enter enter");
    assert_eq!(p.queue_titles(), ["Awake", "Night Drive", "Far Away"]);
    p.press("z");
    let mut titles = p.queue_titles();
    assert_eq!(titles[0], "Awake", "the playing track stays");
    titles[1..].sort();
    assert_eq!(titles, ["Awake", "Far Away", "Night Drive"]);
    assert_eq!(
        p.state.status.as_ref().map(|s| s.text.as_str()),
        Some("shuffled 2 upcoming tracks")
    );
    // With tracks the recommender may move, the pinned ones stay and say so.
    p.press("a G e k e");
    assert_eq!(p.queue_titles().len(), 5);
    p.press("z");
    let text = &p.state.status.as_ref().expect("a message").text;
    assert!(
        text.contains("2 pinned tracks stay in place (x unpins)"),
        "{text}"
    );
}

#[test]
fn enter_in_a_search_or_the_flat_list_plays_the_track_alone() {
    let mut p = Player::new();
    p.press("/");
    p.type_text("awake");
    let effects = p.press("enter enter");
    assert_eq!(effects, [play(AWAKE, 0)]);
    assert_eq!(p.queue_titles(), ["Awake"]);
    p.press("backspace a enter");
    assert_eq!(
        p.queue_titles(),
        ["Awake", "Awake"],
        "the flat list's first row"
    );
}

#[test]
fn p_inserts_the_selection_after_the_current_item_and_pins_it() {
    let mut p = with_blue_hour_queued();
    p.press("tab j enter tab");
    assert_eq!(p.state.queue.current, Some(1), "Night Drive is current");
    assert_eq!(p.state.focus, Pane::Library);
    p.press("j enter");
    assert_eq!(p.selected(), "Small Rain");
    p.press("p");
    assert_eq!(
        p.queue_titles(),
        ["Awake", "Night Drive", "Small Rain", "Far Away"]
    );
    let pinned: Vec<bool> = p.state.queue.items.iter().map(|i| i.pinned).collect();
    assert_eq!(pinned, [false, false, true, false]);
    assert_eq!(
        p.state.status.as_ref().unwrap().text,
        "1 track will play next"
    );
}

#[test]
fn p_while_playing_tells_the_engine_the_new_next_track() {
    let mut p = with_blue_hour_queued();
    p.press("tab enter tab");
    p.send(started(AWAKE));
    assert_eq!(p.state.preloaded, Some(1), "Night Drive is preloaded");
    p.press("j enter");
    let effects = p.press("p");
    assert_eq!(
        p.queue_titles(),
        ["Awake", "Small Rain", "Night Drive", "Far Away"]
    );
    assert_eq!(
        effects,
        [set_next(Some(SMALL_RAIN))],
        "the engine must drop Night Drive"
    );
    assert_eq!(p.state.preloaded, Some(1));
}

#[test]
fn removing_the_preloaded_item_tells_the_engine_the_new_next_track() {
    let mut p = with_blue_hour_queued();
    p.press("tab enter");
    p.send(started(AWAKE));
    let effects = p.press("j d");
    assert_eq!(p.queue_titles(), ["Awake", "Far Away"]);
    assert_eq!(
        engine_commands(&effects),
        [EngineCommand::SetNext(Some(req(FAR_AWAY)))]
    );
}

#[test]
fn adding_to_the_queue_while_its_last_track_plays_tells_the_engine_what_follows() {
    // One track playing, nothing after it: the engine was told there is no next track.
    let mut p = Player::new();
    p.press("a");
    p.press("P");
    let playing = p.state.queue.items[0].path.clone();
    let fx = p.send(Msg::Engine(EngineEvent::TrackStarted {
        path: playing.clone(),
        duration_ms: Some(200_000),
    }));
    assert!(!engine_commands(&fx)
        .iter()
        .any(|c| matches!(c, EngineCommand::SetNext(Some(_)))));
    // `e` on another track: it follows, so playback goes on at the end instead of stopping.
    let fx = p.press("j e");
    assert_eq!(p.state.queue.len(), 2);
    let added = p.state.queue.items[1].path.clone();
    assert_ne!(added, playing);
    assert_eq!(
        engine_commands(&fx),
        [EngineCommand::SetNext(Some(req(&added)))]
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::SaveQueue(_))));
    assert_eq!(p.state.preloaded, Some(1));
    // A second `e` changes nothing the engine needs to hear: the next track is still the same.
    let fx = p.press("j e");
    assert_eq!(p.state.queue.len(), 3);
    assert!(engine_commands(&fx).is_empty(), "{fx:?}");
    // When it ends the engine moves on by itself, as after any preloaded track.
    p.send(started(added.to_str().unwrap()));
    assert_eq!(p.state.queue.current, Some(1));
}

#[test]
fn removing_the_playing_item_lets_it_play_on_and_what_followed_it_still_follows() {
    let mut p = with_blue_hour_queued();
    p.press("tab enter");
    p.send(started(AWAKE));
    p.press("j");
    p.send(started(NIGHT_DRIVE));
    assert_eq!(p.state.queue.current, Some(1));
    // d on Night Drive while it plays: it leaves the queue, the engine keeps playing it, and
    // Far Away is still what comes after it.
    let effects = p.press("d");
    assert_eq!(p.queue_titles(), ["Awake", "Far Away"]);
    assert!(!engine_commands(&effects)
        .iter()
        .any(|c| matches!(c, EngineCommand::Stop | EngineCommand::Play { .. })));
    assert!(
        !engine_commands(&effects).contains(&EngineCommand::SetNext(None)),
        "the engine must not be told that nothing follows: {effects:?}"
    );
    assert_eq!(p.state.preloaded, Some(1));
    // The engine moves on to it by itself: it becomes the current item.
    p.send(started(FAR_AWAY));
    assert_eq!(p.state.queue.current, Some(1));
    // Removed while it plays, the last item leaves nothing to follow; > says so.
    p.press("d");
    assert_eq!(p.queue_titles(), ["Awake"]);
    let effects = p.press(">");
    assert!(engine_commands(&effects).is_empty());
    assert_eq!(p.state.status.as_ref().unwrap().text, "end of the queue");
}

#[test]
fn shift_d_clears_the_queue_but_the_playing_track_and_says_how_many_went() {
    let mut p = with_blue_hour_queued();
    p.press("tab enter");
    p.send(started(AWAKE));
    let effects = p.press("D");
    assert_eq!(p.queue_titles(), ["Awake"]);
    assert_eq!(p.state.queue.current, Some(0));
    assert_eq!(
        engine_commands(&effects),
        [EngineCommand::SetNext(None)],
        "the engine drops the preloaded Night Drive"
    );
    assert!(effects.iter().any(|e| matches!(e, Effect::SaveQueue(_))));
    let said = |p: &Player| p.state.status.as_ref().unwrap().text.clone();
    assert_eq!(
        said(&p),
        "cleared the queue: 2 tracks removed, the current one stays"
    );
    p.press("D");
    assert_eq!(said(&p), "the queue has nothing to clear");
}

#[test]
fn moving_another_item_into_the_next_slot_tells_the_engine() {
    let mut p = with_blue_hour_queued();
    p.press("tab enter");
    p.send(started(AWAKE));
    let effects = p.press("G K");
    assert_eq!(p.queue_titles(), ["Awake", "Far Away", "Night Drive"]);
    assert_eq!(
        engine_commands(&effects),
        [EngineCommand::SetNext(Some(req(FAR_AWAY)))]
    );
}

// --- Play / pause and resume ----------------------------------------------------------------

fn temp_files(dir: &Path, names: &[&str]) -> Vec<PathBuf> {
    names
        .iter()
        .map(|n| {
            let path = dir.join(n);
            std::fs::write(&path, b"not really audio").unwrap();
            path
        })
        .collect()
}

#[test]
fn space_with_a_stopped_player_plays_the_current_item_from_the_resume_position() {
    let tmp = tempfile::tempdir().unwrap();
    let files = temp_files(tmp.path(), &["a.wav", "b.wav"]);
    let mut p = Player::new();
    p.state.restore_queue(SavedQueue {
        paths: files.clone(),
        current: Some(1),
        position_ms: 42_000,
        ..Default::default()
    });
    let effects = p.press("space");
    let expected = req(&files[1]);
    assert_eq!(
        effects,
        [Effect::Engine(EngineCommand::Play {
            track: expected,
            start_ms: 42_000
        })]
    );
    assert_eq!(
        p.state.player.resume_at, None,
        "the resume position is used once"
    );
}

#[test]
fn space_while_playing_toggles_pause() {
    let mut p = with_blue_hour_queued();
    p.press("tab enter");
    p.send(started(AWAKE));
    assert_eq!(
        engine_commands(&p.press("space")),
        [EngineCommand::TogglePause]
    );
}

#[test]
fn space_with_an_empty_queue_explains_what_to_do() {
    let mut p = Player::new();
    assert!(p.press("space").is_empty());
    let status = p.state.status.as_ref().unwrap();
    assert!(
        status.text.contains("the queue is empty"),
        "{}",
        status.text
    );
}

#[test]
fn restore_queue_keeps_existing_files_the_current_item_and_its_position() {
    let tmp = tempfile::tempdir().unwrap();
    let mut paths = temp_files(tmp.path(), &["a.wav", "b.wav", "c.wav"]);
    let gone = tmp.path().join("gone.wav");
    paths.insert(1, gone.clone());
    // [a, gone, b, c]; c is current.
    let mut p = Player::new();
    p.state.restore_queue(SavedQueue {
        paths: paths.clone(),
        current: Some(3),
        position_ms: 61_500,
        ..Default::default()
    });
    let restored: Vec<PathBuf> = p.state.queue.items.iter().map(|i| i.path.clone()).collect();
    assert_eq!(
        restored,
        [paths[0].clone(), paths[2].clone(), paths[3].clone()]
    );
    assert_eq!(p.state.queue.current, Some(2), "the index follows the item");
    assert_eq!(p.state.queue.cursor, 2);
    assert_eq!(p.state.player.resume_at, Some(61_500));
    assert_eq!(p.state.player.position_ms, 61_500);
}

#[test]
fn the_volume_repeat_mode_and_pins_come_back_with_the_queue() {
    let tmp = tempfile::tempdir().unwrap();
    let mut paths = temp_files(tmp.path(), &["a.wav", "b.wav", "c.wav"]);
    let mut p = Player::new();
    p.state.restore_queue(SavedQueue {
        paths: paths.clone(),
        ..Default::default()
    });
    p.press("-");
    p.press("-");
    p.press("r");
    p.state.queue.items[2].pinned = true;
    let saved = p.state.saved_queue();
    assert_eq!(saved.volume, Some(p.state.player.volume));
    assert!(saved.volume.is_some_and(|v| v < 100), "{saved:?}");
    assert_eq!(
        (saved.repeat, saved.pinned.as_slice()),
        (Repeat::All, &[2][..])
    );
    // Next start: the first file is gone; the pin follows its item.
    std::fs::remove_file(&paths[0]).unwrap();
    let mut next = Player::new();
    next.state.restore_queue(saved.clone());
    assert_eq!(next.state.player.volume, saved.volume.unwrap_or(0));
    assert_eq!(next.state.queue.repeat, Repeat::All);
    let pins: Vec<bool> = next.state.queue.items.iter().map(|i| i.pinned).collect();
    assert_eq!(pins, [false, true]);
    // A queue saved before these were kept: the player's own volume, repeat off.
    paths.remove(0);
    let old = serde_json::json!({"paths": [paths[0]], "current": 0, "position_ms": 5});
    let old: SavedQueue = serde_json::from_value(old).expect("an old saved queue reads");
    let mut fresh = Player::new();
    fresh.state.restore_queue(old);
    assert_eq!(fresh.state.player.volume, 100);
    assert_eq!(fresh.state.queue.repeat, Repeat::Off);
}

#[test]
fn restore_queue_without_its_current_file_restores_no_position() {
    let tmp = tempfile::tempdir().unwrap();
    let mut paths = temp_files(tmp.path(), &["a.wav"]);
    paths.push(tmp.path().join("gone.wav"));
    let mut p = Player::new();
    p.state.restore_queue(SavedQueue {
        paths,
        current: Some(1),
        position_ms: 9_000,
        ..Default::default()
    });
    assert_eq!(p.state.queue.len(), 1);
    assert_eq!(p.state.queue.current, None);
    assert_eq!(p.state.player.resume_at, None);
}

// --- Ratings --------------------------------------------------------------------------------

#[test]
fn a_rating_key_asks_for_a_durable_save_and_shows_only_after_it() {
    let mut p = Player::new();
    p.press("a");
    let awake = id(AWAKE);
    let effects = p.press("4");
    assert_eq!(
        effects,
        [Effect::SaveRating {
            id: awake,
            rating: Rating::new(4)
        }]
    );
    assert_eq!(
        p.state.rating(awake),
        None,
        "not visible before the store confirms"
    );
    p.send(Msg::RatingSaved {
        id: awake,
        rating: Rating::new(4),
    });
    assert_eq!(p.state.rating(awake).map(Rating::stars), Some(4));

    let effects = p.press("0");
    assert_eq!(
        effects,
        [Effect::SaveRating {
            id: awake,
            rating: None
        }]
    );
    assert!(p.state.rating(awake).is_some());
    p.send(Msg::RatingSaved {
        id: awake,
        rating: None,
    });
    assert_eq!(p.state.rating(awake), None);
}

#[test]
fn a_failed_rating_save_changes_no_stars_and_reports_the_error() {
    let mut p = Player::new();
    p.press("a 5");
    p.send(Msg::RatingFailed {
        id: id(AWAKE),
        error: "disk full".into(),
    });
    assert_eq!(p.state.rating(id(AWAKE)), None);
    assert_eq!(
        p.state.status.as_ref().unwrap().text,
        "rating not saved: disk full"
    );
}

#[test]
fn a_rating_key_on_an_artist_row_rates_the_playing_track() {
    let mut p = with_blue_hour_queued();
    p.press("tab enter tab backspace");
    p.send(started(AWAKE));
    assert_eq!(p.selected(), "Ada Lin");
    assert_eq!(
        p.press("3"),
        [Effect::SaveRating {
            id: id(AWAKE),
            rating: Rating::new(3)
        }]
    );
}

#[test]
fn a_rating_key_with_nothing_to_rate_does_nothing() {
    let mut p = Player::new();
    assert!(p.press("4").is_empty());
    assert!(p
        .state
        .status
        .as_ref()
        .unwrap()
        .text
        .starts_with("nothing to rate"));
}

// --- The queue pane ---------------------------------------------------------------------------

#[test]
fn tab_switches_focus_to_the_queue_and_back() {
    let mut p = Player::new();
    p.press("tab");
    assert_eq!(p.state.focus, Pane::Queue);
    p.press("backtab");
    assert_eq!(p.state.focus, Pane::Library);
}

#[test]
fn d_in_the_queue_removes_the_item_under_the_cursor_and_saves_the_queue() {
    let mut p = with_blue_hour_queued();
    let effects = p.press("tab j d");
    assert_eq!(p.queue_titles(), ["Awake", "Far Away"]);
    assert_eq!(effects, [Effect::SaveQueue(p.state.saved_queue())]);
    p.press("j d d");
    assert!(p.state.queue.is_empty());
    assert_eq!(p.state.queue.cursor, 0);
    p.press("d");
    assert!(p.state.queue.is_empty(), "d on an empty queue is harmless");
}

#[test]
fn d_in_the_library_removes_nothing() {
    let mut p = with_blue_hour_queued();
    assert!(p.press("d").is_empty());
    assert_eq!(p.state.queue.len(), 3);
}

#[test]
fn shift_k_and_shift_j_move_the_queue_item_and_pin_it() {
    let mut p = with_blue_hour_queued();
    p.press("tab G K");
    assert_eq!(p.queue_titles(), ["Awake", "Far Away", "Night Drive"]);
    assert_eq!(p.state.queue.cursor, 1, "the cursor follows the item");
    assert!(p.state.queue.items[1].pinned);
    p.press("K");
    assert_eq!(p.queue_titles(), ["Far Away", "Awake", "Night Drive"]);
    p.press("K");
    assert_eq!(
        p.queue_titles(),
        ["Far Away", "Awake", "Night Drive"],
        "the top item stays"
    );
    p.press("J J");
    assert_eq!(p.queue_titles(), ["Awake", "Night Drive", "Far Away"]);
    assert_eq!(p.state.queue.cursor, 2);
    assert!(p.state.queue.items[2].pinned);
}

#[test]
fn moving_the_current_item_keeps_it_current() {
    let mut p = with_blue_hour_queued();
    p.press("tab enter J");
    assert_eq!(p.queue_titles(), ["Night Drive", "Awake", "Far Away"]);
    assert_eq!(p.state.queue.current, Some(1));
}

#[test]
fn r_cycles_repeat_off_all_one_off() {
    let mut p = Player::new();
    assert_eq!(p.state.queue.repeat, Repeat::Off);
    for (expected, label) in [
        (Repeat::All, "all"),
        (Repeat::One, "one"),
        (Repeat::Off, "off"),
    ] {
        p.press("r");
        assert_eq!(p.state.queue.repeat, expected);
        assert_eq!(
            p.state.status.as_ref().unwrap().text,
            format!("repeat {label}")
        );
    }
}

#[test]
fn x_toggles_the_pin_of_the_queue_item_under_the_cursor() {
    let mut p = with_blue_hour_queued();
    p.press("tab j x");
    assert!(p.state.queue.items[1].pinned);
    assert!(!p.state.queue.items[0].pinned && !p.state.queue.items[2].pinned);
    p.press("x");
    assert!(!p.state.queue.items[1].pinned);
}

#[test]
fn enter_in_the_queue_plays_the_item_under_the_cursor() {
    let mut p = with_blue_hour_queued();
    let effects = p.press("tab j j enter");
    assert_eq!(effects, [play(FAR_AWAY, 0)]);
    assert_eq!(p.state.queue.current, Some(2));
}

// --- Overlays -------------------------------------------------------------------------------

#[test]
fn the_mood_picker_sets_a_manual_reading_from_the_chosen_row() {
    let mut p = Player::new();
    p.press("m");
    assert_eq!(
        p.state.overlay,
        Some(Overlay::MoodPicker { cursor: 6 }),
        "opens on neutral"
    );
    p.press("k");
    let effects = p.press("enter");
    let current = p.state.emotion.current.clone().expect("a reading");
    assert_eq!(current.label(), "surprise");
    assert_eq!(current.source, EmotionSource::Manual);
    let stored = mien::store::ReadingRecord {
        at_ms: current.at_ms,
        source: EmotionSource::Manual,
        label: "surprise".into(),
        valence: current.valence,
        arousal: current.arousal,
        confidence: 1.0,
    };
    assert_eq!(
        effects,
        [
            Effect::EmotionChanged(current),
            Effect::RecordReading(stored)
        ],
        "shown, and stored for the diary"
    );
    assert_eq!(p.state.overlay, None);
    assert_eq!(p.state.emotion.history.len(), 1);
}

#[test]
fn y_opens_the_diary_and_loads_it_and_y_q_or_esc_close_it_without_quitting() {
    let mut p = Player::new();
    let effects = p.press("Y");
    assert_eq!(p.state.overlay, Some(Overlay::Diary));
    assert_eq!(effects, [Effect::LoadDiary { days: 7 }]);
    assert!(p.state.diary.loading);
    p.press("q");
    assert_eq!(p.state.overlay, None);
    assert!(!p.state.quit, "q closes the view, not the player");
    p.press("Y");
    p.press("Y");
    assert_eq!(p.state.overlay, None);
    p.press("Y");
    p.press_one(key("esc"));
    assert_eq!(p.state.overlay, None);
    p.press("Y");
    p.send(Msg::DiaryLoaded(Err("disk on fire".into())));
    assert!(!p.state.diary.loading);
    assert_eq!(p.state.diary.error.as_deref(), Some("disk on fire"));
    p.press("j");
    assert_eq!(
        p.state.overlay,
        Some(Overlay::Diary),
        "other keys leave it open"
    );
}

#[test]
fn the_mood_picker_opens_on_the_current_mood_and_j_moves_down() {
    let mut p = Player::new();
    p.press("m k enter");
    p.press("m");
    assert_eq!(p.state.overlay, Some(Overlay::MoodPicker { cursor: 5 }));
    p.press("j enter");
    assert_eq!(p.state.emotion.current.as_ref().unwrap().label(), "neutral");
    assert_eq!(p.state.emotion.history.len(), 2);
}

#[test]
fn keys_in_the_mood_picker_do_not_reach_the_library() {
    let mut p = Player::new();
    p.press("m j j e");
    assert_eq!(p.state.browser.cursor, 0);
    assert!(p.state.queue.is_empty());
    p.press("esc");
    assert_eq!(p.state.overlay, None);
    assert_eq!(p.state.emotion.current, None, "esc sets no mood");
}

#[test]
fn question_mark_opens_help_and_esc_or_question_mark_closes_it() {
    let mut p = Player::new();
    p.press("?");
    assert_eq!(p.state.overlay, Some(Overlay::Help));
    p.press("esc");
    assert_eq!(p.state.overlay, None);
    p.press("? ?");
    assert_eq!(p.state.overlay, None);
    p.press("? q");
    assert_eq!(p.state.overlay, None);
    assert!(!p.state.quit, "q closes the help instead of quitting");
}

// --- Quitting and the keymap ----------------------------------------------------------------

#[test]
fn q_quits_and_saves_the_queue() {
    let mut p = with_blue_hour_queued();
    let effects = p.press("q");
    assert!(p.state.quit);
    let saved = p.state.saved_queue();
    assert_eq!(saved.paths.len(), 3);
    assert_eq!(effects, [Effect::SaveQueue(saved)]);
}

#[test]
fn ctrl_c_quits_even_while_searching() {
    let mut p = Player::new();
    p.press("/ ctrl-c");
    assert!(p.state.quit);
}

#[test]
fn a_configured_quit_key_replaces_q() {
    let path = Path::new("config.toml");
    let config = Config::parse("[keys]\nquit = \"ctrl-q\"\n", path).unwrap();
    let keymap = Keymap::with_config(Keymap::vim_defaults(), &config.keys, path).unwrap();
    let mut p = Player::with_keymap(keymap);
    assert!(p.press("q").is_empty());
    assert!(!p.state.quit, "q is no longer bound");
    assert_eq!(
        p.state
            .help
            .iter()
            .find(|(_, what)| what == "quit")
            .unwrap()
            .0,
        "ctrl-q"
    );
    p.press("ctrl-q");
    assert!(p.state.quit);
}

// --- Engine events ----------------------------------------------------------------------------

#[test]
fn track_started_for_the_current_item_preloads_the_following_one() {
    let mut p = with_blue_hour_queued();
    assert_eq!(p.press("tab enter"), [play(AWAKE, 0)]);
    let effects = p.send(started(AWAKE));
    assert_eq!(p.state.player.path.as_deref(), Some(Path::new(AWAKE)));
    assert_eq!(
        engine_commands(&effects),
        [EngineCommand::SetNext(Some(req(NIGHT_DRIVE)))]
    );
    assert!(effects.contains(&Effect::LoadArt(Some(AWAKE.into()))));
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::RecordPlay(r) if r.track == id(AWAKE))));
    assert_eq!(
        effects.last(),
        Some(&Effect::SaveQueue(p.state.saved_queue()))
    );
    assert_eq!(p.state.preloaded, Some(1));
}

#[test]
fn track_started_for_the_preloaded_item_advances_the_queue() {
    let mut p = with_blue_hour_queued();
    p.press("tab enter");
    p.send(started(AWAKE));
    let effects = p.send(started(NIGHT_DRIVE));
    assert_eq!(p.state.queue.current, Some(1));
    assert_eq!(
        engine_commands(&effects),
        [EngineCommand::SetNext(Some(req(FAR_AWAY)))]
    );
    let effects = p.send(started(FAR_AWAY));
    assert_eq!(p.state.queue.current, Some(2));
    assert!(
        engine_commands(&effects).is_empty(),
        "the end of the queue: nothing to preload"
    );
}

#[test]
fn a_failed_preload_preloads_the_item_after_it() {
    let mut p = with_blue_hour_queued();
    p.press("tab enter");
    p.send(started(AWAKE));
    let effects = p.send(failed(NIGHT_DRIVE));
    assert_eq!(effects, [set_next(Some(FAR_AWAY))]);
    assert_eq!(p.state.preloaded, Some(2));
    assert_eq!(p.state.queue.current, Some(0), "the current track plays on");
    assert!(p
        .state
        .status
        .as_ref()
        .unwrap()
        .text
        .contains("cannot play"));
}

#[test]
fn a_failed_current_track_plays_the_next_one() {
    let mut p = with_blue_hour_queued();
    p.press("tab enter");
    let effects = p.send(failed(AWAKE));
    assert_eq!(effects, [play(NIGHT_DRIVE, 0)]);
    assert_eq!(p.state.queue.current, Some(1));
}

#[test]
fn a_failed_last_track_plays_nothing() {
    let mut p = with_blue_hour_queued();
    p.press("tab G enter");
    assert!(p.send(failed(FAR_AWAY)).is_empty());
}

#[test]
fn idle_clears_the_playing_track() {
    let mut p = with_blue_hour_queued();
    p.press("tab enter");
    p.send(started(AWAKE));
    p.send(Msg::Engine(EngineEvent::Paused));
    assert!(p.state.player.paused);
    let effects = p.send(Msg::Engine(EngineEvent::Idle));
    assert_eq!(p.state.player.path, None);
    assert!(!p.state.player.paused);
    assert_eq!(p.state.preloaded, None);
    assert_eq!(effects[0], Effect::LoadArt(None));
    assert!(matches!(effects[1], Effect::SaveQueue(_)));
}

#[test]
fn next_and_previous_follow_the_queue() {
    let mut p = with_blue_hour_queued();
    p.press("tab enter");
    p.send(started(AWAKE));
    assert_eq!(p.press(">"), [play(NIGHT_DRIVE, 0)]);
    p.send(started(NIGHT_DRIVE));
    assert_eq!(p.press("<"), [play(AWAKE, 0)]);
    p.send(started(AWAKE));
    p.send(Msg::Engine(EngineEvent::Position {
        path: AWAKE.into(),
        position_ms: 10_000,
        duration_ms: None,
    }));
    assert_eq!(
        engine_commands(&p.press("<")),
        [EngineCommand::Seek { ms: 0 }],
        "restarts after 3 s"
    );
}

#[test]
fn seek_keys_move_five_seconds_and_the_long_ones_a_minute() {
    let mut p = Player::new();
    for (keys, ms) in [
        ("l", 5_000),
        ("left", -5_000),
        ("]", 60_000),
        ("shift-right", 60_000),
        ("[", -60_000),
        ("shift-left", -60_000),
    ] {
        let got = engine_commands(&p.press(keys));
        assert_eq!(got, [EngineCommand::SeekBy { ms }], "{keys}");
    }
}

#[test]
fn i_shows_the_playing_track_in_its_album_and_back_climbs_with_its_rows_selected() {
    let mut p = Player::new();
    p.press("i");
    assert_eq!(
        p.state.status.as_ref().map(|s| s.text.as_str()),
        Some("nothing playing")
    );
    p.send(started(FAR_AWAY));
    // From a search, with the queue focused: the album, the cursor on the track.
    p.press("/");
    p.type_text("paper");
    p.press("enter tab i");
    assert_eq!(p.state.focus, Pane::Library);
    assert_eq!(p.state.browser.query, None);
    assert_eq!(p.rows(), ["Awake", "Night Drive", "Far Away"]);
    assert_eq!(p.selected(), "Far Away");
    p.press("backspace");
    assert_eq!(p.selected(), "Blue Hour");
    p.press("backspace");
    assert_eq!(p.selected(), "Ada Lin");
    // The flat list stays flat: the cursor goes to the track's row there.
    p.send(started(PAPER_BOATS));
    p.press("a i");
    assert!(p.state.browser.all_tracks);
    assert_eq!(p.selected(), "Paper Boats");
    // A file from outside the library is not in it, and says so.
    p.send(started("/elsewhere/x.wav"));
    p.press("i");
    let status = p.state.status.as_ref().map(|s| s.text.clone());
    assert_eq!(
        status.as_deref(),
        Some("/elsewhere/x.wav is not in the library")
    );
    assert_eq!(p.selected(), "Paper Boats", "the cursor stays");
}

#[test]
fn volume_keys_step_by_five_within_zero_and_a_hundred() {
    let mut p = Player::new();
    assert_eq!(
        engine_commands(&p.press("+")),
        [EngineCommand::SetVolume(1.0)]
    );
    assert_eq!(p.state.player.volume, 100);
    p.press("- -");
    assert_eq!(p.state.player.volume, 90);
}

#[test]
fn every_fixture_path_is_a_catalogue_track() {
    // Keeps the fixture honest: every constant names a catalogue track.
    let p = Player::new();
    for path in [
        AWAKE,
        NIGHT_DRIVE,
        FAR_AWAY,
        SMALL_RAIN,
        MORNING,
        PAPER_BOATS,
    ] {
        assert!(p.state.catalogue.get(id(path)).is_some(), "{path}");
    }
}

#[test]
fn a_sticky_alert_outlasts_background_messages_until_a_key_is_pressed() {
    use mien::app::state::Status;
    let mut p = Player::new();
    p.state.alert("rebuilt the database from the journal");
    p.send(Msg::Status(Status::info("scanned 8 tracks")));
    p.state.info("tagging moods 3/8");
    let shown = p.state.status.clone().unwrap();
    assert_eq!(shown.text, "rebuilt the database from the journal");
    p.press("j");
    p.send(Msg::Status(Status::info("scanned 8 tracks")));
    assert_eq!(p.state.status.unwrap().text, "scanned 8 tracks");
}

#[test]
fn a_scan_names_each_skipped_file_and_why_in_the_messages() {
    use mien::library::{LibraryEvent, ScanReport, SkippedEntry};
    let mut p = Player::new();
    let skipped: Vec<SkippedEntry> = (0..23)
        .map(|i| SkippedEntry {
            path: PathBuf::from(format!("/music/bad/{i:02}.flac")),
            reason: format!("corrupt: truncated ({i})"),
        })
        .collect();
    let report = ScanReport {
        tracks: 6,
        skipped,
        ..ScanReport::default()
    };
    p.send(Msg::Library(Box::new(LibraryEvent::ScanFinished(report))));
    assert_eq!(
        p.state.status.as_ref().unwrap().text,
        "library: 6 tracks (0 new, 0 changed, 0 removed, 23 skipped: H says why)"
    );
    // Newest first in H: the summary, then the first 20 files in path order, then what is left.
    let log: Vec<&str> = (p.state.messages.log.iter().rev())
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(log.len(), 22, "{log:#?}");
    assert_eq!(log[1], "skipped /music/bad/00.flac: corrupt: truncated (0)");
    assert_eq!(
        log[20],
        "skipped /music/bad/19.flac: corrupt: truncated (19)"
    );
    assert_eq!(
        log[21],
        "… and 3 more skipped files: mien scan lists every one and why"
    );
    assert!(
        (p.state.messages.log.iter()).all(|m| !m.text.contains("bad/20.flac")),
        "at most 20 named"
    );
}
