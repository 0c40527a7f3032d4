//! The mouse: the hit test against what `render` really drew (TestBackend at 80×24 and 120×40,
//! with scrolled lists and with and without a cover), and mouse messages through `update`:
//! click selects and focuses, double-click plays, the wheel scrolls the pane under the pointer,
//! a click on the progress bar seeks, clicks on nothing do nothing.

mod common;

use std::time::{Duration, Instant};

use common::screen::{draw, lines};
use common::{Player, AWAKE, FAR_AWAY, NIGHT_DRIVE};
use mien::app::mouse::{MouseInput, MouseKind, MouseTarget};
use mien::app::state::Pane;
use mien::app::{Effect, Msg};
use mien::audio::{EngineCommand, EngineEvent};
use mien::ui::hit::hit;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;

/// The cell where `needle` is drawn (column in cells, row), if it is on screen.
fn cell_of(buffer: &Buffer, needle: &str) -> Option<(u16, u16)> {
    cell_in(buffer, buffer.area, needle)
}

/// [`cell_of`] looking only inside `area` (one pane).
fn cell_in(buffer: &Buffer, area: Rect, needle: &str) -> Option<(u16, u16)> {
    (area.top()..area.bottom()).find_map(|y| {
        let line: String = (area.left()..area.right())
            .map(|x| buffer[(x, y)].symbol())
            .collect();
        let byte = line.find(needle)?;
        Some((area.x + Span::raw(&line[..byte]).width() as u16, y))
    })
}

#[track_caller]
fn cell(buffer: &Buffer, needle: &str) -> (u16, u16) {
    cell_of(buffer, needle)
        .unwrap_or_else(|| panic!("{needle:?} not drawn:\n{}", lines(buffer).join("\n")))
}

fn at(p: &Player, w: u16, h: u16, (x, y): (u16, u16)) -> MouseTarget {
    hit(Rect::new(0, 0, w, h), None, &p.state, x, y)
}

fn mouse(p: &mut Player, target: MouseTarget, kind: MouseKind, at: Instant) -> Vec<Effect> {
    p.send(Msg::Mouse(MouseInput { target, kind, at }))
}

fn click(p: &mut Player, target: MouseTarget, at: Instant) -> Vec<Effect> {
    mouse(p, target, MouseKind::Click, at)
}

fn played(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Engine(EngineCommand::Play { track, .. }) => {
                Some(track.path.display().to_string())
            }
            _ => None,
        })
        .collect()
}

/// All six tracks in the library's flat list, queued twice (12 items: more than a page at
/// 80×24), focus back on the library.
fn long_queue() -> Player {
    let mut p = Player::new();
    p.press("a");
    for _ in 0..2 {
        p.press("g g e j e j e j e j e j e");
    }
    assert_eq!(p.state.queue.len(), 12);
    p
}

/// Awake playing at 1:23 of 4:56.
fn playing() -> Player {
    let mut p = Player::new();
    p.press("enter enter");
    p.send(Msg::Engine(EngineEvent::TrackStarted {
        path: AWAKE.into(),
        duration_ms: Some(296_000),
    }));
    p.send(Msg::Engine(EngineEvent::Position {
        path: AWAKE.into(),
        position_ms: 83_000,
        duration_ms: None,
    }));
    p
}

#[test]
fn every_drawn_library_and_queue_row_hits_its_own_index_at_both_sizes() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut p = long_queue();
        // Scrolled: the queue's cursor on its last item, the library's on its last track.
        p.press("G tab G");
        let buffer = draw(&p, w, h);
        let areas = mien::ui::layout(Rect::new(0, 0, w, h));
        let (library, queue) = (areas.library.unwrap(), areas.queue.unwrap());
        let mut seen = 0;
        for (i, title) in p.rows().iter().enumerate() {
            let Some(c) = cell_in(&buffer, library, title) else {
                continue;
            };
            seen += 1;
            assert_eq!(
                at(&p, w, h, c),
                MouseTarget::LibraryRow(i),
                "{w}x{h} {title}"
            );
        }
        assert_eq!(seen, 6, "every library row is drawn");
        let mut seen = 0;
        for i in 0..p.state.queue.len() {
            if let Some(c) = cell_in(&buffer, queue, &format!("{:>3}. ", i + 1)) {
                seen += 1;
                assert_eq!(
                    at(&p, w, h, c),
                    MouseTarget::QueueRow(i),
                    "{w}x{h} item {i}"
                );
            }
        }
        assert_eq!(
            seen,
            if h == 24 { 1 } else { 12 },
            "{w}x{h}: the queue's page"
        );
        // 80×24 shows 11 queue rows: item 12 is alone on the second page, in the first row.
        if h == 24 {
            assert_eq!(cell(&buffer, " 12. ").1, 1);
            assert!(cell_of(&buffer, "  1. ").is_none());
        }
    }
}

#[test]
fn borders_titles_and_empty_space_hit_the_pane_and_the_rest_hits_nothing() {
    let p = Player::new();
    let buffer = draw(&p, 80, 24);
    let (x, y) = cell(&buffer, "Artists · 2");
    assert_eq!(at(&p, 80, 24, (x, y)), MouseTarget::Pane(Pane::Library));
    assert_eq!(at(&p, 80, 24, (3, 1)), MouseTarget::LibraryRow(0));
    assert_eq!(at(&p, 80, 24, (3, 2)), MouseTarget::LibraryRow(1));
    assert_eq!(
        at(&p, 80, 24, (3, 3)),
        MouseTarget::Pane(Pane::Library),
        "below the rows"
    );
    assert_eq!(
        at(&p, 80, 24, (0, 1)),
        MouseTarget::Pane(Pane::Library),
        "the border"
    );
    let (qx, qy) = cell(&buffer, "Queue · 0");
    assert_eq!(at(&p, 80, 24, (qx, qy + 1)), MouseTarget::Pane(Pane::Queue));
    assert_eq!(at(&p, 80, 24, (5, 23)), MouseTarget::Nothing, "status line");
    assert_eq!(
        at(&p, 80, 24, (75, 18)),
        MouseTarget::Nothing,
        "emotion panel"
    );
    assert_eq!(at(&p, 80, 24, (200, 5)), MouseTarget::Nothing, "off screen");
}

#[test]
fn the_progress_bar_hit_is_where_it_is_drawn_with_and_without_a_cover() {
    let p = playing();
    for (w, h) in [(80, 24), (120, 40)] {
        let buffer = draw(&p, w, h);
        let (x, y) = cell(&buffer, "1:23 ");
        let bar_start = x + 5;
        let (end, _) = cell_in(&buffer, Rect::new(0, y, w, 1), " 4:56").unwrap();
        let width = end - bar_start;
        let first = at(&p, w, h, (bar_start, y));
        assert_eq!(
            first,
            MouseTarget::Progress {
                fraction: 0.5 / f32::from(width)
            }
        );
        let MouseTarget::Progress { fraction } = at(&p, w, h, (end - 1, y)) else {
            panic!("the last bar cell is the bar");
        };
        assert!((fraction - (1.0 - 0.5 / f32::from(width))).abs() < 1e-6);
        assert_eq!(
            at(&p, w, h, (x, y)),
            MouseTarget::Nothing,
            "the elapsed label"
        );
        assert_eq!(
            at(&p, w, h, (end + 1, y)),
            MouseTarget::Nothing,
            "the total label"
        );
        assert_eq!(
            at(&p, w, h, (bar_start, y + 1)),
            MouseTarget::Nothing,
            "below the bar"
        );
    }
    // A cover drawn in the art pane pushes the text right: the hit test is told where it is.
    let screen = Rect::new(0, 0, 80, 24);
    let art = mien::ui::layout(screen).art.expect("80x24 has an art pane");
    let buffer = draw(&p, 80, 24);
    let (x, y) = cell(&buffer, "1:23 ");
    assert!(
        x < art.right(),
        "without a cover the text starts left of where it would be"
    );
    assert_eq!(
        hit(screen, Some(art), &p.state, x + 5, y),
        MouseTarget::Nothing
    );
    let shifted = hit(screen, Some(art), &p.state, art.right() + 1 + 5, y);
    assert!(
        matches!(shifted, MouseTarget::Progress { .. }),
        "{shifted:?}"
    );
}

#[test]
fn a_click_selects_and_focuses_and_a_double_click_plays() {
    let mut p = Player::new();
    p.press("enter enter tab"); // Ada Lin › Blue Hour, focus on the queue
    let t0 = Instant::now();
    assert!(click(&mut p, MouseTarget::LibraryRow(1), t0).is_empty());
    assert_eq!(p.state.focus, Pane::Library);
    assert_eq!(p.selected(), "Night Drive");
    let effects = click(
        &mut p,
        MouseTarget::LibraryRow(1),
        t0 + Duration::from_millis(300),
    );
    assert_eq!(played(&effects), [NIGHT_DRIVE]);
    // A third click starts afresh: no second play.
    let third = click(
        &mut p,
        MouseTarget::LibraryRow(1),
        t0 + Duration::from_millis(500),
    );
    assert!(played(&third).is_empty());
    // Too slow, or on another row: two single clicks.
    let t1 = t0 + Duration::from_secs(5);
    click(&mut p, MouseTarget::LibraryRow(2), t1);
    let slow = click(
        &mut p,
        MouseTarget::LibraryRow(2),
        t1 + Duration::from_millis(401),
    );
    assert!(played(&slow).is_empty());
    let t2 = t1 + Duration::from_secs(5);
    click(&mut p, MouseTarget::LibraryRow(0), t2);
    let other = click(
        &mut p,
        MouseTarget::LibraryRow(2),
        t2 + Duration::from_millis(100),
    );
    assert!(played(&other).is_empty());
    assert_eq!(p.selected(), "Far Away");
}

#[test]
fn a_double_click_on_an_artist_opens_it_like_enter() {
    let mut p = Player::new();
    let t0 = Instant::now();
    click(&mut p, MouseTarget::LibraryRow(0), t0);
    let effects = click(
        &mut p,
        MouseTarget::LibraryRow(0),
        t0 + Duration::from_millis(200),
    );
    assert!(played(&effects).is_empty());
    assert_eq!(p.state.browser.title(), "Ada Lin");
}

#[test]
fn a_double_click_in_the_queue_jumps_to_that_item() {
    let mut p = long_queue();
    let t0 = Instant::now();
    click(&mut p, MouseTarget::QueueRow(2), t0);
    assert_eq!((p.state.focus, p.state.queue.cursor), (Pane::Queue, 2));
    let effects = click(
        &mut p,
        MouseTarget::QueueRow(2),
        t0 + Duration::from_millis(350),
    );
    assert_eq!(played(&effects), [FAR_AWAY]);
    assert_eq!(p.state.queue.current, Some(2));
}

#[test]
fn the_wheel_scrolls_the_pane_under_the_pointer_not_the_focused_one() {
    let mut p = long_queue();
    p.press("g g");
    let t = Instant::now();
    assert_eq!(p.state.focus, Pane::Library);
    mouse(&mut p, MouseTarget::QueueRow(0), MouseKind::WheelDown, t);
    mouse(
        &mut p,
        MouseTarget::Pane(Pane::Queue),
        MouseKind::WheelDown,
        t,
    );
    assert_eq!(p.state.queue.cursor, 6);
    assert_eq!((p.state.focus, p.state.browser.cursor), (Pane::Library, 0));
    mouse(&mut p, MouseTarget::QueueRow(6), MouseKind::WheelUp, t);
    assert_eq!(p.state.queue.cursor, 3);
    for _ in 0..5 {
        mouse(&mut p, MouseTarget::LibraryRow(0), MouseKind::WheelDown, t);
    }
    assert_eq!(p.state.browser.cursor, 5, "stops at the last row");
    assert_eq!(p.state.focus, Pane::Library);
    // At 80×24 the queue's second page is drawn once the wheel takes its cursor there.
    for _ in 0..3 {
        mouse(
            &mut p,
            MouseTarget::Pane(Pane::Queue),
            MouseKind::WheelDown,
            t,
        );
    }
    assert_eq!(p.state.queue.cursor, 11);
    assert_eq!(cell(&draw(&p, 80, 24), " 12. ").1, 1);
}

#[test]
fn a_click_on_the_progress_bar_seeks_to_that_fraction() {
    let mut p = playing();
    let t = Instant::now();
    let effects = click(&mut p, MouseTarget::Progress { fraction: 0.25 }, t);
    assert_eq!(
        effects,
        [Effect::Engine(EngineCommand::Seek { ms: 74_000 })]
    );
    // Through the drawn bar: the middle of its first cell.
    let buffer = draw(&p, 80, 24);
    let (x, y) = cell(&buffer, "1:23 ");
    let (end, _) = cell_in(&buffer, Rect::new(0, y, 80, 1), " 4:56").unwrap();
    let width = f64::from(end - (x + 5));
    let target = at(&p, 80, 24, (x + 5, y));
    let effects = click(&mut p, target, t + Duration::from_secs(1));
    let want = (0.5 / width * 296_000.0).round() as u64;
    let Effect::Engine(EngineCommand::Seek { ms }) = effects[0] else {
        panic!("{effects:?}");
    };
    assert!(ms.abs_diff(want) <= 1, "{ms} vs {want}");
}

#[test]
fn clicks_on_nothing_and_under_an_overlay_do_nothing() {
    let mut p = long_queue();
    p.press("j j");
    let before = (p.state.focus, p.state.browser.cursor, p.state.queue.cursor);
    let t = Instant::now();
    for kind in [MouseKind::Click, MouseKind::WheelDown] {
        assert!(mouse(&mut p, MouseTarget::Nothing, kind, t).is_empty());
    }
    // Stopped: the progress bar has nothing to seek in.
    let stopped = click(&mut p, MouseTarget::Progress { fraction: 0.5 }, t);
    assert!(stopped.is_empty());
    // A row index past the end (a stale hit) selects nothing.
    assert!(click(&mut p, MouseTarget::LibraryRow(99), t).is_empty());
    assert_eq!(
        (p.state.focus, p.state.browser.cursor, p.state.queue.cursor),
        before
    );
    // Under the help overlay nothing below takes the mouse.
    p.press("?");
    assert_eq!(at(&p, 80, 24, (3, 1)), MouseTarget::Nothing);
    assert!(click(&mut p, MouseTarget::QueueRow(3), t).is_empty());
    assert_eq!(p.state.queue.cursor, before.2);
}

#[test]
fn the_runtime_hit_tests_terminal_mouse_events_against_the_size_it_was_told() {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    use mien::runtime::UiEvent;
    use mien::terminal::TermEvent;
    let dir = tempfile::tempdir().unwrap();
    let store = mien::store::Store::open(dir.path()).unwrap();
    let mut h = common::runtime::Harness::new(&store, dir.path(), common::state());
    h.event(UiEvent::Term(TermEvent::Resize {
        width: 120,
        height: 40,
    }));
    let t0 = Instant::now();
    let event = |kind, column, row, at| {
        let event = MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        };
        UiEvent::Term(TermEvent::Mouse { event, at })
    };
    let down = MouseEventKind::Down(MouseButton::Left);
    // Row 2 of the screen is the library's second row: Bruno Moss; twice is a double-click.
    h.event(event(down, 5, 2, t0));
    assert_eq!(h.state.browser.cursor, 1);
    h.event(event(down, 5, 2, t0 + Duration::from_millis(120)));
    assert_eq!(h.state.browser.title(), "Bruno Moss");
    // A release or a move does nothing; a click in the queue pane (x ≥ 66 at 120 wide) focuses it.
    h.event(event(MouseEventKind::Up(MouseButton::Left), 70, 5, t0));
    h.event(event(MouseEventKind::Moved, 70, 5, t0));
    assert_eq!(h.state.focus, Pane::Library);
    h.event(event(down, 70, 5, t0 + Duration::from_secs(2)));
    assert_eq!(h.state.focus, Pane::Queue);
}
