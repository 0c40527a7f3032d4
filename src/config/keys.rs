//! `[keys]`: the user's key bindings as written (action → one key string or several), with the
//! line of each entry; the keymap (`app::keymap`) checks them against the actions.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// `[keys]`: action name → a key string or an array of them, e.g. `next_track = "ctrl-n"`,
/// `play_pause = ["space", "p"]`, `top = "g g"`. Checked against the actions by the keymap,
/// which reports errors by line.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct KeysConfig {
    map: BTreeMap<String, Spanned<KeySpec>>,
    /// Line of each entry, filled in by `Config::parse` from the spans.
    #[serde(skip)]
    lines: BTreeMap<String, usize>,
}

/// One `[keys]` entry, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyEntry {
    pub action: String,
    pub keys: Vec<String>,
    /// 1-based line in the config file (0 if the config did not come from text).
    pub line: usize,
}

impl KeysConfig {
    /// The entries in file order.
    pub fn entries(&self) -> Vec<KeyEntry> {
        let mut entries: Vec<KeyEntry> = self
            .map
            .iter()
            .map(|(action, spec)| KeyEntry {
                action: action.clone(),
                keys: spec.get_ref().keys().to_vec(),
                line: self.lines.get(action).copied().unwrap_or(0),
            })
            .collect();
        entries.sort_by_key(|e| e.line);
        entries
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Fills in each entry's line from its span in `text`.
    pub(super) fn locate(&mut self, text: &str) {
        self.lines = (self.map.iter())
            .map(|(k, v)| (k.clone(), super::line_col(text, v.span().start).0))
            .collect();
    }
}

/// The value of a `[keys]` entry: one key string or an array of them.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(
    untagged,
    expecting = "expected a key like \"ctrl-n\" or an array of keys"
)]
pub enum KeySpec {
    One(String),
    Many(Vec<String>),
}

impl KeySpec {
    pub fn keys(&self) -> &[String] {
        match self {
            KeySpec::One(key) => std::slice::from_ref(key),
            KeySpec::Many(keys) => keys,
        }
    }
}
