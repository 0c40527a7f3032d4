//! `KeyChord`: one key with its modifiers, as the keymap binds it and crossterm reports it, and
//! its text form (`ctrl-d`, `G`, `backtab`, `g g` for a sequence) both ways.

use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One key with its modifiers, normalised: SHIFT is folded into the character for chars (`G`, not
/// `shift-g`) and `shift-tab` is `backtab`, so a parsed chord equals the one crossterm reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyChord {
    code: KeyCode,
    mods: KeyModifiers,
}

impl KeyChord {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> KeyChord {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let shift = mods.contains(KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c) if shift => KeyCode::Char(c.to_ascii_uppercase()),
            KeyCode::Tab if shift => KeyCode::BackTab,
            other => other,
        };
        if matches!(code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods.remove(KeyModifiers::SHIFT);
        }
        KeyChord { code, mods }
    }

    pub fn from_event(event: &KeyEvent) -> KeyChord {
        KeyChord::new(event.code, event.modifiers)
    }

    pub fn code(&self) -> KeyCode {
        self.code
    }

    pub fn modifiers(&self) -> KeyModifiers {
        self.mods
    }
}

impl FromStr for KeyChord {
    type Err = String;

    /// Parses one chord: `j`, `G`, `space`, `f5`, `ctrl-n`, `alt-shift-up`, `ctrl--`.
    fn from_str(s: &str) -> Result<KeyChord, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = match () {
                _ if lower.starts_with("ctrl-") => (KeyModifiers::CONTROL, 5),
                _ if lower.starts_with("alt-") => (KeyModifiers::ALT, 4),
                _ if lower.starts_with("shift-") => (KeyModifiers::SHIFT, 6),
                _ => break,
            };
            if rest.len() == len {
                return Err(format!("no key after \"{rest}\""));
            }
            mods |= m;
            rest = &rest[len..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (None, _) => return Err("empty key".into()),
            (Some(c), None) if mods.contains(KeyModifiers::SHIFT) && !c.is_ascii_alphabetic() => {
                return Err(format!("write the shifted symbol itself, not shift-{c}"));
            }
            (Some(c), None) => KeyCode::Char(c),
            _ => named_key(&rest.to_ascii_lowercase())
                .ok_or_else(|| format!("unknown key name \"{rest}\""))?,
        };
        Ok(KeyChord::new(code, mods))
    }
}

fn named_key(name: &str) -> Option<KeyCode> {
    Some(match name {
        "space" => KeyCode::Char(' '),
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        "backspace" => KeyCode::Backspace,
        _ => match name.strip_prefix('f').map(str::parse::<u8>) {
            Some(Ok(n)) if (1..=12).contains(&n) => KeyCode::F(n),
            _ => return None,
        },
    })
}

impl fmt::Display for KeyChord {
    /// The canonical spelling, which `from_str` reads back: `ctrl-n`, `space`, `G`, `backtab`.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for (m, prefix) in [
            (KeyModifiers::CONTROL, "ctrl-"),
            (KeyModifiers::ALT, "alt-"),
            (KeyModifiers::SHIFT, "shift-"),
        ] {
            if self.mods.contains(m) {
                f.write_str(prefix)?;
            }
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            KeyCode::Esc => f.write_str("esc"),
            other => f.write_str(&format!("{other:?}").to_ascii_lowercase()),
        }
    }
}

/// Parses a sequence: chords separated by spaces (`"g g"`).
pub fn parse_sequence(s: &str) -> Result<Vec<KeyChord>, String> {
    let chords = s
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<Vec<_>, _>>()?;
    match chords.is_empty() {
        true => Err("empty key".into()),
        false => Ok(chords),
    }
}

/// `"g g"` for a sequence.
pub fn sequence_to_string(chords: &[KeyChord]) -> String {
    chords
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chord(s: &str) -> KeyChord {
        s.parse().unwrap()
    }

    #[test]
    fn shifted_letters_match_what_crossterm_reports() {
        let event = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(KeyChord::from_event(&event), chord("G"));
        assert_eq!(chord("shift-g"), chord("G"));
        assert_ne!(chord("g"), chord("G"));
        let backtab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(KeyChord::from_event(&backtab), chord("shift-tab"));
        let ctrl_n = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert_eq!(KeyChord::from_event(&ctrl_n), chord("ctrl-n"));
    }

    #[test]
    fn chords_display_canonically_and_read_back() {
        for (written, shown) in [
            ("ctrl-n", "ctrl-n"),
            ("Ctrl-N", "ctrl-N"),
            ("space", "space"),
            ("G", "G"),
            ("shift-tab", "backtab"),
            ("PageUp", "pageup"),
            ("f12", "f12"),
            ("-", "-"),
            ("ctrl--", "ctrl--"),
            ("alt-enter", "alt-enter"),
            ("escape", "esc"),
            ("shift-up", "shift-up"),
        ] {
            assert_eq!(chord(written).to_string(), shown, "{written}");
            assert_eq!(chord(shown), chord(written), "{shown}");
        }
    }

    #[test]
    fn bad_key_strings_say_why() {
        for (bad, why) in [
            ("ctrl-", "no key after"),
            ("", "empty"),
            ("hyper-x", "unknown key name"),
            ("f13", "unknown key name"),
            ("shift-1", "shifted symbol"),
        ] {
            let err = parse_sequence(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
