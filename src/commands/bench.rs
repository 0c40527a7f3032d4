//! `mien bench`: the benchmarks behind docs/BENCHMARKS.md (scan throughput, CPU while playing and
//! paused, peak memory). Numbers come from the process's own clocks (getrusage).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::json;

use super::{absolute, Context};
use crate::audio::{Engine, EngineCommand, EngineConfig, EngineEvent, OutputChoice, TrackRequest};

use crate::store::Store;

/// User + system CPU seconds of this process, and its peak RSS in KiB.
fn rusage() -> (f64, u64) {
    // SAFETY: getrusage writes into the struct we pass.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (secs(u.ru_utime) + secs(u.ru_stime), u.ru_maxrss as u64)
}

/// `mien bench scan --files N`: N generated small WAV files (with RIFF INFO tags) in a temp
/// folder, scanned into a fresh database (cold), then again (unchanged).
pub fn scan(ctx: &Context, files: usize, json_out: bool) -> anyhow::Result<()> {
    let _ = ctx;
    let root = std::env::temp_dir().join(format!("mien-bench-{}", std::process::id()));
    let music = root.join("music");
    let result = (|| {
        generate(&music, files)?;
        let store = Store::open(&root.join("data"))?;
        let t = Instant::now();
        let cold = crate::library::scan(&store, std::slice::from_ref(&music), &mut |_| {})?;
        let cold_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let warm = crate::library::scan(&store, std::slice::from_ref(&music), &mut |_| {})?;
        let warm_s = t.elapsed().as_secs_f64();
        anyhow::ensure!(
            cold.tracks == files,
            "cold scan found {} of {files} tracks",
            cold.tracks
        );
        anyhow::ensure!(warm.unchanged == files, "rescan re-read files");
        Ok::<_, anyhow::Error>((cold_s, warm_s))
    })();
    let _ = std::fs::remove_dir_all(&root);
    let (cold_s, warm_s) = result?;
    let report = json!({
        "files": files,
        "cold_seconds": cold_s,
        "cold_files_per_s": files as f64 / cold_s,
        "unchanged_seconds": warm_s,
        "unchanged_files_per_s": files as f64 / warm_s,
    });
    if json_out {
        println!("{report}");
    } else {
        println!(
            "scan {files} files: cold {:.2} s ({:.0} files/s), unchanged {:.3} s ({:.0} files/s)",
            cold_s,
            files as f64 / cold_s,
            warm_s,
            files as f64 / warm_s
        );
    }
    Ok(())
}

/// Writes `n` tagged 0.1 s mono 8 kHz 16-bit WAV files, 100 per folder.
fn generate(dir: &Path, n: usize) -> anyhow::Result<()> {
    for i in 0..n {
        let folder = dir.join(format!("artist{:03}", i / 100));
        if i % 100 == 0 {
            std::fs::create_dir_all(&folder)
                .with_context(|| format!("cannot create {}", folder.display()))?;
        }
        let path: PathBuf = folder.join(format!("{i:05}.wav"));
        std::fs::write(&path, tagged_wav(i))?;
    }
    Ok(())
}

fn tagged_wav(i: usize) -> Vec<u8> {
    let samples: Vec<i16> = (0..800)
        .map(|k| ((k as f32 * 0.05 + i as f32).sin() * 8000.0) as i16)
        .collect();
    let mut info = b"INFO".to_vec();
    for (id, text) in [
        (b"INAM", format!("Track {i}")),
        (b"IART", format!("Artist {}", i / 100)),
    ] {
        let mut t = text.into_bytes();
        t.push(0);
        if t.len() % 2 == 1 {
            t.push(0);
        }
        info.extend_from_slice(id);
        info.extend_from_slice(&(t.len() as u32).to_le_bytes());
        info.extend_from_slice(&t);
    }
    let data_len = (samples.len() * 2) as u32;
    let mut b = b"RIFF".to_vec();
    b.extend_from_slice(&(4 + 24 + 8 + data_len + 8 + info.len() as u32).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&8000u32.to_le_bytes());
    b.extend_from_slice(&16000u32.to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        b.extend_from_slice(&s.to_le_bytes());
    }
    b.extend_from_slice(b"LIST");
    b.extend_from_slice(&(info.len() as u32).to_le_bytes());
    b.extend_from_slice(&info);
    b
}

/// `mien bench play FILE`: CPU per wall second while FILE plays to the null output, then while
/// paused, and the process's peak RSS.
pub fn play(
    ctx: &Context,
    file: &Path,
    seconds: f64,
    json_out: bool,
    tag_dir: Option<&Path>,
) -> anyhow::Result<()> {
    let _ = ctx;
    let path = absolute(file);
    // Started first: the scratch scan and the model load are not part of the measured window.
    let load = tag_dir.map(super::tag_load::TagLoad::start).transpose()?;
    let (tx, rx) = mpsc::channel();
    let config = EngineConfig {
        output: OutputChoice::Null {
            rate: 44_100,
            channels: 2,
        },
        ..EngineConfig::default()
    };
    let engine = Engine::spawn(config, tx)?;
    engine.send(EngineCommand::Play {
        track: TrackRequest::new(&path),
        start_ms: 0,
    });
    // Wait for the track to start, then measure a steady stretch.
    loop {
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(EngineEvent::TrackStarted { .. }) => break,
            Ok(EngineEvent::TrackFailed { reason, .. }) => {
                anyhow::bail!("{}: {reason}", path.display())
            }
            Ok(_) => {}
            Err(_) => anyhow::bail!("{}: playback did not start", path.display()),
        }
    }
    let span = Duration::from_secs_f64(seconds.max(0.5));
    let measure = |span: Duration| {
        let (c0, _) = rusage();
        let t = Instant::now();
        std::thread::sleep(span);
        let (c1, _) = rusage();
        (c1 - c0) / t.elapsed().as_secs_f64() * 100.0
    };
    std::thread::sleep(Duration::from_millis(500));
    let playing = measure(span);
    engine.send(EngineCommand::Pause);
    std::thread::sleep(Duration::from_millis(300));
    let tagged_while_playing = load.as_ref().map(|l| l.tagged());
    let paused = measure(span);
    let underruns = engine.underruns();
    let tagging = load.as_ref().map(|l| {
        json!({"tracks": l.total(), "tagged_by_end_of_playing": tagged_while_playing,
               "tagged_by_end": l.tagged()})
    });
    drop(load);
    drop(engine);
    let (_, peak_kib) = rusage();
    let report = json!({
        "file": path,
        "seconds": span.as_secs_f64(),
        "cpu_playing_percent_of_core": playing,
        "cpu_paused_percent_of_core": paused,
        "peak_rss_mib": peak_kib as f64 / 1024.0,
        "underruns": underruns,
        "tagging": tagging,
    });
    if json_out {
        println!("{report}");
    } else {
        println!(
            "{}: CPU playing {:.2}% of a core, paused {:.3}%, peak RSS {:.1} MiB, {} underruns",
            path.display(),
            playing,
            paused,
            peak_kib as f64 / 1024.0,
            underruns
        );
        if let Some(t) = &tagging {
            println!("background tagging meanwhile: {t}");
        }
    }
    Ok(())
}

/// `mien bench startup --tracks N`: a store holding N tracks (written once, then closed), then the
/// player's start-up path as the TUI runs it: open the store, read the catalogue and ratings,
/// build the state, lay out and draw the first frame (on an off-screen 120×40 terminal).
pub fn startup(n: usize, json_out: bool) -> anyhow::Result<()> {
    let root = std::env::temp_dir().join(format!("mien-bench-startup-{}", std::process::id()));
    let result = (|| {
        {
            let store = Store::open(&root)?;
            let tracks: Vec<crate::core::Track> = (0..n).map(synthetic_track).collect();
            for chunk in tracks.chunks(1000) {
                store.put_tracks(chunk)?;
            }
            store.flush()?;
        }
        let t = Instant::now();
        let store = Store::open(&root)?;
        let opened = t.elapsed();
        let mut state = crate::tui::initial_state(&store, true)?;
        let loaded = t.elapsed();
        state.prepare();
        let backend = ratatui::backend::TestBackend::new(120, 40);
        let mut term = ratatui::Terminal::new(backend)?;
        let theme = crate::ui::Theme::default();
        term.draw(|f| crate::ui::render(f, &state, &theme))?;
        let drawn = t.elapsed();
        anyhow::ensure!(
            state.catalogue.len() == n,
            "catalogue has {} of {n}",
            state.catalogue.len()
        );
        Ok::<_, anyhow::Error>((opened, loaded, drawn))
    })();
    let _ = std::fs::remove_dir_all(&root);
    let (opened, loaded, drawn) = result?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let report = json!({
        "tracks": n,
        "open_store_ms": ms(opened),
        "catalogue_loaded_ms": ms(loaded),
        "first_frame_ms": ms(drawn),
    });
    if json_out {
        println!("{report}");
    } else {
        println!(
            "{n} tracks: store open {:.1} ms, catalogue read {:.1} ms, first frame {:.1} ms",
            ms(opened),
            ms(loaded),
            ms(drawn)
        );
    }
    Ok(())
}

/// A plausible catalogue entry: 10 tracks per album, 10 albums per artist.
fn synthetic_track(i: usize) -> crate::core::Track {
    let path = PathBuf::from(format!(
        "/music/artist{:04}/album{:02}/{:02} - track {i}.flac",
        i / 100,
        i / 10 % 10,
        i % 10
    ));
    crate::core::Track {
        id: crate::core::TrackId::from_path(&path),
        path,
        size: 30_000_000,
        mtime_ns: 1_700_000_000_000_000_000,
        format: crate::core::AudioFormat::Flac,
        title: Some(format!("Track number {i}")),
        artist: Some(format!("Artist {}", i / 100)),
        album: Some(format!("Album {}", i / 10)),
        album_artist: Some(format!("Artist {}", i / 100)),
        track_no: Some((i % 10) as u32 + 1),
        disc_no: Some(1),
        year: Some(1970 + (i % 50) as u32),
        genre: Some("Rock".into()),
        duration_ms: 240_000,
        sample_rate: 44_100,
        channels: 2,
        replay_gain: Default::default(),
        has_art: false,
    }
}

/// `mien bench reco`: `events` generated listening events (over `candidates` tracks) go into a
/// fresh store, flushed every `group` events (1: each one, as the player does); then the size on disk, the time to apply one more event
/// (durable: log write + flush + model update; and the model update alone), a checkpoint of the
/// derived tables, and a full re-ranking of `candidates` tracks are measured.
pub fn reco(events: usize, candidates: usize, group: usize, json_out: bool) -> anyhow::Result<()> {
    let group = group.max(1);
    use crate::core::TrackId;
    use crate::recommend::{
        rank, ListenEvent, ListenerMood, RankContext, RecoStore, ScoreWeights, SeededRng, Signal,
        TrackMood,
    };
    let root = std::env::temp_dir().join(format!("mien-bench-reco-{}", std::process::id()));
    let result = (|| {
        let store = Store::open(&root)?;
        let (mut reco, mut model) = RecoStore::open(&store)?;
        let mut rng = SeededRng::new(1);
        let tracks = candidates.max(1) as u64;
        let mood_of = |t: u64| {
            TrackMood::new(
                ((t * 37) % 200) as f32 / 100.0 - 1.0,
                ((t * 91) % 200) as f32 / 100.0 - 1.0,
            )
        };
        let event = |i: usize, rng: &mut SeededRng| {
            let track = 1 + rng.below(tracks as usize) as u64;
            let listener = Some(ListenerMood {
                valence: rng.normal() as f32 * 0.5,
                arousal: rng.normal() as f32 * 0.5,
            });
            let at_ms = 1_700_000_000_000 + (i as u64) * 120_000 + (i as u64 / 24) * 4 * 3_600_000;
            let signal = if i.is_multiple_of(2) {
                Signal::Started
            } else {
                let skipped = rng.uniform() < 0.2;
                Signal::Finished {
                    heard: if skipped { 0.2 } else { 1.0 },
                    skipped,
                    valence_change: Some(0.1),
                }
            };
            ListenEvent {
                at_ms,
                track: TrackId(track),
                signal,
                listener,
                mood: Some(mood_of(track)),
            }
        };
        let t = Instant::now();
        let mut i = 0;
        while i < events {
            let chunk: Vec<ListenEvent> = (i..(i + group).min(events))
                .map(|k| event(k, &mut rng))
                .collect();
            reco.append_all(&mut model, &chunk)?;
            i += chunk.len();
        }
        let load_s = t.elapsed().as_secs_f64();
        store.flush()?;
        let bytes = dir_size(&root.join("db"));
        let trees = store.recommender_trees()?;
        let raw_bytes: u64 = [&trees.events, &trees.derived]
            .iter()
            .flat_map(|t| t.iter().flatten())
            .map(|(k, v)| (k.len() + v.len()) as u64)
            .sum();
        // The same log without derived tables, to see where the bytes go.
        let log_only_bytes = {
            let dir = root.join("log-only");
            let other = Store::open(&dir)?;
            let (mut log, _) = RecoStore::open(&other)?;
            let mut rng = SeededRng::new(1);
            for k in 0..events {
                log.log_only(&event(k, &mut rng))?;
            }
            other.flush()?;
            dir_size(&dir.join("db"))
        };
        let mut durable = Vec::new();
        let mut in_memory = Vec::new();
        for k in 0..200 {
            let e = event(events + k, &mut rng);
            let t = Instant::now();
            reco.append(&mut model, &e)?;
            durable.push(t.elapsed().as_secs_f64() * 1e3);
            let mut copy = e;
            copy.at_ms += 1;
            let t = Instant::now();
            model.apply(&copy);
            in_memory.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let t = Instant::now();
        reco.checkpoint(&model)?;
        let checkpoint_ms = t.elapsed().as_secs_f64() * 1e3;
        let ids: Vec<TrackId> = (1..=tracks).map(TrackId).collect();
        let moods: crate::recommend::model::FixedMap<TrackId, TrackMood> =
            ids.iter().map(|t| (*t, mood_of(t.0))).collect();
        let mut rank_ms = Vec::new();
        for _ in 0..50 {
            let mut ctx = RankContext {
                listener: Some(ListenerMood {
                    valence: -0.5,
                    arousal: -0.3,
                }),
                moods: &moods,
                rng: &mut rng,
                weights: ScoreWeights::default(),
            };
            let t = Instant::now();
            let ranked = rank(&model, &ids, &mut ctx, ids.len());
            rank_ms.push(t.elapsed().as_secs_f64() * 1e3);
            anyhow::ensure!(ranked.len() == ids.len(), "ranking lost candidates");
        }
        Ok::<_, anyhow::Error>((
            load_s,
            (bytes, raw_bytes, log_only_bytes),
            durable,
            in_memory,
            rank_ms,
            model.pair_count(),
            checkpoint_ms,
        ))
    })();
    let _ = std::fs::remove_dir_all(&root);
    let (
        load_s,
        (bytes, raw_bytes, log_only_bytes),
        mut durable,
        mut in_memory,
        mut rank_ms,
        pairs,
        checkpoint_ms,
    ) = result?;
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v[v.len() * 99 / 100])
    };
    let (durable_med, durable_p99) = median(&mut durable);
    let (mem_med, mem_p99) = median(&mut in_memory);
    let (rank_med, rank_p99) = median(&mut rank_ms);
    let report = json!({
        "events": events,
        "candidates": candidates,
        "commit_every": group,
        "pairs": pairs,
        "load_seconds": load_s,
        "store_bytes": bytes,
        "store_mib": bytes as f64 / 1_048_576.0,
        "records_mib": raw_bytes as f64 / 1_048_576.0,
        "log_only_store_mib": log_only_bytes as f64 / 1_048_576.0,
        "apply_event_durable_ms": {"median": durable_med, "p99": durable_p99},
        "apply_event_in_memory_ms": {"median": mem_med, "p99": mem_p99},
        "rerank_ms": {"median": rank_med, "p99": rank_p99},
        "checkpoint_ms": checkpoint_ms,
    });
    if json_out {
        println!("{report}");
    } else {
        let mib = |b: u64| b as f64 / 1_048_576.0;
        println!(
            "{events} events ({pairs} item pairs) loaded in {load_s:.2} s; store {:.1} MiB on disk \
             ({:.1} MiB of keys and values; the log alone {:.1} MiB on disk)",
            mib(bytes),
            mib(raw_bytes),
            mib(log_only_bytes)
        );
        println!("apply one event: {durable_med:.3} ms median, {durable_p99:.3} ms p99 (log write + flush + model update); {mem_med:.4} ms model update alone");
        println!("checkpoint of the derived tables (every 500 events, on the recommender thread): {checkpoint_ms:.1} ms");
        println!("re-rank {candidates} candidates: {rank_med:.2} ms median, {rank_p99:.2} ms p99");
    }
    Ok(())
}

/// Total size of the files under `dir`, recursively.
fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// `mien bench movielens FILE`: the leave-one-out check of `recommend::movielens` on RecBole's
/// `ml-100k.inter` (see docs/RECOMMENDER.md for how to fetch it; it is never committed).
pub fn movielens(inter: &Path, json_out: bool) -> anyhow::Result<()> {
    use crate::recommend::movielens::{leave_one_out, parse_inter};
    let text = std::fs::read_to_string(inter)
        .with_context(|| format!("cannot read {}", inter.display()))?;
    let rows = parse_inter(&text).with_context(|| format!("in {}", inter.display()))?;
    let t = Instant::now();
    let report = leave_one_out(&rows, 42);
    let seconds = t.elapsed().as_secs_f64();
    if json_out {
        let scorers: serde_json::Map<String, serde_json::Value> = report
            .scorers
            .iter()
            .map(|(name, m)| {
                let v = json!({
                    "full_ranking": {"hr@10": m.full_hr10, "ndcg@10": m.full_ndcg10},
                    "sampled_100": {"hr@10": m.sampled_hr10, "ndcg@10": m.sampled_ndcg10},
                });
                ((*name).to_string(), v)
            })
            .collect();
        println!(
            "{}",
            json!({"users": report.users, "items": report.items, "ratings": report.ratings, "scorers": scorers, "seconds": seconds})
        );
        return Ok(());
    }
    println!(
        "{} users, {} items, {} ratings; leave-one-out, HR@10 / NDCG@10 ({seconds:.1} s)",
        report.users, report.items, report.ratings
    );
    for (name, m) in &report.scorers {
        println!(
            "{name:>13}: full ranking {:.4} / {:.4}; 100 sampled negatives {:.4} / {:.4}",
            m.full_hr10, m.full_ndcg10, m.sampled_hr10, m.sampled_ndcg10
        );
    }
    Ok(())
}

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
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/blazeface");
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
    let pipeline = super::emotion::pipeline(opts)?;
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
            no_tta: !tta,
            ..opts.clone()
        };
        super::emotion::classifier(&opts)
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
