//! Library tests over real files in temp dirs: the bundled `library/` (when present), generated
//! PCM WAV files, and hand-made broken or unsupported ones.

use mien::core::AudioFormat;
use mien::library::{scan, LibraryEvent, LibraryService, ScanReport};
use mien::store::Store;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant, SystemTime};

// ---------------------------------------------------------------- file makers

/// A mono 16-bit 8 kHz PCM WAV with a sine of `freq` Hz, `frames` long, and RIFF INFO tags
/// (`INAM` title, `IART` artist, `IPRD` album, ...).
fn wav_bytes(frames: u32, freq: f32, tags: &[(&[u8; 4], &str)]) -> Vec<u8> {
    const RATE: u32 = 8000;
    let mut data = Vec::with_capacity(frames as usize * 2);
    for i in 0..frames {
        let t = i as f32 / RATE as f32;
        let sample = ((2.0 * std::f32::consts::PI * freq * t).sin() * 8000.0) as i16;
        data.extend_from_slice(&sample.to_le_bytes());
    }
    let mut body = b"WAVE".to_vec();
    let mut fmt = Vec::new();
    for v in [1u16, 1] {
        fmt.extend_from_slice(&v.to_le_bytes()); // PCM, mono
    }
    fmt.extend_from_slice(&RATE.to_le_bytes());
    fmt.extend_from_slice(&(RATE * 2).to_le_bytes());
    fmt.extend_from_slice(&2u16.to_le_bytes());
    fmt.extend_from_slice(&16u16.to_le_bytes());
    chunk(&mut body, b"fmt ", &fmt);
    if !tags.is_empty() {
        let mut info = b"INFO".to_vec();
        for (id, value) in tags {
            let mut text = value.as_bytes().to_vec();
            text.push(0);
            chunk(&mut info, id, &text);
        }
        chunk(&mut body, b"LIST", &info);
    }
    chunk(&mut body, b"data", &data);
    let mut file = Vec::new();
    chunk(&mut file, b"RIFF", &body);
    file
}

fn chunk(out: &mut Vec<u8>, id: &[u8; 4], payload: &[u8]) {
    out.extend_from_slice(id);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(payload);
    if payload.len() % 2 == 1 {
        out.push(0);
    }
}

fn write_wav(path: &Path, title: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let tags = [(b"INAM", title), (b"IART", "Generated"), (b"IPRD", "Sines")];
    fs::write(path, wav_bytes(800, 440.0, &tags)).unwrap();
}

/// A valid Ogg stream holding an Opus track (OpusHead, OpusTags, one 20 ms audio packet). In
/// stereo libopus decodes it; in 5.1 (mapping family 1) mien has no decoder for it.
fn opus_in_ogg_bytes(channels: u8) -> Vec<u8> {
    let mut head = b"OpusHead".to_vec();
    head.extend_from_slice(&[1, channels]); // version, channels
    head.extend_from_slice(&312u16.to_le_bytes()); // pre-skip
    head.extend_from_slice(&48_000u32.to_le_bytes());
    head.extend_from_slice(&[0, 0]); // output gain
    if channels <= 2 {
        head.push(0); // mapping family 0
    } else {
        head.extend_from_slice(&[1, 4, 2]); // family 1: 4 streams, 2 of them coupled
        head.extend(0..channels);
    }
    let mut tags = b"OpusTags".to_vec();
    tags.extend_from_slice(&4u32.to_le_bytes());
    tags.extend_from_slice(b"mien");
    tags.extend_from_slice(&0u32.to_le_bytes());
    let audio = [0xfc, 0xff, 0xfe]; // TOC: CELT 20 ms stereo, one frame
    let mut out = ogg_page(0x02, 0, 0, &head);
    out.extend(ogg_page(0x00, 0, 1, &tags));
    out.extend(ogg_page(0x04, 960, 2, &audio));
    out
}

fn ogg_page(flags: u8, granule: u64, sequence: u32, packet: &[u8]) -> Vec<u8> {
    assert!(packet.len() < 255);
    let mut page = b"OggS\0".to_vec();
    page.push(flags);
    page.extend_from_slice(&granule.to_le_bytes());
    page.extend_from_slice(&0x6d69_656eu32.to_le_bytes()); // serial
    page.extend_from_slice(&sequence.to_le_bytes());
    page.extend_from_slice(&[0; 4]); // CRC, filled below
    page.extend_from_slice(&[1, packet.len() as u8]);
    page.extend_from_slice(packet);
    let mut crc = 0u32;
    for &byte in &page {
        crc ^= u32::from(byte) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04c1_1db7
            } else {
                crc << 1
            };
        }
    }
    page[22..26].copy_from_slice(&crc.to_le_bytes());
    page
}

/// Sets a file's mtime, e.g. to restore it after rewriting the content.
fn set_mtime(path: &Path, when: SystemTime) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

/// Copies a folder tree, returning the number of audio files copied.
fn copy_dir(from: &Path, to: &Path) -> usize {
    fs::create_dir_all(to).unwrap();
    let mut files = 0;
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            files += copy_dir(&entry.path(), &target);
        } else {
            files += usize::from(mien::library::is_audio_path(&target));
            fs::copy(entry.path(), target).unwrap();
        }
    }
    files
}

// ---------------------------------------------------------------- fixtures

struct Fixture {
    _tmp: tempfile::TempDir,
    music: PathBuf,
    store: Store,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let music = tmp.path().join("music");
    fs::create_dir_all(&music).unwrap();
    let store = Store::open(&tmp.path().join("data")).unwrap();
    Fixture {
        music: fs::canonicalize(&music).unwrap(),
        store,
        _tmp: tmp,
    }
}

fn generated_library(music: &Path, n: usize) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let path = music.join(format!("Artist {}/Album/{i:03} song.wav", i % 5));
            write_wav(&path, &format!("Song {i}"));
            path
        })
        .collect()
}

fn scan_all(f: &Fixture) -> ScanReport {
    scan(&f.store, std::slice::from_ref(&f.music), &mut |_| {}).unwrap()
}

fn reason_of<'a>(report: &'a ScanReport, name: &str) -> &'a str {
    report
        .skipped
        .iter()
        .find(|s| s.path.file_name().unwrap() == name)
        .map(|s| s.reason.as_str())
        .unwrap_or_else(|| panic!("{name} not skipped: {:?}", report.skipped))
}

// ---------------------------------------------------------------- scan

/// Expected format and tags of the bundled files (built by `tools/make-library.sh`), by path under
/// `library/`: (path, format, title, artist, album, track number). Edit when `library/` changes.
const BUNDLED: &[(&str, &str, &str, &str, &str, u32)] = &[
    (
        "Maxstack/Endgame Singularity (Advanced Research)/01 - Aberrations.mp3",
        "mp3",
        "Aberrations",
        "Maxstack",
        "Endgame: Singularity (Advanced Research)",
        1,
    ),
    (
        "Maxstack/Endgame Singularity (Advanced Research)/02 - Enemy Unknown.ogg",
        "vorbis",
        "Enemy Unknown",
        "Maxstack",
        "Endgame: Singularity (Advanced Research)",
        2,
    ),
    (
        "Maxstack/Endgame Singularity (Advanced Research)/03 - Nebula.opus",
        "opus",
        "Nebula",
        "Maxstack",
        "Endgame: Singularity (Advanced Research)",
        3,
    ),
    (
        "Maxstack/Endgame Singularity Original Soundtrack/01 - Apex Aleph.m4a",
        "aac",
        "Apex Aleph",
        "Maxstack",
        "Endgame: Singularity Original Soundtrack",
        1,
    ),
    (
        "Maxstack/Endgame Singularity Original Soundtrack/02 - Awakening.flac",
        "flac",
        "Awakening",
        "Maxstack",
        "Endgame: Singularity Original Soundtrack",
        2,
    ),
    (
        "Maxstack/Endgame Singularity Original Soundtrack/03 - Chimes They Fade.m4a",
        "alac",
        "Chimes They Fade",
        "Maxstack",
        "Endgame: Singularity Original Soundtrack",
        3,
    ),
    (
        "Maxstack/Endgame Singularity Original Soundtrack/04 - Coherence.wav",
        "wav",
        "Coherence",
        "Maxstack",
        "Endgame: Singularity Original Soundtrack",
        4,
    ),
    (
        "Maxstack/Endgame Singularity Original Soundtrack/05 - Deprecation.aiff",
        "aiff",
        "Deprecation",
        "Maxstack",
        "Endgame: Singularity Original Soundtrack",
        5,
    ),
];

#[test]
fn scan_reads_every_bundled_format_with_its_tags() {
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("library");
    assert!(
        bundled.is_dir(),
        "no bundled library at {}: run tools/make-library.sh",
        bundled.display()
    );
    let f = fixture();
    let audio_files = copy_dir(&bundled, &f.music);
    let report = scan_all(&f);
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(
        report.tracks, audio_files,
        "every bundled audio file is a track"
    );
    assert_eq!(
        report.tracks,
        BUNDLED.len(),
        "the table lists every bundled file"
    );
    for format in [
        "mp3", "flac", "vorbis", "opus", "wav", "aiff", "aac", "alac",
    ] {
        assert!(
            report.by_format.get(format).copied().unwrap_or(0) > 0,
            "{format}: {report:?}"
        );
    }
    for (rel, format, title, artist, album, track_no) in BUNDLED {
        let track = f
            .store
            .track_by_path(&f.music.join(rel))
            .unwrap()
            .expect(rel);
        assert_eq!(track.format.name(), *format, "{rel}");
        assert_eq!(track.title.as_deref(), Some(*title), "{rel}");
        assert_eq!(track.artist.as_deref(), Some(*artist), "{rel}");
        assert_eq!(track.album.as_deref(), Some(*album), "{rel}");
        assert_eq!(track.track_no, Some(*track_no), "{rel}");
        assert_eq!(track.year, Some(2012), "{rel}");
        assert!(
            track.duration_ms > 0 && track.sample_rate > 0 && track.channels > 0,
            "{track:?}"
        );
        // The script embeds art in the MP3 and computes ReplayGain for the FLAC and Ogg files.
        assert_eq!(track.has_art, *format == "mp3", "{rel}");
        if ["flac", "vorbis"].contains(format) {
            assert!(
                track.replay_gain.track_gain_db.is_some(),
                "{rel}: {:?}",
                track.replay_gain
            );
            assert!(
                track.replay_gain.track_peak.is_some(),
                "{rel}: {:?}",
                track.replay_gain
            );
        }
    }
}

#[test]
fn scan_of_generated_wavs_reads_their_tags_and_properties() {
    let f = fixture();
    let paths = generated_library(&f.music, 12);
    fs::write(f.music.join("cover.jpg"), b"not audio, ignored").unwrap();
    let report = scan_all(&f);
    assert_eq!((report.tracks, report.added, report.unchanged), (12, 12, 0));
    assert_eq!(report.by_format, BTreeMap::from([("wav".to_string(), 12)]));
    assert!(
        report.skipped.is_empty() && report.warnings.is_empty(),
        "{report:?}"
    );
    let track = f.store.track_by_path(&paths[7]).unwrap().unwrap();
    assert_eq!(track.format, AudioFormat::Wav);
    assert_eq!(track.title.as_deref(), Some("Song 7"));
    assert_eq!(track.artist.as_deref(), Some("Generated"));
    assert_eq!(track.album.as_deref(), Some("Sines"));
    assert_eq!(
        (track.duration_ms, track.sample_rate, track.channels),
        (100, 8000, 1)
    );
    assert_eq!(track.size, fs::metadata(&paths[7]).unwrap().len());
}

#[test]
fn rescan_of_an_unchanged_library_reads_nothing() {
    let f = fixture();
    let paths = generated_library(&f.music, 40);
    fs::write(f.music.join("broken.flac"), b"garbage").unwrap();
    scan_all(&f);
    // Same size and mtime but unreadable content: a re-read would turn it into a skipped file.
    let mtime = fs::metadata(&paths[3]).unwrap().modified().unwrap();
    fs::write(
        &paths[3],
        vec![0u8; fs::metadata(&paths[3]).unwrap().len() as usize],
    )
    .unwrap();
    set_mtime(&paths[3], mtime);
    let report = scan_all(&f);
    assert_eq!(report.unchanged, 40);
    assert_eq!(
        (report.added, report.updated, report.removed, report.tracks),
        (0, 0, 0, 40)
    );
    assert_eq!(
        report.skipped.len(),
        1,
        "the unchanged skipped file is still listed"
    );
    assert!(f.store.track_by_path(&paths[3]).unwrap().is_some());
}

#[test]
fn a_modified_file_is_read_again_and_reported_updated() {
    let f = fixture();
    let paths = generated_library(&f.music, 5);
    scan_all(&f);
    write_wav(&paths[2], "Retitled");
    set_mtime(&paths[2], SystemTime::now() + Duration::from_secs(5));
    let report = scan_all(&f);
    assert_eq!(
        (
            report.updated,
            report.unchanged,
            report.added,
            report.tracks
        ),
        (1, 4, 0, 5)
    );
    let track = f.store.track_by_path(&paths[2]).unwrap().unwrap();
    assert_eq!(track.title.as_deref(), Some("Retitled"));
}

#[test]
fn a_deleted_file_is_removed_from_the_catalogue() {
    let f = fixture();
    let paths = generated_library(&f.music, 5);
    scan_all(&f);
    fs::remove_file(&paths[0]).unwrap();
    let report = scan_all(&f);
    assert_eq!((report.removed, report.unchanged, report.tracks), (1, 4, 4));
    assert!(f.store.track_by_path(&paths[0]).unwrap().is_none());
    assert_eq!(f.store.track_count(), 4);
}

#[test]
fn corrupt_and_unsupported_files_are_skipped_with_a_reason() {
    let f = fixture();
    generated_library(&f.music, 2);
    let odd = f.music.join("Odd");
    fs::create_dir_all(&odd).unwrap();
    fs::write(odd.join("garbage.mp3"), [0x5au8; 4000]).unwrap();
    fs::write(
        odd.join("truncated.flac"),
        b"fLaC\x80\x00\x00\x22\x10\x00\x10\x00",
    )
    .unwrap();
    let wav = wav_bytes(800, 440.0, &[]);
    fs::write(odd.join("truncated.wav"), &wav[..30]).unwrap();
    fs::write(odd.join("voice.opus"), opus_in_ogg_bytes(2)).unwrap();
    fs::write(odd.join("surround.opus"), opus_in_ogg_bytes(6)).unwrap();
    fs::write(odd.join("empty.ogg"), b"").unwrap();
    fs::write(odd.join("notes.txt"), b"ignored").unwrap();
    let report = scan_all(&f);
    assert_eq!(report.tracks, 3, "the stereo Opus file is a track");
    assert_eq!(report.skipped.len(), 5, "{:?}", report.skipped);
    assert_eq!(reason_of(&report, "garbage.mp3"), "not an audio file");
    assert!(reason_of(&report, "truncated.flac").starts_with("corrupt: "));
    assert!(reason_of(&report, "truncated.wav").starts_with("corrupt: "));
    assert_eq!(
        reason_of(&report, "surround.opus"),
        "unsupported codec: opus (unsupported number of channels)"
    );
    assert_eq!(reason_of(&report, "empty.ogg"), "empty file");
    assert_eq!(f.store.all_skipped().unwrap().len(), 5);
    // A fixed file becomes a track and leaves the skipped list.
    fs::write(odd.join("truncated.wav"), &wav).unwrap();
    set_mtime(
        &odd.join("truncated.wav"),
        SystemTime::now() + Duration::from_secs(5),
    );
    let report = scan_all(&f);
    assert_eq!(
        (report.added, report.tracks, report.skipped.len()),
        (1, 4, 4)
    );
}

#[test]
fn a_missing_root_is_a_warning_not_an_error() {
    let f = fixture();
    generated_library(&f.music, 3);
    let missing = f.music.with_file_name("not-there");
    let report = scan(&f.store, &[missing.clone(), f.music.clone()], &mut |_| {}).unwrap();
    assert_eq!(report.tracks, 3);
    assert_eq!(report.warnings.len(), 1);
    assert!(
        report.warnings[0].contains(&*missing.to_string_lossy()),
        "{:?}",
        report.warnings
    );
}

#[test]
fn scan_report_serializes_as_the_scan_json() {
    let f = fixture();
    generated_library(&f.music, 2);
    fs::write(f.music.join("bad.mp3"), b"xx").unwrap();
    let mut calls = 0;
    let report = scan(&f.store, std::slice::from_ref(&f.music), &mut |p| {
        calls += 1;
        assert!(p.done <= p.total);
    })
    .unwrap();
    assert!(calls >= 1, "progress is reported at least once, at the end");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["tracks"], 2);
    assert_eq!(json["by_format"]["wav"], 2);
    assert_eq!(json["skipped"][0]["reason"], "not an audio file");
    assert!(json["skipped"][0]["path"]
        .as_str()
        .unwrap()
        .ends_with("bad.mp3"));
    assert!(json["seconds"].as_f64().unwrap() >= 0.0);
}

// ---------------------------------------------------------------- service and watcher

const EVENT_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_DELAY: Duration = Duration::from_millis(2500);

/// Waits up to 5 s for an event matching `want`, returning it and how long it took.
fn wait_for(
    rx: &Receiver<LibraryEvent>,
    what: &str,
    want: impl Fn(&LibraryEvent) -> bool,
) -> (LibraryEvent, Duration) {
    let start = Instant::now();
    loop {
        let left = EVENT_TIMEOUT
            .checked_sub(start.elapsed())
            .unwrap_or_default();
        match rx.recv_timeout(left) {
            Ok(event) if want(&event) => return (event, start.elapsed()),
            Ok(_) => {}
            Err(e) => panic!("no {what} within {EVENT_TIMEOUT:?}: {e}"),
        }
    }
}

fn start_service(
    f: &Fixture,
    roots: Vec<PathBuf>,
) -> (LibraryService, Receiver<LibraryEvent>, ScanReport) {
    let (tx, rx) = mpsc::channel();
    let service = LibraryService::spawn(f.store.clone(), roots, tx);
    let (event, _) = wait_for(&rx, "initial ScanFinished", |e| {
        matches!(e, LibraryEvent::ScanFinished(_))
    });
    let LibraryEvent::ScanFinished(report) = event else {
        unreachable!()
    };
    (service, rx, report)
}

fn added(path: &Path) -> impl Fn(&LibraryEvent) -> bool + '_ {
    move |e| matches!(e, LibraryEvent::TrackAdded(t) if t.path == path)
}

fn removed(path: &Path) -> impl Fn(&LibraryEvent) -> bool + '_ {
    move |e| matches!(e, LibraryEvent::TrackRemoved(p) if p == path)
}

#[test]
fn watcher_sees_added_removed_and_renamed_files_within_two_seconds() {
    let f = fixture();
    let paths = generated_library(&f.music, 3);
    let (_service, rx, report) = start_service(&f, vec![f.music.clone()]);
    assert_eq!(report.tracks, 3);

    let new = f.music.join("Artist 0/Album/new.wav");
    write_wav(&new, "New");
    let (event, took) = wait_for(&rx, "TrackAdded(new)", added(&new));
    assert!(took < MAX_DELAY, "add seen after {took:?}");
    let LibraryEvent::TrackAdded(track) = event else {
        unreachable!()
    };
    assert_eq!(track.title.as_deref(), Some("New"));

    fs::remove_file(&paths[0]).unwrap();
    let (_, took) = wait_for(&rx, "TrackRemoved", removed(&paths[0]));
    assert!(took < MAX_DELAY, "remove seen after {took:?}");
    assert!(f.store.track_by_path(&paths[0]).unwrap().is_none());

    let renamed = paths[1].with_file_name("renamed.wav");
    fs::rename(&paths[1], &renamed).unwrap();
    let start = Instant::now();
    wait_for(&rx, "TrackRemoved(old name)", removed(&paths[1]));
    wait_for(&rx, "TrackAdded(new name)", added(&renamed));
    assert!(
        start.elapsed() < MAX_DELAY,
        "rename seen after {:?}",
        start.elapsed()
    );
    assert!(f.store.track_by_path(&renamed).unwrap().is_some());

    // Moves across the root's border arrive as separate from/to halves.
    let outside = f.music.with_file_name("outside.wav");
    fs::rename(&renamed, &outside).unwrap();
    let (_, took) = wait_for(&rx, "TrackRemoved(moved out)", removed(&renamed));
    assert!(took < MAX_DELAY, "move out seen after {took:?}");
    let back = f.music.join("back.wav");
    fs::rename(&outside, &back).unwrap();
    let (_, took) = wait_for(&rx, "TrackAdded(moved in)", added(&back));
    assert!(took < MAX_DELAY, "move in seen after {took:?}");
}

#[test]
fn watcher_handles_folders_and_unplayable_files() {
    let f = fixture();
    let paths = generated_library(&f.music, 10);
    let (_service, rx, _) = start_service(&f, vec![f.music.clone()]);

    let bad = f.music.join("bad.opus");
    fs::write(&bad, opus_in_ogg_bytes(6)).unwrap();
    let (event, _) = wait_for(&rx, "Skipped", |e| {
        matches!(e, LibraryEvent::Skipped { .. })
    });
    assert!(
        matches!(event, LibraryEvent::Skipped { path, reason } if path == bad && reason.starts_with("unsupported codec: opus"))
    );

    // A whole album moved in from outside the root, then its folder deleted.
    let staging = f.music.with_file_name("staging");
    write_wav(&staging.join("one.wav"), "One");
    write_wav(&staging.join("two.wav"), "Two");
    let album = f.music.join("Moved Album");
    fs::rename(&staging, &album).unwrap();
    wait_for(&rx, "TrackAdded(one)", added(&album.join("one.wav")));
    fs::remove_dir_all(f.music.join("Artist 1")).unwrap();
    let gone: Vec<_> = paths
        .iter()
        .filter(|p| p.starts_with(f.music.join("Artist 1")))
        .collect();
    for path in gone {
        wait_for(&rx, "TrackRemoved(album)", removed(path));
    }
}

#[test]
fn a_deleted_root_is_a_warning_and_the_other_roots_stay_watched() {
    let f = fixture();
    let other = f.music.with_file_name("other");
    generated_library(&f.music, 2);
    write_wav(&other.join("x.wav"), "X");
    let (_service, rx, report) = start_service(&f, vec![f.music.clone(), other.clone()]);
    assert_eq!(report.tracks, 3);
    fs::remove_dir_all(&f.music).unwrap();
    let music = f.music.to_string_lossy().into_owned();
    let (_, took) = wait_for(
        &rx,
        "Warning",
        |e| matches!(e, LibraryEvent::Warning(w) if w.contains(&music)),
    );
    assert!(took < MAX_DELAY, "warning after {took:?}");
    let y = other.join("y.wav");
    write_wav(&y, "Y");
    wait_for(&rx, "TrackAdded in the other root", added(&y));
}

#[test]
fn a_root_that_appears_later_is_watched_and_scanned() {
    let f = fixture();
    let later = f.music.with_file_name("later");
    let (_service, rx, report) = start_service(&f, vec![f.music.clone(), later.clone()]);
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    // The folder appears whole (like a mounted drive), so the rescan finds its file.
    let staging = f.music.with_file_name("staging");
    write_wav(&staging.join("a.wav"), "A");
    fs::rename(&staging, &later).unwrap();
    let (event, _) = wait_for(&rx, "ScanFinished", |e| {
        matches!(e, LibraryEvent::ScanFinished(_))
    });
    assert!(matches!(event, LibraryEvent::ScanFinished(r) if r.tracks == 1));
    let b = later.join("b.wav");
    write_wav(&b, "B");
    wait_for(&rx, "TrackAdded in the new root", added(&b));
}

#[test]
fn service_rescans_on_request_and_shuts_down_promptly() {
    let f = fixture();
    generated_library(&f.music, 4);
    let (service, rx, _) = start_service(&f, vec![f.music.clone()]);
    service.rescan();
    let (event, _) = wait_for(&rx, "ScanFinished", |e| {
        matches!(e, LibraryEvent::ScanFinished(_))
    });
    assert!(matches!(event, LibraryEvent::ScanFinished(r) if r.unchanged == 4 && r.added == 0));
    let start = Instant::now();
    service.shutdown();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "shutdown took {:?}",
        start.elapsed()
    );
}

// ---------------------------------------------------------------- speed

/// The scan speed targets: ≥ 2,000 small files/s cold, ≥ 20,000 files/s unchanged. Ignored by
/// default (timing-sensitive); run with `cargo test --release --test library -- --ignored`.
#[test]
#[ignore]
fn scan_speed_meets_the_targets() {
    const N: usize = 5000;
    let f = fixture();
    let bytes = wav_bytes(800, 440.0, &[(b"INAM", "Speed"), (b"IART", "Bench")]);
    for i in 0..N {
        let dir = f.music.join(format!("a{}/b{}", i % 20, i % 7));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(format!("{i}.wav")), &bytes).unwrap();
    }
    let cold = scan_all(&f);
    let warm = scan_all(&f);
    let (cold_rate, warm_rate) = (N as f64 / cold.seconds, N as f64 / warm.seconds);
    eprintln!(
        "cold: {cold_rate:.0} files/s ({:.3} s), unchanged: {warm_rate:.0} files/s ({:.3} s)",
        cold.seconds, warm.seconds
    );
    assert_eq!((cold.added, warm.unchanged), (N, N));
    assert!(cold_rate >= 2000.0, "cold scan: {cold_rate:.0} files/s");
    assert!(
        warm_rate >= 20000.0,
        "unchanged scan: {warm_rate:.0} files/s"
    );
}

#[test]
fn a_file_name_that_is_not_utf8_is_scanned_like_any_other() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    std::fs::create_dir_all(&music).unwrap();
    let odd = music.join(std::ffi::OsStr::from_bytes(b"caf\xe9 (latin-1).wav"));
    write_wav(&odd, "Café");
    write_wav(&music.join("plain.wav"), "Plain");
    let store = mien::store::Store::open(&dir.path().join("data")).unwrap();
    let report = mien::library::scan(&store, std::slice::from_ref(&music), &mut |_| {}).unwrap();
    assert_eq!(report.tracks, 2, "{report:?}");
    let odd = std::fs::canonicalize(&odd).unwrap();
    let track = store
        .track_by_path(&odd)
        .unwrap()
        .expect("stored under its exact bytes");
    assert_eq!(track.title.as_deref(), Some("Café"));
    // And again unchanged, from the stored record.
    let again = mien::library::scan(&store, &[music], &mut |_| {}).unwrap();
    assert_eq!(again.unchanged, 2, "{again:?}");
}
