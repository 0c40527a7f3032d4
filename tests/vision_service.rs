//! Frame sources (image files, folders, a camera that is not there) and the vision thread on
//! them: sampling windows, continuous mode, readings, "no face", camera status, release and
//! shutdown. The tiny FER fixture model
//! (tests/fixtures/fer) stands in for the shipped one.

use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fer")
        .join(name)
}

use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use mien::vision::service::{
    CameraStatus, ModelPaths, VisionCommand, VisionEvent, VisionService, VisionSettings,
};
use mien::vision::smooth::SmoothConfig;
use mien::vision::source::{CameraSettings, SourceSpec};

fn settings(sample_ms: u64, no_face_ms: u64) -> VisionSettings {
    VisionSettings {
        sample: Duration::from_millis(sample_ms),
        sample_hz: 20.0,
        continuous_hz: 0.0,
        flip_tta: false,
        smooth: SmoothConfig {
            time_constant: Duration::from_secs(1),
            no_face_after: Duration::from_millis(no_face_ms),
        },
    }
}

fn models() -> ModelPaths {
    ModelPaths {
        detector: mien::vision::weights::default_detector_path(),
        fer: fixture("tiny.safetensors"),
    }
}

fn spawn(source: SourceSpec, s: VisionSettings) -> (VisionService, Receiver<VisionEvent>) {
    let (tx, rx) = mpsc::channel();
    (VisionService::spawn(source, models(), s, tx).unwrap(), rx)
}

/// Events until `until` matches one (included), or panics after 20 s.
fn wait_for(rx: &Receiver<VisionEvent>, until: impl Fn(&VisionEvent) -> bool) -> Vec<VisionEvent> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Ok(ev) = rx.recv_timeout(left) else { break };
        let done = until(&ev);
        seen.push(ev);
        if done {
            return seen;
        }
    }
    panic!("timed out; events so far: {seen:?}");
}

fn face_file() -> SourceSpec {
    SourceSpec::Files(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/blazeface/face_close.png"),
    )
}

#[test]
fn enabling_samples_a_window_of_readings_then_releases_the_source() {
    let (vision, rx) = spawn(face_file(), settings(400, 5000));
    assert!(
        rx.recv_timeout(Duration::from_millis(300)).is_err(),
        "idle until enabled"
    );
    vision.send(VisionCommand::Enable(true));
    let events = wait_for(&rx, |e| *e == VisionEvent::Status(CameraStatus::Standby));
    assert_eq!(events[0], VisionEvent::Status(CameraStatus::Standby));
    let events = wait_for(&rx, |e| *e == VisionEvent::Status(CameraStatus::Standby));
    assert_eq!(events[0], VisionEvent::Status(CameraStatus::Capturing));
    let readings = events
        .iter()
        .filter(|e| matches!(e, VisionEvent::Reading(_)))
        .count();
    assert!(readings >= 1, "{events:?}");
    // A track change opens another window.
    vision.send(VisionCommand::TrackChanged);
    let events = wait_for(&rx, |e| matches!(e, VisionEvent::Reading(_)));
    assert_eq!(events[0], VisionEvent::Status(CameraStatus::Capturing));
    vision.send(VisionCommand::Enable(false));
    wait_for(&rx, |e| *e == VisionEvent::Status(CameraStatus::Off));
}

#[test]
fn frames_without_a_face_report_no_face_once() {
    let spec = SourceSpec::Files(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/blazeface/no_face.png"),
    );
    let (vision, rx) = spawn(spec, settings(600, 0));
    vision.send(VisionCommand::Enable(true));
    let events = wait_for(&rx, |e| *e == VisionEvent::Status(CameraStatus::Standby));
    let events = if events.len() == 1 {
        wait_for(&rx, |e| *e == VisionEvent::Status(CameraStatus::Standby))
    } else {
        events
    };
    let no_face = events.iter().filter(|e| **e == VisionEvent::NoFace).count();
    assert_eq!(no_face, 1, "{events:?}");
    assert!(!events.iter().any(|e| matches!(e, VisionEvent::Reading(_))));
}

#[test]
fn a_missing_camera_makes_the_status_unavailable_and_the_thread_keeps_running() {
    let spec = SourceSpec::Camera(CameraSettings {
        index: 99,
        ..CameraSettings::default()
    });
    let (vision, rx) = spawn(spec, settings(1000, 5000));
    vision.send(VisionCommand::Enable(true));
    let events = wait_for(&rx, |e| {
        matches!(e, VisionEvent::Status(CameraStatus::Unavailable(_)))
    });
    let Some(VisionEvent::Status(CameraStatus::Unavailable(why))) = events.last() else {
        unreachable!()
    };
    assert!(why.contains("99"), "{why}");
    assert!(vision.send(VisionCommand::Enable(false)));
    wait_for(&rx, |e| *e == VisionEvent::Status(CameraStatus::Off));
}

#[test]
fn missing_models_make_the_status_unavailable() {
    let (tx, rx) = mpsc::channel();
    let models = ModelPaths {
        detector: PathBuf::from("/nonexistent/bf.safetensors"),
        fer: fixture("tiny.safetensors"),
    };
    let vision = VisionService::spawn(face_file(), models, settings(500, 5000), tx).unwrap();
    vision.send(VisionCommand::Enable(true));
    let events = wait_for(&rx, |e| {
        matches!(e, VisionEvent::Status(CameraStatus::Unavailable(_)))
    });
    assert!(
        format!("{events:?}").contains("model bf.safetensors missing"),
        "{events:?}"
    );
}

#[test]
fn dropping_the_handle_ends_the_thread() {
    let (vision, rx) = spawn(face_file(), settings(60_000, 5000));
    vision.send(VisionCommand::Enable(true));
    wait_for(&rx, |e| matches!(e, VisionEvent::Reading(_)));
    drop(vision);
    // The thread has been joined: its sender is gone.
    let deadline = Instant::now() + Duration::from_secs(5);
    while rx.recv_timeout(Duration::from_millis(100)).is_ok() {
        assert!(Instant::now() < deadline);
    }
}

// --- Frame sources ----------------------------------------------------------------------------

mod sources {
    use super::*;
    use mien::vision::source::{
        CameraSettings, CameraSource, FrameSource, ImageSource, SourceError,
    };

    fn blazeface(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/blazeface")
            .join(name)
    }

    #[test]
    fn a_folder_source_returns_its_images_in_name_order_and_cycles() {
        let dir = tempfile::tempdir().unwrap();
        for (name, w) in [("b.png", 20), ("a.png", 10), ("c.jpg", 30)] {
            image::RgbImage::new(w, 8)
                .save(dir.path().join(name))
                .unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), "not an image").unwrap();
        let mut src = ImageSource::new(dir.path()).unwrap();
        assert_eq!(src.files().len(), 3);
        let widths: Vec<u32> = (0..4).map(|_| src.frame().unwrap().width()).collect();
        assert_eq!(widths, [10, 20, 30, 10]);
        assert!(!src.is_live());
    }

    #[test]
    fn a_single_image_source_repeats_that_image() {
        let mut src = ImageSource::new(&blazeface("face_close.png")).unwrap();
        let a = src.frame().unwrap();
        assert_eq!(a, src.frame().unwrap());
    }

    #[test]
    fn missing_paths_empty_folders_and_broken_images_are_typed_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            ImageSource::new(&dir.path().join("nope")),
            Err(SourceError::Io { .. })
        ));
        assert!(matches!(
            ImageSource::new(dir.path()),
            Err(SourceError::NoImages { .. })
        ));
        let bad = dir.path().join("bad.png");
        std::fs::write(&bad, b"not a png").unwrap();
        let err = ImageSource::new(&bad).unwrap().frame().unwrap_err();
        assert!(matches!(err, SourceError::Image { .. }), "{err}");
        assert!(err.to_string().contains("bad.png"), "{err}");
    }

    #[test]
    fn a_camera_that_is_not_there_is_an_error_not_a_panic() {
        // Index 99: no machine has it, with or without a webcam.
        let settings = CameraSettings {
            index: 99,
            ..CameraSettings::default()
        };
        let mut cam = CameraSource::new(settings);
        let err = cam.frame().unwrap_err();
        assert!(
            matches!(
                err,
                SourceError::NotFound { .. } | SourceError::Camera { .. }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("99"), "{err}");
        cam.close(); // idempotent
        assert!(cam.is_live());
    }
}

#[test]
fn continuous_mode_keeps_sampling_until_turned_off() {
    let mut s = settings(0, 5000);
    s.continuous_hz = 20.0;
    let (vision, rx) = spawn(face_file(), s);
    vision.send(VisionCommand::Enable(true));
    let events = wait_for(&rx, |e| matches!(e, VisionEvent::Reading(_)));
    assert!(events.contains(&VisionEvent::Status(CameraStatus::Capturing)));
    // Well past any window: still reading.
    std::thread::sleep(Duration::from_millis(300));
    while rx.try_recv().is_ok() {}
    wait_for(&rx, |e| matches!(e, VisionEvent::Reading(_)));
    vision.send(VisionCommand::Continuous(0.0));
    wait_for(&rx, |e| *e == VisionEvent::Status(CameraStatus::Standby));
}
