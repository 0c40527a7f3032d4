//! The background loudness meter on a real store: it measures the untagged tracks of the
//! catalogue (not the tagged ones), keeps the result for the file as it is, and the engine's
//! lookup hands it out as a track gain until the file changes.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::audio::{spread, write_wav};
use mien::core::TrackId;
use mien::library::file_stamp;
use mien::loudness::{lookup, LoudnessWorker};
use mien::store::Store;

/// A 1 kHz sine at `amplitude` on both channels, 3 s.
fn tone(path: &Path, amplitude: f32) {
    let n = 48_000 * 3;
    let mono: Vec<f32> = (0..n)
        .map(|i| (i as f32 * 1000.0 * std::f32::consts::TAU / 48_000.0).sin() * amplitude)
        .collect();
    write_wav(path, 48_000, 2, &spread(&mono, 2));
}

#[test]
fn untagged_tracks_are_measured_once_and_the_lookup_gives_their_gain() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    std::fs::create_dir(&music).unwrap();
    let quiet = music.join("quiet.wav");
    tone(&quiet, 0.1);
    let tagged = music.join("tagged.flac");
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("library/Maxstack/Endgame Singularity Original Soundtrack/02 - Awakening.flac");
    std::fs::copy(&bundled, &tagged).unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    mien::library::scan(&store, std::slice::from_ref(&music), &mut |_| {}).unwrap();
    let worker = LoudnessWorker::spawn(store.clone()).unwrap();
    worker.measure_library(std::slice::from_ref(&music));
    let stamp = |p: &Path| file_stamp(&std::fs::metadata(p).unwrap());
    let (size, mtime) = stamp(&quiet);
    let began = Instant::now();
    let record = loop {
        if let Some(r) = store
            .fresh_loudness(TrackId::from_path(&quiet), size, mtime)
            .unwrap()
        {
            break r;
        }
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "not measured in 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    // A 0.1 sine on two channels reads -20 LUFS (BS.1770: 0 LUFS at full scale): +2 dB to -18.
    let lufs = record.integrated_lufs.unwrap();
    assert!((lufs - -20.0).abs() < 0.2, "{lufs} LUFS");
    assert!((record.gain_db.unwrap() - 2.0).abs() < 0.2);
    assert!((record.peak - 0.1).abs() < 0.005);
    drop(worker); // joins: the tagged file has been seen by now
    let (size, mtime) = stamp(&tagged);
    assert_eq!(
        store
            .fresh_loudness(TrackId::from_path(&tagged), size, mtime)
            .unwrap(),
        None,
        "a file with ReplayGain tags is not measured"
    );
    let find = lookup(store.clone());
    let rg = find(&quiet).expect("the engine finds the measured gain");
    assert_eq!(rg.track_gain_db, record.gain_db);
    assert_eq!(rg.album_gain_db, None);
    // Once the file changes, the stored value no longer counts.
    tone(&quiet, 0.2);
    let later = std::time::SystemTime::now() + Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&quiet)
        .unwrap()
        .set_modified(later)
        .unwrap();
    assert_eq!(find(&quiet), None);
}
