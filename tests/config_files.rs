//! Config and theme files as users write them: every file in `tests/valid_configs` (and its
//! `themes/`) must load, and every file in `tests/invalid_configs` (and its `themes/`) must fail
//! with an error naming the file, the line and the cause given in its first line,
//! `# error: LINE: substring`. Also: the shipped `themes/*.toml` and how user themes combine.

use std::path::{Path, PathBuf};

use mien::app::keymap::{KeyChord, Keymap, Lookup};
use mien::app::Action;
use mien::config::Config;
use mien::ui::theme::{builtin_themes, load_themes, Theme};

fn dir(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The `*.toml` files directly in `dir`, sorted.
fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no files in {}", dir.display());
    files
}

/// Loads a config file the way mien does: the config, then the keymap over the defaults.
fn load_config(path: &Path) -> Result<(Config, Keymap), String> {
    let (config, _) = Config::load(Some(path), None).map_err(|e| e.to_string())?;
    let keymap = Keymap::with_config(Keymap::vim_defaults(), &config.keys, path)
        .map_err(|e| e.to_string())?;
    Ok((config, keymap))
}

fn load_theme(path: &Path) -> Result<Theme, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    Theme::parse(&text, path).map_err(|e| e.to_string())
}

/// The line and message substring promised by the file's `# error: LINE: substring` comment.
fn expected_error(path: &Path) -> (usize, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let first = text.lines().next().unwrap_or_default();
    let rest = first.strip_prefix("# error: ");
    let parsed = rest
        .and_then(|r| r.split_once(": "))
        .and_then(|(line, substring)| {
            Some((line.trim().parse().ok()?, substring.trim().to_string()))
        });
    parsed.unwrap_or_else(|| {
        panic!(
            "{}: first line must be `# error: LINE: text`",
            path.display()
        )
    })
}

fn assert_fails_as_promised(path: &Path, result: Result<(), String>) {
    let (line, substring) = expected_error(path);
    let err = result.expect_err(&format!("{} loaded but should fail", path.display()));
    let name = path.file_name().unwrap().to_string_lossy();
    assert!(
        err.contains(&*name),
        "{err}\n  does not name the file {name}"
    );
    assert!(
        err.contains(&format!(":{line}:")),
        "{err}\n  does not say line {line}"
    );
    assert!(
        err.contains(&substring),
        "{err}\n  does not contain `{substring}`"
    );
}

#[test]
fn every_valid_config_loads_and_names_a_known_theme() {
    let (themes, errors) = load_themes(Some(&dir("tests/valid_configs/themes")));
    assert!(errors.is_empty(), "{errors:?}");
    for path in toml_files(&dir("tests/valid_configs")) {
        let (config, _) = load_config(&path).unwrap_or_else(|e| panic!("{e}"));
        let theme = &config.ui.theme;
        assert!(
            themes.iter().any(|t| &t.name == theme),
            "{}: no theme {theme}",
            path.display()
        );
    }
}

#[test]
fn every_invalid_config_fails_naming_file_line_and_cause() {
    for path in toml_files(&dir("tests/invalid_configs")) {
        assert_fails_as_promised(&path, load_config(&path).map(|_| ()));
    }
}

#[test]
fn every_valid_theme_file_loads() {
    for path in toml_files(&dir("tests/valid_configs/themes")) {
        load_theme(&path).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn every_invalid_theme_fails_naming_file_line_and_cause() {
    for path in toml_files(&dir("tests/invalid_configs/themes")) {
        assert_fails_as_promised(&path, load_theme(&path).map(|_| ()));
    }
}

#[test]
fn bad_user_themes_are_reported_and_skipped() {
    let invalid = dir("tests/invalid_configs/themes");
    let (themes, errors) = load_themes(Some(&invalid));
    assert_eq!(errors.len(), toml_files(&invalid).len());
    assert_eq!(themes, builtin_themes());
}

#[test]
fn a_missing_theme_dir_gives_just_the_builtins() {
    let (themes, errors) = load_themes(Some(Path::new("/nonexistent/mien/themes")));
    assert!(errors.is_empty());
    assert_eq!(themes, builtin_themes());
}

#[test]
fn every_shipped_theme_parses_and_is_built_in() {
    let builtin: Vec<String> = builtin_themes().into_iter().map(|t| t.name).collect();
    let shipped = toml_files(&dir("themes"));
    assert_eq!(
        shipped.len(),
        builtin.len(),
        "a file in themes/ is not embedded"
    );
    for path in shipped {
        let theme = load_theme(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            builtin.contains(&theme.name),
            "{} is not embedded",
            theme.name
        );
    }
    assert_eq!(builtin[0], "default");
}

#[test]
fn a_partial_theme_falls_back_to_default_colours() {
    let theme = load_theme(&dir("tests/valid_configs/themes/partial.toml")).unwrap();
    let default = Theme::default();
    assert_eq!(theme.name, "partial");
    assert_ne!(theme.accent, default.accent);
    assert_ne!(theme.happy, default.happy);
    let reverted = Theme {
        name: default.name.clone(),
        accent: default.accent,
        happy: default.happy,
        ..theme
    };
    assert_eq!(reverted, default);
}

#[test]
fn a_theme_without_a_name_is_named_after_its_file() {
    let theme = load_theme(&dir("tests/valid_configs/themes/nameless.toml")).unwrap();
    assert_eq!(theme.name, "nameless");
    assert!(theme.bold);
}

#[test]
fn a_user_theme_replaces_the_builtin_of_the_same_name() {
    let user = tempfile::tempdir().unwrap();
    let light = "name = \"light\"\n[colors]\naccent = \"red\"\n";
    std::fs::write(user.path().join("my-light.toml"), light).unwrap();
    std::fs::write(user.path().join("notes.txt"), "not a theme").unwrap();
    let (themes, errors) = load_themes(Some(user.path()));
    assert!(errors.is_empty(), "{errors:?}");
    let names: Vec<&str> = themes.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["default", "light", "high-contrast"]);
    assert_eq!(themes[1].accent, ratatui::style::Color::Red);
}

#[test]
fn rebound_keys_take_effect() {
    let (_, keymap) = load_config(&dir("tests/valid_configs/keys.toml")).unwrap();
    let chord = |s: &str| s.parse::<KeyChord>().unwrap();
    let action = |keys: &[&str]| keymap.lookup(&keys.iter().map(|k| chord(k)).collect::<Vec<_>>());
    assert_eq!(action(&["ctrl-n"]), Lookup::Action(Action::NextTrack));
    assert_eq!(action(&["p"]), Lookup::Action(Action::PlayPause));
    assert_eq!(action(&["alt-p"]), Lookup::Action(Action::PlayNext));
    assert_eq!(action(&["g"]), Lookup::Prefix);
    assert_eq!(action(&["g", "e"]), Lookup::Action(Action::Bottom));
    assert_eq!(action(&["g", "g"]), Lookup::Action(Action::Top));
    assert_eq!(action(&[">"]), Lookup::None);
    assert_eq!(action(&["t"]), Lookup::None);
    assert!(keymap.keys_for(Action::CycleTheme).is_empty());
}
