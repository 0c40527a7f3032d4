//! The interactive player's runtime (UI thread): the event loop and the effect executor. It opens
//! the terminal, starts the subsystems (engine, library, MPRIS, mood tagger, recommender,
//! vision), turns every event into a `Msg` for `app::update`, performs the effects `update`
//! returns (never deciding anything itself) and redraws only after something happened.

mod control;
mod executor;
mod loaders;
mod lyrics;
mod mpris_link;
mod playlists;
mod services;

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use anyhow::Context as _;

use crate::app::keys::KeyState;
use crate::app::state::{AppState, Msg, StatusLevel};
use crate::audio::Engine;
use crate::library::LibraryService;
use crate::root::{Context, PlayerSetup};
use crate::terminal::{image_picker, input, TermEvent, Terminal};
use crate::ui::theme::Theme;

pub use executor::Runtime;
pub use mpris_link::remote;

/// Everything that wakes the UI thread. Senders: the input thread (keys, resize), the forwarders
/// of the engine, library, MPRIS, mood-tagger, recommender and vision channels, the runtime's own
/// helper threads (cover art, catalogue reload) and the runtime itself (the answers to the
/// effects it performed, as `App` messages, handled on the next turn of the loop). Receiver: the
/// UI loop, which ends when the user quits; the senders then fail and their threads end.
pub enum UiEvent {
    Term(TermEvent),
    App(Msg),
    Mpris(crate::mpris::MprisRequest),
    /// A decoded cover (or none) for the track at this path.
    Art(Option<PathBuf>, Option<image::DynamicImage>),
}

/// Forwards every value from `rx` into the UI channel, wrapped by `wrap`, until either side ends
/// (a "forward" thread). Fails when the thread cannot start.
fn forward<T: Send + 'static>(
    rx: Receiver<T>,
    tx: Sender<UiEvent>,
    wrap: fn(T) -> UiEvent,
) -> std::io::Result<()> {
    thread::Builder::new()
        .name("forward".into())
        .spawn(move || {
            for v in rx {
                if tx.send(wrap(v)).is_err() {
                    break;
                }
            }
        })
        .map(drop)
}

/// `mien` (and `mien FILE...`, playlists or audio files: they replace the saved queue): the
/// interactive player.
/// Returns the exit status: 0 after `q`, 128 + the signal's number after SIGTERM, SIGHUP or
/// SIGINT (the queue and position saved either way).
pub fn run(ctx: &Context, files: Vec<PathBuf>) -> anyhow::Result<u8> {
    let PlayerSetup {
        store,
        mut state,
        keymap,
        themes,
    } = PlayerSetup::open(ctx, !files.is_empty())?;

    let (tx, rx) = mpsc::channel::<UiEvent>();
    // Before the terminal changes, so that no signal finds it raw with nobody to restore it.
    let signals =
        watch_signals(tx.clone()).context("cannot watch for SIGTERM, SIGHUP and SIGINT")?;
    let mut term = Terminal::enter(ctx.config.ui.mouse)?;
    let picker = if ctx.config.ui.art {
        Some(image_picker(ctx.config.ui.tmux_passthrough))
    } else {
        None
    };
    input::spawn(tx.clone(), UiEvent::Term).context("cannot start the terminal input thread")?;

    let (engine_tx, engine_rx) = mpsc::channel();
    let mut engine_config = ctx.engine_config();
    engine_config.loudness = Some(crate::loudness::lookup(store.clone()));
    let engine =
        Engine::spawn(engine_config, engine_tx).context("cannot start the audio engine")?;
    forward(engine_rx, tx.clone(), |e| UiEvent::App(Msg::Engine(e)))
        .context("cannot start the audio engine's forwarder")?;

    let mut rt = Runtime::new(
        store.clone(),
        engine,
        picker,
        ctx.data_dir.clone(),
        tx.clone(),
    )
    .context("cannot start the store's writer thread")?;
    let (width, height) = term.size()?;
    let resized = rt.resized(width, height);
    rt.apply(&mut state, resized);
    if ctx.config.ui.mpris {
        let started = rt.start_mpris();
        rt.apply_all(&mut state, started);
    }
    let started = rt.start_control(&ctx.data_dir);
    rt.apply_all(&mut state, started);
    if !files.is_empty() {
        let (result, missing) = match crate::root::files::tracks_of_all(&files) {
            Ok(given) => (Ok(given.tracks), given.missing),
            Err(e) => (Err(e), 0),
        };
        rt.apply(
            &mut state,
            Msg::FilesOpened {
                given: files,
                result,
                missing,
            },
        );
    }
    state.prepare();
    let theme = |s: &AppState| -> Theme { themes.get(s.theme).cloned().unwrap_or_default() };
    term.draw(&state, &theme(&state), rt.art())?;

    // The library scan, mood tagging, loudness metering, the recommender and the camera start after
    // the first frame.
    let started = [
        rt.start_mood_tagger(&ctx.library),
        rt.start_loudness(&ctx.library),
        rt.start_recommender(),
        rt.start_vision(&ctx.config.camera, ctx.camera_file.as_deref()),
    ];
    rt.apply_all(&mut state, started.into_iter().flatten().collect());
    let (lib_tx, lib_rx) = mpsc::channel();
    let _library = LibraryService::spawn(store.clone(), ctx.library.clone(), lib_tx);
    if let Err(e) = forward(lib_rx, tx.clone(), |e| {
        UiEvent::App(Msg::Library(Box::new(e)))
    }) {
        let why = format!("the library is not watched: cannot start its forwarder: {e}");
        rt.apply(
            &mut state,
            Msg::Status(crate::app::state::Status::error(why)),
        );
    }

    let mut keys = KeyState::default();
    while !state.quit {
        let Some(first) = next_event(&rx, &mut rt) else {
            break;
        };
        for ev in std::iter::once(first).chain(rx.try_iter()) {
            rt.handle(&mut state, &keymap, &mut keys, ev);
            if state.quit {
                break;
            }
        }
        // Derived rows (the browser after catalogue changes), not a state change: see
        // `AppState::prepare`.
        state.prepare();
        rt.after_update(&state);
        term.draw(&state, &theme(&state), rt.art())?;
    }
    rt.shutdown(&state);
    drop(term);
    signals.close();
    if let Some(s) = state.status.filter(|s| s.level == StatusLevel::Error) {
        tracing::info!("last status: {}", s.text);
    }
    Ok(state.exit_code)
}

/// The next event: waits for one, or, while a timer asked for a tick (`Effect::TickAt`), until
/// its time and then makes it `Msg::Tick`. `None` when every sender is gone.
fn next_event(rx: &Receiver<UiEvent>, rt: &mut Runtime) -> Option<UiEvent> {
    let Some(at) = rt.tick_at() else {
        return rx.recv().ok();
    };
    let wait = at.saturating_sub(crate::core::now_ms());
    match rx.recv_timeout(std::time::Duration::from_millis(wait)) {
        Ok(ev) => Some(ev),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            rt.clear_tick();
            Some(UiEvent::App(Msg::Tick {
                now_ms: crate::core::now_ms(),
            }))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => None,
    }
}

/// Turns SIGTERM, SIGHUP and SIGINT into `Msg::Terminate` on the UI channel (a "signals" thread;
/// the handle's `close` ends it). The default actions would end the process with the terminal
/// raw and the queue unsaved.
fn watch_signals(tx: Sender<UiEvent>) -> std::io::Result<signal_hook::iterator::Handle> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    let handle = signals.handle();
    thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                tracing::info!(signal, "asked to end by a signal");
                if tx.send(UiEvent::App(Msg::Terminate { signal })).is_err() {
                    break;
                }
            }
        })?;
    Ok(handle)
}
