//! `mien emotion IMAGE... [--json] [--explain OUT.png]`: the vision pipeline (detect → largest
//! face → align → classify) on image files. Runs on the main thread, one image after another.
//!
//! With `--json` the output is one JSON array, one entry per image, in the order given:
//! `{"path", "faces", "box": [x0, y0, x1, y1] | null, "label" | null, "probs": {label: p} | null,
//! "ms"}` (`ms`: detection + alignment + classification, not the file's decoding), or
//! `{"path", "error"}` for an image that cannot be read. `--explain OUT.png` writes the aligned
//! face of the (first, or each: `OUT-2.png`, ...) image with the model's attention overlaid.
//! Exit status 0 when every image was read; missing or invalid models are errors.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use image::{GrayImage, Rgb, RgbImage};
use serde_json::{json, Map, Value};

use crate::cli::VisionOpts;
use crate::core::text::counted;
use crate::core::EMOTIONS;
use crate::vision::pipeline::{Classification, Classifier, Pipeline};
use crate::vision::weights::{default_detector_path, default_fer_path, load_detector, load_fer};

/// The emotion model of `--model` (default: models/fer-cbam.safetensors): the single pass the
/// player uses, or with `--tta` also the mirrored face.
pub fn classifier(opts: &VisionOpts) -> anyhow::Result<Classifier> {
    let path = opts.model.clone().unwrap_or_else(default_fer_path);
    Ok(Classifier::new(load_fer(&path)?, opts.tta)?)
}

/// Detector (`--detector`, default models/blazeface-short.safetensors) + [`classifier`].
pub fn pipeline(opts: &VisionOpts) -> anyhow::Result<Pipeline> {
    let path = opts.detector.clone().unwrap_or_else(default_detector_path);
    Ok(Pipeline::new(load_detector(&path)?, classifier(opts)?))
}

/// `{label: p}` in FER-2013 order.
pub fn probs_json(probs: &[f32; 7]) -> Value {
    let map: Map<String, Value> = EMOTIONS
        .iter()
        .zip(probs)
        .map(|(l, p)| (l.to_string(), json!(p)))
        .collect();
    Value::Object(map)
}

pub fn run(
    images: &[PathBuf],
    json_out: bool,
    explain: Option<&Path>,
    opts: &VisionOpts,
) -> anyhow::Result<()> {
    let pipeline = pipeline(opts)?;
    // One pass on a blank frame first, so that `ms` is the steady per-image time and not the
    // first call's set-up (thread pool, allocations).
    pipeline.run(&RgbImage::new(640, 480))?;
    let mut entries = Vec::new();
    let mut failed = 0;
    for (i, path) in images.iter().enumerate() {
        let frame = match image::open(path) {
            Ok(img) => img.to_rgb8(),
            Err(e) => {
                failed += 1;
                if !json_out {
                    eprintln!("{}: {e}", path.display());
                }
                entries.push(json!({"path": path, "error": e.to_string()}));
                continue;
            }
        };
        let started = Instant::now();
        let reading = pipeline.run(&frame)?;
        let ms = started.elapsed().as_secs_f64() * 1e3;
        let entry = match &reading.largest {
            Some(face) => {
                let c = &face.classification;
                if let Some(out) = explain {
                    let out = numbered(out, i);
                    overlay(&face.aligned, c)
                        .save(&out)
                        .with_context(|| format!("cannot write {}", out.display()))?;
                }
                if !json_out {
                    println!(
                        "{}: {} ({:.2}), {}, {ms:.1} ms",
                        path.display(),
                        c.label(),
                        c.probs[c.top()],
                        counted(reading.faces, "face")
                    );
                }
                json!({"path": path, "faces": reading.faces, "box": face.face.bbox,
                       "label": c.label(), "probs": probs_json(&c.probs), "ms": ms})
            }
            None => {
                if !json_out {
                    println!("{}: no face, {ms:.1} ms", path.display());
                }
                json!({"path": path, "faces": 0, "box": null, "label": null, "probs": null,
                       "ms": ms})
            }
        };
        entries.push(entry);
    }
    if json_out {
        println!("{}", serde_json::to_string_pretty(&entries)?);
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} images could not be read", images.len());
    }
    Ok(())
}

/// `OUT.png` for the first image, `OUT-2.png`, `OUT-3.png`, ... for the next.
fn numbered(out: &Path, i: usize) -> PathBuf {
    if i == 0 {
        return out.to_path_buf();
    }
    let stem = out
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("explain");
    let ext = out.extension().and_then(|s| s.to_str()).unwrap_or("png");
    out.with_file_name(format!("{stem}-{}.{ext}", i + 1))
}

/// Pixels per face pixel in the `--explain` image.
const EXPLAIN_SCALE: u32 = 6;

/// The aligned face, enlarged, with the attention map (bilinearly upsampled, normalised to its
/// own range) blended in as a heat colour: warm where the model looked.
pub fn overlay(face: &GrayImage, c: &Classification) -> RgbImage {
    let (fw, fh) = face.dimensions();
    let (ah, aw) = c.attention_size;
    let (lo, hi) = c
        .attention
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let span = (hi - lo).max(1e-6);
    let at = |y: usize, x: usize| (c.attention[y * aw + x] - lo) / span;
    let (w, h) = (fw * EXPLAIN_SCALE, fh * EXPLAIN_SCALE);
    // The map covers `side` face pixels from `offset` on (the whole face unless the model crops).
    let (offset, side) = c.attention_region;
    let (offset, side) = (
        (offset * EXPLAIN_SCALE) as f32,
        (side * EXPLAIN_SCALE).max(1) as f32,
    );
    RgbImage::from_fn(w, h, |x, y| {
        let gray = f32::from(face.get_pixel(x / EXPLAIN_SCALE, y / EXPLAIN_SCALE)[0]);
        // Attention cell centres sit at (i + 0.5) / a of the region.
        let cell = |p: u32, a: usize| {
            ((p as f32 + 0.5 - offset) / side * a as f32 - 0.5).clamp(0.0, (a - 1) as f32)
        };
        let (fy, fx) = (cell(y, ah), cell(x, aw));
        let (y0, x0) = (fy.floor() as usize, fx.floor() as usize);
        let (y1, x1) = ((y0 + 1).min(ah - 1), (x0 + 1).min(aw - 1));
        let (ty, tx) = (fy - y0 as f32, fx - x0 as f32);
        let a = (at(y0, x0) * (1.0 - tx) + at(y0, x1) * tx) * (1.0 - ty)
            + (at(y1, x0) * (1.0 - tx) + at(y1, x1) * tx) * ty;
        // Blue (ignored) → green → red (attended).
        let heat = [
            255.0 * (2.0 * a).min(1.0),
            255.0 * (1.0 - (2.0 * a - 1.0).abs()),
            255.0 * (1.0 - 2.0 * a).max(0.0),
        ];
        let mix = |h: f32| (0.55 * gray + 0.45 * h).clamp(0.0, 255.0) as u8;
        Rgb([mix(heat[0]), mix(heat[1]), mix(heat[2])])
    })
}
