//! `mien bench`: the benchmarks behind docs/BENCHMARKS.md (scan throughput, CPU while playing and
//! paused, peak memory). Numbers come from the process's own clocks (getrusage).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::json;

use crate::audio::{Engine, EngineCommand, EngineConfig, EngineEvent, OutputChoice, TrackRequest};
use crate::root::{absolute, Context};

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
        let mut state = crate::root::initial_state(&store, true, &[])?;
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
