//! BlazeFace short-range, the face detector, as a pure candle model: weights in, tensors out.
//! Runs on whichever thread owns the [`crate::vision::detect::FaceDetector`].
//!
//! V. Bazarevsky et al., *BlazeFace: Sub-millisecond Neural Face Detection on Mobile GPUs*, CVPR
//! Workshops 2019, <https://arxiv.org/abs/1907.05047>. Weights: MediaPipe 0.10.21's
//! `face_detection_short_range.tflite` (Apache-2.0), converted by `tools/blazeface/convert.py`
//! (see `models/BLAZEFACE.md`). Input `[N,3,128,128]` RGB scaled to [-1,1]; output the raw SSD
//! head: regressors `[N,896,16]` (box dx,dy,w,h then six keypoints x,y, in input pixels relative
//! to the anchor) and score logits `[N,896]`, anchors ordered as `crate::vision::anchors`.
//!
//! TFLite pads "SAME" asymmetrically (the extra row/column at the bottom/right), which is what the
//! stem and the stride-2 depthwise convolutions below reproduce. The depthwise 3×3 convolution is
//! a plain loop over the tensor's data (candle's grouped `conv2d` runs one convolution per
//! channel). Works in F32 (the detector) or F64 (the parity test).

use candle_core::{DType, Module, Result, Tensor, WithDType, D};
use candle_nn::VarBuilder;

/// One BlazeBlock: depthwise 3×3 (stride 1 or 2) → pointwise 1×1, plus a skip connection
/// (2×2 max-pooled when strided, zero-padded in channels when widening), then ReLU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockConfig {
    pub in_channels: usize,
    pub out_channels: usize,
    pub stride: usize,
}

/// The network's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Input side in pixels (square).
    pub input_size: usize,
    /// Output channels of the 5×5 stride-2 stem convolution.
    pub stem_channels: usize,
    pub blocks: Vec<BlockConfig>,
    /// Index of the block whose output (16×16) feeds the first head; the last block feeds the
    /// second (8×8).
    pub tap_block: usize,
    /// Anchors per cell on the 16×16 and the 8×8 feature maps.
    pub anchors_per_cell: [usize; 2],
    /// Regressor values per anchor: 4 box + 2 × 6 keypoints.
    pub num_coords: usize,
}

impl Config {
    /// MediaPipe's short-range (front camera) model.
    pub fn short_range() -> Self {
        let plan = [
            (24, 24, 1),
            (24, 28, 1),
            (28, 32, 2),
            (32, 36, 1),
            (36, 42, 1),
            (42, 48, 2),
            (48, 56, 1),
            (56, 64, 1),
            (64, 72, 1),
            (72, 80, 1),
            (80, 88, 1),
            (88, 96, 2),
            (96, 96, 1),
            (96, 96, 1),
            (96, 96, 1),
            (96, 96, 1),
        ];
        Self {
            input_size: 128,
            stem_channels: 24,
            blocks: plan
                .iter()
                .map(|&(in_channels, out_channels, stride)| BlockConfig {
                    in_channels,
                    out_channels,
                    stride,
                })
                .collect(),
            tap_block: 10,
            anchors_per_cell: [2, 6],
            num_coords: 16,
        }
    }

    /// Total anchors: 16·16·2 + 8·8·6 = 896 for the short-range model.
    pub fn num_anchors(&self) -> usize {
        let fine = self.input_size / 8;
        let coarse = self.input_size / 16;
        fine * fine * self.anchors_per_cell[0] + coarse * coarse * self.anchors_per_cell[1]
    }
}

/// TFLite "SAME" padding along one axis: (before, after).
fn same_padding(size: usize, kernel: usize, stride: usize) -> (usize, usize) {
    let out = size.div_ceil(stride);
    let total = ((out - 1) * stride + kernel).saturating_sub(size);
    (total / 2, total - total / 2)
}

/// Depthwise 3×3 convolution with bias and TFLite "SAME" padding, in the input's dtype.
#[derive(Debug, Clone)]
struct Depthwise3x3 {
    /// `[C, 9]`, row-major taps.
    weight: Tensor,
    bias: Tensor,
    stride: usize,
}

impl Depthwise3x3 {
    fn new(channels: usize, stride: usize, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            weight: vb
                .get((channels, 1, 3, 3), "weight")?
                .reshape((channels, 9))?,
            bias: vb.get(channels, "bias")?,
            stride,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        match x.dtype() {
            DType::F64 => self.run::<f64>(x),
            _ => self.run::<f32>(x.to_dtype(DType::F32)?.as_ref()),
        }
    }

    fn run<T: WithDType>(&self, x: &Tensor) -> Result<Tensor> {
        let (n, c, h, w) = x.dims4()?;
        let (weight, bias) = (
            self.weight.to_dtype(T::DTYPE)?,
            self.bias.to_dtype(T::DTYPE)?,
        );
        let (weight, bias) = (weight.to_vec2::<T>()?, bias.to_vec1::<T>()?);
        if c != bias.len() {
            candle_core::bail!("depthwise conv: {c} channels in, {} weights", bias.len());
        }
        let s = self.stride;
        let (ho, wo) = (h.div_ceil(s), w.div_ceil(s));
        let (pt, pl) = (same_padding(h, 3, s).0, same_padding(w, 3, s).0);
        let input = x.flatten_all()?.to_vec1::<T>()?;
        let mut out = vec![T::zero(); n * c * ho * wo];
        for (plane, (src, dst)) in input
            .chunks_exact(h * w)
            .zip(out.chunks_exact_mut(ho * wo))
            .enumerate()
        {
            let taps = &weight[plane % c];
            dst.fill(bias[plane % c]);
            for oy in 0..ho {
                let row_out = &mut dst[oy * wo..(oy + 1) * wo];
                for ky in 0..3 {
                    let Some(iy) = (oy * s + ky).checked_sub(pt).filter(|&iy| iy < h) else {
                        continue;
                    };
                    let row_in = &src[iy * w..(iy + 1) * w];
                    for kx in 0..3 {
                        let tap = taps[ky * 3 + kx];
                        // Output columns whose input column ox*s + kx - pl lies inside the row.
                        let first = pl.saturating_sub(kx).div_ceil(s);
                        let last = ((w + pl).saturating_sub(kx + 1) / s + 1).min(wo);
                        for ox in first..last {
                            row_out[ox] += tap * row_in[ox * s + kx - pl];
                        }
                    }
                }
            }
        }
        Tensor::from_vec(out, (n, c, ho, wo), x.device())
    }
}

/// 1×1 convolution as a matrix product: `[O,C] × [N,C,H·W]`.
#[derive(Debug, Clone)]
struct Pointwise {
    weight: Tensor,
    bias: Tensor,
}

impl Pointwise {
    fn new(in_channels: usize, out_channels: usize, vb: VarBuilder) -> Result<Self> {
        let weight = vb.get((out_channels, in_channels, 1, 1), "weight")?;
        Ok(Self {
            weight: weight.reshape((out_channels, in_channels))?,
            bias: vb.get(out_channels, "bias")?.reshape((out_channels, 1))?,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (n, c, h, w) = x.dims4()?;
        let flat = x.contiguous()?.reshape((n, c, h * w))?;
        let y = self
            .weight
            .broadcast_matmul(&flat)?
            .broadcast_add(&self.bias)?;
        y.reshape((n, self.bias.dim(0)?, h, w))
    }
}

#[derive(Debug, Clone)]
struct BlazeBlock {
    config: BlockConfig,
    dw: Depthwise3x3,
    pw: Pointwise,
}

impl BlazeBlock {
    fn new(config: BlockConfig, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            config,
            dw: Depthwise3x3::new(config.in_channels, config.stride, vb.pp("dw"))?,
            pw: Pointwise::new(config.in_channels, config.out_channels, vb.pp("pw"))?,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let h = self.pw.forward(&self.dw.forward(x)?)?;
        let mut skip = if self.config.stride == 2 {
            x.max_pool2d(2)?
        } else {
            x.clone()
        };
        let widen = self.config.out_channels - self.config.in_channels;
        if widen > 0 {
            skip = skip.pad_with_zeros(1, 0, widen)?;
        }
        (h + skip)?.relu()
    }
}

/// The detector network. Build it with [`BlazeFace::new`]; see the module docs for its I/O.
#[derive(Debug, Clone)]
pub struct BlazeFace {
    config: Config,
    stem_weight: Tensor,
    stem_bias: Tensor,
    blocks: Vec<BlazeBlock>,
    classifier_16: Pointwise,
    regressor_16: Pointwise,
    classifier_8: Pointwise,
    regressor_8: Pointwise,
}

impl BlazeFace {
    /// Tensor names as `tools/blazeface/convert.py` writes them.
    pub fn new(config: &Config, vb: VarBuilder) -> Result<Self> {
        let stem = config.stem_channels;
        let blocks = config
            .blocks
            .iter()
            .enumerate()
            .map(|(i, &b)| BlazeBlock::new(b, vb.pp(format!("blocks.{i}"))))
            .collect::<Result<Vec<_>>>()?;
        let fine = config.blocks[config.tap_block].out_channels;
        let coarse = config.blocks.last().map_or(stem, |b| b.out_channels);
        let [a16, a8] = config.anchors_per_cell;
        let k = config.num_coords;
        Ok(Self {
            stem_weight: vb.get((stem, 3, 5, 5), "stem.weight")?,
            stem_bias: vb.get(stem, "stem.bias")?.reshape((1, stem, 1, 1))?,
            blocks,
            classifier_16: Pointwise::new(fine, a16, vb.pp("classifier_16"))?,
            regressor_16: Pointwise::new(fine, a16 * k, vb.pp("regressor_16"))?,
            classifier_8: Pointwise::new(coarse, a8, vb.pp("classifier_8"))?,
            regressor_8: Pointwise::new(coarse, a8 * k, vb.pp("regressor_8"))?,
            config: config.clone(),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The dtype the weights were loaded in; the input must have it too.
    pub fn dtype(&self) -> DType {
        self.stem_weight.dtype()
    }

    /// `x`: `[N,3,S,S]` in [-1,1]. Returns (regressors `[N,A,16]`, score logits `[N,A]`).
    pub fn forward(&self, x: &Tensor) -> Result<(Tensor, Tensor)> {
        let (_, _, h, w) = x.dims4()?;
        let (top, bottom) = same_padding(h, 5, 2);
        let (left, right) = same_padding(w, 5, 2);
        let padded = x
            .pad_with_zeros(2, top, bottom)?
            .pad_with_zeros(3, left, right)?;
        let mut y = padded
            .conv2d(&self.stem_weight, 0, 2, 1, 1)?
            .broadcast_add(&self.stem_bias)?
            .relu()?;
        let mut fine = None;
        for (i, block) in self.blocks.iter().enumerate() {
            y = block.forward(&y)?;
            if i == self.config.tap_block {
                fine = Some(y.clone());
            }
        }
        let fine = fine.ok_or_else(|| candle_core::Error::Msg("tap block out of range".into()))?;
        let k = self.config.num_coords;
        let logits = Tensor::cat(
            &[
                to_anchors(&self.classifier_16.forward(&fine)?, 1)?,
                to_anchors(&self.classifier_8.forward(&y)?, 1)?,
            ],
            1,
        )?
        .squeeze(D::Minus1)?;
        let regressors = Tensor::cat(
            &[
                to_anchors(&self.regressor_16.forward(&fine)?, k)?,
                to_anchors(&self.regressor_8.forward(&y)?, k)?,
            ],
            1,
        )?;
        Ok((regressors, logits))
    }
}

impl Module for BlazeFace {
    /// The score logits only.
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(BlazeFace::forward(self, x)?.1)
    }
}

/// `[N, cells·per, H, W]` head output → `[N, H·W·cells, per]` in TFLite's NHWC anchor order.
fn to_anchors(head: &Tensor, per: usize) -> Result<Tensor> {
    let (n, c, h, w) = head.dims4()?;
    head.permute((0, 2, 3, 1))?
        .contiguous()?
        .reshape((n, h * w * c / per, per))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_padding_puts_the_odd_pixel_after() {
        assert_eq!(same_padding(128, 5, 2), (1, 2));
        assert_eq!(same_padding(64, 3, 2), (0, 1));
        assert_eq!(same_padding(16, 3, 1), (1, 1));
    }

    #[test]
    fn short_range_has_896_anchors() {
        assert_eq!(Config::short_range().num_anchors(), 896);
    }
}
