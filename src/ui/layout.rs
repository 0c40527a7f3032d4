//! Where each pane goes for a given terminal size. Shared by `render`, by the terminal (which
//! needs the album-art area to prepare the image at the right size), by the runtime (the list
//! height page up/down move by) and by the mouse's hit test (`hit.rs`), so that a click and the
//! drawing can never disagree.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Block;

/// The panes that fit; `None` for what does not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    pub library: Option<Rect>,
    pub queue: Option<Rect>,
    pub now_playing: Option<Rect>,
    pub art: Option<Rect>,
    pub emotion: Option<Rect>,
    pub status: Option<Rect>,
}

/// Lays out the screen: lists on top (library | queue), now playing and the emotion gauge below,
/// a status line at the bottom. Smaller terminals drop the emotion panel, then the queue, then
/// the lists; below 20×3 only the status line is drawn.
pub fn layout(area: Rect) -> Areas {
    let mut a = Areas::default();
    if area.width == 0 || area.height == 0 {
        return a;
    }
    let [body, status] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    a.status = Some(status);
    if area.width < 20 || body.height < 3 {
        return a;
    }
    let bottom_h = match body.height {
        h if h >= 22 => 10,
        h if h >= 12 => 6,
        h => h.min(5),
    };
    let [lists, bottom] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(bottom_h)]).areas(body);
    let emotion_w = if bottom_h >= 10 && area.width >= 60 {
        30.min(area.width / 2)
    } else {
        0
    };
    let [np, emo] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(emotion_w)]).areas(bottom);
    a.now_playing = Some(np);
    if emotion_w > 0 {
        a.emotion = Some(emo);
    }
    if np.height >= 8 && np.width >= 50 {
        // Inside the now-playing border, on the left: about square with 2:1 character cells.
        let h = np.height - 2;
        a.art = Some(Rect::new(np.x + 1, np.y + 1, (h * 2).min(np.width / 3), h));
    }
    if lists.height >= 3 {
        if area.width >= 60 {
            let [l, q] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(lists);
            a.library = Some(l);
            a.queue = Some(q);
        } else {
            a.library = Some(lists);
        }
    }
    a
}

/// Rows of tracks the library and queue lists show on an `area`-sized screen (inside their
/// borders), what page up/down move by; 1 when no list fits.
pub fn list_rows(area: Rect) -> usize {
    let lists = layout(area).library;
    lists.map_or(1, |a| usize::from(a.height.saturating_sub(2)).max(1))
}

/// Inside a pane's border: where a list's rows go.
pub fn inside_border(pane: Rect) -> Rect {
    Block::bordered().inner(pane)
}

/// The now-playing text inside its pane `np`: right of the cover when one was drawn at `art`.
pub fn now_playing_text(np: Rect, art: Option<Rect>) -> Rect {
    let inner = inside_border(np);
    match art {
        Some(art) => {
            let used = art.width + 1;
            Rect::new(
                inner.x + used,
                inner.y,
                inner.width.saturating_sub(used),
                inner.height,
            )
        }
        None => inner,
    }
}

/// The progress bar's line in the now-playing text (title, artist, then the bar).
const PROGRESS_LINE: u16 = 2;

/// Cells of the bar in a progress line `width` wide between labels `left` and `right` cells
/// wide (`1:23 ━━━─── 4:56`: a space on each side).
pub fn progress_bar_width(width: u16, left: usize, right: usize) -> usize {
    usize::from(width).saturating_sub(left + right + 2)
}

/// The bar's cells in the now-playing `text` area, when its line is visible.
pub fn progress_bar(text: Rect, left: usize, right: usize) -> Option<Rect> {
    let width = progress_bar_width(text.width, left, right) as u16;
    (text.height > PROGRESS_LINE && width > 0)
        .then(|| Rect::new(text.x + left as u16 + 1, text.y + PROGRESS_LINE, width, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_size_lays_out_nothing() {
        assert_eq!(layout(Rect::new(0, 0, 0, 0)), Areas::default());
    }

    #[test]
    fn list_rows_are_the_lists_height_inside_their_borders() {
        // 80×24: 23 rows above the status line, 10 of them for now playing, 2 for the borders.
        assert_eq!(list_rows(Rect::new(0, 0, 80, 24)), 11);
        let tall = list_rows(Rect::new(0, 0, 120, 50));
        assert_eq!(tall, 50 - 1 - 10 - 2);
        assert_eq!(list_rows(Rect::new(0, 0, 10, 3)), 1, "no list fits");
    }

    #[test]
    fn a_standard_terminal_gets_every_pane() {
        let a = layout(Rect::new(0, 0, 80, 24));
        assert!(a.library.is_some() && a.queue.is_some() && a.emotion.is_some() && a.art.is_some());
        assert_eq!(a.status, Some(Rect::new(0, 23, 80, 1)));
    }

    #[test]
    fn panes_stay_inside_the_screen_at_every_size() {
        for w in 0..130 {
            for h in 0..50 {
                let area = Rect::new(0, 0, w, h);
                let a = layout(area);
                for r in [
                    a.library,
                    a.queue,
                    a.now_playing,
                    a.art,
                    a.emotion,
                    a.status,
                ]
                .into_iter()
                .flatten()
                {
                    assert!(
                        area.contains(r.as_position()) || r.area() == 0,
                        "{w}x{h}: {r:?}"
                    );
                    assert!(r.right() <= w && r.bottom() <= h, "{w}x{h}: {r:?}");
                }
            }
        }
    }
}
