//! The play queue as the UI thread owns it: ordered items, the current one, the cursor, pins,
//! repeat mode. Pure data and operations; no I/O.

use std::path::PathBuf;

pub use crate::core::Repeat;
use crate::core::TrackId;

/// One entry of the queue.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueItem {
    pub id: TrackId,
    pub path: PathBuf,
    /// Placed by hand (moved or put next by the listener): the recommender leaves it where it is.
    pub pinned: bool,
}

impl QueueItem {
    pub fn new(path: PathBuf) -> QueueItem {
        QueueItem {
            id: TrackId::from_path(&path),
            path,
            pinned: false,
        }
    }

    /// Items for tracks in an order the listener chose (the rest of an album started from one
    /// of its tracks, a saved playlist played, the files given on the command line): all but
    /// the first are pinned, so the recommender keeps that order.
    pub fn in_order(paths: impl IntoIterator<Item = PathBuf>) -> Vec<QueueItem> {
        (paths.into_iter().enumerate())
            .map(|(i, path)| QueueItem {
                pinned: i > 0,
                ..QueueItem::new(path)
            })
            .collect()
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Queue {
    pub items: Vec<QueueItem>,
    /// The item playing (or paused, or last played).
    pub current: Option<usize>,
    pub cursor: usize,
    pub repeat: Repeat,
    /// Where the playing item was when the listener removed it (`d` on it): its track plays on
    /// outside the queue, and the item now at this index is the one that follows it. Read only
    /// while `current` is `None`.
    pub gap: Option<usize>,
}

impl Queue {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn current_item(&self) -> Option<&QueueItem> {
        self.current.and_then(|i| self.items.get(i))
    }

    /// The first index that plays after the current item: after it, after the removed playing
    /// one (`gap`), or from the start when nothing plays.
    pub fn upcoming_start(&self) -> usize {
        let start = match self.current {
            Some(c) => c + 1,
            None => self.gap.unwrap_or(0),
        };
        start.min(self.items.len())
    }

    /// The item that plays when the playing track ends, following the repeat mode; after a
    /// removed playing item, the one that took its place.
    pub fn next_index(&self) -> Option<usize> {
        match (self.current, self.gap) {
            (Some(c), _) => self.following(c),
            (None, Some(g)) if g < self.items.len() => Some(g),
            (None, Some(_)) if self.repeat == Repeat::All && !self.items.is_empty() => Some(0),
            _ => None,
        }
    }

    /// The item that plays after `i`, following the repeat mode.
    pub fn following(&self, i: usize) -> Option<usize> {
        match self.repeat {
            Repeat::One => Some(i).filter(|&i| i < self.items.len()),
            _ if i + 1 < self.items.len() => Some(i + 1),
            Repeat::All if !self.items.is_empty() => Some(0),
            _ => None,
        }
    }

    /// The item before `i` (wrapping with repeat all).
    pub fn preceding(&self, i: usize) -> Option<usize> {
        match (i, self.repeat) {
            (0, Repeat::All) if !self.items.is_empty() => Some(self.items.len() - 1),
            (0, _) => None,
            (i, _) => Some(i - 1),
        }
    }

    pub fn append(&mut self, items: impl IntoIterator<Item = QueueItem>) {
        self.items.extend(items);
    }

    /// Inserts right after the current item (after the removed playing one, or at the front),
    /// returning the first new index.
    pub fn insert_next(&mut self, items: Vec<QueueItem>) -> usize {
        let at = self.upcoming_start();
        for (k, item) in items.into_iter().enumerate() {
            self.items.insert(at + k, item);
        }
        at
    }

    pub fn remove(&mut self, i: usize) -> Option<QueueItem> {
        if i >= self.items.len() {
            return None;
        }
        let item = self.items.remove(i);
        (self.current, self.gap) = match (self.current, self.gap) {
            (Some(c), _) if c == i => (None, Some(i)),
            (Some(c), _) if c > i => (Some(c - 1), None),
            (Some(c), _) => (Some(c), None),
            (None, Some(g)) if g > i => (None, Some(g - 1)),
            other => other,
        };
        self.clamp_cursor();
        Some(item)
    }

    pub fn clear(&mut self) {
        self.items.clear();
        self.current = None;
        self.gap = None;
        self.cursor = 0;
    }

    /// Swaps item `i` with its neighbour (`up`: the one before). The moved item becomes pinned.
    pub fn move_item(&mut self, i: usize, up: bool) -> Option<usize> {
        let j = if up { i.checked_sub(1)? } else { i + 1 };
        if j >= self.items.len() || i >= self.items.len() {
            return None;
        }
        self.items.swap(i, j);
        self.items[j].pinned = true;
        self.current = match self.current {
            Some(c) if c == i => Some(j),
            Some(c) if c == j => Some(i),
            other => other,
        };
        Some(j)
    }

    /// Shuffles the items after the current one, leaving pinned items in place; when fewer
    /// than two are not pinned (an album started from one of its tracks pins the rest), every
    /// upcoming item is shuffled, since `z` would otherwise do nothing. Returns how many items
    /// took part and how many pinned ones stayed where they were.
    pub fn shuffle(&mut self, seed: u64) -> (usize, usize) {
        let start = self.upcoming_start();
        let upcoming = start..self.items.len();
        let mut free: Vec<usize> = (upcoming.clone())
            .filter(|&i| !self.items[i].pinned)
            .collect();
        if free.len() < 2 {
            free = upcoming.collect();
        }
        let kept = self.items.len().saturating_sub(start) - free.len();
        let mut order = free.clone();
        let mut state = seed | 1;
        for k in (1..order.len()).rev() {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let r = state.wrapping_mul(0x2545_f491_4f6c_dd1d);
            order.swap(k, (r % (k as u64 + 1)) as usize);
        }
        let moved: Vec<QueueItem> = order.iter().map(|&i| self.items[i].clone()).collect();
        let n = free.len();
        for (slot, item) in free.into_iter().zip(moved) {
            self.items[slot] = item;
        }
        (n, kept)
    }

    pub fn clamp_cursor(&mut self) {
        self.cursor = self.cursor.min(self.items.len().saturating_sub(1));
    }

    /// Index of the first item at or after `from` with this path.
    pub fn find_from(&self, from: usize, path: &std::path::Path) -> Option<usize> {
        (from..self.items.len())
            .chain(0..from.min(self.items.len()))
            .find(|&i| self.items[i].path == path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(names: &[&str]) -> Queue {
        Queue {
            items: names
                .iter()
                .map(|n| QueueItem::new(PathBuf::from(n)))
                .collect(),
            ..Queue::default()
        }
    }

    fn names(q: &Queue) -> Vec<String> {
        q.items
            .iter()
            .map(|i| i.path.display().to_string())
            .collect()
    }

    #[test]
    fn following_respects_repeat_modes() {
        let mut queue = q(&["a", "b"]);
        assert_eq!(queue.following(0), Some(1));
        assert_eq!(queue.following(1), None);
        queue.repeat = Repeat::All;
        assert_eq!(queue.following(1), Some(0));
        assert_eq!(queue.preceding(0), Some(1));
        queue.repeat = Repeat::One;
        assert_eq!(queue.following(1), Some(1));
    }

    #[test]
    fn insert_next_goes_after_the_current_item() {
        let mut queue = q(&["a", "b", "c"]);
        queue.current = Some(0);
        let at = queue.insert_next(vec![QueueItem::new("x".into())]);
        assert_eq!(at, 1);
        assert_eq!(names(&queue), ["a", "x", "b", "c"]);
    }

    #[test]
    fn removing_keeps_the_current_index_on_the_same_item() {
        let mut queue = q(&["a", "b", "c"]);
        queue.current = Some(2);
        queue.remove(0);
        assert_eq!(queue.current, Some(1));
        queue.remove(1);
        assert_eq!(queue.current, None);
    }

    #[test]
    fn after_the_playing_item_is_removed_what_followed_it_still_follows() {
        let mut queue = q(&["a", "b", "c", "d"]);
        queue.current = Some(1);
        queue.remove(1); // b, playing
        assert_eq!((queue.current, queue.gap), (None, Some(1)));
        assert_eq!(queue.next_index(), Some(1), "c");
        assert_eq!(
            queue.upcoming_start(),
            1,
            "a was played: it is not upcoming"
        );
        queue.remove(0); // a, before it
        assert_eq!(queue.next_index(), Some(0), "still c");
        let at = queue.insert_next(vec![QueueItem::new("x".into())]);
        assert_eq!(names(&queue), ["x", "c", "d"]);
        assert_eq!(
            (at, queue.next_index()),
            (0, Some(0)),
            "p's track plays next"
        );
        // At the end of the queue: nothing follows, unless repeat all starts it again.
        let mut queue = q(&["a", "b"]);
        queue.current = Some(1);
        queue.remove(1);
        assert_eq!(queue.next_index(), None);
        queue.repeat = Repeat::All;
        assert_eq!(queue.next_index(), Some(0));
        // Once a track is current again the gap is not read.
        queue.current = Some(0);
        assert_eq!(queue.next_index(), Some(0), "repeat all over one item");
        queue.clear();
        assert_eq!((queue.gap, queue.upcoming_start()), (None, 0));
    }

    #[test]
    fn moving_an_item_pins_it_and_tracks_the_current_one() {
        let mut queue = q(&["a", "b", "c"]);
        queue.current = Some(1);
        assert_eq!(queue.move_item(1, false), Some(2));
        assert_eq!(names(&queue), ["a", "c", "b"]);
        assert!(queue.items[2].pinned);
        assert_eq!(queue.current, Some(2));
        assert_eq!(queue.move_item(0, true), None);
    }

    #[test]
    fn when_at_most_one_upcoming_item_is_free_shuffle_moves_the_pinned_ones_too() {
        let mut queue = q(&["a", "b", "c", "d", "e", "f"]);
        queue.current = Some(0);
        for i in 1..5 {
            queue.items[i].pinned = true;
        }
        assert_eq!(queue.shuffle(42), (5, 0));
        let n = names(&queue);
        assert_eq!(n[0], "a");
        assert_ne!(n, ["a", "b", "c", "d", "e", "f"], "seed 42 moves something");
        assert!(queue.items[1..].iter().filter(|i| i.pinned).count() == 4);
        let mut sorted = n.clone();
        sorted.sort();
        assert_eq!(sorted, ["a", "b", "c", "d", "e", "f"]);
        // Nothing after the current item: nothing to do.
        queue.current = Some(5);
        assert_eq!(queue.shuffle(7), (0, 0));
    }

    #[test]
    fn shuffle_keeps_pinned_items_and_everything_up_to_the_current_one() {
        let mut queue = q(&["a", "b", "c", "d", "e", "f", "g"]);
        queue.current = Some(1);
        queue.items[4].pinned = true;
        assert_eq!(queue.shuffle(42), (4, 1));
        let n = names(&queue);
        assert_eq!(&n[..2], ["a", "b"]);
        assert_eq!(n[4], "e");
        let mut sorted = n.clone();
        sorted.sort();
        assert_eq!(sorted, ["a", "b", "c", "d", "e", "f", "g"]);
        assert_ne!(
            n,
            ["a", "b", "c", "d", "e", "f", "g"],
            "seed 42 moves something"
        );
    }
}
