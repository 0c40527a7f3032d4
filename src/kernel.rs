//! The hand-written CNN pieces the mood and vision models share: inference batch norm folded into
//! a per-channel scale and shift, and [`FeatureMap`], activations as plain data for the loops
//! candle would run slowly (depthwise and small convolutions, attention, skips). Pure computation
//! on the caller's thread.

use candle_core::{Device, Result, Tensor, WithDType};
use candle_nn::VarBuilder;

/// Inference-mode batch norm as `x · scale + shift` per channel: `scale = γ / √(σ² + ε)`,
/// `shift = β − μ · scale`.
#[derive(Clone, Debug)]
pub struct FoldedBatchNorm {
    /// `[channels]`.
    pub scale: Tensor,
    /// `[channels]`.
    pub shift: Tensor,
}

impl FoldedBatchNorm {
    /// Reads PyTorch's `weight` (γ), `bias` (β), `running_mean` (μ) and `running_var` (σ²).
    pub fn new(channels: usize, eps: f64, vb: VarBuilder) -> Result<FoldedBatchNorm> {
        let gamma = vb.get(channels, "weight")?;
        let beta = vb.get(channels, "bias")?;
        let mean = vb.get(channels, "running_mean")?;
        let var = vb.get(channels, "running_var")?;
        let scale = gamma.div(&(var + eps)?.sqrt()?)?;
        let shift = beta.sub(&mean.mul(&scale)?)?;
        Ok(FoldedBatchNorm { scale, shift })
    }

    /// Applies it over the last dimension of `x`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.broadcast_mul(&self.scale)?.broadcast_add(&self.shift)
    }
}

/// How a [`FeatureMap`]'s values are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `[N, C, H, W]`: each channel a contiguous plane (PyTorch's and TFLite-converted order).
    ChannelsFirst,
    /// `[N, H, W, C]`: each pixel's channels contiguous (for im2col over several channels).
    ChannelsLast,
}

/// A batch of feature maps as a flat vector, `n` images of `c` channels of `h × w`.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureMap<T = f32> {
    pub n: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub layout: Layout,
    pub data: Vec<T>,
}

impl<T: WithDType> FeatureMap<T> {
    /// A map over `data`, which must hold `n·c·h·w` values in `layout` order.
    pub fn new(
        data: Vec<T>,
        (n, c, h, w): (usize, usize, usize, usize),
        layout: Layout,
    ) -> Result<Self> {
        if data.len() != n * c * h * w {
            candle_core::bail!(
                "feature map {n}×{c}×{h}×{w}: {} values for {}",
                data.len(),
                n * c * h * w
            );
        }
        Ok(FeatureMap {
            n,
            c,
            h,
            w,
            layout,
            data,
        })
    }

    /// The values of a rank-4 tensor whose shape is in `layout` order, converted to `T`.
    pub fn from_tensor(x: &Tensor, layout: Layout) -> Result<Self> {
        let (a, b, c, d) = x.dims4()?;
        let nchw = match layout {
            Layout::ChannelsFirst => (a, b, c, d),
            Layout::ChannelsLast => (a, d, b, c),
        };
        let data = x.to_dtype(T::DTYPE)?.flatten_all()?.to_vec1::<T>()?;
        FeatureMap::new(data, nchw, layout)
    }

    /// The tensor shape in this map's layout order.
    pub fn shape(&self) -> (usize, usize, usize, usize) {
        match self.layout {
            Layout::ChannelsFirst => (self.n, self.c, self.h, self.w),
            Layout::ChannelsLast => (self.n, self.h, self.w, self.c),
        }
    }

    /// The map as a tensor of [`FeatureMap::shape`], consuming it.
    pub fn into_tensor(self, device: &Device) -> Result<Tensor> {
        let shape = self.shape();
        Tensor::from_vec(self.data, shape, device)
    }

    /// One slice per image, `c·h·w` values each.
    pub fn images(&self) -> std::slice::ChunksExact<'_, T> {
        self.data.chunks_exact((self.c * self.h * self.w).max(1))
    }

    /// One slice per (image, channel), `h·w` values each. Channels-first maps only.
    pub fn planes(&self) -> std::slice::ChunksExact<'_, T> {
        debug_assert_eq!(self.layout, Layout::ChannelsFirst);
        self.data.chunks_exact((self.h * self.w).max(1))
    }

    /// One slice per (image, pixel), `c` values each. Channels-last maps only.
    pub fn pixels(&self) -> std::slice::ChunksExact<'_, T> {
        debug_assert_eq!(self.layout, Layout::ChannelsLast);
        self.data.chunks_exact(self.c.max(1))
    }

    /// Mutable [`FeatureMap::pixels`].
    pub fn pixels_mut(&mut self) -> std::slice::ChunksExactMut<'_, T> {
        debug_assert_eq!(self.layout, Layout::ChannelsLast);
        self.data.chunks_exact_mut(self.c.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::DType;
    use std::collections::HashMap;

    #[test]
    fn folded_batch_norm_matches_the_textbook_formula() {
        let device = Device::Cpu;
        let t = |v: &[f32]| Tensor::new(v, &device).unwrap();
        let weights = HashMap::from([
            ("bn.weight".to_string(), t(&[2.0, 0.5])),
            ("bn.bias".to_string(), t(&[1.0, -1.0])),
            ("bn.running_mean".to_string(), t(&[3.0, 0.0])),
            ("bn.running_var".to_string(), t(&[4.0, 0.25])),
        ]);
        let vb = VarBuilder::from_tensors(weights, DType::F32, &device);
        let bn = FoldedBatchNorm::new(2, 0.0, vb.pp("bn")).unwrap();
        let x = Tensor::new(&[[5.0f32, 1.0]], &device).unwrap();
        let y: Vec<Vec<f32>> = bn.forward(&x).unwrap().to_vec2().unwrap();
        // (x − μ) / σ · γ + β: (5 − 3) / 2 · 2 + 1 = 3 and (1 − 0) / 0.5 · 0.5 − 1 = 0.
        assert_eq!(y, vec![vec![3.0, 0.0]]);
    }

    #[test]
    fn a_feature_map_round_trips_through_a_tensor_in_either_layout() {
        let device = Device::Cpu;
        let x = Tensor::arange(0f32, 24.0, &device)
            .unwrap()
            .reshape((1, 2, 3, 4))
            .unwrap();
        let first = FeatureMap::<f32>::from_tensor(&x, Layout::ChannelsFirst).unwrap();
        assert_eq!((first.n, first.c, first.h, first.w), (1, 2, 3, 4));
        assert_eq!(first.planes().count(), 2);
        let back = first.into_tensor(&device).unwrap();
        assert_eq!(back.dims4().unwrap(), (1, 2, 3, 4));

        let last = FeatureMap::<f64>::from_tensor(&x, Layout::ChannelsLast).unwrap();
        assert_eq!((last.n, last.c, last.h, last.w), (1, 4, 2, 3));
        assert_eq!(last.pixels().next(), Some(&[0.0, 1.0, 2.0, 3.0][..]));
        assert_eq!(last.shape(), (1, 2, 3, 4));
    }

    #[test]
    fn a_feature_map_refuses_data_of_the_wrong_length() {
        assert!(FeatureMap::new(vec![0f32; 5], (1, 1, 2, 3), Layout::ChannelsFirst).is_err());
    }
}
