//! The mood map on ratatui's TestBackend: dots in the right cells and colours, the listener's
//! marker, the corner names, the cursor, the side list, and small sizes.

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::*;
use crate::app::mood_map::MoodMap;
use crate::app::test_library;
use crate::core::EmotionReading;

fn draw(state: &AppState, w: u16, h: u16) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| crate::ui::render(f, state, &Theme::default()))
        .unwrap();
    term.backend().buffer().clone()
}

fn open(mut s: AppState) -> AppState {
    s.mood_map = MoodMap {
        open: true,
        ..MoodMap::default()
    };
    s
}

fn text(buf: &Buffer) -> String {
    let a = buf.area;
    (a.top()..a.bottom())
        .map(|y| {
            (a.left()..a.right())
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn braille(sym: &str) -> bool {
    sym.chars()
        .next()
        .is_some_and(|c| ('\u{2801}'..='\u{28ff}').contains(&c))
}

/// 80×24: the map is 52 wide (the side list takes 28) and 23 high, its canvas inside the border.
const INNER: Rect = Rect::new(1, 1, 50, 21);

#[test]
fn each_track_is_a_dot_in_its_cell_and_quadrant_colour() {
    let buf = draw(&open(test_library::state()), 80, 24);
    let theme = Theme::default();
    // Grid cell (5, 1): valence 0.6, arousal -0.6, calm. Braille x = 1.6·99/2 = 79 → column
    // 1 + 39; y = 1.6·83/2 = 66 → row 1 + 16.
    let (x, y) = (40, 17);
    assert_eq!(cell_of(INNER, 0.6, -0.6), Some((x, y)));
    assert!(braille(buf[(x, y)].symbol()), "{:?}", buf[(x, y)].symbol());
    assert_eq!(buf[(x, y)].fg, theme.quadrant_calm);
    // (2, 5): valence -0.3, arousal 0.6, tense: x = 0.7·99/2 = 34 → 1 + 17; y = 0.4·83/2 = 16
    // → 1 + 4.
    assert!(braille(buf[(18, 5)].symbol()));
    assert_eq!(buf[(18, 5)].fg, theme.quadrant_tense);
    // Between grid columns nothing is drawn.
    assert_eq!(buf[(10, 8)].symbol(), " ");
}

#[test]
fn an_uncertain_mood_is_drawn_dimmer() {
    let mut s = test_library::state();
    let id = test_library::id(5, 1);
    s.moods.get_mut(&id).unwrap().confidence = 0.1;
    let buf = draw(&open(s), 80, 24);
    let theme = Theme::default();
    let c = buf[(40, 17)].fg;
    assert_ne!(c, theme.quadrant_calm);
    assert_eq!(c, quadrant_color(&theme, TrackMood::tagged(0.6, -0.6, 0.1)));
}

#[test]
fn corners_cursor_marker_and_the_side_list() {
    let mut s = open(test_library::state());
    crate::app::update(
        &mut s,
        crate::app::Msg::Emotion(EmotionReading::manual(3, 1_000)),
    );
    s.mood_map.cursor = (0.6, -0.6);
    let buf = draw(&s, 80, 24);
    let t = text(&buf);
    let rows: Vec<&str> = t.lines().collect();
    assert!(rows[1].starts_with("│tense"), "{}", rows[1]);
    assert!(rows[1][..rows[1].len()].contains("happy│"), "{}", rows[1]);
    assert!(rows[21].starts_with("│sad"), "{}", rows[21]);
    assert!(rows[21].contains("calm│"), "{}", rows[21]);
    // The cursor over the calm track, the happy listener (0.8, 0.4) as a marker.
    assert_eq!(buf[(40, 17)].symbol(), "✚");
    let (mx, my) = cell_of(INNER, 0.8, 0.4).unwrap();
    assert_eq!(buf[(mx, my)].symbol(), "●");
    // The side list: titled with the cursor, nearest first.
    assert!(rows[0].contains("near 0.6,-0.6"), "{}", rows[0]);
    assert!(rows[1].contains("• T51"), "{}", rows[1]);
    assert!(t.contains("enter queue · J journey"));
}

#[test]
fn the_trail_is_drawn_behind_the_marker() {
    let mut s = open(test_library::state());
    for i in 0..20 {
        let mut r = EmotionReading::manual(6, 1_000 + i * 1_000);
        r.valence = -0.75 + 0.01 * i as f32;
        r.arousal = 0.15;
        crate::app::update(&mut s, crate::app::Msg::Emotion(r));
    }
    assert_eq!(s.mood_map.trail.len(), 20);
    let buf = draw(&s, 80, 24);
    // The trail runs between the grid's rows, in the dim colour, where no track is.
    let (x, y) = cell_of(INNER, -0.73, 0.15).unwrap();
    assert!(braille(buf[(x, y)].symbol()) || buf[(x, y)].symbol() == "●");
    assert!(
        (x..x + 3).any(|x| buf[(x, y)].fg == Theme::default().dim),
        "trail colour"
    );
}

#[test]
fn small_terminals_drop_the_side_list_then_say_so_in_one_line() {
    let s = open(test_library::state());
    let buf = draw(&s, 50, 16);
    let t = text(&buf);
    assert!(!t.contains("near"), "no side list under 60 columns");
    assert!(t.contains("tense") && t.contains("calm"));
    let buf = draw(&s, 18, 6);
    assert!(
        text(&buf).starts_with("mood map: enlarge"),
        "{}",
        text(&buf)
    );
    for (w, h) in [(0, 0), (1, 1), (20, 8), (19, 30), (200, 7), (60, 9)] {
        draw(&s, w, h);
    }
}

#[test]
fn the_journey_picker_shows_every_target_and_its_whole_hint() {
    let mut s = test_library::state();
    crate::app::mood_map::open_picker(&mut s);
    let screen = text(&draw(&s, 80, 24));
    for (name, _) in crate::recommend::journey::Target::NAMED {
        assert!(screen.contains(name), "{name} missing:\n{screen}");
    }
    // It was cut at "enter: g" in a box two cells too narrow for it.
    assert!(screen.contains("(h/l: ±5, enter: go)"), "{screen}");
}
