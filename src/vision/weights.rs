//! All vision model file I/O: where the `models/` folder is and how each vision model's
//! safetensors file becomes a ready model (on the CPU). Called by whoever builds the vision
//! pipeline, on that thread. The model files themselves are described in `models/*.md`.

use std::io;
use std::path::{Path, PathBuf};

use candle_core::{DType, Device};
use candle_nn::VarBuilder;

use super::blazeface::{BlazeFace, Config as BlazeFaceConfig};
use super::detect::{DetectorOptions, FaceDetector};

/// BlazeFace short-range, as `tools/blazeface/convert.py` writes it.
pub const DETECTOR_FILE: &str = "blazeface-short.safetensors";

/// A vision model file that is missing, unreadable or not the model it should be.
#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    #[error("model file {path} not found (see models/*.md for how to make it)")]
    Missing { path: PathBuf },
    #[error("cannot read model file {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("model file {path} is not a valid {model} model: {reason}")]
    Invalid {
        path: PathBuf,
        model: &'static str,
        reason: String,
    },
}

/// The `models/` folder ([`crate::assets::models_dir`]).
pub fn default_models_dir() -> PathBuf {
    crate::assets::models_dir()
}

/// `models/blazeface-short.safetensors` in [`default_models_dir`].
pub fn default_detector_path() -> PathBuf {
    default_models_dir().join(DETECTOR_FILE)
}

/// The whole file, with a missing file told apart from an unreadable one.
fn read_model_file(path: &Path) -> Result<Vec<u8>, WeightsError> {
    std::fs::read(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => WeightsError::Missing {
            path: path.to_path_buf(),
        },
        _ => WeightsError::Read {
            path: path.to_path_buf(),
            source,
        },
    })
}

/// Loads BlazeFace short-range from `path` into a detector with MediaPipe's thresholds.
pub fn load_detector(path: &Path) -> Result<FaceDetector, WeightsError> {
    load_detector_as(path, DType::F32)
}

/// [`load_detector`] computing in `dtype` (F32 or F64; the parity test uses F64).
pub fn load_detector_as(path: &Path, dtype: DType) -> Result<FaceDetector, WeightsError> {
    let invalid = |reason: String| WeightsError::Invalid {
        path: path.to_path_buf(),
        model: "BlazeFace short-range",
        reason,
    };
    let bytes = read_model_file(path)?;
    let vb = VarBuilder::from_buffered_safetensors(bytes, dtype, &Device::Cpu)
        .map_err(|e| invalid(e.to_string()))?;
    let model =
        BlazeFace::new(&BlazeFaceConfig::short_range(), vb).map_err(|e| invalid(e.to_string()))?;
    Ok(FaceDetector::new(model, DetectorOptions::default()))
}

/// The FER emotion model, as `tools/fer/train.py` trains it: the PyTorch state_dict's keys
/// (without `num_batches_tracked`), float32.
pub const FER_FILE: &str = "fer-cbam.safetensors";

/// `models/fer-cbam.safetensors` in [`default_models_dir`].
pub fn default_fer_path() -> PathBuf {
    default_models_dir().join(FER_FILE)
}

/// Loads the FER emotion model from `path` (its widths read from the weights' shapes; its input
/// crop and calibration from the file's metadata, see `fer::FerConfig`).
pub fn load_fer(path: &Path) -> Result<super::fer::FerNet, WeightsError> {
    let invalid = |reason: String| WeightsError::Invalid {
        path: path.to_path_buf(),
        model: "FER emotion (FerNet)",
        reason,
    };
    let bytes = read_model_file(path)?;
    let (_, header) =
        safetensors::SafeTensors::read_metadata(&bytes).map_err(|e| invalid(e.to_string()))?;
    let config =
        super::fer::FerConfig::from_metadata(&header.metadata().clone().unwrap_or_default())
            .map_err(invalid)?;
    let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &Device::Cpu)
        .map_err(|e| invalid(e.to_string()))?;
    Ok(super::fer::FerNet::new(vb)
        .map_err(|e| invalid(e.to_string()))?
        .with_config(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_detector_file_is_named_in_the_error() {
        let err = load_detector(Path::new("/nonexistent/bf.safetensors")).unwrap_err();
        assert!(matches!(err, WeightsError::Missing { .. }), "{err}");
        assert!(err.to_string().contains("/nonexistent/bf.safetensors"));
    }

    #[test]
    fn a_file_that_is_not_safetensors_is_invalid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bf.safetensors");
        std::fs::write(&path, b"not a model").unwrap();
        let err = load_detector(&path).unwrap_err();
        assert!(matches!(err, WeightsError::Invalid { .. }), "{err}");
    }

    #[test]
    fn the_shipped_emotion_model_carries_its_calibration() {
        let config = load_fer(&default_fer_path()).unwrap().config();
        // Stage 8 reads the 44-px centre crop of the aligned 48×48 face (models/FER.md).
        assert_eq!(config.crop, 44);
        // Fitted on val by tools/fer/calibrate.py (models/FER.md, calibration): the model is
        // under-confident, so both temperatures sharpen, and so do the vector scalings that
        // the player uses, on average over the classes.
        for t in [config.temperature, config.temperature_single] {
            assert!((0.5..1.0).contains(&t), "temperature {t}");
        }
        for pass in [true, false] {
            let v = config
                .vector_for(pass)
                .expect("a vector scaling for both passes");
            let mean = v.scale.iter().sum::<f32>() / v.scale.len() as f32;
            assert!(mean > 1.0, "mean scale {mean}");
        }
    }

    #[test]
    fn a_bad_temperature_in_the_metadata_names_the_file_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fer.safetensors");
        let mut shipped = std::fs::read(default_fer_path()).unwrap();
        // Rewrite the header's temperature in place (same length keeps the offsets valid).
        let len = u64::from_le_bytes(shipped[..8].try_into().unwrap()) as usize;
        let header = String::from_utf8(shipped[8..8 + len].to_vec()).unwrap();
        let at = header.find("\"temperature\":\"").unwrap() + "\"temperature\":\"".len();
        shipped[8 + at..8 + at + 4].copy_from_slice(b"-1.0");
        std::fs::write(&path, &shipped).unwrap();
        let err = load_fer(&path).unwrap_err().to_string();
        assert!(
            err.contains("fer.safetensors") && err.contains("temperature"),
            "{err}"
        );
    }

    #[test]
    fn the_shipped_detector_loads() {
        let detector = load_detector(&default_detector_path()).unwrap();
        assert_eq!(detector.model().config().num_anchors(), 896);
    }
}
