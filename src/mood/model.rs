//! musicnn, the music audio tagger of Pons & Serra, "musicnn: pre-trained convolutional neural
//! networks for music audio tagging" (ISMIR 2019 late-breaking demo), as a pure candle model:
//! [`Config`] + [`MusicnnModel::new`] (a `VarBuilder`) + [`MusicnnModel::forward`]. No file I/O,
//! device choice or audio processing here (see `weights.rs`, `mel.rs`, `tagger.rs`).
//!
//! Weights: the `MSD_musicnn` and `MTT_musicnn` checkpoints of the ISC-licensed `musicnn` 0.1.0
//! wheel (Music Technology Group, Universitat Pompeu Fabra), converted by
//! `tools/musicnn/convert.py` to `models/musicnn-msd.safetensors` / `musicnn-mtt.safetensors`
//! (the same architecture, other training data and tags); the tensor names are those that script
//! documents.
//!
//! The architecture follows `musicnn/models.py` (`build_musicnn`) exactly. Activations are kept
//! time-major (`[batch, time, features]`, as TensorFlow's NHWC) and every convolution is one
//! matrix product over im2col windows (the layers are in `layers.rs`):
//! - front end: batch norm of the log-mel input, then five "musically motivated" branches, each
//!   conv → ReLU → batch norm → max-pool over all frequencies: two timbral convolutions spanning
//!   7 frames × 38 and × 67 mel bands (time zero-padded by 3 each side, 204 filters each) and three
//!   temporal convolutions spanning 128, 64 and 32 frames × 1 band ('same' padding as TensorFlow
//!   pads it: the extra zero after, 51 filters each); concatenated to 561 features per frame;
//! - mid end: three 1-D convolutions over time (kernel 7, 64 filters, zero-padded by 3) each
//!   → ReLU → batch norm, the second and third with residual connections; the front-end features
//!   and the three outputs are concatenated (dense connections) to 753 features per frame;
//! - back end: max and mean over time, interleaved per feature as TensorFlow flattens
//!   `[753, 2]`, batch norm, dense 200 + ReLU, batch norm, dense to the tags, sigmoid.
//!
//! Batch norms run in inference mode with TensorFlow's default epsilon, 1e-3, folded at load time
//! into one scale and one shift per channel. Dropout is inactive at inference and absent here.

use candle_core::{DType, Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};

use super::layers::{BatchNorm, Branch, MidLayer};

/// The hyper-parameters of a musicnn model. [`Config::msd`] is the `MSD_musicnn` checkpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Frames per input patch (3 s at 16 kHz, hop 256).
    pub n_frames: usize,
    /// Mel bands per frame.
    pub n_mels: usize,
    /// Filters of each timbral branch (`int(1.6 * 128)`).
    pub timbral_filters: usize,
    /// Mel bands spanned by the two timbral kernels (`int(0.4 * 96)`, `int(0.7 * 96)`).
    pub timbral_bands: [usize; 2],
    /// Frames spanned by the timbral kernels.
    pub timbral_frames: usize,
    /// Filters of each temporal branch (`int(1.6 * 32)`).
    pub temporal_filters: usize,
    /// Frames spanned by the three temporal kernels.
    pub temporal_frames: [usize; 3],
    /// Filters of each mid-end convolution.
    pub midend_filters: usize,
    /// Frames spanned by the mid-end kernels.
    pub midend_frames: usize,
    /// Units of the penultimate dense layer.
    pub backend_units: usize,
    /// Output tags.
    pub num_tags: usize,
    /// Batch-norm epsilon (TensorFlow 1's default).
    pub bn_eps: f64,
}

impl Config {
    /// `MSD_musicnn`: 50 Million Song Dataset tags, mid end 64 filters, back end 200 units.
    pub fn msd() -> Config {
        Config {
            n_frames: 187,
            n_mels: 96,
            timbral_filters: 204,
            timbral_bands: [38, 67],
            timbral_frames: 7,
            temporal_filters: 51,
            temporal_frames: [128, 64, 32],
            midend_filters: 64,
            midend_frames: 7,
            backend_units: 200,
            num_tags: 50,
            bn_eps: 1e-3,
        }
    }

    /// Features per frame after the front end (561 for MSD).
    pub fn frontend_features(&self) -> usize {
        2 * self.timbral_filters + 3 * self.temporal_filters
    }

    /// Features per frame after the mid end's dense connections (753 for MSD).
    pub fn midend_features(&self) -> usize {
        self.frontend_features() + 3 * self.midend_filters
    }
}

/// What one forward pass gives, per patch of the batch.
#[derive(Clone, Debug)]
pub struct MusicnnOutputs {
    /// Tag probabilities `[batch, num_tags]`.
    pub probs: Tensor,
    /// The penultimate dense layer after its ReLU and batch norm `[batch, backend_units]`
    /// (musicnn's extractor calls it `penultimate`).
    pub penultimate: Tensor,
    /// The time-pooled mid-end features after their batch norm `[batch, 2 × 753]`: for each of
    /// the 753 front- and mid-end features its maximum then its mean over the patch's frames
    /// (musicnn's extractor's `max_pool` and `mean_pool`, interleaved).
    pub pooled: Tensor,
}

/// The musicnn tagger network. See the module docs for the architecture.
#[derive(Clone, Debug)]
pub struct MusicnnModel {
    config: Config,
    input_bn: BatchNorm,
    branches: Vec<Branch>,
    mid: [MidLayer; 3],
    pool_bn: BatchNorm,
    dense: Linear,
    dense_bn: BatchNorm,
    output: Linear,
}

impl MusicnnModel {
    /// Builds the model from weights named as `tools/musicnn/convert.py` writes them.
    pub fn new(config: &Config, vb: VarBuilder) -> Result<MusicnnModel> {
        let eps = config.bn_eps;
        let fe = vb.pp("frontend");
        let input_bn = BatchNorm::new(1, eps, fe.pp("input_bn"))?;
        let mut branches = Vec::with_capacity(5);
        let t = config.timbral_frames;
        // Named after musicnn's '7774' front end: 7 frames × 0.4 / 0.7 of the mel bands.
        for (bands, name) in config
            .timbral_bands
            .into_iter()
            .zip(["timbral74", "timbral77"])
        {
            let pad = (t / 2, t / 2);
            branches.push(Branch::new(
                config.timbral_filters,
                (t, bands),
                pad,
                eps,
                fe.pp(name),
            )?);
        }
        for frames in config.temporal_frames {
            // TensorFlow's 'same' puts the odd zero after.
            let pad = ((frames - 1) / 2, frames - 1 - (frames - 1) / 2);
            let vb = fe.pp(format!("temporal{frames}"));
            branches.push(Branch::new(
                config.temporal_filters,
                (frames, 1),
                pad,
                eps,
                vb,
            )?);
        }
        let me = vb.pp("midend");
        let f = config.midend_filters;
        let mid = [
            MidLayer::new(config.frontend_features(), config, me.pp("conv1"))?,
            MidLayer::new(f, config, me.pp("conv2"))?,
            MidLayer::new(f, config, me.pp("conv3"))?,
        ];
        let be = vb.pp("backend");
        let pooled = 2 * config.midend_features();
        let pool_bn = BatchNorm::new(pooled, eps, be.pp("pool_bn"))?;
        let dense = linear(pooled, config.backend_units, be.pp("dense"))?;
        let dense_bn = BatchNorm::new(config.backend_units, eps, be.pp("dense_bn"))?;
        let output = linear(config.backend_units, config.num_tags, be.pp("output"))?;
        Ok(MusicnnModel {
            config: config.clone(),
            input_bn,
            branches,
            mid,
            pool_bn,
            dense,
            dense_bn,
            output,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Tag probabilities `[batch, num_tags]` (sigmoid outputs) for log-mel patches
    /// `[batch, n_frames, n_mels]` (f32, `log10(10000·mel + 1)`). Any number of frames ≥ 1 works
    /// (pooling is global over time), but the model was trained on `n_frames`.
    pub fn forward(&self, patches: &Tensor) -> Result<Tensor> {
        Ok(self.forward_all(patches)?.probs)
    }

    /// [`Self::forward`]'s probabilities together with the network's inner representations of
    /// the patches, which the mood head reads.
    pub fn forward_all(&self, patches: &Tensor) -> Result<MusicnnOutputs> {
        let (_, _, mels) = patches.dims3()?;
        if mels != self.config.n_mels {
            candle_core::bail!(
                "musicnn expects {} mel bands, got {mels}",
                self.config.n_mels
            );
        }
        // The input batch norm has one channel: a scalar affine map.
        let x = self
            .input_bn
            .forward(&patches.to_dtype(DType::F32)?.unsqueeze(3)?)?
            .squeeze(3)?;
        let front = self
            .branches
            .iter()
            .map(|b| b.forward(&x))
            .collect::<Result<Vec<_>>>()?;
        let front = Tensor::cat(&front, 2)?;
        let c1 = self.mid[0].forward(&front)?;
        let c2 = (self.mid[1].forward(&c1)? + &c1)?;
        let c3 = (self.mid[2].forward(&c2)? + &c2)?;
        let features = Tensor::cat(&[&front, &c1, &c2, &c3], 2)?;
        // [batch, 753, 2] flattened row-major: max and mean of each feature side by side.
        let pooled = Tensor::stack(&[features.max(1)?, features.mean(1)?], 2)?;
        let pooled = self.pool_bn.forward(&pooled.flatten_from(1)?)?;
        let hidden = self
            .dense_bn
            .forward(&self.dense.forward(&pooled)?.relu()?)?;
        let probs = candle_nn::ops::sigmoid(&self.output.forward(&hidden)?)?;
        Ok(MusicnnOutputs {
            probs,
            penultimate: hidden,
            pooled,
        })
    }
}

fn linear(c_in: usize, c_out: usize, vb: VarBuilder) -> Result<Linear> {
    let weight = vb.get((c_out, c_in), "weight")?;
    let bias = vb.get(c_out, "bias")?;
    Ok(Linear::new(weight, Some(bias)))
}
