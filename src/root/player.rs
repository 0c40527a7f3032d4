//! The player's starting point, built from the context and the store before the terminal opens:
//! the first `AppState` (catalogue, ratings, the saved queue), the keymap and the themes.

use std::path::PathBuf;

use anyhow::Context as _;

use super::Context;
use crate::app::keymap::{Keymap, KeymapError};
use crate::app::reco::RecoSettings;
use crate::app::state::{AppState, CameraState};
use crate::app::Action;
use crate::store::Store;
use crate::ui::theme::{load_themes, Theme};

/// Builds the initial state from the store: the catalogue (read once; the tracks in the library
/// folders `roots`, every track where it is empty), ratings, the saved queue.
pub fn initial_state(
    store: &Store,
    resume: bool,
    roots: &[std::path::PathBuf],
) -> anyhow::Result<AppState> {
    let tracks = (store.library_tracks(roots)).context("cannot read the catalogue")?;
    let ratings = store.ratings().context("cannot read ratings")?;
    let mut state = AppState::new(tracks, ratings);
    if resume {
        if let Some(saved) = store.load_queue().context("cannot read the saved queue")? {
            state.restore_queue(saved);
        }
    }
    Ok(state)
}

/// What the interactive player starts from.
pub struct PlayerSetup {
    pub store: Store,
    pub state: AppState,
    pub keymap: Keymap,
    /// Built-in themes, then the user's; `state.theme` indexes them.
    pub themes: Vec<Theme>,
}

impl PlayerSetup {
    /// Opens the store and builds the first state: the keymap from `[keys]`, the themes (a bad
    /// user theme or an unknown `[ui] theme` becomes the first status line), the start volume,
    /// the camera's permission, the recommender's settings, and with `resume` the last session's
    /// volume and repeat mode, and its queue unless a playlist replaces it.
    pub fn open(ctx: &Context, with_playlist: bool) -> anyhow::Result<PlayerSetup> {
        let keymap = keymap(ctx)?;
        let (themes, theme) = themes(ctx)?;
        let (store, recovery) = ctx.open_store_reporting()?;
        let mut state = initial_state(&store, false, &ctx.library)?;
        state.help = keymap.help_table();
        state.messages_key = keymap.keys_for(Action::Messages).first().cloned();
        state.theme_names = themes.iter().map(|t| t.name.clone()).collect();
        state.theme = theme;
        // The start volume, unless the last session's comes back with its queue below.
        state.player.volume = ctx.config.playback.volume.min(100);
        if ctx.config.playback.resume {
            if let Some(saved) = store.load_queue().context("cannot read the saved queue")? {
                match with_playlist {
                    true => state.restore_settings(&saved),
                    false => state.restore_queue(saved),
                }
            }
        }
        state.emotion.lead_ms = ctx.config.camera.lead_ms();
        if ctx.config.camera.enabled || ctx.camera_file.is_some() {
            // Allowed from the start; the vision thread is told once it runs.
            state.emotion.camera = CameraState::Standby;
        }
        state.reco.settings = RecoSettings::from_config(&ctx.config.recommend);
        // The folder view's top entries.
        state.browser.roots = ctx.library.clone();
        if let Some(note) = keymap.notes().first() {
            state.info(note.clone());
        }
        if let Some(r) = recovery {
            // A rebuilt database matters more than a theme: it gets the status line, and a line
            // on the terminal before the screen changes, still there after quitting.
            tracing::warn!("{r}");
            crate::logging::eprint_line(&format!("mien: {r}"));
            state.alert(r.to_string());
        }
        Ok(PlayerSetup {
            store,
            state,
            keymap,
            themes,
        })
    }
}

/// The config file's name for messages (`config.toml` when mien runs on its defaults).
fn config_name(ctx: &Context) -> PathBuf {
    ctx.config_path
        .clone()
        .unwrap_or_else(|| PathBuf::from("config.toml"))
}

/// The keymap: the defaults with `[keys]` applied. The player and `mien doctor` both check the
/// config through this, so that doctor accepts exactly what the player does.
pub fn keymap(ctx: &Context) -> Result<Keymap, KeymapError> {
    Keymap::with_config(Keymap::vim_defaults(), &ctx.config.keys, &config_name(ctx))
}

/// The built-in and user themes, and the index of `[ui] theme` among them. A user theme that
/// does not parse (`FILE:LINE:COLUMN: why`) or a `[ui] theme` that names none of them is an
/// error, reported before the screen changes; shared with `mien doctor`.
pub fn themes(ctx: &Context) -> anyhow::Result<(Vec<Theme>, usize)> {
    let (themes, errors) = load_themes(ctx.themes_dir.as_deref());
    if let Some(first) = errors.first() {
        let more = match errors.len() {
            1 => String::new(),
            n => format!(" (and {} more bad theme files)", n - 1),
        };
        anyhow::bail!("bad theme: {first}{more}");
    }
    let wanted = &ctx.config.ui.theme;
    match themes.iter().position(|t| &t.name == wanted) {
        Some(i) => Ok((themes, i)),
        None => {
            let names: Vec<&str> = themes.iter().map(|t| t.name.as_str()).collect();
            let line = ctx.config.ui.theme_line;
            anyhow::bail!(
                "{}:{line}: no theme named {wanted:?} (themes: {}; user themes go in {})",
                config_name(ctx).display(),
                names.join(", "),
                ctx.themes_dir.as_deref().map_or_else(
                    || "the config dir's themes/".into(),
                    |d| d.display().to_string()
                )
            )
        }
    }
}
