//! Tensor helpers for the musicnn model that candle lacks: im2col for single-channel maps.
//! Pure computation on the caller's thread.

use candle_core::{Result, Tensor};

/// `[batch, h, w]` → `[batch·(h−kh+1)·(w−kw+1), kh·kw]`: each row the kh × kw window at one
/// output position, row-major. Plain copies of contiguous runs of `kw` values.
pub fn im2col(x: &Tensor, kh: usize, kw: usize) -> Result<Tensor> {
    let (b, h, w) = x.dims3()?;
    if h < kh || w < kw {
        candle_core::bail!("input {h}x{w} smaller than the {kh}x{kw} kernel");
    }
    let (oh, ow) = (h - kh + 1, w - kw + 1);
    let data = x.flatten_all()?.to_vec1::<f32>()?;
    let k = kh * kw;
    let mut cols = vec![0f32; b * oh * ow * k];
    let mut rows = cols.chunks_exact_mut(k);
    for plane in data.chunks_exact(h * w) {
        for t in 0..oh {
            for f in 0..ow {
                let Some(row) = rows.next() else {
                    candle_core::bail!("im2col: output buffer too small");
                };
                for (dt, taps) in row.chunks_exact_mut(kw).enumerate() {
                    let at = (t + dt) * w + f;
                    taps.copy_from_slice(&plane[at..at + kw]);
                }
            }
        }
    }
    Tensor::from_vec(cols, (b * oh * ow, k), x.device())
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn im2col_rows_are_the_windows_in_output_order() {
        // One 3 × 4 map, 2 × 3 kernel: 2 × 2 output positions.
        let x = Tensor::arange(0f32, 12.0, &Device::Cpu)
            .unwrap()
            .reshape((1, 3, 4))
            .unwrap();
        let cols: Vec<Vec<f32>> = im2col(&x, 2, 3).unwrap().to_vec2().unwrap();
        assert_eq!(
            cols,
            vec![
                vec![0.0, 1.0, 2.0, 4.0, 5.0, 6.0],
                vec![1.0, 2.0, 3.0, 5.0, 6.0, 7.0],
                vec![4.0, 5.0, 6.0, 8.0, 9.0, 10.0],
                vec![5.0, 6.0, 7.0, 9.0, 10.0, 11.0],
            ]
        );
    }

    #[test]
    fn im2col_refuses_a_kernel_larger_than_the_map() {
        let x = Tensor::zeros((1, 2, 2), candle_core::DType::F32, &Device::Cpu).unwrap();
        assert!(im2col(&x, 3, 1).is_err());
    }
}
