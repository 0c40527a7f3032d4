//! The saved play queue, for resuming where the listener left off: the `state` tree.
//!
//! Keys:
//! - `state`: `queue` → the [`SavedQueue`] as JSON.

use super::journal::Record;
use super::{decode, encode, lock, Result, Store};
use crate::core::SavedQueue;

pub(super) const TREE: &str = "state";
const QUEUE_KEY: &[u8] = b"queue";

impl Store {
    /// Replaces the saved queue. Journals it and flushes before returning, so the queue
    /// survives a crash and a damaged database; the journal keeps only the latest.
    pub fn save_queue(&self, queue: &SavedQueue) -> Result<()> {
        let mut journal = lock(&self.journal);
        journal.append(&[Record::Queue {
            queue: queue.clone(),
        }])?;
        self.put_queue(queue)?;
        self.flush()?;
        journal.compact_if_due();
        Ok(())
    }

    /// Writes the queue into the tree only (the journal already holds it).
    pub(super) fn put_queue(&self, queue: &SavedQueue) -> Result<()> {
        self.state
            .insert(QUEUE_KEY, encode(TREE, QUEUE_KEY, queue)?)?;
        Ok(())
    }

    /// The saved queue, `None` if none was ever saved.
    pub fn load_queue(&self) -> Result<Option<SavedQueue>> {
        self.state
            .get(QUEUE_KEY)?
            .map(|value| decode(TREE, QUEUE_KEY, &value))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::open_temp;
    use super::super::StoreError;
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn load_queue_is_none_until_one_is_saved_then_the_latest() {
        let (_dir, store) = open_temp();
        assert_eq!(store.load_queue().expect("load"), None);
        let mut queue = SavedQueue {
            paths: vec![PathBuf::from("/m/a.flac"), PathBuf::from("/m/b.mp3")],
            current: Some(1),
            position_ms: 42_000,
            ..Default::default()
        };
        store.save_queue(&queue).expect("save");
        queue.current = None;
        store.save_queue(&queue).expect("save");
        assert_eq!(store.load_queue().expect("load"), Some(queue));
    }

    #[test]
    fn an_undecodable_queue_is_corrupt() {
        let (_dir, store) = open_temp();
        store.state.insert(QUEUE_KEY, "{").expect("insert");
        assert!(matches!(
            store.load_queue(),
            Err(StoreError::Corrupt { tree: "state", .. })
        ));
    }
}
