//! The player's starting point, built from the context and the store before the terminal opens:
//! the first `AppState` (catalogue, ratings, the saved queue), the keymap and the themes.

use std::path::PathBuf;

use anyhow::Context as _;

use super::Context;
use crate::app::keymap::Keymap;
use crate::app::reco::RecoSettings;
use crate::app::state::{AppState, CameraState};
use crate::store::Store;
use crate::ui::theme::{load_themes, Theme};

/// Builds the initial state from the store: the catalogue (read once), ratings, the saved queue.
pub fn initial_state(store: &Store, resume: bool) -> anyhow::Result<AppState> {
    let tracks = store.all_tracks().context("cannot read the catalogue")?;
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
    /// the camera's permission, the recommender's settings, and the saved queue unless a playlist
    /// replaces it.
    pub fn open(ctx: &Context, with_playlist: bool) -> anyhow::Result<PlayerSetup> {
        let config_path = ctx
            .config_path
            .clone()
            .unwrap_or_else(|| PathBuf::from("config.toml"));
        let keymap = Keymap::with_config(Keymap::vim_defaults(), &ctx.config.keys, &config_path)?;
        let user_themes = ctx
            .config_path
            .as_ref()
            .and_then(|p| p.parent())
            .map(|d| d.join("themes"));
        let (themes, theme_errors) = load_themes(user_themes.as_deref());
        let (store, recovery) = ctx.open_store_reporting()?;
        let mut state = initial_state(&store, ctx.config.playback.resume && !with_playlist)?;
        state.help = keymap.help_table();
        state.theme_names = themes.iter().map(|t| t.name.clone()).collect();
        state.theme = themes
            .iter()
            .position(|t| t.name == ctx.config.ui.theme)
            .unwrap_or(0);
        state.player.volume = ctx.config.playback.volume.min(100);
        state.emotion.lead_ms = ctx.config.camera.lead_ms();
        if ctx.config.camera.enabled || ctx.camera_file.is_some() {
            // Allowed from the start; the vision thread is told once it runs.
            state.emotion.camera = CameraState::Standby;
        }
        state.reco.settings = RecoSettings::from_config(&ctx.config.recommend);
        if let Some(e) = theme_errors.first() {
            state.error(format!("theme skipped: {e}"));
        } else if themes.iter().all(|t| t.name != ctx.config.ui.theme) {
            state.error(format!(
                "no theme named {:?}; using {}",
                ctx.config.ui.theme, state.theme_names[0]
            ));
        }
        if let Some(r) = recovery {
            // A rebuilt database matters more than a theme: it gets the status line, and a line
            // on the terminal before the screen changes, still there after quitting.
            tracing::warn!("{r}");
            crate::logging::eprint_line(&format!("mien: {r}"));
            state.error(r.to_string());
        }
        Ok(PlayerSetup {
            store,
            state,
            keymap,
            themes,
        })
    }
}
