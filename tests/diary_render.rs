//! The diary view (`Y`) on ratatui's `TestBackend`: the whole screen at 80×24 from a constructed
//! diary, what it drops when smaller, the loading and error lines, and no panic at any size.

mod common;

use common::play;

use common::screen::{assert_shows, draw, lines, row_with};
use common::Player;
use mien::app::Msg;
use mien::core::{EmotionSource, PlayOutcome, TrackId};
use mien::diary::{build, Diary};
use mien::store::ReadingRecord;

const MIN: u64 = 60_000;
/// 2026-12-01 00:00 UTC.
const DAY0: u64 = 20_788 * 86_400_000;

fn reading(at_ms: u64, valence: f32) -> ReadingRecord {
    ReadingRecord {
        at_ms,
        source: EmotionSource::Camera,
        label: "happy".into(),
        valence,
        arousal: 0.0,
        confidence: 1.0,
    }
}

/// Seven days; today has a morning that rises (and "Awake" that lifted twice), yesterday an
/// evening low with a skip.
fn diary() -> Diary {
    let mut readings = Vec::new();
    let mut plays = Vec::new();
    for (h, before, after) in [(8, -0.6, 0.2), (9, -0.2, 0.6)] {
        let t = DAY0 + h * 60 * MIN;
        readings.push(reading(t - 4 * MIN, before));
        readings.push(reading(t + 3 * MIN, after));
        plays.push(play(t, "awake", PlayOutcome::Started));
    }
    for h in 18..22 {
        let t = DAY0 - 86_400_000 + h * 60 * MIN;
        readings.push(reading(t, -0.8 + 0.2 * (h - 18) as f32));
        plays.push(play(t, "rain", PlayOutcome::Started));
    }
    plays.push(play(
        DAY0 - 86_400_000 + 19 * 60 * MIN + MIN,
        "rain",
        PlayOutcome::Skipped,
    ));
    let names = |id: TrackId| {
        (id == TrackId::from_path(std::path::Path::new("/m/awake.flac")))
            .then(|| ("Awake".to_string(), "Ada Lin".to_string()))
    };
    build(&readings, &plays, &names, DAY0 + 12 * 60 * MIN, 7, &|_| 0)
}

fn open_diary() -> Player {
    let mut p = Player::new();
    p.press("Y");
    p.send(Msg::DiaryLoaded(Ok(diary())));
    p
}

#[test]
fn the_diary_view_at_80x24_shows_every_day_the_plays_chart_and_what_lifted_you() {
    let p = open_diary();
    let screen = draw(&p, 80, 24);
    let expected: &[&str] = &[
        "┌ mood diary · last 7 days ────────────────────────────────────────────────────┐",
        "│day       0h    6h    12h   18h     plays skips  mood  ┌ plays per day ──────┐│",
        "│11-25     ························      0     0    ·   │               ██    ││",
        "│                                                       │               ██    ││",
        "│11-26     ························      0     0    ·   │               ██    ││",
        "│                                                       │               ██    ││",
        "│11-27     ························      0     0    ·   │               ██    ││",
        "│                                                       │               ██ ██ ││",
        "│11-28     ························      0     0    ·   │               ██ ██ ││",
        "│                                                       │               ██ ██ ││",
        "│11-29     ························      0     0    ·   │               ██ ██ ││",
        "│                                                       │               4█ 2█ ││",
        "│11-30     ··················▁▂▂▃··      4     1  -0.50 │25 26 27 28 29 30 01 ││",
        "│   played                   1111                       └─────────────────────┘│",
        "│12-01     ·······▂▄▆··············      2     0  +0.00                        │",
        "│   played         11                                                          │",
        "│what lifted you · valence up ≥0.15 in the 10 min after it started, ≥2 times   │",
        "│  2× of 2  +0.80  Awake — Ada Lin                                             │",
        "│                                                                              │",
        "│                                                                              │",
        "│                                                                              │",
        "│                                                                              │",
        "└ Y, q or esc close ───────────────────────────────────────────────────────────┘",
        "? help · / search · enter play · space pause · q quit                           ",
    ];
    let drawn = lines(&screen);
    if drawn != expected {
        let rows: String = drawn.iter().map(|l| format!("        {l:?},\n")).collect();
        panic!("the screen differs; it was drawn as:\n{rows}");
    }
    // The hour with a skip (yesterday 19:00) is in the error colour.
    let y =
        row_with(&screen, "   played                   1111").expect("yesterday's plays") as u16;
    let theme = mien::ui::Theme::default();
    assert_eq!(screen[(10 + 1 + 19, y)].fg, theme.error);
    assert_eq!(screen[(10 + 1 + 18, y)].fg, theme.dim);
}

#[test]
fn a_small_terminal_drops_the_chart_then_the_sparklines_then_old_days() {
    let p = open_diary();
    let screen = draw(&p, 60, 24);
    assert_shows(&screen, "12-01");
    assert!(
        row_with(&screen, "plays per day").is_none(),
        "no room for the chart"
    );
    assert_shows(&screen, "··");
    let narrow = draw(&p, 40, 24);
    assert_shows(&narrow, "12-01");
    assert!(
        row_with(&narrow, "····").is_none(),
        "no sparklines at 40 wide"
    );
    let low = draw(&p, 80, 9);
    assert_shows(&low, "12-01");
    assert!(
        row_with(&low, "11-25").is_none(),
        "the oldest day goes first"
    );
    assert_shows(&low, "what lifted you");
}

#[test]
fn loading_and_failure_are_said_in_the_view() {
    let mut p = Player::new();
    p.press("Y");
    assert_shows(&draw(&p, 80, 24), "reading the diary…");
    p.send(Msg::DiaryLoaded(Err("database error: gone".into())));
    assert_shows(
        &draw(&p, 80, 24),
        "cannot read the diary: database error: gone",
    );
}

#[test]
fn the_diary_view_never_panics_at_any_size() {
    let p = open_diary();
    for w in 0..=82 {
        for h in 0..=26 {
            draw(&p, w, h);
        }
    }
}
