//! SSD anchors of BlazeFace short-range and the decoding of its regressors into boxes and
//! keypoints, both in normalised input coordinates ([0,1] across the 128×128 tensor). Pure
//! functions, run by the detector's thread.
//!
//! The options are MediaPipe's (`mediapipe/modules/face_detection/face_detection_short_range.pbtxt`
//! with `face_detection.pbtxt`): `SsdAnchorsCalculator` with num_layers 4, strides 8,16,16,16,
//! anchor offset 0.5, aspect ratio 1.0 plus one interpolated anchor per layer,
//! `fixed_anchor_size: true`; `TensorsToDetectionsCalculator` with x/y/w/h scale 128 and
//! `reverse_output_order: true` (x before y).

/// One anchor: its centre, normalised. With `fixed_anchor_size` every anchor is 1×1, so its
/// size never enters the decoding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    pub x: f32,
    pub y: f32,
}

/// `SsdAnchorsCalculatorOptions`, reduced to what the face detectors use.
#[derive(Debug, Clone, PartialEq)]
pub struct AnchorOptions {
    pub input_size: usize,
    /// One stride per layer; consecutive layers with the same stride share one feature map.
    pub strides: Vec<usize>,
    pub anchor_offset: f32,
    /// Anchors per layer and cell: one per aspect ratio, plus the interpolated one.
    pub anchors_per_layer: usize,
}

impl AnchorOptions {
    pub fn short_range() -> Self {
        Self {
            input_size: 128,
            strides: vec![8, 16, 16, 16],
            anchor_offset: 0.5,
            anchors_per_layer: 2,
        }
    }
}

/// The anchors in the model's output order: feature maps by stride, then rows, columns, and the
/// anchors of a cell last (896 for [`AnchorOptions::short_range`]).
pub fn ssd_anchors(options: &AnchorOptions) -> Vec<Anchor> {
    let mut anchors = Vec::new();
    let mut layer = 0;
    while layer < options.strides.len() {
        let stride = options.strides[layer];
        let same = options.strides[layer..]
            .iter()
            .take_while(|&&s| s == stride)
            .count();
        let side = options.input_size.div_ceil(stride);
        let per_cell = same * options.anchors_per_layer;
        for y in 0..side {
            for x in 0..side {
                let centre = Anchor {
                    x: (x as f32 + options.anchor_offset) / side as f32,
                    y: (y as f32 + options.anchor_offset) / side as f32,
                };
                anchors.extend(std::iter::repeat_n(centre, per_cell));
            }
        }
        layer += same;
    }
    anchors
}

/// A decoded detection in normalised input coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawDetection {
    /// x0, y0, x1, y1.
    pub bbox: [f32; 4],
    pub keypoints: [[f32; 2]; 6],
    pub score: f32,
}

impl RawDetection {
    pub fn area(&self) -> f32 {
        (self.bbox[2] - self.bbox[0]).max(0.0) * (self.bbox[3] - self.bbox[1]).max(0.0)
    }

    /// Intersection over union; 0 when either box is empty or they do not meet.
    pub fn iou(&self, other: &RawDetection) -> f32 {
        let (a, b) = (&self.bbox, &other.bbox);
        let w = a[2].min(b[2]) - a[0].max(b[0]);
        let h = a[3].min(b[3]) - a[1].max(b[1]);
        if w <= 0.0 || h <= 0.0 {
            return 0.0;
        }
        let inter = w * h;
        let union = self.area() + other.area() - inter;
        if union > 0.0 {
            inter / union
        } else {
            0.0
        }
    }
}

/// Decodes one anchor's 16 regressor values (`scale`: the input size, 128) with its score.
pub fn decode(anchor: &Anchor, raw: &[f32], scale: f32, score: f32) -> RawDetection {
    let x = raw[0] / scale + anchor.x;
    let y = raw[1] / scale + anchor.y;
    let (w, h) = (raw[2] / scale, raw[3] / scale);
    let mut keypoints = [[0.0; 2]; 6];
    for (k, point) in keypoints.iter_mut().enumerate() {
        *point = [
            raw[4 + 2 * k] / scale + anchor.x,
            raw[5 + 2 * k] / scale + anchor.y,
        ];
    }
    RawDetection {
        bbox: [x - w / 2.0, y - h / 2.0, x + w / 2.0, y + h / 2.0],
        keypoints,
        score,
    }
}

/// MediaPipe's `NonMaxSuppressionCalculator` with `algorithm: WEIGHTED`: take the best remaining
/// detection, gather every remaining one overlapping it by more than `min_iou` (itself
/// included), and emit their score-weighted mean box and keypoints with the best one's score.
pub fn weighted_nms(mut detections: Vec<RawDetection>, min_iou: f32) -> Vec<RawDetection> {
    detections.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    while let Some(best) = detections.first().copied() {
        let (cluster, rest): (Vec<_>, Vec<_>) =
            detections.into_iter().partition(|d| d.iou(&best) > min_iou);
        let total: f32 = cluster.iter().map(|d| d.score).sum();
        let mut merged = best;
        if total > 0.0 && !cluster.is_empty() {
            merged.bbox = [0.0; 4];
            merged.keypoints = [[0.0; 2]; 6];
            for d in &cluster {
                let wgt = d.score / total;
                for (m, v) in merged.bbox.iter_mut().zip(d.bbox) {
                    *m += wgt * v;
                }
                for (m, v) in merged.keypoints.iter_mut().zip(d.keypoints) {
                    m[0] += wgt * v[0];
                    m[1] += wgt * v[1];
                }
            }
        }
        out.push(merged);
        if cluster.is_empty() {
            // Only an empty best box can fail to overlap itself; drop it and go on.
            detections = rest.into_iter().skip(1).collect();
        } else {
            detections = rest;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_range_anchors_match_mediapipe() {
        let a = ssd_anchors(&AnchorOptions::short_range());
        assert_eq!(a.len(), 896);
        // 16×16 cells × 2 first, then 8×8 cells × 6.
        assert_eq!(
            a[0],
            Anchor {
                x: 0.5 / 16.0,
                y: 0.5 / 16.0
            }
        );
        assert_eq!(a[1], a[0]);
        assert_eq!(a[2].x, 1.5 / 16.0);
        assert_eq!(
            a[511],
            Anchor {
                x: 15.5 / 16.0,
                y: 15.5 / 16.0
            }
        );
        assert_eq!(
            a[512],
            Anchor {
                x: 0.5 / 8.0,
                y: 0.5 / 8.0
            }
        );
        assert_eq!(a[517], a[512]);
        assert_eq!(a[518].x, 1.5 / 8.0);
        assert_eq!(
            a[895],
            Anchor {
                x: 7.5 / 8.0,
                y: 7.5 / 8.0
            }
        );
    }

    fn det(bbox: [f32; 4], score: f32) -> RawDetection {
        RawDetection {
            bbox,
            keypoints: [[bbox[0], bbox[1]]; 6],
            score,
        }
    }

    #[test]
    fn weighted_nms_averages_overlapping_boxes_by_score() {
        let out = weighted_nms(
            vec![
                det([0.0, 0.0, 1.0, 1.0], 0.6),
                det([0.2, 0.0, 1.2, 1.0], 0.9),
                det([5.0, 5.0, 6.0, 6.0], 0.7),
            ],
            0.3,
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].score, 0.9);
        assert!((out[0].bbox[0] - 0.12).abs() < 1e-6, "{:?}", out[0]);
        assert!((out[0].keypoints[0][0] - 0.12).abs() < 1e-6);
        assert_eq!(out[1].bbox, [5.0, 5.0, 6.0, 6.0]);
    }

    #[test]
    fn decode_reads_x_before_y_in_input_pixels() {
        let mut raw = [0.0f32; 16];
        raw[0] = 12.8; // +0.1 in x
        raw[2] = 64.0;
        raw[3] = 32.0;
        raw[5] = -12.8; // first keypoint's y
        let d = decode(&Anchor { x: 0.5, y: 0.5 }, &raw, 128.0, 0.8);
        assert!((d.bbox[0] - 0.35).abs() < 1e-6 && (d.bbox[2] - 0.85).abs() < 1e-6);
        assert!((d.bbox[1] - 0.375).abs() < 1e-6 && (d.bbox[3] - 0.625).abs() < 1e-6);
        assert!((d.keypoints[0][1] - 0.4).abs() < 1e-6);
    }
}
