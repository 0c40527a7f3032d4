//! Explicit ratings: the `ratings` tree.
//!
//! Keys:
//! - `ratings`: the [`TrackId`] as 8 big-endian bytes → one byte, the stars (1 to 5). Not JSON: a
//!   byte outside 1..=5 is [`StoreError::Corrupt`](super::StoreError::Corrupt).

use super::journal::Record;
use super::{corrupt, decode_track_id, lock, Result, Store};
use crate::core::{Rating, TrackId};

pub(super) const TREE: &str = "ratings";

fn decode_rating(key: &[u8], value: &[u8]) -> Result<Rating> {
    match value {
        [stars] => Rating::new(*stars)
            .ok_or_else(|| corrupt(TREE, key, format!("rating byte {stars} is not 1 to 5"))),
        _ => Err(corrupt(
            TREE,
            key,
            format!("rating is {} bytes, not 1", value.len()),
        )),
    }
}

impl Store {
    /// Sets the track's rating, or clears it with `None`. Journals it (fsynced) and then flushes
    /// the database before returning: a rating is on disk twice before it is acknowledged, so
    /// neither a crash right after nor a damaged database can lose it.
    pub fn set_rating(&self, id: TrackId, rating: Option<Rating>) -> Result<()> {
        let mut journal = lock(&self.journal);
        journal.append(&[Record::Rating {
            track: id,
            stars: rating.map_or(0, Rating::stars),
        }])?;
        self.put_rating(id, rating)?;
        self.flush()?;
        journal.compact_if_due();
        Ok(())
    }

    /// Writes a rating into the tree only (the journal already holds it).
    pub(super) fn put_rating(&self, id: TrackId, rating: Option<Rating>) -> Result<()> {
        let key = id.to_be_bytes();
        match rating {
            Some(rating) => self.ratings.insert(key, &[rating.stars()][..])?,
            None => self.ratings.remove(key)?,
        };
        Ok(())
    }

    /// The track's rating, if it has one.
    pub fn rating(&self, id: TrackId) -> Result<Option<Rating>> {
        let key = id.to_be_bytes();
        self.ratings
            .get(key)?
            .map(|value| decode_rating(&key, &value))
            .transpose()
    }

    /// Every rating, in track-id order.
    pub fn ratings(&self) -> Result<Vec<(TrackId, Rating)>> {
        self.ratings
            .iter()
            .map(|entry| {
                let (key, value) = entry?;
                Ok((decode_track_id(TREE, &key)?, decode_rating(&key, &value)?))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::open_temp;
    use super::super::StoreError;
    use super::*;

    fn stars(n: u8) -> Rating {
        Rating::new(n).expect("1..=5")
    }

    #[test]
    fn set_rating_is_read_back_and_listed_in_id_order() {
        let (_dir, store) = open_temp();
        store.set_rating(TrackId(9), Some(stars(5))).expect("set");
        store.set_rating(TrackId(2), Some(stars(1))).expect("set");
        store.set_rating(TrackId(2), Some(stars(3))).expect("set");
        assert_eq!(store.rating(TrackId(2)).expect("get"), Some(stars(3)));
        assert_eq!(store.rating(TrackId(1)).expect("get"), None);
        assert_eq!(
            store.ratings().expect("all"),
            vec![(TrackId(2), stars(3)), (TrackId(9), stars(5))]
        );
    }

    #[test]
    fn set_rating_none_clears_it() {
        let (_dir, store) = open_temp();
        store.set_rating(TrackId(2), Some(stars(4))).expect("set");
        store.set_rating(TrackId(2), None).expect("clear");
        store.set_rating(TrackId(3), None).expect("clear unrated");
        assert_eq!(store.rating(TrackId(2)).expect("get"), None);
        assert!(store.ratings().expect("all").is_empty());
    }

    #[test]
    fn a_rating_byte_outside_one_to_five_is_corrupt_not_a_panic() {
        let (_dir, store) = open_temp();
        for bad in [&[0u8][..], &[6], &[], &[3, 3]] {
            store
                .ratings
                .insert(TrackId(5).to_be_bytes(), bad)
                .expect("insert");
            let err = store.rating(TrackId(5)).expect_err("corrupt");
            assert!(
                matches!(&err, StoreError::Corrupt { tree: "ratings", key, .. } if key == "0000000000000005"),
                "{err:?}"
            );
            assert!(matches!(store.ratings(), Err(StoreError::Corrupt { .. })));
        }
    }
}
