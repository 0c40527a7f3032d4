//! The emotion model and its commands: the candle FER model against PyTorch on fixed inputs
//! (tests/fixtures/fer, written by tools/fer/make_fixture.py), preprocessing against numpy, the
//! `emotion` and `eval-fer` commands on the tiny fixture model (and on the shipped model once it
//! is there), and the `[camera]` config section.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use mien::vision::fer::{self, FerNet};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fer")
        .join(name)
}

fn json(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn bytes(v: &Value) -> Vec<u8> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u8)
        .collect()
}

fn tiny_model() -> FerNet {
    let vb = unsafe {
        VarBuilder::from_mmaped_safetensors(
            &[fixture("tiny.safetensors")],
            DType::F32,
            &Device::Cpu,
        )
    }
    .unwrap();
    FerNet::new(vb).unwrap()
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// The fixture's images, preprocessed by the port, as one `[N, 1, 48, 48]` batch.
fn fixture_batch(model: &Value, flip: bool) -> Tensor {
    let mut all = Vec::new();
    for img in model["images"].as_array().unwrap() {
        let face = image::GrayImage::from_raw(48, 48, bytes(img)).unwrap();
        let x = fer::preprocess(&face);
        all.extend(if flip { fer::hflip(&x, 48) } else { x });
    }
    let n = all.len() / (48 * 48);
    Tensor::from_vec(all, (n, 1, 48, 48), &Device::Cpu).unwrap()
}

#[test]
fn candle_model_matches_pytorch_logits_and_attention_within_1e_4() {
    let net = tiny_model();
    assert_eq!(net.widths(), [8, 16, 32]);
    assert_eq!(net.classes(), 7);
    let want = json("model.json");
    for (flip, lkey, akey) in [
        (false, "logits", "attention"),
        (true, "logits_flipped", "attention_flipped"),
    ] {
        let (logits, sa) = net
            .forward_with_attention(&fixture_batch(&want, flip))
            .unwrap();
        assert_eq!(sa.dims(), &[3, 1, 12, 12]);
        let got = logits.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let expect: Vec<f32> = want[lkey]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(floats)
            .collect();
        let err = max_abs_diff(&got, &expect);
        eprintln!("{lkey}: max |candle - pytorch| = {err:e}");
        assert!(err <= 1e-4, "{lkey} differ by {err}");
        let got = sa.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let expect: Vec<f32> = want[akey]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(floats)
            .collect();
        let err = max_abs_diff(&got, &expect);
        eprintln!("{akey}: max |candle - pytorch| = {err:e}");
        assert!(err <= 1e-4, "{akey} differ by {err}");
    }
}

#[test]
fn batch_of_one_gives_the_same_logits_as_inside_a_batch() {
    let net = tiny_model();
    let batch = fixture_batch(&json("model.json"), false);
    let all = net.forward(&batch).unwrap().to_vec2::<f32>().unwrap();
    let one = net
        .forward(&batch.narrow(0, 1, 1).unwrap())
        .unwrap()
        .to_vec2::<f32>()
        .unwrap();
    assert!(max_abs_diff(&one[0], &all[1]) < 1e-5);
}

#[test]
fn equalisation_matches_numpy_exactly() {
    let pre = json("preprocess.json");
    for case in pre["equalize"].as_array().unwrap() {
        let input = bytes(&case["input"]);
        assert_eq!(
            fer::equalize(&input),
            bytes(&case["output"]),
            "input {input:?}"
        );
    }
}

#[test]
fn normalisation_matches_numpy_bit_for_bit() {
    let want = floats(&json("preprocess.json")["normalize"]);
    for (v, w) in (0..=255u8).zip(want) {
        assert_eq!(fer::normalize(v).to_bits(), w.to_bits(), "pixel {v}");
    }
}

#[test]
fn a_model_file_with_a_missing_tensor_is_an_error_not_a_panic() {
    let vb = VarBuilder::from_tensors(Default::default(), DType::F32, &Device::Cpu);
    assert!(FerNet::new(vb).is_err());
}

/// A model whose file names a crop and temperatures (tiny-crop40.safetensors): the classifier
/// reads the centre 40×40 of the face and gives softmax(logits / T) with the pass's T, as
/// PyTorch computes on train.centre_crop (crop40.json).
#[test]
fn a_cropping_calibrated_model_matches_pytorch_within_1e_4() {
    use mien::vision::pipeline::Classifier;
    let net = mien::vision::weights::load_fer(&fixture("tiny-crop40.safetensors")).unwrap();
    let config = net.config();
    assert_eq!(config.crop, 40);
    assert_eq!((config.temperature, config.temperature_single), (0.8, 1.25));
    let want = json("crop40.json");
    let model = json("model.json");
    let faces: Vec<image::GrayImage> = model["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|img| image::GrayImage::from_raw(48, 48, bytes(img)).unwrap())
        .collect();
    // The logits and attention on the crop (the forward pass itself).
    let crops: Vec<f32> = faces
        .iter()
        .flat_map(|f| fer::centre_crop(&fer::preprocess(f), 48, 40))
        .collect();
    let x = Tensor::from_vec(crops, (faces.len(), 1, 40, 40), &Device::Cpu).unwrap();
    let (logits, sa) = net.forward_with_attention(&x).unwrap();
    assert_eq!(sa.dims(), &[3, 1, 10, 10]);
    let flat = |v: &Value| -> Vec<f32> { v.as_array().unwrap().iter().flat_map(floats).collect() };
    let err = max_abs_diff(
        &logits.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
        &flat(&want["logits"]),
    );
    assert!(err <= 1e-4, "logits differ by {err}");
    // The player's classifier, both passes, calibrated.
    for (flip, key) in [(true, "probs_flip_tta"), (false, "probs_single")] {
        let classifier = Classifier::new(net.clone(), flip).unwrap();
        let expect = want[key].as_array().unwrap();
        for (face, probs) in faces.iter().zip(expect) {
            let c = classifier.classify(face).unwrap();
            let err = max_abs_diff(&c.probs, &floats(probs));
            eprintln!("{key}: max |candle - pytorch| = {err:e}");
            assert!(err <= 1e-4, "{key} differ by {err}");
            assert_eq!(c.attention_size, (10, 10));
            assert_eq!(c.attention_region, (4, 40));
        }
    }
}

/// A model whose file carries a vector scaling per pass (tiny-vector.safetensors, the shipped
/// model's kind of calibration): the classifier gives softmax(scale·z + bias) of the pass's
/// logits, as PyTorch computes it (vector.json), and not the temperature's probabilities.
#[test]
fn a_vector_scaled_model_matches_pytorch_within_1e_4() {
    use mien::vision::pipeline::Classifier;
    let net = mien::vision::weights::load_fer(&fixture("tiny-vector.safetensors")).unwrap();
    assert!(net.config().vector.is_some() && net.config().vector_single.is_some());
    let temperature_only =
        mien::vision::weights::load_fer(&fixture("tiny-crop40.safetensors")).unwrap();
    let want = json("vector.json");
    let faces: Vec<image::GrayImage> = json("model.json")["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|img| image::GrayImage::from_raw(48, 48, bytes(img)).unwrap())
        .collect();
    for (flip, key) in [(true, "probs_flip_tta"), (false, "probs_single")] {
        let classifier = Classifier::new(net.clone(), flip).unwrap();
        assert_eq!(classifier.calibration(), "vector");
        let by_temperature = Classifier::new(temperature_only.clone(), flip).unwrap();
        assert_eq!(by_temperature.calibration(), "temperature");
        for (face, probs) in faces.iter().zip(want[key].as_array().unwrap()) {
            let c = classifier.classify(face).unwrap();
            let err = max_abs_diff(&c.probs, &floats(probs));
            eprintln!("{key}: max |candle - pytorch| = {err:e}");
            assert!(err <= 1e-4, "{key} differ by {err}");
            let t = by_temperature.classify(face).unwrap();
            assert!(
                max_abs_diff(&c.probs, &t.probs) > 1e-2,
                "{key}: the vector is applied"
            );
        }
    }
}

/// The temperature changes how sure the classifier is, not what it says: the same face through
/// the calibrated file and through its weights without metadata.
#[test]
fn the_temperature_sharpens_the_probabilities_and_keeps_the_label() {
    use mien::vision::fer::FerConfig;
    use mien::vision::pipeline::Classifier;
    let face = image::GrayImage::from_raw(48, 48, bytes(&json("model.json")["images"][1])).unwrap();
    let plain = Classifier::new(tiny_model(), true).unwrap();
    let sharp_net = tiny_model().with_config(FerConfig {
        temperature: 0.5,
        ..FerConfig::default()
    });
    let sharp = Classifier::new(sharp_net, true).unwrap();
    assert_eq!(sharp.temperature(), 0.5);
    let (a, b) = (
        plain.classify(&face).unwrap(),
        sharp.classify(&face).unwrap(),
    );
    assert_eq!(a.top(), b.top());
    assert!(b.probs[b.top()] > a.probs[a.top()]);
    // softmax(l / 0.5) ∝ softmax(l)²: the calibrated odds are the squared plain odds.
    let (i, j) = (a.top(), (a.top() + 1) % 7);
    let odds = |p: &[f32; 7]| p[i] / p[j];
    assert!((odds(&b.probs) / odds(&a.probs).powi(2) - 1.0).abs() < 1e-3);
    // The smoother weights frames by these calibrated probabilities' confidence.
    let conf = mien::vision::smooth::confidence;
    assert!(conf(&b.probs) > conf(&a.probs));
}

/// CPU time of the calling thread, in ms (unlike wall time, not inflated by other processes
/// on a shared machine; candle runs single-threaded here with RAYON_NUM_THREADS=1).
fn thread_cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6
}

#[test]
#[ignore = "timing: RAYON_NUM_THREADS=1 cargo test --release --test vision -- --ignored --nocapture"]
fn time_the_model() {
    // FER_TIME_MODEL=path times another model file as the player runs it (its metadata's crop
    // and temperature), e.g. a wider random-initialised one before training it.
    use mien::vision::pipeline::Classifier;
    let net = match std::env::var_os("FER_TIME_MODEL") {
        Some(path) => mien::vision::weights::load_fer(Path::new(&path)).unwrap(),
        None => tiny_model(),
    };
    let face = image::GrayImage::from_raw(48, 48, bytes(&json("model.json")["images"][1])).unwrap();
    for flip in [false, true] {
        let classifier = Classifier::new(net.clone(), flip).unwrap();
        let (mut wall, mut cpu) = (Vec::new(), Vec::new());
        for i in 0..305 {
            let (t, c) = (std::time::Instant::now(), thread_cpu_ms());
            classifier.classify(&face).unwrap();
            if i >= 5 {
                cpu.push(thread_cpu_ms() - c);
                wall.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        wall.sort_by(f64::total_cmp);
        cpu.sort_by(f64::total_cmp);
        eprintln!(
            "{:?} crop {} {}: median {:.3} ms wall, {:.3} ms thread CPU (min {:.3})",
            net.widths(),
            net.config().crop,
            if flip { "with mirror" } else { "single" },
            wall[150],
            cpu[150],
            cpu[0]
        );
    }
}

// --- Commands -----------------------------------------------------------------------------------

mod commands {
    use super::*;
    use std::process::Command;

    fn mien(args: &[&str]) -> (bool, String, String) {
        let data = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_mien"))
            .arg("--data-dir")
            .arg(data.path())
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn path(p: &Path) -> &str {
        p.to_str().unwrap()
    }

    #[test]
    fn emotion_json_reports_faces_box_label_and_probabilities_per_image() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/blazeface");
        let tiny = fixture("tiny.safetensors");
        let out = tempfile::tempdir().unwrap();
        let explain = out.path().join("why.png");
        let (ok, stdout, stderr) = mien(&[
            "emotion",
            path(&dir.join("face_close.png")),
            path(&dir.join("no_face.png")),
            "--json",
            "--model",
            path(&tiny),
            "--explain",
            path(&explain),
        ]);
        assert!(ok, "{stderr}");
        let v: Value = serde_json::from_str(&stdout).unwrap();
        let face = &v[0];
        assert_eq!(face["faces"], 1);
        assert_eq!(face["box"].as_array().unwrap().len(), 4);
        let probs = face["probs"].as_object().unwrap();
        assert_eq!(probs.len(), 7);
        let total: f64 = probs.values().map(|p| p.as_f64().unwrap()).sum();
        assert!((total - 1.0).abs() < 1e-4);
        assert!(mien::core::EMOTIONS.contains(&face["label"].as_str().unwrap()));
        assert!(face["ms"].as_f64().unwrap() > 0.0);
        assert_eq!(v[1]["faces"], 0);
        assert!(v[1]["label"].is_null());
        let img = image::open(&explain).unwrap();
        assert_eq!((img.width(), img.height()), (288, 288));
    }

    #[test]
    fn emotion_on_an_unreadable_image_reports_it_and_fails() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("x.png");
        std::fs::write(&bad, b"nope").unwrap();
        let tiny = fixture("tiny.safetensors");
        let (ok, stdout, _) = mien(&["emotion", path(&bad), "--json", "--model", path(&tiny)]);
        assert!(!ok);
        let v: Value = serde_json::from_str(&stdout).unwrap();
        assert!(v[0]["error"].is_string());
    }

    #[test]
    fn emotion_without_a_model_file_names_it() {
        let img =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/blazeface/face_close.png");
        let (ok, _, stderr) = mien(&[
            "emotion",
            path(&img),
            "--model",
            "/nonexistent/fer.safetensors",
        ]);
        assert!(!ok);
        assert!(stderr.contains("/nonexistent/fer.safetensors"), "{stderr}");
    }

    fn eval(model: &Path, data: &Path) -> Value {
        let (ok, stdout, stderr) =
            mien(&["eval-fer", path(data), "--json", "--model", path(model)]);
        assert!(ok, "{stderr}");
        serde_json::from_str(&stdout).unwrap()
    }

    /// 70 made-up 48×48 images, 10 per class, in the shared npz format (no FER-2013 image is
    /// committed to the project).
    fn synthetic_npz(dir: &Path) -> PathBuf {
        let x: Vec<u8> = (0..70 * 48 * 48)
            .map(|i| ((i * 7919) % 251) as u8)
            .collect();
        let y: Vec<u8> = (0..70).map(|i| (i / 10) as u8).collect();
        let x = Tensor::from_vec(x, (70, 48, 48), &Device::Cpu).unwrap();
        let y = Tensor::from_vec(y, 70, &Device::Cpu).unwrap();
        let npz = dir.join("synthetic.npz");
        Tensor::write_npz(&[("x", &x), ("y", &y)], &npz).unwrap();
        npz
    }

    #[test]
    fn eval_fer_json_has_the_shared_fields_and_a_consistent_confusion_matrix() {
        let dir = tempfile::tempdir().unwrap();
        let v = eval(&fixture("tiny.safetensors"), &synthetic_npz(dir.path()));
        assert_eq!(v["n"], 70);
        let confusion: Vec<Vec<u64>> = serde_json::from_value(v["confusion"].clone()).unwrap();
        assert_eq!(confusion.len(), 7);
        assert!(confusion.iter().all(|row| row.iter().sum::<u64>() == 10));
        let diag: u64 = (0..7).map(|i| confusion[i][i]).sum();
        assert!((v["accuracy"].as_f64().unwrap() - diag as f64 / 70.0).abs() < 1e-9);
        let recall = v["per_class_recall"].as_object().unwrap();
        assert_eq!(recall.len(), 7);
        assert!(recall.contains_key("disgust"));
        assert!(v["macro_f1"].as_f64().unwrap() >= 0.0);
        assert!(v["ms_per_face"].as_f64().unwrap() > 0.0);
        // The fixture has no metadata: uncalibrated (T = 1); the ECE is a fraction.
        assert_eq!(v["temperature"], 1.0);
        assert!((0.0..=1.0).contains(&v["ece"].as_f64().unwrap()));
        assert_eq!(v["flip_tta"], false);
        // `--tta` adds the mirrored face: a different pass, reported as such.
        let npz = synthetic_npz(dir.path());
        let model = fixture("tiny.safetensors");
        let (ok, stdout, stderr) = mien(&[
            "eval-fer",
            path(&npz),
            "--json",
            "--tta",
            "--model",
            path(&model),
        ]);
        assert!(ok, "{stderr}");
        let tta: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(tta["flip_tta"], true);
        assert_eq!(tta["n"], 70);
    }

    /// The shipped model on the shared FER-2013 validation split, where this checkout has it
    /// beside it (`../shared/datasets/fer2013/val.npz`; never committed): the accuracy that
    /// models/FER.md reports (70.8% with the player's single pass, vector-scaled), within
    /// rounding of threads.
    #[test]
    fn the_shipped_model_scores_its_reported_accuracy_on_val_when_the_data_is_there() {
        let model = mien::vision::weights::default_fer_path();
        let val = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/fer2013/val.npz");
        if !val.exists() {
            eprintln!("skipped: {} is not on this machine", val.display());
            return;
        }
        let v = eval(&model, &val);
        let acc = v["accuracy"].as_f64().unwrap();
        let ece = v["ece"].as_f64().unwrap();
        eprintln!("shipped model on val: accuracy {acc:.4}, ECE {ece:.4}");
        assert_eq!(v["n"], 3589);
        assert_eq!(
            v["flip_tta"], false,
            "the commands score the player's pass by default"
        );
        assert_eq!(v["calibration"], "vector");
        assert!(acc > 0.705, "accuracy {acc}");
        // Calibrated by the vector scaling in its metadata (0.054 uncalibrated, 0.039 with the
        // temperature alone: models/FER.md).
        assert!(ece < 0.03, "ECE {ece}");
    }

    /// The shipped model end to end (BlazeFace, alignment, emotion) on the committed photo of a
    /// smiling astronaut (public domain): one face, and it reads as happy.
    #[test]
    fn the_shipped_pipeline_reads_the_smiling_astronaut_as_happy() {
        let img =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/blazeface/face_close.png");
        let (ok, stdout, stderr) = mien(&["emotion", path(&img), "--json"]);
        assert!(ok, "{stderr}");
        let v: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(v[0]["faces"], 1, "{v}");
        assert_eq!(v[0]["label"], "happy", "{v}");
        assert!(v[0]["probs"]["happy"].as_f64().unwrap() > 0.5, "{v}");
    }

    #[test]
    fn eval_fer_rejects_an_npz_without_x_and_y() {
        let dir = tempfile::tempdir().unwrap();
        let npz = dir.path().join("bad.npz");
        let t = Tensor::zeros((2, 3), DType::U8, &Device::Cpu).unwrap();
        Tensor::write_npz(&[("z", &t)], &npz).unwrap();
        let (ok, _, stderr) = mien(&[
            "eval-fer",
            path(&npz),
            "--model",
            path(&fixture("tiny.safetensors")),
        ]);
        assert!(!ok);
        assert!(stderr.contains("bad.npz"), "{stderr}");
    }
}

// --- Config -------------------------------------------------------------------------------------

mod config {
    use mien::config::Config;
    use std::path::Path;

    #[test]
    fn the_camera_section_is_read_and_off_by_default() {
        let c = Config::parse("", Path::new("c.toml")).unwrap();
        assert!(!c.camera.enabled);
        assert_eq!((c.camera.width, c.camera.height), (640, 480));
        let text = "[camera]\nenabled = true\ndevice = 2\nwidth = 320\nheight = 240\nfps = 15\nsample_seconds = 4\nlead_seconds = 1.5\ncontinuous_hz = 2\n";
        let c = Config::parse(text, Path::new("c.toml")).unwrap();
        assert!(c.camera.enabled);
        let camera = mien::vision::source::CameraSettings::from_config(&c.camera);
        assert_eq!(camera.index, 2);
        let settings = mien::vision::service::VisionSettings::from_config(&c.camera);
        assert_eq!(settings.continuous_hz, 2.0);
        assert_eq!(settings.sample.as_secs(), 4);
        assert_eq!(c.camera.lead_ms(), 1_500);
    }

    #[test]
    fn bad_camera_values_name_the_file_and_line() {
        for (text, line) in [
            ("[camera]\nenabled = true\nfps = 0\n", 3),
            ("[camera]\n\ncontinuous_hz = -1\n", 3),
            ("[camera]\nlead_seconds = -2\n", 2),
            ("[camera]\nresolution = 5\n", 2),
            ("[camera]\nwidth = \"big\"\n", 2),
        ] {
            let err = Config::parse(text, Path::new("c.toml"))
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(&format!("c.toml:{line}:")),
                "{text:?}: {err}"
            );
        }
    }
}
