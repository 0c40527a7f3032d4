//! `mien tag FILE... [--json] [--model FILE] [--head FILE] [--patches N]`: tags each file with
//! musicnn and the mood head and prints its tags and mood. Runs on the main thread, one file
//! after another.
//!
//! With `--json` the output is one JSON array, one entry per line, in the order given:
//! `{"path", "tags": {name: prob}, "mood": {"valence", "arousal", "label", "confidence"},
//! "seconds", "cached"}` (`seconds`: time spent on that file), plus `"features": {name: value}`
//! (the signal features), `"timings": {"decode", "mel", "model", "features"}, "patches",
//! "audio_seconds"` when it was tagged now, or `{"path", "error"}` for a file that could not be
//! decoded. Results are cached in the database (`moods` tree) keyed by track id with the file's
//! size and mtime and the model's name: an unchanged file is answered from the cache
//! (`"cached": true`). Without the database (in use by the player) every file is tagged.
//!
//! Exit status 0 when at least one file was tagged (a failed file is reported in its entry, or
//! on stderr without `--json`); a missing or invalid model, or no file tagged, is an error.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use serde_json::{json, Map, Value};

use super::{absolute, Context};
use crate::cli::MoodModelArgs;
use crate::core::TrackId;
use crate::mood::{ModelFiles, MoodError, TagResult, Tagger};
use crate::store::{MoodRecord, Store};

/// The tagger the options ask for, and whether its results are the player's (cacheable).
pub fn tagger(args: &MoodModelArgs, files: ModelFiles) -> anyhow::Result<(Tagger, bool)> {
    let files = ModelFiles {
        msd: args.model.clone().unwrap_or(files.msd),
        head: args.head.clone().or(files.head),
        ..files
    };
    let mut tagger = Tagger::load(&files)?;
    let mut custom = args.model.is_some() || args.head.is_some();
    if let Some(n) = args.patches.map(usize::from) {
        custom |= n != tagger.max_patches;
        tagger.max_patches = n;
    }
    Ok((tagger, !custom))
}

pub fn run(
    ctx: &Context,
    files: &[PathBuf],
    json: bool,
    args: &MoodModelArgs,
) -> anyhow::Result<()> {
    let (tagger, shipped) = tagger(args, ModelFiles::shipped())?;
    let model = tagger.model_name();
    // The cache is optional: with the database in use (the player is running) tag anyway. A
    // non-default model or patch count neither reads nor writes it (its results are not the
    // player's).
    let store = if shipped {
        ctx.open_store()
            .map_err(
                |e| tracing::warn!(error = %format!("{e:#}"), "tagging without the mood cache"),
            )
            .ok()
    } else {
        None
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut tagged = 0;
    if json {
        writeln!(out, "[")?;
    }
    for (i, file) in files.iter().enumerate() {
        let path = absolute(file);
        let started = Instant::now();
        let result = tag_one(&tagger, &model, store.as_ref(), &path);
        let seconds = started.elapsed().as_secs_f64();
        if result.is_ok() {
            tagged += 1;
        }
        if json {
            let sep = if i + 1 < files.len() { "," } else { "" };
            writeln!(out, "{}{sep}", entry(&path, &result, seconds))?;
        } else {
            match &result {
                Ok(t) => writeln!(out, "{}", summary(&path, t, seconds))?,
                Err(e) => crate::logging::eprint_line(&format!("mien: {e}")),
            }
        }
        out.flush().context("cannot write to stdout")?;
    }
    if json {
        writeln!(out, "]")?;
    }
    if tagged == 0 {
        anyhow::bail!("none of the {} file(s) could be tagged", files.len());
    }
    Ok(())
}

/// A file's tags: from the cache when the file is unchanged, else from the tagger (and cached).
struct Tagged {
    record: MoodRecord,
    /// `None` when the record came from the cache.
    fresh: Option<TagResult>,
}

fn tag_one(
    tagger: &Tagger,
    model: &str,
    store: Option<&Store>,
    path: &Path,
) -> Result<Tagged, MoodError> {
    let stamp = std::fs::metadata(path)
        .ok()
        .map(|m| crate::library::file_stamp(&m));
    let id = TrackId::from_path(path);
    if let (Some(store), Some((size, mtime_ns))) = (store, stamp) {
        match store.fresh_mood(id, size, mtime_ns, model) {
            Ok(Some(record)) => {
                return Ok(Tagged {
                    record,
                    fresh: None,
                })
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "ignoring the cached mood"),
        }
    }
    let result = tagger.tag_file(path)?;
    let (size, mtime_ns) = stamp.unwrap_or((0, 0));
    let record = result.to_record(model, size, mtime_ns);
    if let (Some(store), Some(_)) = (store, stamp) {
        if let Err(e) = store.set_mood(id, &record) {
            tracing::warn!(error = %e, path = %path.display(), "cannot cache the mood");
        }
    }
    Ok(Tagged {
        record,
        fresh: Some(result),
    })
}

/// One file's JSON entry.
fn entry(path: &Path, result: &Result<Tagged, MoodError>, seconds: f64) -> Value {
    let path = crate::core::path_serde::to_json(path);
    let t = match result {
        Ok(t) => t,
        Err(e) => return json!({ "path": path, "error": e.to_string() }),
    };
    let r = &t.record;
    let tags: Map<String, Value> = r
        .tags
        .iter()
        .map(|(name, p)| (name.clone(), json!(round(*p, 4))))
        .collect();
    let mut v = json!({
        "path": path,
        "tags": tags,
        "mood": {
            "valence": round(r.valence, 3),
            "arousal": round(r.arousal, 3),
            "label": r.label,
            "confidence": round(r.confidence, 3),
        },
        "seconds": ms(seconds),
        "cached": t.fresh.is_none(),
    });
    if let Some(f) = &t.fresh {
        v["timings"] = json!({
            "decode": ms(f.timings.decode),
            "mel": ms(f.timings.mel),
            "model": ms(f.timings.model),
            "features": ms(f.timings.features),
        });
        v["features"] = features_json(&f.features);
        v["patches"] = json!(f.patches);
        v["audio_seconds"] = json!(ms(f.audio_seconds));
    }
    v
}

/// One line for a person: mood, valence/arousal and the top tags.
fn summary(path: &Path, t: &Tagged, seconds: f64) -> String {
    let r = &t.record;
    let mut tags = r.tags.clone();
    tags.sort_by(|a, b| b.1.total_cmp(&a.1));
    let top: Vec<String> = tags
        .iter()
        .take(5)
        .map(|(name, p)| format!("{name} {p:.2}"))
        .collect();
    format!(
        "{}: {} (valence {:+.2}, arousal {:+.2}, confidence {:.2}); {}; {:.2} s{}",
        path.display(),
        r.label,
        r.valence,
        r.arousal,
        r.confidence,
        if top.is_empty() {
            "silent".to_string()
        } else {
            top.join(", ")
        },
        seconds,
        if t.fresh.is_none() { " (cached)" } else { "" },
    )
}

/// The signal features as a JSON object, rounded to 4 digits.
pub fn features_json(f: &crate::mood::SignalFeatures) -> Value {
    match serde_json::to_value(f) {
        Ok(Value::Object(map)) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let x = v.as_f64().map_or(v, |x| json!((x * 1e4).round() / 1e4));
                    (k, x)
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// Seconds rounded to the millisecond.
fn ms(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

fn round(x: f32, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (f64::from(x) * scale).round() / scale
}
