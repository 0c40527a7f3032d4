//! Serde for paths that may not be UTF-8 (Linux file names are bytes): a UTF-8 path is stored as
//! a plain string, any other as `{"bytes": [...]}`. Reading accepts both, so records written
//! before this existed still read. Use with `#[serde(with = "crate::core::path_serde")]`, or
//! `path_serde::many` on a `Vec<PathBuf>`.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum Repr {
    Text(String),
    Bytes { bytes: Vec<u8> },
}

struct PathRef<'a>(&'a Path);

impl Serialize for PathRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.to_str() {
            Some(text) => s.serialize_str(text),
            None => {
                let mut st = s.serialize_struct("Path", 1)?;
                st.serialize_field("bytes", self.0.as_os_str().as_encoded_bytes())?;
                st.end()
            }
        }
    }
}

impl From<Repr> for PathBuf {
    fn from(r: Repr) -> PathBuf {
        match r {
            Repr::Text(t) => PathBuf::from(t),
            Repr::Bytes { bytes } => PathBuf::from(OsString::from_vec(bytes)),
        }
    }
}

/// A path as a JSON value in the same form (`"..."` or `{"bytes": [...]}`), for commands that
/// build their JSON by hand, so that every `--json` output writes paths one way.
pub fn to_json(path: &Path) -> serde_json::Value {
    serde_json::to_value(PathRef(path)).unwrap_or(serde_json::Value::Null)
}

pub fn serialize<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    PathRef(path).serialize(s)
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
    Ok(Repr::deserialize(d)?.into())
}

/// The same for a list of paths.
pub mod many {
    use super::*;

    pub fn serialize<S: Serializer>(paths: &[PathBuf], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(paths.iter().map(|p| PathRef(p)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<PathBuf>, D::Error> {
        Ok(Vec::<Repr>::deserialize(d)?
            .into_iter()
            .map(PathBuf::from)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Holder {
        #[serde(with = "super")]
        one: PathBuf,
        #[serde(with = "super::many")]
        many: Vec<PathBuf>,
    }

    #[test]
    fn utf8_paths_are_plain_strings_and_other_paths_round_trip_as_bytes() {
        let odd = PathBuf::from(std::ffi::OsStr::from_bytes(b"/m/bad\xff.wav"));
        let h = Holder {
            one: "/m/a.flac".into(),
            many: vec![odd.clone(), "/m/b.mp3".into()],
        };
        let json = serde_json::to_string(&h).unwrap();
        assert!(json.contains("\"one\":\"/m/a.flac\""), "{json}");
        assert!(json.contains("{\"bytes\":["), "{json}");
        assert_eq!(serde_json::from_str::<Holder>(&json).unwrap(), h);
        // Hand-built JSON (recommend, tag) writes them the same way.
        assert_eq!(
            to_json(Path::new("/m/a.flac")),
            serde_json::json!("/m/a.flac")
        );
        let bytes: Vec<u8> = b"/m/bad\xff.wav".to_vec();
        assert_eq!(to_json(&odd), serde_json::json!({ "bytes": bytes }));
    }
}
