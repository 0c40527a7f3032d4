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
//! stem and the stride-2 depthwise convolutions below reproduce. Speed: the depthwise 3×3
//! convolutions, the stem's patches and the skip connections are plain loops over the feature
//! map's data (candle's grouped `conv2d` runs one convolution per channel, and each small tensor
//! op costs an allocation); every matrix product (stem, 1×1 convolutions, heads) goes through
//! candle. Computes in the weights' dtype: F32 (the detector) or F64 (the parity test).

use candle_core::{DType, Device, Result, Tensor, WithDType, D};
use candle_nn::VarBuilder;

use crate::kernel::{FeatureMap as Map, Layout};

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
        // Output channels of the stem, then of each block; blocks 2, 5 and 11 have stride 2.
        const CHANNELS: [usize; 17] = [
            24, 24, 28, 32, 36, 42, 48, 56, 64, 72, 80, 88, 96, 96, 96, 96, 96,
        ];
        Self {
            input_size: 128,
            stem_channels: 24,
            blocks: CHANNELS
                .windows(2)
                .enumerate()
                .map(|(i, pair)| BlockConfig {
                    in_channels: pair[0],
                    out_channels: pair[1],
                    stride: if [2, 5, 11].contains(&i) { 2 } else { 1 },
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

/// `x`'s planes copied into planes grown by TFLite "SAME" padding for a k×k, stride-s kernel;
/// returns them and the padded width.
fn same_padded<T: WithDType>(x: &Map<T>, k: usize, s: usize) -> (Vec<T>, usize) {
    let (h, w) = (x.h, x.w);
    let ((top, bottom), (left, right)) = (same_padding(h, k, s), same_padding(w, k, s));
    let (hp, wp) = (h + top + bottom, w + left + right);
    let mut out = vec![T::from_f64(0.0); x.data.len() / (h * w) * hp * wp];
    for (src, dst) in x.planes().zip(out.chunks_exact_mut(hp * wp)) {
        for (y, row) in src.chunks_exact(w).enumerate() {
            let at = (y + top) * wp + left;
            dst[at..at + w].copy_from_slice(row);
        }
    }
    (out, wp)
}

/// Depthwise 3×3 convolution with bias and TFLite "SAME" padding.
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

    fn forward<T: WithDType>(&self, x: &Map<T>) -> Result<Map<T>> {
        let (n, c, h, w) = (x.n, x.c, x.h, x.w);
        let weight = self.weight.to_dtype(T::DTYPE)?.to_vec2::<T>()?;
        let bias = self.bias.to_dtype(T::DTYPE)?.to_vec1::<T>()?;
        if c != bias.len() {
            candle_core::bail!("depthwise conv: {c} channels in, {} weights", bias.len());
        }
        let s = self.stride;
        let (ho, wo) = (h.div_ceil(s), w.div_ceil(s));
        let (input, wp) = same_padded(x, 3, s);
        let plane_in = input.len() / (n * c);
        let mut out = vec![T::from_f64(0.0); n * c * ho * wo];
        for (i, (src, dst)) in input
            .chunks_exact(plane_in)
            .zip(out.chunks_exact_mut(ho * wo))
            .enumerate()
        {
            let taps = &weight[i % c];
            for (oy, row_out) in dst.chunks_exact_mut(wo).enumerate() {
                row_out.fill(bias[i % c]);
                for (ky, row_taps) in taps.chunks_exact(3).enumerate() {
                    let row_in = &src[(oy * s + ky) * wp..(oy * s + ky + 1) * wp];
                    for (kx, &tap) in row_taps.iter().enumerate() {
                        if s == 1 {
                            let from = &row_in[kx..kx + wo];
                            for (o, &v) in row_out.iter_mut().zip(from) {
                                *o += tap * v;
                            }
                        } else {
                            let from = row_in[kx..].iter().step_by(s);
                            for (o, &v) in row_out.iter_mut().zip(from) {
                                *o += tap * v;
                            }
                        }
                    }
                }
            }
        }
        Map::new(out, (n, c, ho, wo), Layout::ChannelsFirst)
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

    /// `[N,C,H,W]` → `[N,O,H,W]`.
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (n, c, h, w) = x.dims4()?;
        let flat = x.contiguous()?.reshape((n, c, h * w))?;
        let y = self
            .weight
            .broadcast_matmul(&flat)?
            .broadcast_add(&self.bias)?;
        y.reshape((n, self.bias.dim(0)?, h, w))
    }

    fn forward_map<T: WithDType>(&self, x: Map<T>, device: &Device) -> Result<Map<T>> {
        let y = self.forward(&x.into_tensor(device)?)?;
        Map::from_tensor(&y, Layout::ChannelsFirst)
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

    fn forward<T: WithDType>(&self, x: &Map<T>, device: &Device) -> Result<Map<T>> {
        let mut y = self.pw.forward_map(self.dw.forward(x)?, device)?;
        let (cin, h, w) = (x.c, x.h, x.w);
        let (cout, ho, wo) = (y.c, y.h, y.w);
        let zero = T::from_f64(0.0);
        // Skip path: the input (2×2 max-pooled when strided) added to the first `cin`
        // channels, the others get nothing (zero padding); then ReLU.
        let relu = |v: T| if v > zero { v } else { zero };
        let images = x.data.chunks_exact(cin * h * w);
        for (xn, yn) in images.zip(y.data.chunks_exact_mut(cout * ho * wo)) {
            let (with_skip, widened) = yn.split_at_mut(cin * ho * wo);
            for (src, dst) in xn
                .chunks_exact(h * w)
                .zip(with_skip.chunks_exact_mut(ho * wo))
            {
                if self.config.stride == 1 {
                    for (o, &v) in dst.iter_mut().zip(src) {
                        *o = relu(*o + v);
                    }
                    continue;
                }
                for (oy, row) in dst.chunks_exact_mut(wo).enumerate() {
                    let (r0, r1) = (&src[2 * oy * w..], &src[(2 * oy + 1).min(h - 1) * w..]);
                    for (ox, o) in row.iter_mut().enumerate() {
                        let (a, b) = (2 * ox, (2 * ox + 1).min(w - 1));
                        let pool = [r0[b], r1[a], r1[b]].into_iter().fold(r0[a], |m, v| {
                            if v > m {
                                v
                            } else {
                                m
                            }
                        });
                        *o = relu(*o + pool);
                    }
                }
            }
            for v in widened {
                *v = relu(*v);
            }
        }
        Ok(y)
    }
}

/// The detector network. Build it with [`BlazeFace::new`]; see the module docs for its I/O.
#[derive(Debug, Clone)]
pub struct BlazeFace {
    config: Config,
    /// `[24, 5·5·3]`: taps in (y, x, channel) order, as TFLite's im2col.
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
            stem_weight: vb
                .get((stem, 3, 5, 5), "stem.weight")?
                .permute((0, 2, 3, 1))?
                .contiguous()?
                .reshape((stem, 75))?,
            stem_bias: vb.get(stem, "stem.bias")?.reshape((stem, 1))?,
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

    /// `x`: `[N,3,S,S]` in [-1,1]. Returns (regressors `[N,A,16]`, score logits `[N,A]`), in
    /// the weights' dtype.
    pub fn forward(&self, x: &Tensor) -> Result<(Tensor, Tensor)> {
        match self.dtype() {
            DType::F64 => self.forward_as::<f64>(x),
            _ => self.forward_as::<f32>(x),
        }
    }

    fn forward_as<T: WithDType>(&self, x: &Tensor) -> Result<(Tensor, Tensor)> {
        let device = x.device();
        let input = Map::<T>::from_tensor(x, Layout::ChannelsFirst)?;
        let mut y = self.stem(&input, device)?;
        let mut fine = None;
        for (i, block) in self.blocks.iter().enumerate() {
            y = block.forward(&y, device)?;
            if i == self.config.tap_block {
                fine = Some(y.clone().into_tensor(device)?);
            }
        }
        let fine = fine.ok_or_else(|| candle_core::Error::Msg("tap block out of range".into()))?;
        let coarse = y.into_tensor(device)?;
        let k = self.config.num_coords;
        let logits = Tensor::cat(
            &[
                to_anchors(&self.classifier_16.forward(&fine)?, 1)?,
                to_anchors(&self.classifier_8.forward(&coarse)?, 1)?,
            ],
            1,
        )?
        .squeeze(D::Minus1)?;
        let regressors = Tensor::cat(
            &[
                to_anchors(&self.regressor_16.forward(&fine)?, k)?,
                to_anchors(&self.regressor_8.forward(&coarse)?, k)?,
            ],
            1,
        )?;
        Ok((regressors, logits))
    }

    /// 5×5 stride-2 convolution + ReLU as patches (`[N, 75, H/2·W/2]`, rows in (y, x, channel)
    /// order) times the weight.
    fn stem<T: WithDType>(&self, x: &Map<T>, device: &Device) -> Result<Map<T>> {
        let (n, c, h, w) = (x.n, x.c, x.h, x.w);
        let (ho, wo) = (h.div_ceil(2), w.div_ceil(2));
        let (padded, wp) = same_padded(x, 5, 2);
        let plane_in = padded.len() / (n * c);
        let mut patches = vec![T::from_f64(0.0); n * c * 25 * ho * wo];
        for (image, rows) in padded
            .chunks_exact(plane_in * c)
            .zip(patches.chunks_exact_mut(c * 25 * ho * wo))
        {
            for (r, row) in rows.chunks_exact_mut(ho * wo).enumerate() {
                let (ky, kx, ch) = (r / (5 * c), r / c % 5, r % c);
                let src = &image[ch * plane_in..(ch + 1) * plane_in];
                for (oy, out) in row.chunks_exact_mut(wo).enumerate() {
                    let from = src[(2 * oy + ky) * wp + kx..].iter().step_by(2);
                    for (o, &v) in out.iter_mut().zip(from) {
                        *o = v;
                    }
                }
            }
        }
        let patches = Tensor::from_vec(patches, (n, c * 25, ho * wo), device)?;
        let y = self.stem_weight.broadcast_matmul(&patches)?;
        let y = y.broadcast_add(&self.stem_bias)?.relu()?;
        let dims = (n, self.config.stem_channels, ho, wo);
        Map::new(y.flatten_all()?.to_vec1()?, dims, Layout::ChannelsFirst)
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
