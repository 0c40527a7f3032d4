//! The FER emotion model: a candle port of `tools/fer/model.py` (FerNet, a small ResNet with CBAM
//! attention — Woo et al., "CBAM: Convolutional Block Attention Module", ECCV 2018); its input
//! preprocessing is in `fer_input.rs` (re-exported here). Pure computation on the caller's thread: weights in (a
//! `VarBuilder` over the PyTorch state_dict's keys), tensors out; the weights are trained by
//! `tools/fer/train.py` on FER-2013 and read by `weights::load_fer`, which also hands over the
//! file's [`FerConfig`] (input crop, calibration: temperatures and vector scaling).
//!
//! Layout for speed (≤ 2 ms per face on 2 cores): inference batch norm is folded into the
//! preceding convolution at load time, activations stay channels-last, each 3×3 convolution is
//! one im2col + one candle matrix product, and CBAM's small reductions are plain loops.

use candle_core::{bail, DType, Result, Tensor};
use candle_nn::VarBuilder;

use crate::kernel::{FeatureMap, FoldedBatchNorm, Layout};

/// Activations, channels-last: value `(b, y, x, ch)` at `((b·h + y)·w + x)·c + ch`.
type Map = FeatureMap<f32>;

pub use super::fer_input::{
    centre_crop, equalize, hflip, normalize, preprocess, softmax, softmax_t, FerConfig,
    VectorScaling,
};

/// Side of the square gray face the model reads.
pub const INPUT_SIZE: usize = 48;
/// PyTorch's `BatchNorm2d` default.
pub const BN_EPS: f64 = 1e-5;

/// `ConvBn`: 3×3 convolution (padding 1, no bias) → batch norm → optional ReLU, the batch norm
/// folded into the convolution's weights and a bias.
#[derive(Clone, Debug)]
struct ConvBn {
    /// `[9·cin, cout]`, rows in (ky, kx, cin) order.
    weight: Tensor,
    bias: Vec<f32>,
    cin: usize,
    cout: usize,
    stride: usize,
    relu: bool,
}

impl ConvBn {
    /// Reads `conv.weight` (`[cout, cin, 3, 3]`) and `bn.{weight,bias,running_mean,running_var}`.
    fn new(stride: usize, relu: bool, vb: VarBuilder) -> Result<ConvBn> {
        let w = vb.get_unchecked_dtype("conv.weight", DType::F32)?;
        let (cout, cin, kh, kw) = w.dims4()?;
        if (kh, kw) != (3, 3) {
            bail!(
                "{}.conv.weight: a 3×3 kernel expected, got {kh}×{kw}",
                vb.prefix()
            );
        }
        let bn = FoldedBatchNorm::new(cout, BN_EPS, vb.pp("bn"))?;
        let bias = bn.shift.to_vec1::<f32>()?;
        let weight = w
            .broadcast_mul(&bn.scale.reshape((cout, 1, 1, 1))?)?
            .permute((2, 3, 1, 0))?
            .contiguous()?
            .reshape((9 * cin, cout))?;
        Ok(ConvBn {
            weight,
            bias,
            cin,
            cout,
            stride,
            relu,
        })
    }

    fn forward(&self, x: &Map) -> Result<Map> {
        if x.c != self.cin {
            bail!("conv: {} input channels expected, got {}", self.cin, x.c);
        }
        let s = self.stride;
        let (oh, ow) = ((x.h - 1) / s + 1, (x.w - 1) / s + 1);
        let (c, k) = (x.c, 9 * x.c);
        let m = x.n * oh * ow;
        let mut cols = vec![0f32; m * k];
        for (i, row) in cols.chunks_exact_mut(k).enumerate() {
            let (b, oy, ox) = (i / (oh * ow), i / ow % oh, i % ow);
            for ky in 0..3 {
                let Some(iy) = (oy * s + ky).checked_sub(1).filter(|&y| y < x.h) else {
                    continue;
                };
                for kx in 0..3 {
                    let Some(ix) = (ox * s + kx).checked_sub(1).filter(|&v| v < x.w) else {
                        continue;
                    };
                    let at = ((b * x.h + iy) * x.w + ix) * c;
                    row[(ky * 3 + kx) * c..][..c].copy_from_slice(&x.data[at..at + c]);
                }
            }
        }
        let cols = Tensor::from_vec(cols, (m, k), self.weight.device())?;
        let mut data = cols.matmul(&self.weight)?.flatten_all()?.to_vec1::<f32>()?;
        for px in data.chunks_exact_mut(self.cout) {
            for (v, b) in px.iter_mut().zip(&self.bias) {
                *v += b;
                if self.relu {
                    *v = v.max(0.0);
                }
            }
        }
        Map::new(data, (x.n, self.cout, oh, ow), Layout::ChannelsLast)
    }
}

fn sigmoid(v: f32) -> f32 {
    1.0 / (1.0 + (-v).exp())
}

/// CBAM: channel attention (a shared two-layer MLP over the average- and max-pooled features)
/// then spatial attention (a 7×7 convolution over the per-pixel channel mean and max).
#[derive(Clone, Debug)]
struct Cbam {
    c: usize,
    hidden: usize,
    /// `[hidden][c]` and `[c][hidden]`, row-major, with their biases.
    fc1: (Vec<f32>, Vec<f32>),
    fc2: (Vec<f32>, Vec<f32>),
    /// `[2][7][7]` (mean map, max map) and the bias.
    spatial: (Vec<f32>, f32),
}

impl Cbam {
    /// Reads `fc1.*` (`[c/r, c, 1, 1]`), `fc2.*` and `spatial.*` (`[1, 2, 7, 7]`).
    fn new(c: usize, vb: VarBuilder) -> Result<Cbam> {
        let fc1 = vb.get_unchecked_dtype("fc1.weight", DType::F32)?;
        let hidden = fc1.dim(0)?;
        let flat = |t: Tensor| t.flatten_all()?.to_vec1::<f32>();
        Ok(Cbam {
            c,
            hidden,
            fc1: (
                flat(vb.get((hidden, c, 1, 1), "fc1.weight")?)?,
                flat(vb.get(hidden, "fc1.bias")?)?,
            ),
            fc2: (
                flat(vb.get((c, hidden, 1, 1), "fc2.weight")?)?,
                flat(vb.get(c, "fc2.bias")?)?,
            ),
            spatial: (
                flat(vb.get((1, 2, 7, 7), "spatial.weight")?)?,
                vb.get(1, "spatial.bias")?.to_vec1::<f32>()?[0],
            ),
        })
    }

    /// The shared MLP without its output bias (added once per branch by the caller).
    fn mlp(&self, v: &[f32], out: &mut [f32]) {
        let (w1, b1) = &self.fc1;
        let hid: Vec<f32> = (0..self.hidden)
            .map(|j| {
                let row = &w1[j * self.c..][..self.c];
                (b1[j] + row.iter().zip(v).map(|(a, b)| a * b).sum::<f32>()).max(0.0)
            })
            .collect();
        for (i, o) in out.iter_mut().enumerate() {
            let row = &self.fc2.0[i * self.hidden..][..self.hidden];
            *o += self.fc2.1[i] + row.iter().zip(&hid).map(|(a, b)| a * b).sum::<f32>();
        }
    }

    /// Refines `x` in place; returns the spatial attention maps, `[n][h·w]` flattened.
    fn forward(&self, x: &mut Map) -> Vec<f32> {
        let (h, w, c) = (x.h, x.w, x.c);
        let hw = h * w;
        let mut maps = vec![0f32; x.n * hw];
        for (plane, sa) in x
            .data
            .chunks_exact_mut(hw * c)
            .zip(maps.chunks_exact_mut(hw))
        {
            let mut avg = vec![0f32; c];
            let mut max = vec![f32::NEG_INFINITY; c];
            for px in plane.chunks_exact(c) {
                for ((a, m), v) in avg.iter_mut().zip(max.iter_mut()).zip(px) {
                    *a += v;
                    *m = m.max(*v);
                }
            }
            avg.iter_mut().for_each(|a| *a /= hw as f32);
            let mut ca = vec![0f32; c];
            self.mlp(&avg, &mut ca);
            self.mlp(&max, &mut ca);
            ca.iter_mut().for_each(|v| *v = sigmoid(*v));
            // Per pixel: apply the channel attention, then take the channel mean and max.
            let mut pooled = vec![0f32; 2 * hw];
            for (p, px) in plane.chunks_exact_mut(c).enumerate() {
                let (mut sum, mut mx) = (0f32, f32::NEG_INFINITY);
                for (v, a) in px.iter_mut().zip(&ca) {
                    *v *= a;
                    sum += *v;
                    mx = mx.max(*v);
                }
                pooled[p] = sum / c as f32;
                pooled[hw + p] = mx;
            }
            let (weight, bias) = &self.spatial;
            for y in 0..h {
                for xx in 0..w {
                    let mut acc = *bias;
                    for (ch, kernel) in weight.chunks_exact(49).enumerate() {
                        let src = &pooled[ch * hw..][..hw];
                        for ky in 0..7 {
                            let Some(iy) = (y + ky).checked_sub(3).filter(|&v| v < h) else {
                                continue;
                            };
                            for kx in 0..7 {
                                if let Some(ix) = (xx + kx).checked_sub(3).filter(|&v| v < w) {
                                    acc += kernel[ky * 7 + kx] * src[iy * w + ix];
                                }
                            }
                        }
                    }
                    sa[y * w + xx] = sigmoid(acc);
                }
            }
            for (px, a) in plane.chunks_exact_mut(c).zip(sa.iter()) {
                px.iter_mut().for_each(|v| *v *= a);
            }
        }
        maps
    }
}

/// Residual block: two `ConvBn`s and CBAM on the branch, identity shortcut, ReLU after the sum.
#[derive(Clone, Debug)]
struct Block {
    a: ConvBn,
    b: ConvBn,
    cbam: Cbam,
}

impl Block {
    fn new(c: usize, vb: VarBuilder) -> Result<Block> {
        Ok(Block {
            a: ConvBn::new(1, true, vb.pp("a"))?,
            b: ConvBn::new(1, false, vb.pp("b"))?,
            cbam: Cbam::new(c, vb.pp("cbam"))?,
        })
    }

    /// The block's output and its spatial attention maps.
    fn forward(&self, x: &Map) -> Result<(Map, Vec<f32>)> {
        let mut y = self.b.forward(&self.a.forward(x)?)?;
        let sa = self.cbam.forward(&mut y);
        for (o, i) in y.data.iter_mut().zip(&x.data) {
            *o = (*o + i).max(0.0);
        }
        Ok((y, sa))
    }
}

/// FerNet: stem 1→w1, stride-2 down to w1, block(w1), down to w2, block(w2), down to w3,
/// block(w3), global average pool, linear w3→classes. Widths come from the weights' shapes.
#[derive(Clone, Debug)]
pub struct FerNet {
    stem: ConvBn,
    down1: ConvBn,
    block1: Block,
    down2: ConvBn,
    block2: Block,
    down3: ConvBn,
    block3: Block,
    /// `[classes][w3]` and the bias.
    head: (Vec<f32>, Vec<f32>),
    classes: usize,
    /// How the weights file says to run the model (crop, calibration).
    config: FerConfig,
}

impl FerNet {
    /// Builds the model from the state_dict keys (`stem.conv.weight`, `block2.cbam.fc1.bias`,
    /// `head.weight`, ...; `num_batches_tracked` not needed).
    pub fn new(vb: VarBuilder) -> Result<FerNet> {
        let stem = ConvBn::new(1, true, vb.pp("stem"))?;
        if stem.cin != 1 {
            bail!(
                "stem.conv.weight: 1 input channel expected, got {}",
                stem.cin
            );
        }
        let down1 = ConvBn::new(2, true, vb.pp("down1"))?;
        let block1 = Block::new(down1.cout, vb.pp("block1"))?;
        let down2 = ConvBn::new(2, true, vb.pp("down2"))?;
        let block2 = Block::new(down2.cout, vb.pp("block2"))?;
        let down3 = ConvBn::new(2, true, vb.pp("down3"))?;
        let block3 = Block::new(down3.cout, vb.pp("block3"))?;
        let hw = vb.get_unchecked_dtype("head.weight", DType::F32)?;
        let (classes, w3) = hw.dims2()?;
        if w3 != down3.cout {
            bail!("head.weight: {} inputs expected, got {w3}", down3.cout);
        }
        let head = (
            hw.flatten_all()?.to_vec1::<f32>()?,
            vb.get(classes, "head.bias")?.to_vec1::<f32>()?,
        );
        Ok(FerNet {
            stem,
            down1,
            block1,
            down2,
            block2,
            down3,
            block3,
            head,
            classes,
            config: FerConfig::default(),
        })
    }

    /// The same model run as `config` says (what the weights file's metadata holds).
    pub fn with_config(self, config: FerConfig) -> FerNet {
        FerNet { config, ..self }
    }

    pub fn config(&self) -> FerConfig {
        self.config
    }

    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Channel widths of the three stages.
    pub fn widths(&self) -> [usize; 3] {
        [self.down1.cout, self.down2.cout, self.down3.cout]
    }

    /// `[N, 1, H, W]` (normally 48×48, see [`preprocess`]) → logits `[N, classes]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(self.forward_with_attention(x)?.0)
    }

    /// Logits and block2's spatial attention map `[N, 1, H/4, W/4]` (12×12 for a 48×48 face).
    pub fn forward_with_attention(&self, x: &Tensor) -> Result<(Tensor, Tensor)> {
        let (n, c, h, w) = x.dims4()?;
        if c != 1 || h < 8 || w < 8 {
            bail!(
                "FerNet input: [N, 1, H ≥ 8, W ≥ 8] expected, got {:?}",
                x.dims()
            );
        }
        let data = x.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?;
        let x = Map::new(data, (n, c, h, w), Layout::ChannelsLast)?;
        let x = self.down1.forward(&self.stem.forward(&x)?)?;
        let (x, _) = self.block1.forward(&x)?;
        let (x, sa) = self.block2.forward(&self.down2.forward(&x)?)?;
        let (ah, aw) = (x.h, x.w);
        let (x, _) = self.block3.forward(&self.down3.forward(&x)?)?;
        let hw = (x.h * x.w) as f32;
        let (weight, bias) = &self.head;
        let mut logits = Vec::with_capacity(n * self.classes);
        for plane in x.data.chunks_exact(x.h * x.w * x.c) {
            let mut pooled = vec![0f32; x.c];
            for px in plane.chunks_exact(x.c) {
                pooled.iter_mut().zip(px).for_each(|(p, v)| *p += v);
            }
            pooled.iter_mut().for_each(|p| *p /= hw);
            for (row, b) in weight.chunks_exact(x.c).zip(bias) {
                logits.push(b + row.iter().zip(&pooled).map(|(a, v)| a * v).sum::<f32>());
            }
        }
        let device = self.stem.weight.device();
        Ok((
            Tensor::from_vec(logits, (n, self.classes), device)?,
            Tensor::from_vec(sa, (n, 1, ah, aw), device)?,
        ))
    }
}
