//! The name prompt of `w` (save the queue as a playlist): what is typed, the name's checks, and
//! the second `enter` that replaces a saved playlist of that name. Typing comes in as
//! [`PromptKey`]s (`keys.rs`); the runtime writes the file (`Effect::WritePlaylist`) and answers
//! with `Msg::Status`, or with `Msg::PlaylistExists` when the name is taken and not yet confirmed.

use super::state::{AppState, Effect};
use crate::library::m3u::PlaylistEntry;

/// Longest name, in bytes (file systems allow 255 for the whole file name).
const MAX_NAME_BYTES: usize = 120;

/// The prompt while it is open (it takes the status line's place, so it says its own notes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SavePrompt {
    pub text: String,
    /// A saved playlist of this name exists and the listener was told: `enter` on it replaces it.
    pub replace: Option<String>,
    /// Why the name typed cannot be saved, until the next key.
    pub problem: Option<String>,
}

impl SavePrompt {
    /// What the prompt line says after the text.
    pub fn hint(&self) -> String {
        if let Some(why) = &self.problem {
            return why.clone();
        }
        match check_name(&self.text) {
            Ok(Some(name)) if self.replace.as_ref() == Some(&name) => {
                format!("a playlist {name} exists: enter replaces it · esc: not saved")
            }
            Ok(None) => "enter: a dated name · esc: not saved".into(),
            _ => "enter saves · esc: not saved".into(),
        }
    }
}

/// A key in the prompt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptKey {
    Char(char),
    Backspace,
    Confirm,
    Cancel,
}

/// `w`: opens the prompt, unless there is nothing to save.
pub(super) fn open(state: &mut AppState) {
    if state.queue.is_empty() {
        state.info("nothing to save: the queue is empty");
        return;
    }
    state.save_prompt = Some(SavePrompt::default());
}

/// The file name stem `text` asks for: `None` for a dated name (nothing typed), or why it cannot
/// be a playlist's name. An `.m3u8`/`.m3u` typed at the end is dropped (mien adds `.m3u8`).
pub fn check_name(text: &str) -> Result<Option<String>, String> {
    let mut name = text.trim();
    for ext in [".m3u8", ".m3u"] {
        if name.len() > ext.len() && name.to_ascii_lowercase().ends_with(ext) {
            name = name[..name.len() - ext.len()].trim_end();
        }
    }
    if name.is_empty() {
        return Ok(None);
    }
    if name.contains(['/', '\0']) {
        return Err("a playlist's name cannot hold a /".into());
    }
    if name.starts_with('.') {
        return Err("a playlist's name cannot start with a dot (it would be hidden)".into());
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(format!(
            "a playlist's name is at most {MAX_NAME_BYTES} bytes"
        ));
    }
    Ok(Some(name.to_string()))
}

pub(super) fn key(state: &mut AppState, key: PromptKey) -> Vec<Effect> {
    let Some(prompt) = state.save_prompt.as_mut() else {
        return Vec::new();
    };
    prompt.problem = None;
    match key {
        PromptKey::Char(c) => prompt.text.push(c),
        PromptKey::Backspace => {
            prompt.text.pop();
        }
        PromptKey::Cancel => {
            state.save_prompt = None;
            state.info("the queue was not saved");
        }
        PromptKey::Confirm => match check_name(&prompt.text) {
            Err(why) => prompt.problem = Some(why),
            Ok(name) => {
                let replace = name.is_some() && name == prompt.replace;
                state.save_prompt = None;
                return vec![Effect::WritePlaylist {
                    name,
                    replace,
                    entries: entries(state),
                }];
            }
        },
    }
    Vec::new()
}

/// The runtime found a saved playlist of that name: the prompt opens again on it, and `enter`
/// now replaces it.
pub(super) fn exists(state: &mut AppState, name: String) {
    state.info(format!("a playlist {name} exists: not replaced"));
    state.save_prompt = Some(SavePrompt {
        text: name.clone(),
        replace: Some(name),
        problem: None,
    });
}

/// The queue as playlist entries, with the catalogue's tags where it has the track.
fn entries(state: &AppState) -> Vec<PlaylistEntry> {
    (state.queue.items.iter())
        .map(|i| match state.catalogue.get(i.id) {
            Some(t) => PlaylistEntry::from(t),
            None => PlaylistEntry {
                path: i.path.clone(),
                duration_ms: None,
                artist: None,
                title: None,
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(check_name("  "), Ok(None));
        assert_eq!(check_name(" road trip "), Ok(Some("road trip".into())));
        assert_eq!(check_name("mix.M3U8"), Ok(Some("mix".into())));
        assert_eq!(check_name("mix.m3u"), Ok(Some("mix".into())));
        assert_eq!(
            check_name(".m3u"),
            Err("a playlist's name cannot start with a dot (it would be hidden)".into())
        );
        assert!(check_name("a/b").is_err());
        assert!(check_name(".hidden").is_err());
        assert!(check_name(&"x".repeat(121)).is_err());
        assert_eq!(check_name("été"), Ok(Some("été".into())));
    }
}
