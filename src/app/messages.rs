//! The messages of this session: every line the status line was given, kept (the newest
//! `KEPT`) so that one replaced before it could be read, or held back by a sticky alert, is not
//! lost; `H` shows them, newest first. The status line says how many the listener has missed.

use std::collections::VecDeque;

use super::action::Action;
use super::state::{AppState, Overlay, Status, StatusLevel};

/// Messages kept (the oldest go first).
pub const KEPT: usize = 200;

/// A message on the status line this long has been read, key or no key.
pub const READ_AFTER_MS: u64 = 4_000;

/// One message as it was given.
#[derive(Clone, Debug, PartialEq)]
pub struct Logged {
    pub text: String,
    pub level: StatusLevel,
    /// Local wall-clock time it was given, `HH:MM:SS`.
    pub clock: String,
    /// How many times it came again right after itself (0: once).
    pub repeats: u32,
}

/// The log and what the listener has seen of it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Messages {
    /// Oldest first.
    pub log: VecDeque<Logged>,
    /// Messages that left the status line within `READ_AFTER_MS` and before a key was pressed
    /// (or never reached it, behind a sticky alert); 0 again once the view is opened.
    pub missed: usize,
    /// A key was pressed while the status line's message was on it.
    pub read: bool,
    /// When the status line's message was put there.
    pub shown_at_ms: u64,
    /// The view's first row (0: the newest message).
    pub scroll: usize,
}

/// `HH:MM:SS` of `at_ms` in the local time zone.
pub fn clock(at_ms: u64) -> String {
    let local = (at_ms / 1000) as i64 + crate::diary::local_offset_s(at_ms);
    let s = local.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// Records `s`, given now, which the status line shows (`shown`) or holds back behind a sticky
/// alert.
pub(super) fn record(state: &mut AppState, s: &Status, shown: bool, at_ms: u64) {
    let m = &mut state.messages;
    if let Some(last) = m.log.back_mut() {
        if last.text == s.text && last.level == s.level {
            last.repeats += 1;
            return;
        }
    }
    let read = m.read || at_ms.saturating_sub(m.shown_at_ms) >= READ_AFTER_MS;
    if !shown || (state.status.is_some() && !read) {
        m.missed += 1;
    }
    if shown {
        m.read = false;
        m.shown_at_ms = at_ms;
    }
    if m.log.len() == KEPT {
        m.log.pop_front();
    }
    m.log.push_back(Logged {
        text: s.text.clone(),
        level: s.level,
        clock: clock(at_ms),
        repeats: 0,
    });
}

/// A key was pressed: the message on the status line has been seen.
pub(super) fn key_pressed(state: &mut AppState) {
    state.messages.read = true;
}

/// A key while the messages view is open (close, scroll), or `Action::Messages` opening it:
/// `true` when it was the view's own.
pub(super) fn action(state: &mut AppState, a: Action) -> bool {
    if state.overlay != Some(Overlay::Messages) {
        if a != Action::Messages {
            return false;
        }
        state.overlay = Some(Overlay::Messages);
        state.messages.missed = 0;
        state.messages.scroll = 0;
        return true;
    }
    let page = state.list_rows.max(1) as i64;
    if matches!(a, Action::Messages | Action::Back | Action::Quit) {
        state.overlay = None;
        return true;
    }
    // Playback keys work behind the view.
    let Some(by) = super::help::scroll_rows(a, page) else {
        return false;
    };
    scroll(state, by);
    true
}

/// Scrolls the view by `rows` messages (keys, the mouse wheel), the newest at most to the top.
pub(super) fn scroll(state: &mut AppState, rows: i64) {
    let max = state.messages.log.len().saturating_sub(1) as i64;
    let s = state.messages.scroll as i64;
    state.messages.scroll = s.saturating_add(rows).clamp(0, max) as usize;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{update, Msg};

    fn texts(s: &AppState) -> Vec<&str> {
        s.messages.log.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn a_message_replaced_before_a_key_is_kept_and_counted_as_missed() {
        let mut s = AppState::new(Vec::new(), Vec::new());
        s.info("3 tracks queued (1 entry whose file is gone left out)");
        s.error("no sound device: playing silently until it is back (ALSA: no card)");
        assert_eq!(s.messages.missed, 1);
        assert_eq!(texts(&s).len(), 2);
        // A key read the line: what replaces it now is not missed.
        update(&mut s, Msg::Action(Action::Down));
        s.info("sorted by title");
        assert_eq!(s.messages.missed, 1);
        update(&mut s, Msg::Action(Action::Messages));
        assert_eq!(s.overlay, Some(Overlay::Messages));
        assert_eq!(s.messages.missed, 0);
        assert_eq!(
            texts(&s)[0],
            "3 tracks queued (1 entry whose file is gone left out)"
        );
        // Its own keys scroll and close it; others go on to the player.
        update(&mut s, Msg::Action(Action::Bottom));
        assert_eq!(s.messages.scroll, 2);
        update(&mut s, Msg::Action(Action::Back));
        assert_eq!(s.overlay, None);
    }

    #[test]
    fn messages_behind_a_sticky_alert_are_missed_and_repeats_fold() {
        let mut s = AppState::new(Vec::new(), Vec::new());
        s.alert("the database was rebuilt");
        s.info("tagging moods");
        s.info("tagging moods");
        assert_eq!(
            s.status.as_ref().map(|x| x.text.as_str()),
            Some("the database was rebuilt")
        );
        assert_eq!(texts(&s), ["the database was rebuilt", "tagging moods"]);
        assert_eq!(s.messages.log[1].repeats, 1);
        assert_eq!(s.messages.missed, 1);
    }

    #[test]
    fn a_message_left_on_screen_a_while_was_read() {
        let mut s = AppState::new(Vec::new(), Vec::new());
        s.set_status_at(Status::info("scan: 12 tracks"), 1_000);
        s.set_status_at(Status::info("tagging moods: done"), 1_000 + READ_AFTER_MS);
        assert_eq!(s.messages.missed, 0);
        s.set_status_at(Status::error("camera: no device"), 1_500 + READ_AFTER_MS);
        assert_eq!(s.messages.missed, 1);
    }

    #[test]
    fn the_log_keeps_the_newest() {
        let mut s = AppState::new(Vec::new(), Vec::new());
        for i in 0..KEPT + 5 {
            s.info(format!("m{i}"));
        }
        assert_eq!(s.messages.log.len(), KEPT);
        assert_eq!(texts(&s)[0], "m5");
    }

    #[test]
    fn clock_is_a_time_of_day() {
        let c = clock(1_796_298_847_000);
        assert_eq!(c.len(), 8);
        assert_eq!(c.as_bytes()[2], b':');
        assert!(c[..2].parse::<u8>().is_ok_and(|h| h < 24));
    }
}
