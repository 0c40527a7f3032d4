//! The head's inputs for one track, by name: each network's tag probabilities, embedding and
//! pooled features on a patch (`PREFIX:tag`, `PREFIX_emb:i`, `PREFIX_pool:i`), the signal
//! features (`sig:NAME`), and their mean over the patches. [`super::tagger`] fills them in.

use super::head::HeadInputs;
use super::signal::SignalFeatures;

/// One network's outputs on one patch.
pub(super) struct NetOut {
    pub probs: Vec<f32>,
    /// The penultimate layer.
    pub embedding: Vec<f32>,
    /// The pooled mid-end features (empty unless [`Tagger::with_pooled`]).
    pub pooled: Vec<f32>,
}

/// Adds `row` into `acc`, element by element.
pub(super) fn add_into(acc: &mut [f32], row: &[f32]) {
    for (a, x) in acc.iter_mut().zip(row) {
        *a += x;
    }
}

/// `PREFIX:tag` for each probability, `PREFIX_emb:i` for each unit of the penultimate layer and
/// `PREFIX_pool:i` for each pooled mid-end feature (when computed).
pub(super) fn add_network_inputs(
    inputs: &mut HeadInputs,
    prefix: &str,
    tags: &[String],
    out: &NetOut,
) {
    for (tag, p) in tags.iter().zip(&out.probs) {
        inputs.insert(format!("{prefix}:{tag}"), *p);
    }
    for (i, x) in out.embedding.iter().enumerate() {
        inputs.insert(format!("{prefix}_emb:{i}"), *x);
    }
    for (i, x) in out.pooled.iter().enumerate() {
        inputs.insert(format!("{prefix}_pool:{i}"), *x);
    }
}

/// The mean of each input over the patches (the signal features are replaced by their own
/// mean afterwards, see [`SignalFeatures::mean`]).
pub(super) fn mean_inputs(patches: &[HeadInputs]) -> HeadInputs {
    let mut mean = HeadInputs::new();
    for p in patches {
        for (k, v) in p {
            *mean.entry(k.clone()).or_insert(0.0) += v;
        }
    }
    let n = patches.len().max(1) as f32;
    mean.values_mut().for_each(|v| *v /= n);
    mean
}

/// `sig:NAME` for each signal feature.
pub(super) fn add_signal_inputs(inputs: &mut HeadInputs, f: &SignalFeatures) {
    let named = [
        ("loudness_db", f.loudness_db),
        ("loudness_range_db", f.loudness_range_db),
        ("onset_rate", f.onset_rate),
        ("tempo_bpm", f.tempo_bpm),
        ("pulse_clarity", f.pulse_clarity),
        ("centroid_hz", f.centroid_hz),
        ("low_energy", f.low_energy),
        ("flux", f.flux),
        ("key_clarity", f.key_clarity),
        ("mode", f.mode),
    ];
    for (name, x) in named {
        inputs.insert(format!("sig:{name}"), x);
    }
}
