//! From key presses to messages, on the UI thread: the search line takes raw characters;
//! the open mood map takes its own keys (`map_key`); everything else goes through the keymap,
//! which supports two-key sequences such as `g g`. Pure.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::keymap::{KeyChord, Keymap, Lookup};
use super::mood_map::MapKey;
use super::state::{AppState, Msg};

/// Keys pressed so far of a possible multi-key binding.
#[derive(Debug, Default)]
pub struct KeyState {
    pending: Vec<KeyChord>,
}

/// The message a key press means in the current state, if any.
pub fn key_to_msg(
    state: &AppState,
    keymap: &Keymap,
    keys: &mut KeyState,
    key: KeyEvent,
) -> Option<Msg> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Msg::Action(Action::Quit));
    }
    if state.save_prompt.is_some() {
        use super::save_prompt::PromptKey;
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        return match key.code {
            KeyCode::Esc => Some(Msg::Prompt(PromptKey::Cancel)),
            KeyCode::Enter => Some(Msg::Prompt(PromptKey::Confirm)),
            KeyCode::Backspace => Some(Msg::Prompt(PromptKey::Backspace)),
            KeyCode::Char(c) if plain => Some(Msg::Prompt(PromptKey::Char(c))),
            _ => None,
        };
    }
    if state.search_input.is_some() {
        return match key.code {
            KeyCode::Esc => Some(Msg::SearchCancel),
            KeyCode::Enter => Some(Msg::SearchConfirm),
            KeyCode::Backspace => Some(Msg::SearchBackspace),
            KeyCode::Up => Some(Msg::Action(Action::Up)),
            KeyCode::Down => Some(Msg::Action(Action::Down)),
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                Some(Msg::SearchChar(c))
            }
            _ => None,
        };
    }
    if state.mood_map.open && state.overlay.is_none() {
        if let Some(k) = map_key(&key) {
            keys.pending.clear();
            return Some(Msg::MapKey(k));
        }
    }
    if state.overlay.is_some() && key.code == KeyCode::Esc {
        keys.pending.clear();
        return Some(Msg::CloseOverlay);
    }
    let chord = KeyChord::from_event(&key);
    keys.pending.push(chord);
    if keymap.lookup(&keys.pending) == Lookup::None && keys.pending.len() > 1 {
        // A broken sequence (`g` then `j`): read the last key on its own.
        keys.pending.clear();
        keys.pending.push(chord);
    }
    match keymap.lookup(&keys.pending) {
        Lookup::Action(a) => {
            keys.pending.clear();
            Some(Msg::Action(a))
        }
        Lookup::Prefix => None,
        Lookup::None => {
            keys.pending.clear();
            None
        }
    }
}

/// The keys the open mood map takes before the keymap: h j k l and the arrows move its cursor,
/// enter queues the tracks nearest it, `J` starts a journey there, esc closes it.
fn map_key(key: &KeyEvent) -> Option<MapKey> {
    if key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return None;
    }
    Some(match key.code {
        KeyCode::Char('h') | KeyCode::Left => MapKey::Left,
        KeyCode::Char('l') | KeyCode::Right => MapKey::Right,
        KeyCode::Char('k') | KeyCode::Up => MapKey::Up,
        KeyCode::Char('j') | KeyCode::Down => MapKey::Down,
        KeyCode::Enter => MapKey::Queue,
        KeyCode::Char('J') => MapKey::Journey,
        KeyCode::Esc => MapKey::Close,
        _ => return None,
    })
}
