//! A headless player around the real `runtime::Runtime`: null audio output, the caller's store,
//! and the UI channel's receiver, pumped the way the UI loop pumps it.

use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use mien::app::keymap::Keymap;
use mien::app::keys::KeyState;
use mien::app::{AppState, Msg};
use mien::audio::{Engine, EngineConfig, OutputChoice};
use mien::runtime::{Runtime, UiEvent};
use mien::store::Store;

pub struct Harness {
    pub rt: Runtime,
    pub state: AppState,
    pub keymap: Keymap,
    pub keys: KeyState,
    pub rx: Receiver<UiEvent>,
}

impl Harness {
    /// The runtime on `store` (data dir `dir`) with an engine on the null output, driving `state`.
    pub fn new(store: &Store, dir: &Path, state: AppState) -> Harness {
        let (tx, rx) = mpsc::channel();
        let (engine_tx, _engine_rx) = mpsc::channel();
        let config = EngineConfig {
            output: OutputChoice::Null {
                rate: 44_100,
                channels: 2,
            },
            ..EngineConfig::default()
        };
        let engine = Engine::spawn(config, engine_tx).expect("engine on the null output");
        let rt = Runtime::new(store.clone(), engine, None, dir.to_path_buf(), tx).expect("runtime");
        Harness {
            rt,
            state,
            keymap: Keymap::vim_defaults(),
            keys: KeyState::default(),
            rx,
        }
    }

    /// One event through the runtime, then the derived rows, as the loop does before a frame.
    pub fn event(&mut self, ev: UiEvent) {
        self.rt
            .handle(&mut self.state, &self.keymap, &mut self.keys, ev);
        self.state.prepare();
    }

    pub fn send(&mut self, msg: Msg) {
        self.event(UiEvent::App(msg));
    }

    /// Handles what comes back on the UI channel (the subsystems' and the runtime's answers)
    /// until `done` or 10 s; whether `done` was reached.
    pub fn pump_until(&mut self, done: impl Fn(&AppState) -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done(&self.state) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(ev) => self.event(ev),
                Err(_) => return false,
            }
        }
        true
    }
}
