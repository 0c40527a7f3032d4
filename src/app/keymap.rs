//! The keymap: key chords and two-key sequences → `Action`, with vim-style defaults that
//! `config.toml`'s `[keys]` can rebind. Built once on the UI thread; the event loop keeps the
//! pending chords and asks `lookup` after each key.

use std::path::{Path, PathBuf};

pub use super::chord::{parse_sequence, sequence_to_string, KeyChord};
use crate::app::action::Action;
use crate::config::KeysConfig;

/// What the keys pressed so far mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    Action(Action),
    /// The start of a longer binding (the first `g` of `g g`): wait for the next key.
    Prefix,
    None,
}

/// Key sequences bound to actions. Each sequence is bound to at most one action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<(Vec<KeyChord>, Action)>,
    /// What the user's `[keys]` took from default actions (`FILE:LINE: ...`), to be said once at
    /// start and by `mien doctor`, so that a takeover is never silent.
    notes: Vec<String>,
}

/// A `[keys]` entry that cannot be used. `Display` is `FILE:LINE: message`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}: {message}")]
pub struct KeymapError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

/// The default bindings, in `Action::ALL` order.
const VIM_DEFAULTS: &[(Action, &[&str])] = &[
    (Action::Up, &["k", "up"]),
    (Action::Down, &["j", "down"]),
    (Action::Top, &["g g", "home"]),
    (Action::Bottom, &["G", "end"]),
    (Action::PageUp, &["ctrl-u", "pageup"]),
    (Action::PageDown, &["ctrl-d", "pagedown"]),
    (Action::Open, &["enter"]),
    (Action::Back, &["backspace"]),
    (Action::FocusNext, &["tab"]),
    (Action::FocusPrev, &["backtab"]),
    (Action::ToggleAllTracks, &["a"]),
    (Action::CycleSort, &["s"]),
    (Action::Search, &["/"]),
    (Action::SearchNext, &["n"]),
    (Action::SearchPrev, &["N"]),
    (Action::Enqueue, &["e"]),
    (Action::PlayNow, &["P"]),
    (Action::PlayNext, &["p"]),
    (Action::QueueRemove, &["d", "delete"]),
    (Action::QueueClear, &["D"]),
    (Action::QueueMoveUp, &["K"]),
    (Action::QueueMoveDown, &["J"]),
    (Action::QueueShuffle, &["z"]),
    (Action::CycleRepeat, &["r"]),
    (Action::TogglePin, &["x"]),
    (Action::SaveQueue, &["w"]),
    (Action::ToggleAuto, &["A"]),
    (Action::PlayPause, &["space"]),
    (Action::Stop, &["S"]),
    (Action::NextTrack, &[">", "."]),
    (Action::PrevTrack, &["<", ","]),
    (Action::SeekForward, &["l", "right"]),
    (Action::SeekBackward, &["h", "left"]),
    (Action::VolumeUp, &["+", "="]),
    (Action::VolumeDown, &["-"]),
    (Action::Rate0, &["0"]),
    (Action::Rate1, &["1"]),
    (Action::Rate2, &["2"]),
    (Action::Rate3, &["3"]),
    (Action::Rate4, &["4"]),
    (Action::Rate5, &["5"]),
    (Action::PickMood, &["m"]),
    (Action::ToggleCamera, &["c"]),
    (Action::ToggleHelp, &["?", "f1"]),
    (Action::CycleTheme, &["t"]),
    (Action::Quit, &["q", "ctrl-c"]),
    (Action::ToggleDiary, &["Y"]),
    (Action::ToggleLyrics, &["L"]),
    (Action::ToggleFolders, &["F"]),
    (Action::OpenPlaylists, &["O"]),
    (Action::MoodMap, &["M"]),
    (Action::Journey, &["v"]),
    (Action::CycleSleepTimer, &["T"]),
    (Action::Messages, &["H"]),
    (Action::RevealPlaying, &["i"]),
    (Action::SeekForwardLong, &["]", "shift-right"]),
    (Action::SeekBackwardLong, &["[", "shift-left"]),
];

/// Whether pressing one sequence would get in the way of the other (equal, or one starts the other).
fn clashes(a: &[KeyChord], b: &[KeyChord]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

impl Keymap {
    /// The vim-style defaults; every action has at least one key.
    pub fn vim_defaults() -> Keymap {
        let bindings = VIM_DEFAULTS.iter().flat_map(|(action, keys)| {
            keys.iter()
                .filter_map(move |k| Some((parse_sequence(k).ok()?, *action)))
        });
        Keymap {
            bindings: bindings.collect(),
            notes: Vec::new(),
        }
    }

    /// `defaults` with the user's `[keys]` applied: a configured action's keys replace its
    /// defaults, and a configured key is taken away from whatever default action had it (or a
    /// sequence it starts, or that starts it). Two configured actions may not share or overlap a
    /// key. `path` is only used in error messages.
    pub fn with_config(
        defaults: Keymap,
        keys: &KeysConfig,
        path: &Path,
    ) -> Result<Keymap, KeymapError> {
        let mut map = defaults;
        let mut configured: Vec<(Vec<KeyChord>, Action, usize)> = Vec::new();
        // (key, the configured action, the default action it was taken from, line)
        let mut taken: Vec<(String, Action, Action, usize)> = Vec::new();
        for entry in keys.entries() {
            let (line, name) = (entry.line, entry.action.as_str());
            let err = |message: String| KeymapError {
                path: path.to_path_buf(),
                line,
                message,
            };
            let action =
                Action::from_name(name).ok_or_else(|| err(format!("unknown action \"{name}\"")))?;
            map.bindings.retain(|(_, a)| *a != action);
            for key in &entry.keys {
                let seq = parse_sequence(key)
                    .map_err(|why| err(format!("bad key \"{key}\" for action {name}: {why}")))?;
                let clash = configured
                    .iter()
                    .find(|(s, a, _)| clashes(s, &seq) && !(*a == action && *s == seq));
                if let Some((other_seq, other, other_line)) = clash {
                    return Err(err(format!(
                        "key \"{key}\" for action {name} clashes with \"{}\" for action {} \
                         (line {other_line})",
                        sequence_to_string(other_seq),
                        other.name()
                    )));
                }
                for (_, other) in map.bindings.iter().filter(|(s, _)| clashes(s, &seq)) {
                    taken.push((key.clone(), action, *other, line));
                }
                map.bindings.retain(|(s, _)| !clashes(s, &seq));
                map.bindings.push((seq.clone(), action));
                configured.push((seq, action, line));
            }
        }
        for (key, action, other, line) in taken {
            if configured.iter().any(|(_, a, _)| *a == other) {
                continue; // the user gave that action keys of its own
            }
            let left = map.keys_for(other);
            let keeps = match left.is_empty() {
                true => format!("{} has no key now", other.name()),
                false => format!("{} keeps {}", other.name(), left.join(", ")),
            };
            map.notes.push(format!(
                "{}:{line}: \"{key}\" now does {} instead of {} ({keeps})",
                path.display(),
                action.name(),
                other.name()
            ));
        }
        Ok(map)
    }

    /// What the user's `[keys]` took from default actions, one `FILE:LINE: ...` line each.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// What `pending` (the chords pressed since the last action) means. An exact binding wins;
    /// otherwise `Prefix` if some binding starts with `pending`.
    pub fn lookup(&self, pending: &[KeyChord]) -> Lookup {
        if pending.is_empty() {
            return Lookup::None;
        }
        if let Some((_, action)) = self.bindings.iter().find(|(s, _)| s == pending) {
            return Lookup::Action(*action);
        }
        match self.bindings.iter().any(|(s, _)| s.starts_with(pending)) {
            true => Lookup::Prefix,
            false => Lookup::None,
        }
    }

    /// The keys bound to `action`, canonically spelled, in binding order.
    pub fn keys_for(&self, action: Action) -> Vec<String> {
        let bound = self.bindings.iter().filter(|(_, a)| *a == action);
        bound.map(|(s, _)| sequence_to_string(s)).collect()
    }

    /// Every action with its keys, in `Action::ALL` order (unbound actions have none): the help
    /// overlay's table.
    pub fn bindings(&self) -> Vec<(Action, Vec<String>)> {
        Action::ALL.iter().map(|&a| (a, self.keys_for(a))).collect()
    }

    /// The help overlay's rows, (keys, what), in `Action::ALL` order. The five star ratings
    /// share one row ("1 2 3 4 5 · rate 1–5 stars") when each has exactly one key, so that the
    /// whole table fits a standard 80×24 terminal.
    pub fn help_table(&self) -> Vec<(String, String)> {
        const STARS: [Action; 5] = [
            Action::Rate1,
            Action::Rate2,
            Action::Rate3,
            Action::Rate4,
            Action::Rate5,
        ];
        let star_keys: Vec<Vec<String>> = STARS.iter().map(|&a| self.keys_for(a)).collect();
        let merge = star_keys.iter().all(|k| k.len() == 1);
        let mut rows = Vec::new();
        for (action, keys) in self.bindings() {
            if merge && STARS.contains(&action) {
                if action == Action::Rate1 {
                    let keys: Vec<&str> = star_keys.iter().map(|k| k[0].as_str()).collect();
                    rows.push((keys.join(" "), "rate 1–5 stars".to_string()));
                }
                continue;
            }
            rows.push((keys.join(" "), action.describe().to_string()));
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn chord(s: &str) -> KeyChord {
        s.parse().unwrap()
    }

    fn configured(text: &str) -> Result<Keymap, KeymapError> {
        let config = Config::parse(text, Path::new("c.toml")).unwrap();
        Keymap::with_config(Keymap::vim_defaults(), &config.keys, Path::new("c.toml"))
    }

    #[test]
    fn every_default_parses_and_every_action_has_one() {
        let written: usize = VIM_DEFAULTS.iter().map(|(_, keys)| keys.len()).sum();
        assert_eq!(Keymap::vim_defaults().bindings.len(), written);
        for (action, keys) in Keymap::vim_defaults().bindings() {
            assert!(!keys.is_empty(), "{action:?} has no key");
        }
    }

    #[test]
    fn no_two_defaults_clash() {
        let map = Keymap::vim_defaults();
        for (i, (a, _)) in map.bindings.iter().enumerate() {
            for (b, _) in &map.bindings[i + 1..] {
                assert!(!clashes(a, b), "{a:?} / {b:?}");
            }
        }
    }

    #[test]
    fn a_sequence_is_a_prefix_until_complete() {
        let map = Keymap::vim_defaults();
        assert_eq!(map.lookup(&[chord("g")]), Lookup::Prefix);
        assert_eq!(
            map.lookup(&[chord("g"), chord("g")]),
            Lookup::Action(Action::Top)
        );
        assert_eq!(map.lookup(&[chord("g"), chord("x")]), Lookup::None);
        assert_eq!(map.lookup(&[chord("G")]), Lookup::Action(Action::Bottom));
        assert_eq!(map.lookup(&[]), Lookup::None);
    }

    #[test]
    fn a_configured_action_replaces_its_defaults_and_steals_the_key() {
        let map = configured("[keys]\nnext_track = \"ctrl-n\"\nquit = [\"j\", \"Q\"]\n").unwrap();
        assert_eq!(map.keys_for(Action::NextTrack), ["ctrl-n"]);
        assert_eq!(map.lookup(&[chord(">")]), Lookup::None);
        assert_eq!(map.lookup(&[chord("j")]), Lookup::Action(Action::Quit));
        assert_eq!(map.keys_for(Action::Down), ["down"]);
        assert_eq!(map.keys_for(Action::Quit), ["j", "Q"]);
    }

    #[test]
    fn a_key_taken_from_a_default_action_is_said_and_its_only_key_cannot_be_taken() {
        let map = configured("[keys]\n\nplay_pause = \"q\"\n").unwrap();
        assert_eq!(map.lookup(&[chord("q")]), Lookup::Action(Action::PlayPause));
        assert_eq!(
            map.notes(),
            ["c.toml:3: \"q\" now does play_pause instead of quit (quit keeps ctrl-c)"]
        );
        // Not a takeover when the displaced action got keys of its own.
        let map = configured("[keys]\nplay_pause = \"q\"\nquit = \"Q\"\n").unwrap();
        assert!(map.notes().is_empty(), "{:?}", map.notes());
        // An action whose only key is taken is left unbound, and the note says so.
        let map = configured("[keys]\nplay_pause = [\"space\", \"enter\"]\n").unwrap();
        assert_eq!(
            map.notes(),
            ["c.toml:2: \"enter\" now does play_pause instead of open (open has no key now)"]
        );
    }

    #[test]
    fn a_single_key_takes_over_a_sequence_it_starts() {
        let map = configured("[keys]\nstop = \"g\"\n").unwrap();
        assert_eq!(map.lookup(&[chord("g")]), Lookup::Action(Action::Stop));
        assert_eq!(map.keys_for(Action::Top), ["home"]);
    }

    #[test]
    fn help_table_merges_the_star_ratings_only_when_each_has_one_key() {
        let rows = Keymap::vim_defaults().help_table();
        assert!(rows.contains(&("1 2 3 4 5".to_string(), "rate 1–5 stars".to_string())));
        assert!(!rows.iter().any(|(_, what)| what == "rate 4 stars"));
        assert_eq!(rows.len(), Action::ALL.len() - 4);
        let keymap = configured("[keys]\nrate4 = [\"4\", \"f4\"]\n").unwrap();
        let rows = keymap.help_table();
        assert!(rows.contains(&("4 f4".to_string(), "rate 4 stars".to_string())));
        assert_eq!(rows.len(), Action::ALL.len());
    }

    #[test]
    fn help_bindings_follow_action_order_and_the_live_keymap() {
        let map = configured("[keys]\nplay_pause = [\"space\", \"ctrl-p\"]\n").unwrap();
        let bindings = map.bindings();
        let order: Vec<Action> = bindings.iter().map(|(a, _)| *a).collect();
        assert_eq!(order, Action::ALL);
        let play_pause = bindings
            .iter()
            .find(|(a, _)| *a == Action::PlayPause)
            .unwrap();
        assert_eq!(play_pause.1, ["space", "ctrl-p"]);
    }
}
