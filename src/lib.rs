//! mien: a terminal music player that reads the listener's face and the music's mood.
//!
//! Layers, lowest first. A module imports only modules of lower layers, never a peer or a higher
//! one (`tests/layers.rs` checks it against this list; docs/ARCHITECTURE.md explains it):
//! 0. `core`, `config`, `cli`, `assets`, `kernel`: value types, plain config and argument data,
//!    where bundled files are, the shared CNN pieces
//! 1. `store`, `audio`, `logging`: the database, the playback engine, the log (a private file)
//! 2. `library`, `mood`, `loudness`, `recommend`, `vision`, `mpris`, `control`, `diary`: the
//!    other subsystems, each on its own thread (`control`: the remote-control socket and its
//!    protocol), and the mood diary's computation
//! 3. `app`: the UI thread's state and `update`, pure
//! 4. `ui`: pure rendering
//! 5. `terminal`: raw mode, drawing, the input thread, the album art's image state
//! 6. `root`: the composition root (context, store, models, the player's first state)
//! 7. `runtime`: the player's event loop and effect executor
//! 8. `commands`: the CLI subcommands
//! 9. `eval`: evaluations and benchmarks, which may reuse the commands
//!
//! `main.rs` parses the arguments, builds the context and dispatches.

pub mod app;
pub mod assets;
pub mod audio;
pub mod cli;
pub mod commands;
pub mod config;
pub mod control;
pub mod core;
pub mod diary;
pub mod eval;
pub mod kernel;
pub mod library;
pub mod logging;
pub mod loudness;
pub mod mood;
pub mod mpris;
pub mod recommend;
pub mod root;
pub mod runtime;
pub mod store;
pub mod terminal;
pub mod ui;
pub mod vision;
