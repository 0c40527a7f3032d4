//! The vision subsystem without a camera: the candle FER model against PyTorch on fixed inputs
//! (tests/fixtures/fer, written by tools/fer/make_fixture.py), preprocessing against numpy, the
//! image frame sources, and the `emotion` / `eval-fer` commands on the tiny fixture model.

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

#[test]
#[ignore = "timing: cargo test --release --test vision -- --ignored --nocapture"]
fn time_the_model() {
    // FER_TIME_MODEL=path times another model file (e.g. the full-size one).
    let net = match std::env::var_os("FER_TIME_MODEL") {
        Some(path) => FerNet::new(
            unsafe { VarBuilder::from_mmaped_safetensors(&[path], DType::F32, &Device::Cpu) }
                .unwrap(),
        )
        .unwrap(),
        None => tiny_model(),
    };
    let batch = fixture_batch(&json("model.json"), false)
        .narrow(0, 0, 1)
        .unwrap();
    let mut times = Vec::new();
    for _ in 0..200 {
        let t = std::time::Instant::now();
        net.forward(&batch).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    eprintln!("{:?}: batch 1 median {:.3} ms", net.widths(), times[100]);
    let batch2 = Tensor::cat(&[&batch, &batch], 0).unwrap();
    let mut times = Vec::new();
    for _ in 0..200 {
        let t = std::time::Instant::now();
        net.forward(&batch2).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    eprintln!("{:?}: batch 2 median {:.3} ms", net.widths(), times[100]);
}
