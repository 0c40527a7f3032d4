//! The real-library catalogue of `mien eval-reco --library DIR`: scans the folders into the
//! store, takes each track's cached mood tags (tagging the untagged ones with the musicnn tagger
//! and caching the result, as `mien tag` does), and turns them into a simulation catalogue whose
//! hidden styles are the albums.

use anyhow::Context as _;

use super::simulate::{catalogue_from_tracks, SimTrack};
use crate::app::browser::{album_key, artist_key};
use crate::core::Track;
use crate::library::scan;
use crate::mood::{ModelFiles, Tagger};
use crate::recommend::TrackMood;
use crate::root::Context;
use crate::store::{MoodRecord, Store};

/// A library made ready for the simulation, and what it took.
pub struct LibraryCatalogue {
    pub catalogue: Vec<SimTrack>,
    pub folders: Vec<String>,
    /// Tracks the tagger tagged now (the others came from the cache).
    pub tagged_now: usize,
    /// Tracks left out because they could not be tagged (no model, or undecodable).
    pub untagged: usize,
    pub albums: usize,
}

/// Scans `ctx.library`, tags what is untagged, and builds the catalogue (tracks in path order).
/// `progress`: say on stderr what is being tagged.
pub fn library_catalogue(ctx: &Context, progress: bool) -> anyhow::Result<LibraryCatalogue> {
    let store = ctx.open_store()?;
    let folders: Vec<String> = ctx
        .library
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    scan(&store, &ctx.library, &mut |_| {})
        .with_context(|| format!("cannot scan {}", folders.join(", ")))?;
    let mut tracks: Vec<Track> = store
        .all_tracks()?
        .into_iter()
        .filter(|t| ctx.library.iter().any(|root| t.path.starts_with(root)))
        .collect();
    tracks.sort_by(|a, b| a.path.cmp(&b.path));
    if tracks.is_empty() {
        anyhow::bail!("no playable tracks in {}", folders.join(", "));
    }
    let files = ModelFiles::shipped();
    let model = crate::mood::model_name(&files)?;
    let mut tagger: Option<Result<Tagger, String>> = None;
    let (mut tagged_now, mut untagged) = (0, 0);
    let mut entries: Vec<(TrackMood, String)> = Vec::new();
    for t in &tracks {
        let record = match store.fresh_mood(t.id, t.size, t.mtime_ns, &model)? {
            Some(r) => r,
            None => {
                let tagger =
                    tagger.get_or_insert_with(|| Tagger::load(&files).map_err(|e| e.to_string()));
                match tag(tagger, &model, &store, t, progress) {
                    Some(r) => {
                        tagged_now += 1;
                        r
                    }
                    None => {
                        untagged += 1;
                        continue;
                    }
                }
            }
        };
        let style = format!("{}\u{1f}{}", artist_key(t), album_key(t));
        entries.push((TrackMood::new(record.valence, record.arousal), style));
    }
    if entries.len() < 2 {
        anyhow::bail!(
            "only {} of the {} tracks in {} have mood tags: the evaluation needs at least 2 \
             (is the model in models/? see `mien doctor`)",
            entries.len(),
            tracks.len(),
            folders.join(", ")
        );
    }
    let mut albums: Vec<&String> = entries.iter().map(|e| &e.1).collect();
    albums.sort();
    albums.dedup();
    let albums = albums.len();
    Ok(LibraryCatalogue {
        catalogue: catalogue_from_tracks(&entries),
        folders,
        tagged_now,
        untagged,
        albums,
    })
}

/// Tags one track and caches the result; `None` (with a warning) when it cannot.
fn tag(
    tagger: &Result<Tagger, String>,
    model: &str,
    store: &Store,
    t: &Track,
    progress: bool,
) -> Option<MoodRecord> {
    let tagger = match tagger {
        Ok(tagger) => tagger,
        Err(e) => {
            tracing::warn!(path = %t.path.display(), error = %e, "no mood tagger: track left out");
            return None;
        }
    };
    if progress {
        crate::logging::eprint_line(&format!("tagging {}", t.path.display()));
    }
    match tagger.tag_file(&t.path) {
        Ok(result) => {
            let record = result.to_record(model, t.size, t.mtime_ns);
            if let Err(e) = store.set_mood(t.id, &record) {
                tracing::warn!(error = %e, path = %t.path.display(), "cannot cache the mood");
            }
            Some(record)
        }
        Err(e) => {
            tracing::warn!(error = %e, path = %t.path.display(), "cannot tag: track left out");
            None
        }
    }
}
