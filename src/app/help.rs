//! The help overlay's keys: closing it, and scrolling it when the terminal is too short (or too
//! narrow) to show every binding at once.

use super::action::Action;
use super::state::{AppState, Overlay};

/// Where the shown bindings start when `slots` fit on screen: 0 while all of them fit;
/// otherwise one slot is the line that says how many are above and below, so the last start
/// shows the last binding in the slot before it. `slots` 0: the screen is not measured yet.
pub fn max_scroll(bindings: usize, slots: usize) -> usize {
    if slots == 0 {
        return bindings.saturating_sub(1);
    }
    if bindings <= slots {
        return 0;
    }
    bindings - (slots - 1).max(1)
}

/// Scrolls the open overlay by `rows` bindings (the mouse wheel), within the same bounds as the
/// keys.
pub(super) fn scroll(state: &mut AppState, rows: i64) {
    let max = max_scroll(state.help.len(), state.help_slots);
    let s = state.help_scroll.min(max) as i64;
    state.help_scroll = (s + rows).clamp(0, max as i64) as usize;
}

/// A key while the help overlay is open: `true` when it was the overlay's own (close or scroll);
/// any other key goes on to `update` as usual, so playback keys keep working behind it.
pub(super) fn action(state: &mut AppState, a: Action) -> bool {
    if state.overlay != Some(Overlay::Help) {
        if a == Action::ToggleHelp {
            state.overlay = Some(Overlay::Help);
            state.help_scroll = 0;
            return true;
        }
        return false;
    }
    let page = state.help_slots.saturating_sub(1).max(1) as i64;
    if matches!(a, Action::ToggleHelp | Action::Back | Action::Quit) {
        state.overlay = None;
        state.help_scroll = 0;
        return true;
    }
    let Some(rows) = scroll_rows(a, page) else {
        return false;
    };
    scroll(state, rows);
    true
}

/// How far a movement key scrolls a scrolling view (help, messages) whose page is `page` rows;
/// `None` for other keys.
pub(super) fn scroll_rows(a: Action, page: i64) -> Option<i64> {
    Some(match a {
        Action::Down => 1,
        Action::Up => -1,
        Action::PageDown => page,
        Action::PageUp => -page,
        Action::Top => i64::MIN / 2,
        Action::Bottom => i64::MAX / 2,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::update;
    use crate::app::Msg;

    fn open(bindings: usize, slots: usize) -> AppState {
        let mut state = AppState::new(Vec::new(), Vec::new());
        state.help = (0..bindings)
            .map(|i| (format!("k{i}"), "x".into()))
            .collect();
        update(
            &mut state,
            Msg::Resize {
                list_rows: 10,
                help_slots: slots,
            },
        );
        assert!(action(&mut state, Action::ToggleHelp));
        state
    }

    #[test]
    fn the_last_start_shows_the_last_binding_above_the_notice_line() {
        assert_eq!(max_scroll(60, 44), 17); // 17..60 is 43 bindings, then the notice
        assert_eq!(max_scroll(44, 44), 0);
        assert_eq!(max_scroll(10, 2), 9);
        assert_eq!(max_scroll(10, 1), 9);
        assert_eq!(max_scroll(10, 0), 9);
    }

    #[test]
    fn movement_keys_scroll_within_bounds_and_closing_resets_the_scroll() {
        let mut s = open(60, 20);
        assert!(action(&mut s, Action::Down));
        assert_eq!(s.help_scroll, 1);
        assert!(action(&mut s, Action::PageDown));
        assert_eq!(s.help_scroll, 20);
        assert!(action(&mut s, Action::Bottom));
        assert_eq!(s.help_scroll, 41);
        assert!(action(&mut s, Action::Down));
        assert_eq!(s.help_scroll, 41, "no further than the last binding");
        assert!(action(&mut s, Action::Up));
        assert_eq!(s.help_scroll, 40, "one key press moves the view at once");
        assert!(action(&mut s, Action::PageUp));
        assert!(action(&mut s, Action::PageUp));
        assert_eq!(s.help_scroll, 2);
        assert!(action(&mut s, Action::Top));
        assert_eq!(s.help_scroll, 0);
        assert!(!action(&mut s, Action::PlayPause), "not the overlay's key");
        assert!(action(&mut s, Action::Bottom) && action(&mut s, Action::Back));
        assert_eq!((s.overlay, s.help_scroll), (None, 0));
    }

    #[test]
    fn the_wheel_scrolls_the_overlay_not_the_list_behind_it() {
        use crate::app::mouse::{MouseInput, MouseKind, MouseTarget};
        let mut s = open(60, 20);
        let wheel = |kind| {
            Msg::Mouse(MouseInput {
                target: MouseTarget::Nothing,
                kind,
                at: std::time::Instant::now(),
            })
        };
        update(&mut s, wheel(MouseKind::WheelDown));
        assert_eq!(s.help_scroll, 3);
        for _ in 0..20 {
            update(&mut s, wheel(MouseKind::WheelDown));
        }
        assert_eq!(s.help_scroll, 41);
        update(&mut s, wheel(MouseKind::WheelUp));
        assert_eq!(s.help_scroll, 38);
        assert_eq!(s.overlay, Some(Overlay::Help));
    }

    #[test]
    fn when_everything_fits_the_keys_do_not_scroll() {
        let mut s = open(30, 44);
        assert!(action(&mut s, Action::Down) && action(&mut s, Action::Bottom));
        assert_eq!(s.help_scroll, 0);
    }
}
