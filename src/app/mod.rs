//! UI-thread state and logic: `Action`s from keys, `update(state, msg) -> effects`, the queue and
//! the library browser. Pure: no terminal, no I/O (the `runtime` performs the effects).

pub mod action;
pub mod browser;
mod catalogue;
mod chord;
pub mod control;
pub mod diary;
pub mod folders;
pub mod help;
pub mod journey;
mod journey_follow;
mod journey_queue;
pub mod keymap;
pub mod keys;
pub mod lyrics;
pub mod messages;
pub mod mood_map;
pub mod mood_watch;
pub mod mouse;
pub mod msg;
mod picker;
mod playback;
pub mod queue;
pub mod reco;
mod reco_rank;
mod reports;
pub mod save_prompt;
mod selection;
pub mod state;
#[cfg(test)]
pub(crate) mod test_library;
pub mod update;
pub mod wind_down;

pub use action::Action;
pub use state::{AppState, Effect, Msg, Pane, Remote};
pub use update::update;
