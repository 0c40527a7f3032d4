//! [`MoodHead`]: the learned map from what the tagger measured (musicnn tags and embeddings, the
//! signal features) to a mood. Pure: the head's numbers in (parsed from the JSON that
//! `tools/mood/fit_head.py` writes; `weights.rs` reads the file), a [`MoodVector`] out.
//!
//! The head is a regularised model (logistic, or an average of small networks: see below) over
//! standardised inputs. Each input is named (`msd:sad` a tag probability, `msd_emb:17` an
//! embedding unit, `sig:mode` a signal feature; see [`HeadInputs`]) and has a transform (`id`, `logit` for probabilities, `log` for positive
//! quantities such as Hz or BPM), and may be gated: multiplied by another input's raw value
//! (`sig:mode` × `msd:instrumental` lets one linear head read mode differently in music without
//! vocals). Two kinds of output:
//! - `axes`: two logistic regressions, `p_v = P(valence > 0)` and `p_a = P(arousal > 0)`;
//!   valence `= 2·p_v − 1`, arousal `= 2·p_a − 1`; the label's probability is the product of the
//!   two sides' probabilities;
//! - `quadrants`: a softmax over the four quadrants (happy, tense, sad, calm); valence and
//!   arousal are the probability-weighted quadrant signs; the label's probability is its own.
//!
//! Either way the label is the quadrant of (valence, arousal), and the confidence is the label's
//! probability rescaled so that chance (1/4) is 0 and certainty 1: near a boundary it is low.
//!
//! The rows are computed by one or more [`Member`]s (`head_net.rs`): a linear head is the file's
//! top-level `weights` and `bias`; a `members` list (quadrants only) is an average of small
//! networks (one hidden ReLU layer each), whose four probabilities are averaged before valence,
//! arousal and the label are read from them.

use std::collections::HashMap;

use serde::Deserialize;

use super::head_net::{Dense, Member};
use super::vector::{MoodLabel, MoodVector};

/// The raw inputs of one track, by name (see the module docs for the naming).
pub type HeadInputs = HashMap<String, f32>;

/// How an input is transformed before standardisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transform {
    Id,
    /// `ln(p / (1 − p))`, with `p` clamped to [1e-4, 1 − 1e-4].
    Logit,
    /// `ln(max(x, 1e-3))`.
    Log,
}

impl Transform {
    fn apply(self, x: f32) -> f32 {
        match self {
            Transform::Id => x,
            Transform::Logit => {
                let p = x.clamp(1e-4, 1.0 - 1e-4);
                (p / (1.0 - p)).ln()
            }
            Transform::Log => x.max(1e-3).ln(),
        }
    }
}

/// What the head's rows predict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outputs {
    /// Row 0: valence > 0; row 1: arousal > 0 (logistic).
    Axes,
    /// Rows: happy, tense, sad, calm (softmax).
    Quadrants,
}

/// One input: `transform(raw[name])`, times `raw[gate]` when gated.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Input {
    pub name: String,
    pub transform: Transform,
    /// Another input's raw value that multiplies this one (e.g. `msd:instrumental`, so that
    /// the head can weigh a signal feature differently in music without vocals).
    #[serde(default)]
    pub gate: Option<String>,
}

/// The head's JSON as written: either `weights` and `bias` (linear) or `members`.
#[derive(Deserialize)]
struct HeadFile {
    name: String,
    inputs: Vec<Input>,
    mean: Vec<f32>,
    scale: Vec<f32>,
    outputs: Outputs,
    #[serde(default)]
    weights: Option<Vec<Vec<f32>>>,
    #[serde(default)]
    bias: Option<Vec<f32>>,
    #[serde(default)]
    members: Vec<Member>,
}

/// A fitted head (parsed from the JSON that `tools/mood/fit_head.py` writes).
#[derive(Clone, Debug, PartialEq)]
pub struct MoodHead {
    /// Names the head in cached moods: another name's cache entries are recomputed.
    pub name: String,
    pub inputs: Vec<Input>,
    /// Per input, after its transform: `(x − mean) / scale`.
    pub mean: Vec<f32>,
    pub scale: Vec<f32>,
    pub outputs: Outputs,
    /// The members whose probabilities are averaged (a linear head: one, without hidden layer).
    pub members: Vec<Member>,
}

impl MoodHead {
    /// Parses and checks the head's JSON (the sizes must agree).
    pub fn from_json(bytes: &[u8]) -> Result<MoodHead, String> {
        let file: HeadFile =
            serde_json::from_slice(bytes).map_err(|e| format!("not a mood head: {e}"))?;
        let n = file.inputs.len();
        let rows = match file.outputs {
            Outputs::Axes => 2,
            Outputs::Quadrants => 4,
        };
        if n == 0 || file.mean.len() != n || file.scale.len() != n {
            return Err(format!(
                "{n} inputs but {} means and {} scales",
                file.mean.len(),
                file.scale.len()
            ));
        }
        if file.scale.iter().any(|&s| s <= 0.0 || !s.is_finite()) {
            return Err("a scale is not positive".into());
        }
        let members = match (file.weights, file.bias, file.members.is_empty()) {
            (Some(weights), Some(bias), true) => vec![Member {
                hidden: None,
                output: Dense { weights, bias },
            }],
            (None, None, false) if file.outputs == Outputs::Quadrants => file.members,
            (None, None, false) => return Err("members need quadrant outputs".into()),
            _ => return Err("either `weights` and `bias` or `members` expected".into()),
        };
        for member in &members {
            member.check(n, rows)?;
        }
        Ok(MoodHead {
            name: file.name,
            inputs: file.inputs,
            mean: file.mean,
            scale: file.scale,
            outputs: file.outputs,
            members,
        })
    }

    /// Whether any input (or gate) comes from the named source (`"mtt"`, `"msd_emb"`, `"sig"`).
    pub fn uses(&self, source: &str) -> bool {
        self.inputs
            .iter()
            .flat_map(|i| std::iter::once(&i.name).chain(i.gate.as_ref()))
            .any(|name| name.split(':').next() == Some(source))
    }

    /// The standardised input vector, or the name of the first input missing from `raw`.
    pub fn standardise(&self, raw: &HeadInputs) -> Result<Vec<f32>, String> {
        self.inputs
            .iter()
            .zip(self.mean.iter().zip(&self.scale))
            .map(|(input, (m, s))| {
                let get = |name: &String| raw.get(name).copied().ok_or_else(|| name.clone());
                let mut x = input.transform.apply(get(&input.name)?);
                if let Some(gate) = &input.gate {
                    x *= get(gate)?;
                }
                Ok((x - m) / s)
            })
            .collect()
    }

    /// The mood of a track from its raw inputs (`top_tags` are passed through). Missing
    /// inputs: an error naming the first.
    pub fn predict(
        &self,
        raw: &HeadInputs,
        top_tags: Vec<(String, f32)>,
    ) -> Result<MoodVector, String> {
        let x = self.standardise(raw)?;
        let (valence, arousal, p_label) = match self.outputs {
            Outputs::Axes => {
                // from_json allows one member only here.
                let z = self.members[0].logits(&x);
                let (pv, pa) = (sigmoid(z[0]), sigmoid(z[1]));
                let side = |p: f32| p.max(1.0 - p);
                (2.0 * pv - 1.0, 2.0 * pa - 1.0, side(pv) * side(pa))
            }
            Outputs::Quadrants => {
                let mut p = [0.0f32; 4];
                for member in &self.members {
                    for (sum, q) in p.iter_mut().zip(softmax(&member.logits(&x))) {
                        *sum += q / self.members.len() as f32;
                    }
                }
                // happy (+,+), tense (−,+), sad (−,−), calm (+,−)
                let valence = p[0] + p[3] - p[1] - p[2];
                let arousal = p[0] + p[1] - p[2] - p[3];
                let index = match MoodLabel::of(valence, arousal) {
                    MoodLabel::EnergeticHappy => 0,
                    MoodLabel::TenseAngry => 1,
                    MoodLabel::MelancholicSad => 2,
                    _ => 3,
                };
                (valence, arousal, p[index])
            }
        };
        Ok(MoodVector {
            valence: valence.clamp(-1.0, 1.0),
            arousal: arousal.clamp(-1.0, 1.0),
            label: MoodLabel::of(valence, arousal),
            confidence: ((p_label - 0.25) / 0.75).clamp(0.0, 1.0),
            top_tags,
        })
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

fn softmax(z: &[f32]) -> Vec<f32> {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = z.iter().map(|v| (v - max).exp()).collect();
    let sum: f32 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(outputs: &str, weights: &str, bias: &str) -> MoodHead {
        let json = format!(
            r#"{{"name": "t", "inputs": [{{"name": "sig:mode", "transform": "id"}},
                {{"name": "msd:sad", "transform": "logit"}}],
                "mean": [0.0, 0.0], "scale": [1.0, 2.0], "outputs": "{outputs}",
                "weights": {weights}, "bias": {bias}}}"#
        );
        MoodHead::from_json(json.as_bytes()).expect("valid head")
    }

    fn raw(mode: f32, sad: f32) -> HeadInputs {
        [("sig:mode".to_string(), mode), ("msd:sad".to_string(), sad)].into()
    }

    #[test]
    fn axes_give_valence_and_arousal_from_two_logistic_rows() {
        let h = head("axes", "[[2.0, 0.0], [0.0, -1.0]]", "[0.0, 0.0]");
        let m = h.predict(&raw(1.0, 0.5), vec![]).unwrap();
        // p_v = σ(2) = 0.881; p_a = σ(0) = 0.5.
        assert!((m.valence - 0.7616).abs() < 1e-3, "{m:?}");
        assert!(m.arousal.abs() < 1e-6, "{m:?}");
        // The label's probability is 0.881 · 0.5 = 0.440: (0.440 − 0.25) / 0.75.
        assert!((m.confidence - 0.2539).abs() < 1e-3, "{m:?}");
        let sure = h.predict(&raw(3.0, 0.001), vec![]).unwrap();
        assert_eq!(sure.label, MoodLabel::EnergeticHappy);
        assert!(sure.confidence > 0.8, "{sure:?}");
    }

    #[test]
    fn quadrants_give_the_probability_weighted_signs() {
        let h = head(
            "quadrants",
            "[[0,0],[0,0],[1,0],[0,0]]",
            "[0.0, 0.0, 0.0, 0.0]",
        );
        let m = h.predict(&raw(2.0, 0.5), vec![]).unwrap();
        // z = [0, 0, 2, 0]: p_sad = e²/(3 + e²) = 0.711, the others 0.0963 each; valence
        // = 0.0963 + 0.0963 − 0.0963 − 0.711 = −0.615, and arousal the same.
        assert_eq!(m.label, MoodLabel::MelancholicSad);
        assert!((m.valence + 0.615).abs() < 1e-3, "{m:?}");
        assert!((m.arousal + 0.615).abs() < 1e-3, "{m:?}");
        assert!((m.confidence - (0.711 - 0.25) / 0.75).abs() < 1e-3, "{m:?}");
    }

    #[test]
    fn a_missing_input_is_named_and_bad_files_are_refused() {
        let h = head("axes", "[[1,0],[0,1]]", "[0,0]");
        let missing = h.predict(&HeadInputs::new(), vec![]).unwrap_err();
        assert_eq!(missing, "sig:mode");
        assert!(MoodHead::from_json(b"{}").is_err());
        let short = r#"{"name": "t", "inputs": [{"name": "a", "transform": "id"}],
            "mean": [0], "scale": [1], "outputs": "axes", "weights": [[1]], "bias": [0]}"#;
        assert!(MoodHead::from_json(short.as_bytes()).is_err());
        assert!(h.uses("sig") && h.uses("msd") && !h.uses("mtt"));
    }

    #[test]
    fn a_gated_input_is_multiplied_by_the_gate() {
        let json = r#"{"name": "t", "inputs": [{"name": "sig:mode", "transform": "id",
            "gate": "msd:instrumental"}], "mean": [0.0], "scale": [1.0], "outputs": "axes",
            "weights": [[2.0], [0.0]], "bias": [0.0, 0.0]}"#;
        let h = MoodHead::from_json(json.as_bytes()).unwrap();
        let mut raw: HeadInputs = [("sig:mode".to_string(), 0.5)].into();
        assert_eq!(h.standardise(&raw).unwrap_err(), "msd:instrumental");
        raw.insert("msd:instrumental".into(), 0.2);
        assert!((h.standardise(&raw).unwrap()[0] - 0.1).abs() < 1e-6);
        assert!(h.uses("msd") && h.uses("sig") && !h.uses("mtt"));
    }

    #[test]
    fn members_average_their_probabilities_before_the_label_is_read() {
        // Two members over one input x = sig:mode: the first (a hidden unit relu(x)) puts 2·h on
        // sad; the second (linear) puts −x on sad. At x = 1: member 1 gives z = [0, 0, 2, 0]
        // (p_sad = 0.7112, the others 0.0963), member 2 z = [0, 0, −1, 0] (p_sad = 0.1092, the
        // others 0.2969). Averaged: p_sad = 0.4102, the others 0.1966.
        let json = r#"{"name": "t", "inputs": [{"name": "sig:mode", "transform": "id"}],
            "mean": [0.0], "scale": [1.0], "outputs": "quadrants", "members": [
             {"hidden": {"weights": [[1.0]], "bias": [0.0]},
              "output": {"weights": [[0], [0], [2], [0]], "bias": [0, 0, 0, 0]}},
             {"output": {"weights": [[0], [0], [-1], [0]], "bias": [0, 0, 0, 0]}}]}"#;
        let h = MoodHead::from_json(json.as_bytes()).expect("valid head");
        assert_eq!(h.members.len(), 2);
        let m = h
            .predict(&[("sig:mode".to_string(), 1.0)].into(), vec![])
            .unwrap();
        assert_eq!(m.label, MoodLabel::MelancholicSad);
        // valence = p_happy + p_calm − p_tense − p_sad = 0.1966 − 0.4102; arousal the same.
        assert!((m.valence + 0.2136).abs() < 1e-3, "{m:?}");
        assert!((m.arousal + 0.2136).abs() < 1e-3, "{m:?}");
        assert!(
            (m.confidence - (0.4102 - 0.25) / 0.75).abs() < 1e-3,
            "{m:?}"
        );
        // At x = −1 the hidden unit is off: member 1 is uniform, member 2 leans to sad.
        let m = h
            .predict(&[("sig:mode".to_string(), -1.0)].into(), vec![])
            .unwrap();
        // p_sad = (0.25 + e/(3 + e)) / 2 = (0.25 + 0.4754) / 2 = 0.3627.
        assert!(
            (m.confidence - (0.3627 - 0.25) / 0.75).abs() < 1e-3,
            "{m:?}"
        );
    }

    #[test]
    fn members_are_refused_with_axes_or_beside_linear_weights() {
        let member = r#"{"output": {"weights": [[1], [0]], "bias": [0, 0]}}"#;
        let axes = format!(
            r#"{{"name": "t", "inputs": [{{"name": "a", "transform": "id"}}], "mean": [0],
            "scale": [1], "outputs": "axes", "members": [{member}]}}"#
        );
        assert!(MoodHead::from_json(axes.as_bytes()).is_err());
        let both = r#"{"name": "t", "inputs": [{"name": "a", "transform": "id"}], "mean": [0],
            "scale": [1], "outputs": "quadrants", "weights": [[1], [0], [0], [0]],
            "bias": [0, 0, 0, 0], "members": [{"output": {"weights": [[1], [0], [0], [0]],
            "bias": [0, 0, 0, 0]}}]}"#;
        assert!(MoodHead::from_json(both.as_bytes()).is_err());
        let hidden_mismatch = r#"{"name": "t", "inputs": [{"name": "a", "transform": "id"}],
            "mean": [0], "scale": [1], "outputs": "quadrants", "members": [{"hidden":
            {"weights": [[1], [1]], "bias": [0, 0]}, "output": {"weights": [[1], [0], [0], [0]],
            "bias": [0, 0, 0, 0]}}]}"#;
        let err = MoodHead::from_json(hidden_mismatch.as_bytes()).unwrap_err();
        assert!(err.contains("output layer"), "{err}");
    }

    #[test]
    fn transforms_map_probabilities_and_positive_values() {
        assert!(Transform::Logit.apply(0.5).abs() < 1e-6);
        assert!((Transform::Logit.apply(0.0) - (1e-4f32 / (1.0 - 1e-4)).ln()).abs() < 1e-3);
        assert!((Transform::Log.apply(std::f32::consts::E) - 1.0).abs() < 1e-6);
        assert_eq!(Transform::Id.apply(-3.0), -3.0);
    }
}
