//! The arithmetic of one member of a [`super::head::MoodHead`]: an optional hidden layer of
//! rectified linear units, then linear output rows (logits). Pure; parsed from the head's JSON.
//!
//! A linear head is one member without a hidden layer; the `mlp` heads that
//! `tools/mood/fit_head.py` writes are several members (one per seed), each with a hidden layer,
//! whose softmax probabilities the head averages.

use serde::Deserialize;

/// A dense layer: `weights · x + bias`, one row per output.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Dense {
    pub weights: Vec<Vec<f32>>,
    pub bias: Vec<f32>,
}

impl Dense {
    /// Checks that the layer maps `inputs` values to `bias.len()` outputs.
    fn check(&self, inputs: usize, what: &str) -> Result<(), String> {
        if self.weights.len() != self.bias.len() {
            return Err(format!(
                "{what}: {} weight rows but {} biases",
                self.weights.len(),
                self.bias.len()
            ));
        }
        if let Some(row) = self.weights.iter().find(|r| r.len() != inputs) {
            return Err(format!(
                "{what}: a weight row has {} values for {inputs} inputs",
                row.len()
            ));
        }
        if self
            .weights
            .iter()
            .flatten()
            .chain(&self.bias)
            .any(|v| !v.is_finite())
        {
            return Err(format!("{what}: a weight is not finite"));
        }
        Ok(())
    }

    fn apply(&self, x: &[f32]) -> Vec<f32> {
        self.weights
            .iter()
            .zip(&self.bias)
            .map(|(row, b)| row.iter().zip(x).map(|(w, x)| w * x).sum::<f32>() + b)
            .collect()
    }
}

/// One member: `output(relu(hidden(x)))`, or `output(x)` without a hidden layer.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Member {
    #[serde(default)]
    pub hidden: Option<Dense>,
    pub output: Dense,
}

impl Member {
    /// Checks the sizes: `inputs` standardised inputs in, `outputs` logits out.
    pub fn check(&self, inputs: usize, outputs: usize) -> Result<(), String> {
        let width = match &self.hidden {
            Some(hidden) => {
                if hidden.bias.is_empty() {
                    return Err("a hidden layer without units".into());
                }
                hidden.check(inputs, "hidden layer")?;
                hidden.bias.len()
            }
            None => inputs,
        };
        self.output.check(width, "output layer")?;
        if self.output.bias.len() != outputs {
            return Err(format!("{outputs} outputs expected"));
        }
        Ok(())
    }

    /// The member's logits for standardised inputs `x`.
    pub fn logits(&self, x: &[f32]) -> Vec<f32> {
        match &self.hidden {
            Some(hidden) => {
                let h: Vec<f32> = hidden.apply(x).into_iter().map(|v| v.max(0.0)).collect();
                self.output.apply(&h)
            }
            None => self.output.apply(x),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dense(weights: &[&[f32]], bias: &[f32]) -> Dense {
        Dense {
            weights: weights.iter().map(|r| r.to_vec()).collect(),
            bias: bias.to_vec(),
        }
    }

    #[test]
    fn a_hidden_layer_rectifies_before_the_output_rows() {
        // h = relu([x0 − x1, x1 − x0 + 1]), logits = [h0 + 2·h1 + 0.5, −h0].
        let m = Member {
            hidden: Some(dense(&[&[1.0, -1.0], &[-1.0, 1.0]], &[0.0, 1.0])),
            output: dense(&[&[1.0, 2.0], &[-1.0, 0.0]], &[0.5, 0.0]),
        };
        m.check(2, 2).expect("sizes agree");
        // x = [2, 1]: pre-activations [1, 0] → h = [1, 0] → logits [1.5, −1].
        assert_eq!(m.logits(&[2.0, 1.0]), vec![1.5, -1.0]);
        // x = [0, 3]: pre-activations [−3, 4] → h = [0, 4] → logits [8.5, 0].
        assert_eq!(m.logits(&[0.0, 3.0]), vec![8.5, 0.0]);
    }

    #[test]
    fn a_linear_member_is_its_output_rows() {
        let m = Member {
            hidden: None,
            output: dense(&[&[2.0, 0.0], &[0.0, -1.0]], &[0.0, 1.0]),
        };
        m.check(2, 2).expect("sizes agree");
        assert_eq!(m.logits(&[1.0, 3.0]), vec![2.0, -2.0]);
    }

    #[test]
    fn mismatched_or_non_finite_layers_are_refused() {
        let hidden = dense(&[&[1.0, 0.0], &[0.0, 1.0], &[1.0, 1.0]], &[0.0, 0.0, 0.0]);
        let m = Member {
            hidden: Some(hidden.clone()),
            output: dense(&[&[1.0, 0.0]], &[0.0]),
        };
        // The output rows read 2 values but the hidden layer has 3 units.
        assert!(m.check(2, 1).unwrap_err().contains("output layer"));
        let m = Member {
            hidden: Some(hidden),
            output: dense(&[&[1.0, 0.0, 0.0]], &[0.0]),
        };
        assert!(m.check(3, 1).unwrap_err().contains("hidden layer"));
        assert!(m.check(2, 4).unwrap_err().contains("4 outputs"));
        let bad = Member {
            hidden: None,
            output: dense(&[&[f32::NAN]], &[0.0]),
        };
        assert!(bad.check(1, 1).unwrap_err().contains("finite"));
    }
}
