//! Face detection on any RGB frame: letterbox to BlazeFace's 128×128 input, run the model, keep
//! scores ≥ 0.5, decode boxes and keypoints, weighted NMS, and map back to the frame's pixels.
//! Runs on the vision thread; one [`FaceDetector`] serves any number of frames.
//!
//! This is MediaPipe's `FaceDetectionShortRange` graph (ImageToTensor with `keep_aspect_ratio`
//! and a black border, TensorsToDetections, NonMaxSuppression WEIGHTED at IoU 0.3, projection).

use std::time::Instant;

use candle_core::{DType, Device, Tensor};
use image::RgbImage;

use super::anchors::{decode, ssd_anchors, weighted_nms, Anchor, AnchorOptions, RawDetection};
use super::blazeface::BlazeFace;

/// One face in frame pixels. The box is not clipped to the frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Face {
    /// x0, y0, x1, y1 in pixels.
    pub bbox: [f32; 4],
    /// Detection confidence in [0,1].
    pub score: f32,
    /// MediaPipe's order: right eye, left eye, nose tip, mouth centre, right ear tragion, left ear
    /// tragion ("right" is the person's right, on the image's left for a frontal face). Pixels.
    pub keypoints: [[f32; 2]; 6],
}

impl Face {
    pub const RIGHT_EYE: usize = 0;
    pub const LEFT_EYE: usize = 1;
    pub const NOSE_TIP: usize = 2;
    pub const MOUTH: usize = 3;

    pub fn width(&self) -> f32 {
        self.bbox[2] - self.bbox[0]
    }

    pub fn height(&self) -> f32 {
        self.bbox[3] - self.bbox[1]
    }

    pub fn area(&self) -> f32 {
        self.width().max(0.0) * self.height().max(0.0)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("cannot detect faces in an empty image ({width}×{height})")]
    EmptyImage { width: u32, height: u32 },
    #[error("face detector forward pass failed: {0}")]
    Model(#[from] candle_core::Error),
}

/// Thresholds, MediaPipe's defaults for the short-range model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorOptions {
    pub min_score: f32,
    pub min_suppression_iou: f32,
    pub score_clip: f32,
}

impl Default for DetectorOptions {
    fn default() -> Self {
        Self {
            min_score: 0.5,
            min_suppression_iou: 0.3,
            score_clip: 100.0,
        }
    }
}

/// Where the frame sits in the square input: a frame point `p` is at `p * scale + offset`
/// tensor pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Letterbox {
    pub scale: f32,
    pub offset: [f32; 2],
}

impl Letterbox {
    /// The frame centred in a square of side max(width, height), scaled to `size`.
    pub fn fit(width: u32, height: u32, size: usize) -> Self {
        let side = width.max(height) as f32;
        let scale = size as f32 / side;
        Self {
            scale,
            offset: [
                (side - width as f32) / 2.0 * scale,
                (side - height as f32) / 2.0 * scale,
            ],
        }
    }

    /// Tensor pixels → frame pixels.
    fn to_frame(self, x: f32, y: f32) -> [f32; 2] {
        [
            (x - self.offset[0]) / self.scale,
            (y - self.offset[1]) / self.scale,
        ]
    }
}

/// BlazeFace with its anchors and post-processing. Build it with
/// [`crate::vision::weights::load_detector`] or [`FaceDetector::new`].
#[derive(Debug, Clone)]
pub struct FaceDetector {
    model: BlazeFace,
    anchors: Vec<Anchor>,
    options: DetectorOptions,
}

impl FaceDetector {
    pub fn new(model: BlazeFace, options: DetectorOptions) -> Self {
        let mut anchor_options = AnchorOptions::short_range();
        anchor_options.input_size = model.config().input_size;
        Self {
            anchors: ssd_anchors(&anchor_options),
            model,
            options,
        }
    }

    pub fn model(&self) -> &BlazeFace {
        &self.model
    }

    /// Faces in `img`, largest first; empty when there is none.
    pub fn detect(&self, img: &RgbImage) -> Result<Vec<Face>, DetectError> {
        let (width, height) = img.dimensions();
        if width == 0 || height == 0 {
            return Err(DetectError::EmptyImage { width, height });
        }
        let size = self.model.config().input_size;
        let letterbox = Letterbox::fit(width, height, size);
        let input = input_tensor(img, letterbox, size)?.to_dtype(self.model.dtype())?;
        let (regressors, logits) = self.model.forward(&input)?;
        let regressors = regressors
            .squeeze(0)?
            .to_dtype(DType::F32)?
            .to_vec2::<f32>()?;
        let logits = logits.squeeze(0)?.to_dtype(DType::F32)?.to_vec1::<f32>()?;
        let clip = self.options.score_clip;
        let candidates: Vec<RawDetection> = logits
            .iter()
            .zip(&regressors)
            .zip(&self.anchors)
            .filter_map(|((&logit, raw), anchor)| {
                let score = 1.0 / (1.0 + (-logit.clamp(-clip, clip)).exp());
                let d = decode(anchor, raw, size as f32, score);
                let valid = d.bbox[2] > d.bbox[0] && d.bbox[3] > d.bbox[1];
                (score >= self.options.min_score && valid).then_some(d)
            })
            .collect();
        let mut faces: Vec<Face> = weighted_nms(candidates, self.options.min_suppression_iou)
            .into_iter()
            .map(|d| {
                let s = size as f32;
                let [x0, y0] = letterbox.to_frame(d.bbox[0] * s, d.bbox[1] * s);
                let [x1, y1] = letterbox.to_frame(d.bbox[2] * s, d.bbox[3] * s);
                Face {
                    bbox: [x0, y0, x1, y1],
                    score: d.score,
                    keypoints: d.keypoints.map(|[x, y]| letterbox.to_frame(x * s, y * s)),
                }
            })
            .collect();
        faces.sort_by(|a, b| b.area().total_cmp(&a.area()));
        Ok(faces)
    }
}

/// The model input for `img`: `[1,3,size,size]` F32, RGB in [-1,1], the frame placed by
/// `letterbox` and sampled bilinearly exactly as MediaPipe's CPU `ImageToTensorCalculator`
/// does (OpenCV `warpPerspective` mapping the square's corners onto the tensor's, so tensor
/// pixel `i` reads frame point `(i - offset) / scale`; outside the frame reads as black). A frame
/// of exactly `size`×`size` is copied as is.
pub fn input_tensor(
    img: &RgbImage,
    letterbox: Letterbox,
    size: usize,
) -> candle_core::Result<Tensor> {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let raw = img.as_raw();
    let plane = size * size;
    let mut data = vec![0f32; 3 * plane];
    let pixel = |x: i64, y: i64, c: usize| -> f32 {
        if x < 0 || y < 0 || x >= w || y >= h {
            0.0
        } else {
            f32::from(raw[((y * w + x) * 3) as usize + c])
        }
    };
    // Source coordinate of each output column/row: index, fraction.
    let axis = |n: usize, offset: f32| -> Vec<(i64, f32)> {
        (0..n)
            .map(|i| {
                let s = (i as f32 - offset) / letterbox.scale;
                let f = s.floor();
                (f as i64, s - f)
            })
            .collect()
    };
    let xs = axis(size, letterbox.offset[0]);
    let ys = axis(size, letterbox.offset[1]);
    for (oy, &(y, fy)) in ys.iter().enumerate() {
        for (ox, &(x, fx)) in xs.iter().enumerate() {
            for c in 0..3 {
                let top = pixel(x, y, c) * (1.0 - fx) + pixel(x + 1, y, c) * fx;
                let bottom = pixel(x, y + 1, c) * (1.0 - fx) + pixel(x + 1, y + 1, c) * fx;
                let v = top * (1.0 - fy) + bottom * fy;
                data[c * plane + oy * size + ox] = v / 127.5 - 1.0;
            }
        }
    }
    Tensor::from_vec(data, (1, 3, size, size), &Device::Cpu)
}

/// Timing of detection + alignment over frames, in milliseconds per frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectTiming {
    pub runs: usize,
    /// Wall clock.
    pub median_ms: f64,
    pub p90_ms: f64,
    pub mean_ms: f64,
    /// CPU time of the whole process (all threads) per frame, averaged: on a machine busy with
    /// other work this is what the frame costs, where the wall clock also counts waiting.
    pub cpu_ms: f64,
}

/// CPU time used by this process so far (all threads, user + system), in ms.
fn process_cpu_ms() -> f64 {
    // SAFETY: an all-zero rusage is valid, and getrusage only writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    ms(usage.ru_utime) + ms(usage.ru_stime)
}

/// Runs `detect` then [`super::align::align_face`] on the largest face, `runs` times over
/// `frames` in turn (after one warm-up pass), and reports per-frame times. For `mien bench
/// vision`; build in release mode. candle's matrix products use `RAYON_NUM_THREADS` threads (all
/// cores when unset): on a loaded 2-core machine 1 is faster than 2.
pub fn bench_detect_align(
    detector: &FaceDetector,
    frames: &[RgbImage],
    runs: usize,
) -> Result<DetectTiming, DetectError> {
    for frame in frames {
        detector.detect(frame)?;
    }
    let mut times = Vec::with_capacity(runs);
    let cpu_start = process_cpu_ms();
    for frame in frames.iter().cycle().take(runs) {
        let start = Instant::now();
        if let Some(face) = detector.detect(frame)?.first() {
            std::hint::black_box(super::align::align_face(frame, face));
        }
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let cpu_ms = (process_cpu_ms() - cpu_start) / times.len().max(1) as f64;
    times.sort_by(f64::total_cmp);
    let at = |q: f64| {
        times
            .get(((times.len() as f64 - 1.0) * q).round() as usize)
            .copied()
    };
    Ok(DetectTiming {
        runs: times.len(),
        median_ms: at(0.5).unwrap_or(f64::NAN),
        p90_ms: at(0.9).unwrap_or(f64::NAN),
        mean_ms: times.iter().sum::<f64>() / times.len().max(1) as f64,
        cpu_ms,
    })
}
