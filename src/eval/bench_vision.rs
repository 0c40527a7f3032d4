//! `mien bench vision`: per-frame detect + align + emotion and the emotion model alone
//! (docs/BENCHMARKS.md, vision).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use serde_json::json;

/// Median and 90th percentile of `f`'s wall time over `runs` runs (after 5 warm-up runs), in ms.
fn time_ms(runs: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<(f64, f64)> {
    for _ in 0..5 {
        f()?;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        f()?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Ok((at(0.5), at(0.9)))
}

/// `mien bench vision`: per frame, detect + align + emotion (the player's pipeline, frames in
/// turn); the emotion model alone per face at batch 1, and with its mirror image (batch 2).
pub fn vision(
    frames: Option<&Path>,
    runs: usize,
    json_out: bool,
    opts: &crate::cli::VisionOpts,
) -> anyhow::Result<()> {
    let fixtures = crate::assets::bundled("tests/fixtures/blazeface");
    let files: Vec<PathBuf> = match frames {
        Some(p) => crate::vision::source::ImageSource::new(p)?.files().to_vec(),
        None => ["frame_a.jpg", "frame_b.jpg", "frame_c.jpg"]
            .iter()
            .map(|f| fixtures.join(f))
            .collect(),
    };
    let images = files
        .iter()
        .map(|f| {
            Ok(image::open(f)
                .with_context(|| format!("{}", f.display()))?
                .to_rgb8())
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let pipeline = crate::commands::emotion::pipeline(opts)?;
    let mut next = 0;
    let (frame_ms, frame_p90) = time_ms(runs, || {
        next += 1;
        pipeline.run(&images[next % images.len()])?;
        Ok(())
    })?;
    let detect = crate::vision::detect::bench_detect_align(pipeline.detector(), &images, runs)?;
    let face = images
        .iter()
        .find_map(|img| pipeline.run(img).ok()?.largest)
        .context("no face in the frames: cannot time the emotion model")?;
    let net = |tta: bool| -> anyhow::Result<crate::vision::pipeline::Classifier> {
        let opts = crate::cli::VisionOpts {
            tta,
            ..opts.clone()
        };
        crate::commands::emotion::classifier(&opts)
    };
    let (single, tta) = (net(false)?, net(true)?);
    let (one_ms, _) = time_ms(runs, || {
        single.classify(&face.aligned)?;
        Ok(())
    })?;
    let (tta_ms, _) = time_ms(runs, || {
        tta.classify(&face.aligned)?;
        Ok(())
    })?;
    let size = images.first().map(|i| i.dimensions()).unwrap_or((0, 0));
    if json_out {
        let report = json!({
            "frames": files, "frame_size": [size.0, size.1], "runs": runs,
            "flip_tta": pipeline.classifier().flip_tta(),
            "frame_ms": {"median": frame_ms, "p90": frame_p90},
            "detect_align_ms": {"median": detect.median_ms, "p90": detect.p90_ms},
            "emotion_ms_per_face": {"batch1": one_ms, "flip_tta_batch2": tta_ms},
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{} frames of {}×{}, {runs} runs each (medians):",
            files.len(),
            size.0,
            size.1
        );
        println!("  detect + align + emotion: {frame_ms:.2} ms per frame (p90 {frame_p90:.2})");
        println!(
            "  detect + align:           {:.2} ms per frame",
            detect.median_ms
        );
        println!("  emotion model, batch 1:   {one_ms:.2} ms per face");
        println!("  emotion model + flip:     {tta_ms:.2} ms per face");
    }
    Ok(())
}
