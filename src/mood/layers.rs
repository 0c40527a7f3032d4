//! The layers of the musicnn port (see `model.rs`): folded inference batch norm (from the shared
//! `crate::kernel`), the front end's conv → ReLU → batch norm → max-over-mel branches and the mid
//! end's 1-D convolutions, each convolution as im2col + one matrix product. Pure computation on
//! the caller's thread.

use candle_core::{Result, Tensor};
use candle_nn::VarBuilder;

use super::model::Config;
use super::ops::im2col;

/// Inference-mode batch norm over the last dimension (the shared kernel's folded form).
pub(super) use crate::kernel::FoldedBatchNorm as BatchNorm;

/// One front-end branch on `[batch, time, mel]`: a convolution with a `kh × kw` kernel (time ×
/// mel, one input channel, zero-padded in time) → ReLU → batch norm → max over mel. The
/// convolution is im2col + one matrix product; bias, ReLU, batch norm and the max are then one
/// pass over the product.
#[derive(Clone, Debug)]
pub(super) struct Branch {
    /// `[kh·kw, filters]`, rows in (time tap, mel tap) order.
    weight: Tensor,
    kernel: (usize, usize),
    /// Per filter: conv bias, then the folded batch norm's scale and shift.
    bias: Vec<f32>,
    scale: Vec<f32>,
    shift: Vec<f32>,
    /// Zero frames added before and after in time.
    pad: (usize, usize),
}

impl Branch {
    /// Reads `conv.weight` (OIHW `[filters, 1, kh, kw]`), `conv.bias` and `bn.*`.
    pub(super) fn new(
        filters: usize,
        kernel: (usize, usize),
        pad: (usize, usize),
        eps: f64,
        vb: VarBuilder,
    ) -> Result<Branch> {
        let weight = vb.get((filters, 1, kernel.0, kernel.1), "conv.weight")?;
        let weight = weight
            .reshape((filters, kernel.0 * kernel.1))?
            .t()?
            .contiguous()?;
        let bias = vb.get(filters, "conv.bias")?.to_vec1()?;
        let bn = BatchNorm::new(filters, eps, vb.pp("bn"))?;
        Ok(Branch {
            weight,
            kernel,
            bias,
            scale: bn.scale.to_vec1()?,
            shift: bn.shift.to_vec1()?,
            pad,
        })
    }

    /// `[batch, time, mel]` → `[batch, time, filters]`.
    pub(super) fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let x = x.pad_with_zeros(1, self.pad.0, self.pad.1)?;
        let (b, h, w) = x.dims3()?;
        let (kh, kw) = self.kernel;
        if h < kh || w < kw {
            candle_core::bail!("input {h}x{w} smaller than the {kh}x{kw} kernel");
        }
        let (oh, ow, filters) = (h + 1 - kh, w + 1 - kw, self.bias.len());
        // A one-band kernel (temporal branch) reads runs along time: im2col the transposed map
        // so that each window is contiguous; rows then come mel-major.
        let mel_major = kw == 1;
        let cols = if mel_major {
            im2col(&x.transpose(1, 2)?.contiguous()?, 1, kh)?
        } else {
            im2col(&x, kh, kw)?
        };
        let y = cols.matmul(&self.weight)?.flatten_all()?.to_vec1::<f32>()?;
        let (outer, inner) = if mel_major { (ow, oh) } else { (oh, ow) };
        let mut out = vec![f32::NEG_INFINITY; b * oh * filters];
        for (row_index, row) in y.chunks_exact(filters).enumerate() {
            let (bi, i, j) = (
                row_index / (outer * inner),
                row_index / inner % outer,
                row_index % inner,
            );
            let t = if mel_major { j } else { i };
            let acc = &mut out[(bi * oh + t) * filters..][..filters];
            for o in 0..filters {
                let v = (row[o] + self.bias[o]).max(0.0) * self.scale[o] + self.shift[o];
                acc[o] = acc[o].max(v);
            }
        }
        Tensor::from_vec(out, (b, oh, filters), x.device())
    }
}

/// One mid-end layer: 1-D conv over time (zero 'same' padding) → ReLU → batch norm, on
/// `[batch, time, channels]`, as one matrix product over the stacked time taps.
#[derive(Clone, Debug)]
pub(super) struct MidLayer {
    /// `[taps·c_in, filters]`, rows in (tap, channel) order.
    weight: Tensor,
    bias: Tensor,
    taps: usize,
    bn: BatchNorm,
}

impl MidLayer {
    pub(super) fn new(c_in: usize, cfg: &Config, vb: VarBuilder) -> Result<MidLayer> {
        let (f, k) = (cfg.midend_filters, cfg.midend_frames);
        let weight = vb.get((f, c_in, k), "conv.weight")?;
        let weight = weight
            .permute((2, 1, 0))?
            .reshape((k * c_in, f))?
            .contiguous()?;
        let bias = vb.get(f, "conv.bias")?;
        let bn = BatchNorm::new(f, cfg.bn_eps, vb.pp("bn"))?;
        Ok(MidLayer {
            weight,
            bias,
            taps: k,
            bn,
        })
    }

    /// `[batch, time, c_in]` → `[batch, time, filters]`.
    pub(super) fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (b, t, c) = x.dims3()?;
        let half = self.taps / 2;
        let padded = x.pad_with_zeros(1, half, self.taps - 1 - half)?;
        let taps = (0..self.taps)
            .map(|dt| padded.narrow(1, dt, t))
            .collect::<Result<Vec<_>>>()?;
        let cols = Tensor::cat(&taps, 2)?.reshape((b * t, self.taps * c))?;
        let y = cols
            .matmul(&self.weight)?
            .broadcast_add(&self.bias)?
            .relu()?;
        self.bn.forward(&y)?.reshape((b, t, self.weight.dim(1)?))
    }
}
