//! The runtime's side of MPRIS: what it publishes after each update (track, playback state,
//! volume, only when they changed) and how a media controller's request becomes a `Remote`
//! message for `update`.

use std::time::Duration;

use super::executor::Runtime;
use crate::app::state::{AppState, Remote};
use crate::app::Action;
use crate::mpris::{MprisRequest, PlaybackStatus};

impl Runtime {
    /// Publishes track and playback state over MPRIS when they changed.
    pub fn after_update(&mut self, state: &AppState) {
        let Some(m) = self.mpris.as_mut() else { return };
        let key = (
            state.player.path.clone(),
            state.player.paused,
            state.player.volume,
        );
        if self.published.as_ref() == Some(&key) {
            return;
        }
        if self.published.as_ref().map(|p| &p.0) != Some(&key.0) {
            if let Some(t) = state.playing_track() {
                m.set_metadata(t, state.player.duration_ms.map(Duration::from_millis));
            }
        }
        let position = Duration::from_millis(state.player.position_ms);
        m.set_playback(match (&state.player.path, state.player.paused) {
            (None, _) => PlaybackStatus::Stopped,
            (Some(_), true) => PlaybackStatus::Paused { position },
            (Some(_), false) => PlaybackStatus::Playing { position },
        });
        m.set_volume(f64::from(state.player.volume) / 100.0);
        self.published = Some(key);
    }
}

/// A media controller's request in the app's terms.
pub fn remote(req: MprisRequest) -> Remote {
    use MprisRequest as M;
    let ms = |d: Duration| d.as_millis().min(i64::MAX as u128) as i64;
    match req {
        M::Play => Remote::Play,
        M::Pause => Remote::Pause,
        M::Toggle => Remote::Action(Action::PlayPause),
        M::Next => Remote::Action(Action::NextTrack),
        M::Previous => Remote::Action(Action::PrevTrack),
        M::Stop => Remote::Action(Action::Stop),
        M::Quit => Remote::Action(Action::Quit),
        M::SeekForward => Remote::Action(Action::SeekForward),
        M::SeekBackward => Remote::Action(Action::SeekBackward),
        M::SeekForwardBy(d) => Remote::SeekBy(ms(d)),
        M::SeekBackwardBy(d) => Remote::SeekBy(-ms(d)),
        M::SeekTo(d) => Remote::SeekTo(ms(d) as u64),
        M::SetVolume(v) => Remote::SetVolume(v as f32),
    }
}
