//! mien: a terminal music player that reads the listener's face and the music's mood.
//!
//! Layers, lowest first (a layer never imports a higher one): `core` (value types) → `store`,
//! `library`, `audio` (subsystems, each on its own thread) → `commands` (CLI subcommands) and the
//! UI. `main.rs` only parses arguments and dispatches.

pub mod app;
pub mod audio;
pub mod cli;
pub mod commands;
pub mod config;
pub mod core;
pub mod library;
pub mod logging;
pub mod loudness;
pub mod mood;
pub mod mpris;
pub mod recommend;
pub mod store;
pub mod tui;
pub mod ui;
pub mod vision;
