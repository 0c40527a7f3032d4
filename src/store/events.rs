//! The recommender's trees (owned and laid out by `crate::recommend::persist`, which documents
//! their keys): `reco_events`, the append-only listening-event log, and `reco_derived`, the tables
//! derived from it. The store only opens them.

use super::{Result, Store};

pub(super) const EVENTS_TREE: &str = "reco_events";
pub(super) const DERIVED_TREE: &str = "reco_derived";

/// The recommender's two trees in this database.
#[derive(Clone)]
pub struct RecommenderTrees {
    pub events: sled::Tree,
    pub derived: sled::Tree,
}

impl Store {
    /// Opens (creating if needed) the recommender's trees.
    pub fn recommender_trees(&self) -> Result<RecommenderTrees> {
        Ok(RecommenderTrees {
            events: self.db.open_tree(EVENTS_TREE)?,
            derived: self.db.open_tree(DERIVED_TREE)?,
        })
    }
}
