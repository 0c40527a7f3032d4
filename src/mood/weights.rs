//! Reading the mood model files: the one place that touches `models/musicnn-msd.safetensors`,
//! `models/musicnn-mtt.safetensors` and `models/mood-head.json`. Called by whoever builds a
//! [`crate::mood::Tagger`], on that thread.
//!
//! A musicnn file is what `tools/musicnn/convert.py` writes: float32 tensors named as the script
//! documents, and in the safetensors header's `__metadata__` a `tags` entry holding the output
//! tag names as a JSON list (musicnn's `MSD_LABELS` or `MTT_LABELS`, in output order). The head
//! file is what `tools/mood/fit_head.py` writes (see [`super::head::MoodHead`]).

use std::io;
use std::path::{Path, PathBuf};

use candle_core::{DType, Device};
use candle_nn::VarBuilder;

use super::head::MoodHead;
use super::model::{Config, MusicnnModel};
use super::MoodError;

/// musicnn's `MSD_LABELS` (musicnn/configuration.py), in output order. The model file must carry
/// exactly these; the mood mapping refers to them by name.
pub const MSD_TAGS: [&str; 50] = [
    "rock",
    "pop",
    "alternative",
    "indie",
    "electronic",
    "female vocalists",
    "dance",
    "00s",
    "alternative rock",
    "jazz",
    "beautiful",
    "metal",
    "chillout",
    "male vocalists",
    "classic rock",
    "soul",
    "indie rock",
    "Mellow",
    "electronica",
    "80s",
    "folk",
    "90s",
    "chill",
    "instrumental",
    "punk",
    "oldies",
    "blues",
    "hard rock",
    "ambient",
    "acoustic",
    "experimental",
    "female vocalist",
    "guitar",
    "Hip-Hop",
    "70s",
    "party",
    "country",
    "easy listening",
    "sexy",
    "catchy",
    "funk",
    "electro",
    "heavy metal",
    "Progressive rock",
    "60s",
    "rnb",
    "indie pop",
    "sad",
    "House",
    "happy",
];

/// musicnn's `MTT_LABELS` (musicnn/configuration.py): the MagnaTagATune tags, in output order.
pub const MTT_TAGS: [&str; 50] = [
    "guitar",
    "classical",
    "slow",
    "techno",
    "strings",
    "drums",
    "electronic",
    "rock",
    "fast",
    "piano",
    "ambient",
    "beat",
    "violin",
    "vocal",
    "synth",
    "female",
    "indian",
    "opera",
    "male",
    "singing",
    "vocals",
    "no vocals",
    "harpsichord",
    "loud",
    "quiet",
    "flute",
    "woman",
    "male vocal",
    "no vocal",
    "pop",
    "soft",
    "sitar",
    "solo",
    "man",
    "classic",
    "choir",
    "voice",
    "new age",
    "dance",
    "male voice",
    "female vocal",
    "beats",
    "harp",
    "cello",
    "no voice",
    "weird",
    "country",
    "metal",
    "female voice",
    "choral",
];

/// The two musicnn checkpoints mien can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Checkpoint {
    /// `MSD_musicnn`: Million Song Dataset, 50 Last.fm tags.
    Msd,
    /// `MTT_musicnn`: MagnaTagATune, 50 tags (tempo, loudness, instruments, voice).
    Mtt,
}

impl Checkpoint {
    /// The file's name in the models folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Checkpoint::Msd => MODEL_FILE,
            Checkpoint::Mtt => "musicnn-mtt.safetensors",
        }
    }

    /// The output tags the file must carry, in order.
    pub fn tags(self) -> &'static [&'static str; 50] {
        match self {
            Checkpoint::Msd => &MSD_TAGS,
            Checkpoint::Mtt => &MTT_TAGS,
        }
    }

    /// Short name used in head input names (`msd:rock`, `mtt_emb:7`).
    pub fn prefix(self) -> &'static str {
        match self {
            Checkpoint::Msd => "msd",
            Checkpoint::Mtt => "mtt",
        }
    }
}

/// The MSD model file's name in the models folder.
pub const MODEL_FILE: &str = "musicnn-msd.safetensors";

/// The mood head's file name in the models folder.
pub const HEAD_FILE: &str = "mood-head.json";

/// The shipped `models/musicnn-msd.safetensors` (see [`crate::assets`]).
pub fn default_model_path() -> PathBuf {
    models_file(MODEL_FILE)
}

/// `models/NAME` (see [`crate::assets`]).
pub fn models_file(name: &str) -> PathBuf {
    crate::assets::models_dir().join(name)
}

fn read_file(path: &Path) -> Result<Vec<u8>, MoodError> {
    std::fs::read(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => MoodError::ModelMissing {
            path: path.to_path_buf(),
        },
        _ => MoodError::ModelRead {
            path: path.to_path_buf(),
            source,
        },
    })
}

/// Loads the mood head from `path` (JSON written by `tools/mood/fit_head.py`).
pub fn load_head(path: &Path) -> Result<MoodHead, MoodError> {
    let bytes = read_file(path)?;
    MoodHead::from_json(&bytes).map_err(|reason| MoodError::ModelInvalid {
        path: path.to_path_buf(),
        reason,
    })
}

/// Loads the MSD model (on the CPU) and its tag names from `path`.
pub fn load(path: &Path, config: &Config) -> Result<(MusicnnModel, Vec<String>), MoodError> {
    load_checkpoint(path, config, Checkpoint::Msd)
}

/// Loads a musicnn model (on the CPU) and its tag names from `path`, checking that the file is
/// the expected checkpoint (by its tags).
pub fn load_checkpoint(
    path: &Path,
    config: &Config,
    checkpoint: Checkpoint,
) -> Result<(MusicnnModel, Vec<String>), MoodError> {
    let bytes = read_file(path)?;
    let invalid = |reason: String| MoodError::ModelInvalid {
        path: path.to_path_buf(),
        reason,
    };
    let tags = read_tags(&bytes).map_err(invalid)?;
    let expected = checkpoint.tags();
    if tags.len() != config.num_tags || tags.iter().zip(expected).any(|(a, b)| a != b) {
        return Err(invalid(format!(
            "its tags are not musicnn's {} {} tags: {tags:?}",
            config.num_tags,
            checkpoint.prefix().to_uppercase()
        )));
    }
    let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &Device::Cpu)
        .map_err(|e| invalid(e.to_string()))?;
    let model = MusicnnModel::new(config, vb).map_err(|e| invalid(e.to_string()))?;
    Ok((model, tags))
}

/// The `tags` list from a safetensors file's `__metadata__` (header: u64 little-endian length,
/// then that many bytes of JSON).
fn read_tags(bytes: &[u8]) -> Result<Vec<String>, String> {
    let len: [u8; 8] = bytes
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .ok_or("shorter than a safetensors header")?;
    let len = usize::try_from(u64::from_le_bytes(len)).map_err(|_| "header length overflows")?;
    let header = bytes
        .get(8..8usize.saturating_add(len))
        .ok_or("truncated safetensors header")?;
    let header: serde_json::Value =
        serde_json::from_slice(header).map_err(|e| format!("bad safetensors header: {e}"))?;
    let tags = header
        .get("__metadata__")
        .and_then(|m| m.get("tags"))
        .and_then(|t| t.as_str())
        .ok_or(
            "no `tags` in the header's __metadata__ (convert it with tools/musicnn/convert.py)",
        )?;
    serde_json::from_str(tags).map_err(|e| format!("bad `tags` metadata: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_header(json: &str) -> Vec<u8> {
        let mut bytes = (json.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(json.as_bytes());
        bytes
    }

    #[test]
    fn tags_come_from_the_header_metadata() {
        let bytes = with_header(r#"{"__metadata__":{"tags":"[\"rock\",\"sad\"]"}}"#);
        assert_eq!(read_tags(&bytes).unwrap(), vec!["rock", "sad"]);
    }

    #[test]
    fn a_header_without_tags_or_truncated_is_refused() {
        assert!(read_tags(&with_header(r#"{"__metadata__":{}}"#)).is_err());
        assert!(read_tags(&[1, 2, 3]).is_err());
        let mut truncated = with_header(r#"{"a":1}"#);
        truncated.truncate(10);
        assert!(read_tags(&truncated).is_err());
    }

    #[test]
    fn a_missing_model_file_is_named_in_the_error() {
        let err = load(Path::new("/nonexistent/m.safetensors"), &Config::msd()).unwrap_err();
        assert!(matches!(err, MoodError::ModelMissing { .. }));
        assert!(
            err.to_string().contains("/nonexistent/m.safetensors"),
            "{err}"
        );
    }
}
