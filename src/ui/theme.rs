//! Colour themes: the `Theme` every pane draws with, read from TOML. The built-in themes
//! (`themes/*.toml`) are embedded in the binary; the user's `$XDG_CONFIG_HOME/mien/themes/*.toml`
//! add to or replace them. Loaded on the UI thread at start-up; a bad file is an error to show,
//! never a crash.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ratatui::style::Color;
use serde::Deserialize;
use toml::Spanned;

use crate::config::line_col;

/// The built-in themes, default first: (file name for error messages, TOML text).
const BUILTIN: &[(&str, &str)] = &[
    ("default.toml", include_str!("../../themes/default.toml")),
    ("light.toml", include_str!("../../themes/light.toml")),
    (
        "high-contrast.toml",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// Picks one colour field of a theme.
type ColorField = fn(&mut Theme) -> &mut Color;

/// Every key a theme's `[colors]` table may set, and the field it sets.
const FIELDS: &[(&str, ColorField)] = &[
    ("background", |t| &mut t.background),
    ("foreground", |t| &mut t.foreground),
    ("dim", |t| &mut t.dim),
    ("accent", |t| &mut t.accent),
    ("border", |t| &mut t.border),
    ("selection_bg", |t| &mut t.selection_bg),
    ("selection_fg", |t| &mut t.selection_fg),
    ("playing", |t| &mut t.playing),
    ("pinned", |t| &mut t.pinned),
    ("rating", |t| &mut t.rating),
    ("gauge", |t| &mut t.gauge),
    ("error", |t| &mut t.error),
    ("info", |t| &mut t.info),
    ("angry", |t| &mut t.angry),
    ("disgust", |t| &mut t.disgust),
    ("fear", |t| &mut t.fear),
    ("happy", |t| &mut t.happy),
    ("sad", |t| &mut t.sad),
    ("surprise", |t| &mut t.surprise),
    ("neutral", |t| &mut t.neutral),
    ("quadrant_happy", |t| &mut t.quadrant_happy),
    ("quadrant_tense", |t| &mut t.quadrant_tense),
    ("quadrant_sad", |t| &mut t.quadrant_sad),
    ("quadrant_calm", |t| &mut t.quadrant_calm),
];

/// The colours (and boldness) the UI draws with. Panes read it; nothing writes it after loading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Theme {
    pub name: String,
    /// Draw titles, the selection and the playing track in bold.
    pub bold: bool,
    pub background: Color,
    pub foreground: Color,
    /// Secondary text: durations, album years, hints.
    pub dim: Color,
    /// Titles and the focused pane's border.
    pub accent: Color,
    /// Borders of unfocused panes.
    pub border: Color,
    pub selection_bg: Color,
    pub selection_fg: Color,
    /// The currently playing track's marker and text.
    pub playing: Color,
    /// Pinned queue items.
    pub pinned: Color,
    /// Rating stars.
    pub rating: Color,
    /// Progress and volume bars.
    pub gauge: Color,
    pub error: Color,
    /// The status line.
    pub info: Color,
    pub angry: Color,
    pub disgust: Color,
    pub fear: Color,
    pub happy: Color,
    pub sad: Color,
    pub surprise: Color,
    pub neutral: Color,
    /// The mood map's dots by quadrant (pleasant/unpleasant × aroused/calm); a theme that does
    /// not set them gets the default theme's.
    pub quadrant_happy: Color,
    pub quadrant_tense: Color,
    pub quadrant_sad: Color,
    pub quadrant_calm: Color,
}

/// A theme file that could not be used: the same error as a bad config file, whose `Display` is
/// `FILE:LINE:COLUMN: message`.
pub type ThemeError = crate::config::ConfigError;

/// A theme file as written: every field optional, colours kept as strings with their spans.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: Option<String>,
    bold: Option<bool>,
    #[serde(default)]
    colors: BTreeMap<Spanned<String>, Spanned<ColorValue>>,
}

/// A colour as written: a string (`"#rrggbb"`, a name, `"33"`) or a bare index (`33`).
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "expected a colour: \"#rrggbb\", a name like \"lightcyan\", or 0 to 255"
)]
enum ColorValue {
    Text(String),
    Index(i64),
}

impl ColorValue {
    fn text(&self) -> String {
        match self {
            ColorValue::Text(t) => t.clone(),
            ColorValue::Index(i) => i.to_string(),
        }
    }
}

impl Default for Theme {
    /// The embedded `themes/default.toml`.
    fn default() -> Self {
        let (file, text) = BUILTIN[0];
        Theme::parse_over(text, Path::new(file), &Theme::terminal())
            .unwrap_or_else(|_| Theme::terminal())
    }
}

impl Theme {
    /// Parses a theme file; colours it does not set come from `Theme::default()`. A missing
    /// `name` is taken from the file stem. `path` is only used for the name and error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Theme, ThemeError> {
        Theme::parse_over(text, path, &Theme::default())
    }

    /// The colour of emotion `index` in FER-2013 order (angry, disgust, fear, happy, sad,
    /// surprise, neutral); `foreground` for an index past the end.
    pub fn emotion_color(&self, index: usize) -> Color {
        let colors = [
            self.angry,
            self.disgust,
            self.fear,
            self.happy,
            self.sad,
            self.surprise,
            self.neutral,
        ];
        colors.get(index).copied().unwrap_or(self.foreground)
    }

    fn parse_over(text: &str, path: &Path, base: &Theme) -> Result<Theme, ThemeError> {
        let error_at = |at: usize, message: String| {
            let (line, column) = line_col(text, at);
            ThemeError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let file: ThemeFile = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            error_at(at, e.message().trim().to_string())
        })?;
        let mut theme = base.clone();
        theme.name = match file.name {
            Some(name) if !name.trim().is_empty() => name,
            _ => path
                .file_stem()
                .map_or_else(|| "unnamed".into(), |s| s.to_string_lossy().into_owned()),
        };
        theme.bold = file.bold.unwrap_or(base.bold);
        for (key, value) in &file.colors {
            let Some((_, field)) = FIELDS
                .iter()
                .find(|(name, _)| *name == key.get_ref().as_str())
            else {
                let known: Vec<&str> = FIELDS.iter().map(|(name, _)| *name).collect();
                let message = format!("unknown colour \"{key}\" (known: {})", known.join(", "));
                return Err(error_at(key.span().start, message));
            };
            let text = value.get_ref().text();
            *field(&mut theme) = parse_color(&text).map_err(|why| {
                let message = format!("bad colour \"{text}\" for {}: {why}", key);
                error_at(value.span().start, message)
            })?;
        }
        Ok(theme)
    }

    /// The terminal's own colours everywhere: the last resort if the embedded default were broken.
    fn terminal() -> Theme {
        let c = Color::Reset;
        Theme {
            name: "default".into(),
            bold: false,
            background: c,
            foreground: c,
            dim: c,
            accent: c,
            border: c,
            selection_bg: c,
            selection_fg: c,
            playing: c,
            pinned: c,
            rating: c,
            gauge: c,
            error: c,
            info: c,
            angry: c,
            disgust: c,
            fear: c,
            happy: c,
            sad: c,
            surprise: c,
            neutral: c,
            quadrant_happy: c,
            quadrant_tense: c,
            quadrant_sad: c,
            quadrant_calm: c,
        }
    }
}

/// Parses `#rrggbb`, an ANSI colour name (`lightcyan`, `darkgray`, `reset`, ...) or an index
/// `0`..`255`. The error says what was expected.
pub fn parse_color(text: &str) -> Result<Color, String> {
    let s = text.trim().to_ascii_lowercase();
    if let Some(hex) = s.strip_prefix('#') {
        let ok = hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit());
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
        return match ok {
            true => Ok(Color::Rgb(byte(0), byte(2), byte(4))),
            false => Err("expected #rrggbb with six hex digits".into()),
        };
    }
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        return s
            .parse::<u8>()
            .map(Color::Indexed)
            .map_err(|_| "a colour index must be 0 to 255".into());
    }
    Ok(match s.replace(['-', '_', ' '], "").as_str() {
        "reset" | "default" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "darkgray" | "darkgrey" => Color::DarkGray,
        "lightred" => Color::LightRed,
        "lightgreen" => Color::LightGreen,
        "lightyellow" => Color::LightYellow,
        "lightblue" => Color::LightBlue,
        "lightmagenta" => Color::LightMagenta,
        "lightcyan" => Color::LightCyan,
        "white" => Color::White,
        _ => return Err("expected #rrggbb, a colour name like lightcyan, or 0 to 255".into()),
    })
}

/// The embedded themes, default first.
pub fn builtin_themes() -> Vec<Theme> {
    let default = Theme::default();
    let rest = BUILTIN[1..]
        .iter()
        .filter_map(|(file, text)| Theme::parse_over(text, Path::new(file), &default).ok());
    std::iter::once(default.clone()).chain(rest).collect()
}

/// The built-in themes plus every `*.toml` in `user_dir` (in file-name order); a user theme with
/// a built-in's name replaces it. A missing directory is not an error; unreadable or invalid
/// files are returned as errors and skipped.
pub fn load_themes(user_dir: Option<&Path>) -> (Vec<Theme>, Vec<ThemeError>) {
    let mut themes = builtin_themes();
    let mut errors = Vec::new();
    let Some(dir) = user_dir else {
        return (themes, errors);
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (themes, errors),
        Err(source) => {
            let path = dir.to_path_buf();
            errors.push(ThemeError::Read { path, source });
            return (themes, errors);
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    files.sort();
    for path in files {
        let loaded = std::fs::read_to_string(&path)
            .map_err(|source| ThemeError::Read {
                path: path.clone(),
                source,
            })
            .and_then(|text| Theme::parse(&text, &path));
        match loaded {
            Ok(theme) => match themes.iter_mut().find(|t| t.name == theme.name) {
                Some(same_name) => *same_name = theme,
                None => themes.push(theme),
            },
            Err(e) => errors.push(e),
        }
    }
    (themes, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_from_hex_names_and_indices() {
        assert_eq!(parse_color("#ff8000"), Ok(Color::Rgb(255, 128, 0)));
        assert_eq!(parse_color("LightCyan"), Ok(Color::LightCyan));
        assert_eq!(parse_color("dark-grey"), Ok(Color::DarkGray));
        assert_eq!(parse_color("reset"), Ok(Color::Reset));
        assert_eq!(parse_color("0"), Ok(Color::Indexed(0)));
        assert_eq!(parse_color("255"), Ok(Color::Indexed(255)));
        for bad in ["256", "#fff", "#gg0000", "purpleish", ""] {
            assert!(parse_color(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_embedded_default_sets_every_colour() {
        let (file, text) = BUILTIN[0];
        let default = Theme::parse_over(text, Path::new(file), &Theme::terminal()).unwrap();
        let blank = Theme::terminal();
        for (key, field) in FIELDS {
            let (mut a, mut b) = (default.clone(), blank.clone());
            let background_is_reset = *key == "background";
            assert!(
                background_is_reset || field(&mut a) != field(&mut b),
                "{key} unset"
            );
        }
        assert_eq!(default, Theme::default());
        assert_eq!(default.name, "default");
    }

    #[test]
    fn an_unknown_colour_key_names_file_line_and_column() {
        let text = "name = \"x\"\n[colors]\n  accnt = \"red\"\n";
        let err = Theme::parse(text, Path::new("t.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("t.toml:3:3: unknown colour \"accnt\""),
            "{err}"
        );
    }

    #[test]
    fn a_bad_colour_value_names_the_value() {
        let text = "[colors]\nhappy = \"#12345\"\n";
        let err = Theme::parse(text, Path::new("t.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("t.toml:2:9: bad colour \"#12345\" for happy"),
            "{err}"
        );
    }

    #[test]
    fn emotion_colours_follow_fer2013_order() {
        let t = Theme::default();
        assert_eq!(t.emotion_color(0), t.angry);
        assert_eq!(t.emotion_color(3), t.happy);
        assert_eq!(t.emotion_color(6), t.neutral);
        assert_eq!(t.emotion_color(7), t.foreground);
    }
}
