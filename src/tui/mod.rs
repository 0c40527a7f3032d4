//! The interactive player's runtime (UI thread): sets up the terminal, starts the subsystems
//! (engine, library, MPRIS), turns keys into actions through the keymap, feeds every message to
//! `app::update`, performs the effects it returns, and redraws only after something happened.

mod effects;
mod input;
mod services;
mod terminal;

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use anyhow::Context as _;

use crate::app::keymap::Keymap;
use crate::app::state::{AppState, Msg, StatusLevel};
use crate::audio::Engine;
use crate::commands::Context;
use crate::library::LibraryService;
use crate::store::Store;
use crate::ui::theme::{load_themes, Theme};

pub use effects::Runtime;
pub use input::{key_to_msg, KeyState};

/// Everything that wakes the UI thread. Senders: the input thread (keys, resize), the forwarders
/// of the engine, library, MPRIS, mood-tagger, recommender and vision channels, and the art
/// loader. Receiver: the UI loop, which ends when the user quits; the senders then fail and
/// their threads end.
pub enum UiEvent {
    Key(crossterm::event::KeyEvent),
    Resize,
    App(Msg),
    Mpris(crate::mpris::MprisRequest),
    Art(Option<PathBuf>, Option<image::DynamicImage>),
}

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

/// Forwards every value from `rx` into the UI channel, wrapped by `wrap`, until either side ends.
fn forward<T: Send + 'static>(rx: Receiver<T>, tx: Sender<UiEvent>, wrap: fn(T) -> UiEvent) {
    let _ = thread::Builder::new()
        .name("forward".into())
        .spawn(move || {
            for v in rx {
                if tx.send(wrap(v)).is_err() {
                    break;
                }
            }
        });
}

/// `mien` (and `mien PLAYLIST.m3u`): the interactive player.
pub fn run(ctx: &Context, playlist: Option<PathBuf>) -> anyhow::Result<()> {
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
    let store = ctx.open_store()?;
    let mut state = initial_state(&store, ctx.config.playback.resume && playlist.is_none())?;
    state.help = keymap.help_table();
    state.theme_names = themes.iter().map(|t| t.name.clone()).collect();
    state.theme = themes
        .iter()
        .position(|t| t.name == ctx.config.ui.theme)
        .unwrap_or(0);
    state.player.volume = ctx.config.playback.volume.min(100);
    if let Some(e) = theme_errors.first() {
        state.error(format!("theme skipped: {e}"));
    } else if themes.iter().all(|t| t.name != ctx.config.ui.theme) {
        state.error(format!(
            "no theme named {:?}; using {}",
            ctx.config.ui.theme, state.theme_names[0]
        ));
    }

    let (tx, rx) = mpsc::channel::<UiEvent>();
    let mut term = terminal::Terminal::enter()?;
    let picker = if ctx.config.ui.art {
        terminal::image_picker()
    } else {
        None
    };
    input::spawn(tx.clone());

    let (engine_tx, engine_rx) = mpsc::channel();
    let mut engine_config = ctx.engine_config();
    engine_config.loudness = Some(crate::loudness::lookup(store.clone()));
    let engine = Engine::spawn(engine_config, engine_tx)?;
    forward(engine_rx, tx.clone(), |e| UiEvent::App(Msg::Engine(e)));

    let mut rt = Runtime::new(
        store.clone(),
        engine,
        picker,
        ctx.data_dir.clone(),
        tx.clone(),
    );
    if ctx.config.ui.mpris {
        rt.start_mpris();
    }
    if let Some(p) = playlist {
        rt.open_playlist(&mut state, &p);
    }
    state.prepare();
    let theme = |s: &AppState| -> Theme { themes.get(s.theme).cloned().unwrap_or_default() };
    let t = theme(&state);
    term.draw(&mut state, &t, &mut rt)?;

    // The library scan, mood tagging and the recommender start after the first frame.
    rt.start_mood_tagger();
    rt.start_loudness();
    let r = &ctx.config.recommend;
    let settings = crate::app::reco::RecoSettings {
        reorder: r.reorder,
        auto: r.auto,
        auto_min: r.auto_min.max(1),
    };
    rt.start_recommender(&mut state, settings);
    rt.start_vision(&mut state, &ctx.config.camera, ctx.camera_file.as_deref());
    let (lib_tx, lib_rx) = mpsc::channel();
    let _library = LibraryService::spawn(store.clone(), ctx.library.clone(), lib_tx);
    forward(lib_rx, tx.clone(), |e| {
        UiEvent::App(Msg::Library(Box::new(e)))
    });

    let mut keys = KeyState::default();
    while !state.quit {
        let Ok(first) = rx.recv() else { break };
        for ev in std::iter::once(first).chain(rx.try_iter()) {
            rt.handle(&mut state, &keymap, &mut keys, ev);
            if state.quit {
                break;
            }
        }
        state.prepare();
        rt.after_update(&state);
        let t = theme(&state);
        term.draw(&mut state, &t, &mut rt)?;
    }
    rt.shutdown(&state);
    drop(term);
    if let Some(s) = state.status.filter(|s| s.level == StatusLevel::Error) {
        tracing::info!("last status: {}", s.text);
    }
    Ok(())
}
