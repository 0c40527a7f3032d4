//! Rendering on ratatui's `TestBackend`: whole-screen snapshots at 80×24 for the key screens,
//! lines and styles for the others, every state at every small size without a panic, and
//! resizing between frames. States are built through the keymap and `update`, as in the player.

mod common;

use common::screen::{assert_shows, draw, lines, row_with};
use common::{id, Player, AWAKE, NIGHT_DRIVE};
use mien::app::state::{CameraState, Progress};
use mien::app::{Action, Msg};
use mien::audio::EngineEvent;
use mien::core::{EmotionReading, EmotionSource, Rating};
use mien::ui::Theme;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;
use ratatui::text::Span;
use ratatui::Terminal;

// --- Helpers --------------------------------------------------------------------------------

/// Asserts the whole screen, row by row; on a mismatch prints the screen as it was drawn.
#[track_caller]
fn assert_screen(buffer: &Buffer, expected: &[&str]) {
    let actual = lines(buffer);
    if actual != expected {
        let drawn: String = actual.iter().map(|l| format!("        {l:?},\n")).collect();
        panic!("the screen differs; it was drawn as:\n{drawn}");
    }
}

#[track_caller]
fn assert_hides(buffer: &Buffer, needle: &str) {
    if let Some(y) = row_with(buffer, needle) {
        panic!("{needle:?} is on row {y}:\n{}", lines(buffer).join("\n"));
    }
}

/// The column where `needle` starts on row `y` (in cells).
fn column_of(buffer: &Buffer, y: usize, needle: &str) -> u16 {
    let line = &lines(buffer)[y];
    let byte = line
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not on row {y}: {line:?}"));
    Span::raw(&line[..byte]).width() as u16
}

// --- States ---------------------------------------------------------------------------------

/// Ada Lin's Blue Hour queued, the library inside it, Awake playing at 1:23 of 4:56 and rated
/// four stars.
fn playing() -> Player {
    let mut p = Player::new();
    p.press("enter e enter");
    p.send(Msg::Engine(EngineEvent::TrackStarted {
        path: AWAKE.into(),
        duration_ms: Some(296_000),
    }));
    p.send(Msg::Engine(EngineEvent::Position {
        path: AWAKE.into(),
        position_ms: 83_000,
        duration_ms: None,
    }));
    p.send(Msg::RatingSaved {
        id: id(AWAKE),
        rating: Rating::new(4),
    });
    p
}

/// `playing`, paused, focus on the queue with Far Away pinned, repeat all.
fn paused_queue() -> Player {
    let mut p = playing();
    p.send(Msg::Engine(EngineEvent::Paused));
    p.press("tab G x r k");
    p
}

fn search_without_match() -> Player {
    let mut p = Player::new();
    p.press("/");
    p.type_text("zzz");
    p
}

fn manual_mood() -> Player {
    let mut p = playing();
    p.send(Msg::Action(Action::PickMood));
    p.send(Msg::Action(Action::Open));
    p
}

/// Every state the tests draw, with a name for failure messages.
fn all_states() -> Vec<(&'static str, Player)> {
    let mut states = vec![("start", Player::new())];
    let mut albums = Player::new();
    albums.press("enter");
    states.push(("albums", albums));
    let mut tracks = Player::new();
    tracks.press("enter enter");
    states.push(("tracks", tracks));
    let mut all = Player::new();
    all.press("a G");
    states.push(("all tracks", all));
    states.push(("search without match", search_without_match()));
    states.push(("playing", playing()));
    states.push(("paused queue", paused_queue()));
    states.push(("manual mood", manual_mood()));
    let mut camera = playing();
    camera.state.emotion.camera = CameraState::Unavailable("no /dev/video0".into());
    let mut probs = [0.05; 7];
    probs[3] = 0.7;
    camera.send(Msg::Emotion(EmotionReading::from_probs(
        probs,
        EmotionSource::Camera,
        1,
    )));
    states.push(("camera mood", camera));
    let mut silent = playing();
    silent.send(Msg::Engine(EngineEvent::OutputOpened {
        description: "null output".into(),
        fallback: Some("no ALSA device".into()),
    }));
    states.push(("silent output", silent));
    let mut help = playing();
    help.press("?");
    states.push(("help", help));
    let mut picker = playing();
    picker.press("m");
    states.push(("mood picker", picker));
    let mut scanning = Player::new();
    scanning.state.progress = Some(Progress {
        label: "scanning".into(),
        done: 3,
        total: 7,
    });
    states.push(("scanning", scanning));
    let mut empty = Player::new();
    empty.send(Msg::Catalogue(Vec::new()));
    states.push(("empty library", empty));
    let mut error = Player::new();
    error.state.error("cannot play /music/x.wav: corrupt");
    states.push(("error", error));
    states
}

// --- Whole screens at 80×24 -----------------------------------------------------------------

#[test]
fn the_start_screen_shows_the_artists_an_empty_queue_and_nothing_playing() {
    assert_screen(
        &draw(&Player::new(), 80, 24),
        &[
            "┌ Artists · 2 ─────────────────────────────┐┌ Queue · 0 · repeat off ──────────┐",
            "│Ada Lin  2 albums · 4 tracks              ││empty: e adds, enter plays        │",
            "│Bruno Moss  1 album · 2 tracks            ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "└──────────────────────────────────────────┘└──────────────────────────────────┘",
            "┌ ■ stopped ─────────────────────────────────────┐┌ mood · camera off ─────────┐",
            "│nothing playing                                 ││camera off                  │",
            "│                                                ││m: tell mien your mood      │",
            "│0:00 ────────────────────────────────────── 0:00││                            │",
            "│vol 100% · repeat off                           ││                            │",
            "│                                                ││                            │",
            "│                                                ││                            │",
            "│                                                ││                            │",
            "│                                                ││                            │",
            "└────────────────────────────────────────────────┘└────────────────────────────┘",
            "? help · / search · enter play · space pause · q quit                           ",
        ],
    );
}

#[test]
fn a_playing_track_shows_in_the_album_the_queue_and_now_playing_with_progress_and_stars() {
    assert_screen(
        &draw(&playing(), 80, 24),
        &[
            "┌ Ada Lin › Blue Hour · 3 ─────────────────┐┌ Queue · 3 · repeat off ──────────┐",
            "│▶ Awake  Ada Lin  4:56  ★★★★☆             ││▶   1. Awake  Ada Lin             │",
            "│  Night Drive  Ada Lin  3:21              ││    2. Night Drive  Ada Lin       │",
            "│  Far Away  Ada Lin  4:05                 ││    3. Far Away  Ada Lin          │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "└──────────────────────────────────────────┘└──────────────────────────────────┘",
            "┌ ▶ playing ─────────────────────────────────────┐┌ mood · camera off ─────────┐",
            "│Awake                                           ││camera off                  │",
            "│Ada Lin — Blue Hour (2019)                      ││m: tell mien your mood      │",
            "│1:23 ━━━━━━━━━━──────────────────────────── 4:56││                            │",
            "│vol 100% · repeat off  ★★★★☆                    ││                            │",
            "│mood: not tagged yet                            ││                            │",
            "│                                                ││                            │",
            "│                                                ││                            │",
            "│                                                ││                            │",
            "└────────────────────────────────────────────────┘└────────────────────────────┘",
            "added 3 tracks to the queue                                                     ",
        ],
    );
}

#[test]
fn a_paused_queue_shows_the_pause_marker_the_pin_and_the_repeat_mode() {
    assert_screen(
        &draw(&paused_queue(), 80, 24),
        &[
            "┌ Ada Lin › Blue Hour · 3 ─────────────────┐┌ Queue · 3 · repeat all ──────────┐",
            "│⏸ Awake  Ada Lin  4:56  ★★★★☆             ││⏸   1. Awake  Ada Lin             │",
            "│  Night Drive  Ada Lin  3:21              ││    2. Night Drive  Ada Lin       │",
            "│  Far Away  Ada Lin  4:05                 ││📌  3. Far Away  Ada Lin          │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "│                                          ││                                  │",
            "└──────────────────────────────────────────┘└──────────────────────────────────┘",
            "┌ ⏸ paused ──────────────────────────────────────┐┌ mood · camera off ─────────┐",
            "│Awake                                           ││camera off                  │",
            "│Ada Lin — Blue Hour (2019)                      ││m: tell mien your mood      │",
            "│1:23 ━━━━━━━━━━──────────────────────────── 4:56││                            │",
            "│vol 100% · repeat all  ★★★★☆                    ││                            │",
            "│mood: not tagged yet                            ││                            │",
            "│                                                ││                            │",
            "│                                                ││                            │",
            "│                                                ││                            │",
            "└────────────────────────────────────────────────┘└────────────────────────────┘",
            "repeat all                                                                      ",
        ],
    );
}

// --- The library pane -----------------------------------------------------------------------

#[test]
fn the_albums_level_lists_albums_with_year_and_track_count_under_the_artist_title() {
    let mut p = Player::new();
    p.press("enter");
    let screen = lines(&draw(&p, 80, 24));
    assert!(screen[0].starts_with("┌ Ada Lin · 2 ─"), "{:?}", screen[0]);
    assert!(
        screen[1].starts_with("│Blue Hour  2019 · 3 tracks "),
        "{:?}",
        screen[1]
    );
    assert!(
        screen[2].starts_with("│Rain Songs  2021 · 1 track "),
        "{:?}",
        screen[2]
    );
}

#[test]
fn the_tracks_level_lists_title_artist_and_duration() {
    let mut p = Player::new();
    p.press("enter enter");
    let screen = lines(&draw(&p, 80, 24));
    assert!(
        screen[0].starts_with("┌ Ada Lin › Blue Hour · 3 ─"),
        "{:?}",
        screen[0]
    );
    assert!(
        screen[1].starts_with("│  Awake  Ada Lin  4:56 "),
        "{:?}",
        screen[1]
    );
    assert!(
        screen[2].starts_with("│  Night Drive  Ada Lin  3:21 "),
        "{:?}",
        screen[2]
    );
    assert!(
        screen[3].starts_with("│  Far Away  Ada Lin  4:05 "),
        "{:?}",
        screen[3]
    );
}

#[test]
fn all_tracks_mode_lists_every_track_and_names_the_sort_order() {
    let mut p = Player::new();
    p.press("a");
    let buffer = draw(&p, 80, 24);
    let screen = lines(&buffer);
    assert!(
        screen[0].starts_with("┌ All tracks (by album) · 6 ─"),
        "{:?}",
        screen[0]
    );
    for (row, title) in [
        "Awake",
        "Night Drive",
        "Far Away",
        "Small Rain",
        "Morning",
        "Paper Boats",
    ]
    .iter()
    .enumerate()
    {
        assert!(
            screen[row + 1].starts_with(&format!("│  {title}  ")),
            "{:?}",
            screen[row + 1]
        );
    }
    p.press("s");
    assert!(lines(&draw(&p, 80, 24))[0].starts_with("┌ All tracks (by title) · 6 ─"));
}

#[test]
fn a_search_without_a_match_says_so_and_shows_the_search_line() {
    let buffer = draw(&search_without_match(), 80, 24);
    let screen = lines(&buffer);
    assert!(
        screen[0].starts_with("┌ Search: zzz · 0 ─"),
        "{:?}",
        screen[0]
    );
    assert!(screen[1].starts_with("│no match "), "{:?}", screen[1]);
    assert_eq!(screen[23].trim_end(), "/zzz▏");
}

#[test]
fn the_selected_row_of_the_focused_pane_uses_the_selection_colours() {
    let theme = Theme::default();
    let mut p = Player::new();
    p.press("j");
    let buffer = draw(&p, 80, 24);
    // The highlight covers the row's text, "Bruno Moss  1 album · 2 tracks"; the name takes
    // the selection's foreground, the dim details keep theirs.
    for x in [1, 10, 30] {
        assert_eq!(
            buffer[(x, 2)].bg,
            theme.selection_bg,
            "selected row, column {x}"
        );
        assert_ne!(
            buffer[(x, 1)].bg,
            theme.selection_bg,
            "other row, column {x}"
        );
    }
    assert_eq!(buffer[(1, 2)].fg, theme.selection_fg);
    assert_eq!(buffer[(30, 2)].fg, theme.dim);
    assert_eq!(buffer[(0, 0)].fg, theme.accent, "the focused pane's border");
    assert_eq!(buffer[(44, 0)].fg, theme.border, "the other pane's border");
}

#[test]
fn the_selected_row_of_an_unfocused_pane_is_underlined_not_highlighted() {
    let theme = Theme::default();
    let mut p = playing();
    p.press("tab");
    let buffer = draw(&p, 80, 24);
    assert!(
        buffer[(1, 1)].modifier.contains(Modifier::UNDERLINED),
        "library cursor row"
    );
    assert_ne!(buffer[(1, 1)].bg, theme.selection_bg);
    assert_eq!(
        buffer[(45, 1)].bg,
        theme.selection_bg,
        "queue cursor row, focused"
    );
    assert_eq!(
        buffer[(44, 0)].fg,
        theme.accent,
        "the queue's border when focused"
    );
}

// --- The queue pane -------------------------------------------------------------------------

#[test]
fn the_current_queue_item_is_marked_playing_or_paused() {
    let theme = Theme::default();
    let mut p = playing();
    let buffer = draw(&p, 80, 24);
    assert!(
        lines(&buffer)[1].contains("│▶   1. Awake  Ada Lin"),
        "{:?}",
        lines(&buffer)[1]
    );
    assert_eq!(buffer[(45, 1)].fg, theme.playing, "the marker");
    assert_eq!(buffer[(52, 1)].fg, theme.playing, "the title");
    p.send(Msg::Engine(EngineEvent::Paused));
    assert!(lines(&draw(&p, 80, 24))[1].contains("│⏸   1. Awake  Ada Lin"));
}

#[test]
fn a_pinned_queue_item_shows_a_pin_in_the_pinned_colour() {
    let theme = Theme::default();
    let buffer = draw(&paused_queue(), 80, 24);
    let y = row_with(&buffer, "3. Far Away").expect("Far Away in the queue");
    assert!(
        lines(&buffer)[y].contains("│📌  3. Far Away  Ada Lin"),
        "{:?}",
        lines(&buffer)[y]
    );
    let x = column_of(&buffer, y, "3. Far Away") + 3;
    assert_eq!(buffer[(x, y as u16)].fg, theme.pinned, "the title");
    assert_eq!(buffer[(45, y as u16)].fg, theme.pinned, "the pin");
}

#[test]
fn the_queue_title_counts_items_and_names_the_repeat_mode() {
    let mut p = playing();
    assert!(lines(&draw(&p, 80, 24))[0].contains("┌ Queue · 3 · repeat off ─"));
    for mode in ["all", "one", "off"] {
        p.press("r");
        let screen = lines(&draw(&p, 80, 24));
        assert!(
            screen[0].contains(&format!("┌ Queue · 3 · repeat {mode} ─")),
            "{:?}",
            screen[0]
        );
        assert!(
            screen[17].contains(&format!("vol 100% · repeat {mode}")),
            "{:?}",
            screen[17]
        );
    }
}

// --- Now playing ----------------------------------------------------------------------------

#[test]
fn now_playing_shows_elapsed_and_total_time_around_the_bar() {
    let buffer = draw(&playing(), 80, 24);
    let row = &lines(&buffer)[16];
    assert!(row.starts_with("│1:23 ━"), "{row:?}");
    assert!(row.contains("─ 4:56│"), "{row:?}");
    let filled = row.matches('━').count();
    let empty = row.matches('─').count();
    // 83 of 296 seconds of a 38-cell bar.
    assert_eq!((filled, empty), (10, 28), "{row:?}");
}

#[test]
fn stars_appear_only_once_the_rating_is_saved() {
    let theme = Theme::default();
    let mut p = playing();
    p.press("5");
    let buffer = draw(&p, 80, 24);
    assert_shows(&buffer, "★★★★☆");
    assert_hides(&buffer, "★★★★★");
    p.send(Msg::RatingSaved {
        id: id(AWAKE),
        rating: Rating::new(5),
    });
    let buffer = draw(&p, 80, 24);
    let y = 17;
    assert!(
        lines(&buffer)[y].contains("vol 100% · repeat off  ★★★★★"),
        "{:?}",
        lines(&buffer)[y]
    );
    let x = column_of(&buffer, y, "★");
    assert_eq!(buffer[(x, y as u16)].fg, theme.rating);
    p.send(Msg::RatingSaved {
        id: id(AWAKE),
        rating: None,
    });
    assert!(lines(&draw(&p, 80, 24))[17].contains("repeat off  ☆☆☆☆☆"));
}

#[test]
fn a_rating_shows_beside_the_track_in_the_library() {
    let mut p = playing();
    p.send(Msg::RatingSaved {
        id: id(NIGHT_DRIVE),
        rating: Rating::new(2),
    });
    let screen = lines(&draw(&p, 80, 24));
    assert!(
        screen[1].starts_with("│▶ Awake  Ada Lin  4:56  ★★★★☆"),
        "{:?}",
        screen[1]
    );
    assert!(
        screen[2].starts_with("│  Night Drive  Ada Lin  3:21  ★★☆☆☆"),
        "{:?}",
        screen[2]
    );
    assert!(
        screen[3].starts_with("│  Far Away  Ada Lin  4:05   "),
        "unrated: {:?}",
        screen[3]
    );
}

#[test]
fn volume_changes_show_in_now_playing() {
    let mut p = playing();
    p.press("- -");
    assert!(lines(&draw(&p, 80, 24))[17].starts_with("│vol 90% · repeat off"));
}

#[test]
fn a_silent_output_is_shown_as_a_warning_and_its_return_as_news() {
    let theme = Theme::default();
    let mut p = playing();
    p.send(Msg::Engine(EngineEvent::OutputOpened {
        description: "null output".into(),
        fallback: Some("no ALSA device".into()),
    }));
    let buffer = draw(&p, 80, 24);
    let y = row_with(&buffer, "silent output: no ALSA device").expect("the warning");
    assert_eq!(y, 19);
    assert_eq!(buffer[(1, y as u16)].fg, theme.error);
    assert_eq!(
        lines(&buffer)[23].trim_end(),
        "no sound device: playing silently until it is back (no ALSA device)"
    );
    assert_eq!(buffer[(0, 23)].fg, theme.error);
    p.send(Msg::Engine(EngineEvent::OutputOpened {
        description: "pulseaudio:usb-dac (48000 Hz, 2 ch)".into(),
        fallback: None,
    }));
    let buffer = draw(&p, 80, 24);
    assert_eq!(
        row_with(&buffer, "silent output"),
        None,
        "the warning is gone"
    );
    // The warning replaced within seconds, before a key: the status line counts it.
    assert_eq!(
        lines(&buffer)[23].trim_end(),
        "sound device back: pulseaudio:usb-dac (48000 Hz, 2 ch) · 1 more: H"
    );
}

// --- The emotion panel ----------------------------------------------------------------------

#[test]
fn the_emotion_panel_without_a_reading_says_the_camera_is_off() {
    let buffer = draw(&Player::new(), 80, 24);
    let screen = lines(&buffer);
    assert!(
        screen[13].ends_with("┌ mood · camera off ─────────┐"),
        "{:?}",
        screen[13]
    );
    assert!(screen[14].ends_with("│camera off                  │"));
    assert!(screen[15].ends_with("│m: tell mien your mood      │"));
}

#[test]
fn the_emotion_panel_names_an_unavailable_camera() {
    let mut p = Player::new();
    p.state.emotion.camera = CameraState::Unavailable("none found".into());
    let buffer = draw(&p, 80, 24);
    // The reason in the panel; the title only what fits its 28 cells.
    assert_shows(&buffer, "│no camera: none found ");
    assert_shows(&buffer, "┌ mood · no camera ──");
}

#[test]
fn a_manual_mood_fills_its_bar_and_titles_the_panel() {
    let theme = Theme::default();
    let buffer = draw(&manual_mood(), 80, 24);
    let screen = lines(&buffer);
    assert!(
        // Too narrow for " · manual" at 80 columns: the short title keeps the numbers whole.
        screen[13].ends_with("┌ neutral v+0.0 a+0.0 ───────┐"),
        "{:?}",
        screen[13]
    );
    assert!(
        screen[14].ends_with("│angry    ··············   0%│"),
        "{:?}",
        screen[14]
    );
    assert!(
        screen[20].ends_with("│neutral  ██████████████ 100%│"),
        "{:?}",
        screen[20]
    );
    let x = column_of(&buffer, 20, "█");
    assert_eq!(buffer[(x, 20)].fg, theme.neutral);
    assert!(
        buffer[(51, 20)].modifier.contains(Modifier::BOLD),
        "the top class is bold"
    );
    assert!(!buffer[(51, 14)].modifier.contains(Modifier::BOLD));
}

// --- Overlays and the status line -----------------------------------------------------------

#[test]
fn the_help_overlay_lists_the_live_key_bindings() {
    let mut p = playing();
    p.press("?");
    // Two columns from 100 columns up.
    let buffer = draw(&p, 100, 30);
    assert_shows(&buffer, "┌ Keys · ? or esc closes ─");
    for binding in [
        "k up move up",
        "space play / pause",
        "q ctrl-c quit",
        "1 2 3 4 5 rate 1–5 stars",
        "m set your mood by hand",
    ] {
        assert_shows(&buffer, binding);
    }
    // From a standard 80-column terminal up every description is whole, the longest included
    // (tall enough that none scrolls; scrolling keeps the columns as wide).
    for w in [80, 100, 120, 160] {
        let buffer = draw(&p, w, 60);
        for (keys, what) in &p.state.help {
            assert_shows(&buffer, &format!("{keys} {what}"));
        }
    }
    // Two columns at 80×24: every binding fits a standard terminal, quit included.
    let buffer = draw(&p, 80, 24);
    let screen = lines(&buffer);
    let top = screen
        .iter()
        .position(|l| l.contains("┌ Keys · ? or esc closes ─"))
        .expect("the help overlay's title");
    assert!(top <= 1, "{screen:#?}");
    assert!(
        screen[top + 1].contains(" k up move up "),
        "{:?}",
        screen[top + 1]
    );
    assert!(
        screen[top + 7].contains(" enter open / play the selection "),
        "{:?}",
        screen[top + 7]
    );
    for binding in [
        "space play / pause",
        "q ctrl-c quit",
        "m set your mood by hand",
    ] {
        assert_shows(&buffer, binding);
    }
    // More bindings than 2 × 22 rows: the last row says how many are left out, and none is cut
    // from the middle of a column.
    let listed = p.state.help.len();
    if listed > 44 {
        assert_shows(&buffer, &format!("… {} more", listed - 43));
        assert!(
            screen[top + 22].contains(" J move queue item down "),
            "{:?}",
            screen[top + 22]
        );
        assert!(
            screen[top + 1].contains(" z shuffle"),
            "the second column goes on with the next binding: {:?}",
            screen[top + 1]
        );
    }
}

#[test]
fn on_a_short_terminal_the_help_overlay_scrolls_and_says_what_is_above_and_below() {
    let mut p = playing();
    let screen = ratatui::layout::Rect::new(0, 0, 80, 12);
    p.send(Msg::Resize {
        list_rows: mien::ui::list_rows(screen),
        help_slots: mien::ui::help_slots(screen),
    });
    p.press("?");
    let listed = p.state.help.len();
    // 2 columns × 10 rows, the last of them the notice: 19 bindings at a time.
    assert!(listed > 20, "{listed}");
    let buffer = draw(&p, 80, 12);
    assert_shows(&buffer, " k up move up ");
    assert_shows(
        &buffer,
        &format!("… {} more below: ↓ or pgdn scrolls", listed - 19),
    );
    // To the end: the last binding shows, and how many are above.
    p.press("G");
    let buffer = draw(&p, 80, 12);
    let (keys, what) = p.state.help.last().expect("bindings").clone();
    let start: String = what.chars().take(12).collect(); // long ones are cut at the column
    assert_shows(&buffer, &format!(" {keys} {start}"));
    assert_shows(
        &buffer,
        &format!("… {} more above: ↑ or pgup scrolls", listed - 19),
    );
    // One up: both sides; the library behind did not move, and esc closes.
    let cursor = p.state.browser.cursor;
    p.press("k");
    let buffer = draw(&p, 80, 12);
    assert_shows(
        &buffer,
        &format!("… {} above, 1 below: ↑ ↓ scroll", listed - 20),
    );
    assert_eq!(p.state.browser.cursor, cursor);
    p.press("esc ?");
    assert_shows(&draw(&p, 80, 12), "more below");
}

#[test]
fn the_help_overlay_shows_rebound_keys() {
    use mien::app::keymap::Keymap;
    use mien::config::Config;
    let path = std::path::Path::new("config.toml");
    let config = Config::parse(
        "[keys]\nquit = \"ctrl-q\"\nplay_pause = [\"space\", \"enter\"]\n",
        path,
    )
    .unwrap();
    let keymap = Keymap::with_config(Keymap::vim_defaults(), &config.keys, path).unwrap();
    let mut p = Player::with_keymap(keymap);
    p.press("?");
    let buffer = draw(&p, 100, 30);
    assert_shows(&buffer, " ctrl-q quit ");
    assert_shows(&buffer, " space enter play / pause ");
    // `enter` moved to play / pause, so open is listed without a key.
    assert_shows(&buffer, " (unbound) open / play the selection ");
}

#[test]
fn the_mood_picker_lists_the_seven_moods_with_the_cursor_highlighted() {
    let theme = Theme::default();
    let mut p = playing();
    p.press("m k");
    let buffer = draw(&p, 80, 24);
    let top = row_with(&buffer, "┌ How do you feel? ─").expect("the picker");
    let screen = lines(&buffer);
    for (i, mood) in [
        "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral",
    ]
    .iter()
    .enumerate()
    {
        assert!(
            screen[top + 1 + i].contains(&format!("│ {mood:<27}│")),
            "{:?}",
            screen[top + 1 + i]
        );
    }
    let y = (top + 6) as u16;
    let x = column_of(&buffer, top + 6, "surprise");
    assert_eq!(
        buffer[(x, y)].bg,
        theme.selection_bg,
        "the cursor is on surprise"
    );
    assert_ne!(buffer[(x, y + 1)].bg, theme.selection_bg);
}

#[test]
fn an_error_status_uses_the_error_colour_and_information_the_info_colour() {
    let theme = Theme::default();
    let mut p = Player::new();
    p.state.error("cannot play /music/x.wav: corrupt");
    let buffer = draw(&p, 80, 24);
    assert_eq!(
        lines(&buffer)[23].trim_end(),
        "cannot play /music/x.wav: corrupt"
    );
    assert_eq!(buffer[(0, 23)].fg, theme.error);
    p.press("r");
    let buffer = draw(&p, 80, 24);
    assert_eq!(lines(&buffer)[23].trim_end(), "repeat all");
    assert_eq!(buffer[(0, 23)].fg, theme.info);
}

#[test]
fn a_message_replaced_unread_is_counted_on_the_status_line_and_kept_in_the_messages_view() {
    let mut p = Player::new();
    // At start-up, with no sound card: the playlist's note and the device error come together.
    p.state
        .info("2 tracks queued (1 entry whose file is gone left out)");
    p.state
        .error("no sound device: playing silently until it is back");
    let screen = lines(&draw(&p, 80, 24));
    assert_eq!(
        screen[23].trim_end(),
        "no sound device: playing silently until it is back · 1 more: H"
    );
    p.press("H");
    let screen = lines(&draw(&p, 80, 24));
    assert!(screen[0].contains("messages · 2"), "{screen:#?}");
    let at = |needle: &str| screen.iter().position(|l| l.contains(needle));
    let (newest, older) = (at("no sound device"), at("1 entry whose file is gone"));
    assert!(
        newest.is_some_and(|n| older.is_some_and(|o| n < o)),
        "{screen:#?}"
    );
    // Seen: the count goes; esc closes the view.
    assert!(!screen[23].contains("more: H"), "{:?}", screen[23]);
    p.press("esc");
    let screen = lines(&draw(&p, 80, 24));
    assert!(screen[0].starts_with("┌ Artists"), "{:?}", screen[0]);
}

#[test]
fn a_scan_in_progress_shows_a_gauge_in_the_status_line() {
    let mut p = Player::new();
    p.state.progress = Some(Progress {
        label: "scanning".into(),
        done: 3,
        total: 7,
    });
    let screen = lines(&draw(&p, 80, 24));
    assert_eq!(screen[23].trim_end(), "scanning ████████░░░░░░░░░░░░ 3/7");
}

#[test]
fn an_empty_library_explains_why_it_is_empty() {
    let mut p = Player::new();
    p.send(Msg::Catalogue(Vec::new()));
    let screen = lines(&draw(&p, 100, 30));
    assert!(screen[0].starts_with("┌ Artists · 0 ─"), "{:?}", screen[0]);
    assert!(
        screen[1].starts_with("│no tracks yet: scanning, or no music folder "),
        "{:?}",
        screen[1]
    );
}

// --- Sizes ----------------------------------------------------------------------------------

#[test]
fn every_state_renders_at_every_small_size_without_panicking() {
    for (name, p) in all_states() {
        for w in 0..=30 {
            for h in 0..=12 {
                let result =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| draw(&p, w, h)));
                assert!(result.is_ok(), "state {name:?} panicked at {w}×{h}");
            }
        }
        for (w, h) in [(60, 20), (20, 5), (1, 1), (80, 24), (100, 30), (200, 60)] {
            let buffer = draw(&p, w, h);
            assert_eq!(
                (buffer.area.width, buffer.area.height),
                (w, h),
                "state {name:?}"
            );
        }
    }
}

#[test]
fn at_60_by_20_the_library_queue_and_now_playing_are_all_shown() {
    let buffer = draw(&playing(), 60, 20);
    let screen = lines(&buffer);
    assert!(
        screen[0].starts_with("┌ Ada Lin › Blue Hour · 3 "),
        "{:?}",
        screen[0]
    );
    assert_shows(&buffer, "Queue · 3");
    assert_shows(&buffer, "▶ playing");
    assert_shows(&buffer, "1:23 ━");
    assert_shows(&buffer, "4:56");
    assert_hides(&buffer, "camera off");
}

#[test]
fn at_20_by_5_the_library_and_now_playing_share_the_screen() {
    let buffer = draw(&Player::new(), 20, 5);
    let screen = lines(&buffer);
    assert_eq!(screen.len(), 5);
    assert_hides(&buffer, "Queue");
    assert!(screen[4].starts_with("? help"), "{:?}", screen[4]);
}

#[test]
fn a_one_by_one_screen_shows_only_the_status_line() {
    let buffer = draw(&Player::new(), 1, 1);
    assert_eq!(lines(&buffer), ["?"]);
}

#[test]
fn resizing_between_frames_redraws_for_the_new_size() {
    let p = playing();
    let theme = Theme::default();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|f| mien::ui::render(f, &p.state, &theme))
        .unwrap();
    assert_shows(terminal.backend().buffer(), "Queue · 3");

    terminal.backend_mut().resize(40, 12);
    terminal
        .draw(|f| mien::ui::render(f, &p.state, &theme))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    assert_eq!((buffer.area.width, buffer.area.height), (40, 12));
    assert_hides(&buffer, "Queue");
    assert!(
        lines(&buffer)[0].starts_with("┌ Ada Lin › Blue Hour · 3 "),
        "{:?}",
        lines(&buffer)[0]
    );
    assert_shows(&buffer, "▶ playing");

    terminal.backend_mut().resize(0, 0);
    terminal
        .draw(|f| mien::ui::render(f, &p.state, &theme))
        .unwrap();

    terminal.backend_mut().resize(100, 30);
    terminal
        .draw(|f| mien::ui::render(f, &p.state, &theme))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    assert_eq!((buffer.area.width, buffer.area.height), (100, 30));
    assert_shows(&buffer, "Queue · 3");
    assert_shows(&buffer, "mood · camera off");
    assert_eq!(
        lines(&buffer),
        lines(&draw(&p, 100, 30)),
        "the same as a fresh 100×30 frame"
    );
}

#[test]
fn a_tagged_track_shows_its_mood_label_and_top_tags_in_now_playing() {
    let mut p = playing();
    let record = mien::store::MoodRecord {
        size: 0,
        mtime_ns: 0,
        model: "musicnn-msd".into(),
        tags: vec![
            ("rock".into(), 0.05),
            ("chillout".into(), 0.41),
            ("Mellow".into(), 0.33),
            ("ambient".into(), 0.2),
        ],
        valence: 0.3,
        arousal: -0.5,
        label: "calm/peaceful".into(),
        confidence: 0.6,
        tagged_at_ms: 0,
    };
    p.send(Msg::Mood(mien::mood::MoodEvent::Tagged {
        id: common::id(AWAKE),
        record,
    }));
    let buffer = draw(&p, 100, 30);
    assert_shows(
        &buffer,
        "mood: calm/peaceful · chillout 41% · Mellow 33% · ambient 20%",
    );
}

#[test]
fn a_mood_the_tagger_is_unsure_of_is_shown_as_uncertain_not_by_its_quadrant() {
    let mut p = playing();
    let record = mien::store::MoodRecord {
        size: 0,
        mtime_ns: 0,
        model: "mien-mood-1".into(),
        tags: vec![("rock".into(), 0.3), ("indie".into(), 0.2)],
        valence: 0.05,
        arousal: 0.4,
        label: "energetic/happy".into(),
        confidence: mien::core::MOOD_UNCERTAIN_BELOW - 0.05,
        tagged_at_ms: 0,
    };
    p.send(Msg::Mood(mien::mood::MoodEvent::Tagged {
        id: common::id(AWAKE),
        record,
    }));
    let buffer = draw(&p, 100, 30);
    assert_shows(&buffer, "mood: uncertain · rock 30% · indie 20%");
    assert!(
        !lines(&buffer).iter().any(|l| l.contains("energetic/happy")),
        "{:?}",
        lines(&buffer)
    );
}

#[test]
fn mood_tagging_progress_shows_in_the_status_line_and_an_unavailable_model_says_so() {
    let mut p = playing();
    p.send(Msg::Mood(mien::mood::MoodEvent::Progress {
        done: 2,
        total: 7,
    }));
    assert_shows(&draw(&p, 80, 24), "tagging moods ");
    p.send(Msg::Mood(mien::mood::MoodEvent::Progress {
        done: 7,
        total: 7,
    }));
    p.send(Msg::Mood(mien::mood::MoodEvent::Unavailable {
        reason: "models/musicnn-msd.safetensors: missing".into(),
    }));
    let buffer = draw(&p, 100, 30);
    assert_shows(&buffer, "mood: tagging is off");
    assert_shows(
        &buffer,
        "mood tagging is off: models/musicnn-msd.safetensors: missing",
    );
}
