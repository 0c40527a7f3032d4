//! Reordering the play queue by a ranking: the current item and everything before it stay, pinned
//! items (placed by hand) keep their positions, and only the other items after the current one
//! are put in ranking order. Pure; the UI thread calls it with the recommender's answer.

use crate::core::TrackId;

/// What the reordering needs from a queue entry.
pub trait QueueItemLike {
    fn track(&self) -> TrackId;
    /// Placed by hand: stays where it is.
    fn pinned(&self) -> bool;
}

impl QueueItemLike for (TrackId, bool) {
    fn track(&self) -> TrackId {
        self.0
    }
    fn pinned(&self) -> bool {
        self.1
    }
}

/// The new order of `queue` as indices into it (`new[k]` is the old index of the item that goes to
/// position `k`). Positions up to and including `current`, and pinned positions, keep their item;
/// the remaining items fill the remaining positions in the order of `ranking` (best first). Items
/// the ranking does not mention follow the ranked ones, in their old relative order.
pub fn reorder<Q: QueueItemLike>(
    queue: &[Q],
    current: Option<usize>,
    ranking: &[TrackId],
) -> Vec<usize> {
    let first_movable = current.map_or(0, |c| c.saturating_add(1));
    let slots: Vec<usize> = (first_movable..queue.len())
        .filter(|&i| !queue[i].pinned())
        .collect();
    let mut movable = slots.clone();
    // First position of each track in the ranking: O(1) per lookup, so a long queue reorders in
    // O(n log n) on the UI thread.
    let mut position: std::collections::HashMap<TrackId, usize> =
        std::collections::HashMap::with_capacity(ranking.len());
    for (k, t) in ranking.iter().enumerate() {
        position.entry(*t).or_insert(k);
    }
    let rank_of = |i: usize| {
        position
            .get(&queue[i].track())
            .copied()
            .unwrap_or(usize::MAX)
    };
    // A stable sort keeps unranked (and equal) items in their old order.
    movable.sort_by_key(|&i| rank_of(i));
    let mut order: Vec<usize> = (0..queue.len()).collect();
    for (slot, item) in slots.into_iter().zip(movable) {
        order[slot] = item;
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(pins: &[bool]) -> Vec<(TrackId, bool)> {
        pins.iter()
            .enumerate()
            .map(|(i, p)| (TrackId(i as u64), *p))
            .collect()
    }

    #[test]
    fn pinned_items_and_the_played_part_stay_and_the_rest_follow_the_ranking() {
        // 0 1 [2 current] 3 4(pinned) 5 6
        let q = queue(&[false, false, false, false, true, false, false]);
        let ranking = [TrackId(6), TrackId(0), TrackId(3), TrackId(4), TrackId(5)];
        assert_eq!(reorder(&q, Some(2), &ranking), vec![0, 1, 2, 6, 4, 3, 5]);
    }

    #[test]
    fn unranked_items_keep_their_relative_order_after_the_ranked_ones() {
        let q = queue(&[false; 5]);
        assert_eq!(reorder(&q, None, &[TrackId(3)]), vec![3, 0, 1, 2, 4]);
    }

    #[test]
    fn nothing_moves_when_everything_after_current_is_pinned_or_current_is_last() {
        let q = queue(&[false, true, true]);
        assert_eq!(
            reorder(&q, Some(0), &[TrackId(2), TrackId(1)]),
            vec![0, 1, 2]
        );
        let q = queue(&[false, false]);
        assert_eq!(reorder(&q, Some(1), &[TrackId(1), TrackId(0)]), vec![0, 1]);
        assert!(reorder(&queue(&[]), None, &[]).is_empty());
    }
}
