//! The wind-down timer (issue 15), pure: `T` cycles 15 / 30 / 45 / 60 minutes / off (and a
//! remote's `SetSleepTimer` sets it). Over the span the queue becomes a journey toward `sleep`;
//! the last [`FADE_MS`] fade the volume out in steps driven by timer ticks; then the queue and
//! position are saved, playback stops and the listener's volume is restored for the next start.
//! Time comes in with the messages (`Msg::SetSleepTimer`, `Msg::Tick`), so tests need no clock;
//! the runtime wakes the loop only while the timer runs (`Effect::TickAt`).

use super::journey;
use super::state::{AppState, Effect};
use crate::audio::EngineCommand;
use crate::core::text::counted;
use crate::recommend::journey::Target;

/// What `T` steps through, from off.
pub const CYCLE: [Option<u32>; 5] = [Some(15), Some(30), Some(45), Some(60), None];
/// The fade-out at the end of the span.
pub const FADE_MS: u64 = 120_000;
/// Volume steps during the fade (240 over two minutes).
pub const FADE_TICK_MS: u64 = 500;

/// A running timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindDown {
    pub minutes: u32,
    pub ends_ms: u64,
    /// The time of the last message that reached the timer (what the status line counts from).
    pub now_ms: u64,
    /// The listener's volume (percent) when the fade began, restored after the stop.
    pub fade_from: Option<u8>,
}

/// `T`: the next setting after the current one.
pub fn cycle(state: &mut AppState, now_ms: u64) -> Vec<Effect> {
    let current = state.wind_down.map(|w| w.minutes);
    let at = CYCLE
        .iter()
        .position(|m| *m == current)
        .unwrap_or(CYCLE.len() - 1);
    set(state, CYCLE[(at + 1) % CYCLE.len()], now_ms)
}

/// Sets the timer to `minutes` from `now_ms` (None: off; the volume comes back if it was fading).
pub fn set(state: &mut AppState, minutes: Option<u32>, now_ms: u64) -> Vec<Effect> {
    let mut effects = Vec::new();
    if let Some(v) = state.wind_down.take().and_then(|w| w.fade_from) {
        effects.extend(restore(state, v));
    }
    let Some(minutes) = minutes.filter(|m| *m > 0) else {
        // The listener called sleep off: the journey toward it that the timer started ends too
        // (it went on re-planning toward sleep). The tracks it queued stay where they are.
        if journey::end_toward(state, Target::Sleep) {
            state.info("sleep timer off: the journey toward sleep ends, the queue stays");
        } else {
            state.info("sleep timer off");
        }
        effects.push(Effect::TickAt(None));
        return effects;
    };
    let w = WindDown {
        minutes,
        ends_ms: now_ms + u64::from(minutes) * 60_000,
        now_ms,
        fade_from: None,
    };
    state.wind_down = Some(w);
    // The journey says how it came out (`said`), now or once the recommender's scores come.
    effects.extend(journey::start(state, Target::Sleep, minutes, false, now_ms));
    if journey::planning(state) {
        state.info(format!(
            "sleep in {minutes} min: planning the way toward sleep…"
        ));
    }
    effects.push(Effect::TickAt(Some(next_tick(&w, now_ms))));
    effects
}

/// How the timer's journey toward sleep came out (`journey::begin`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Planned, with this many steps.
    Steps(usize),
    /// What plays first (the rest of the track, the pinned tracks) fills the span.
    Filled,
    /// No track has a mood yet.
    NoTracks,
}

/// What the timer says once its journey is planned, or why there is none: one message, since
/// the plan may come after the recommender's scores.
pub(super) fn said(minutes: u32, ahead: journey::Ahead, outcome: Outcome) -> String {
    let rest = match outcome {
        Outcome::Steps(n) => format!(
            "{} toward sleep{}, then a fade-out",
            counted(n, "step"),
            ahead.after()
        ),
        Outcome::Filled => format!(
            "{} the span: no journey, only a fade-out{}",
            ahead.what(),
            if ahead.pinned > 0 { " (x unpins)" } else { "" }
        ),
        Outcome::NoTracks => "no track has a mood yet: no journey, only a fade-out".to_string(),
    };
    format!("sleep in {minutes} min: {rest}")
}

fn restore(state: &mut AppState, volume: u8) -> Vec<Effect> {
    state.player.volume = volume;
    vec![Effect::Engine(EngineCommand::SetVolume(
        f32::from(volume) / 100.0,
    ))]
}

/// When the timer needs to wake next: each whole minute left (the status line), every
/// [`FADE_TICK_MS`] in the fade, and the end.
fn next_tick(w: &WindDown, now_ms: u64) -> u64 {
    let fade_at = w.ends_ms.saturating_sub(FADE_MS);
    if now_ms >= fade_at {
        return (now_ms + FADE_TICK_MS).min(w.ends_ms);
    }
    let left = w.ends_ms - now_ms;
    let minute = left % 60_000;
    let next_minute = now_ms + if minute == 0 { 60_000 } else { minute };
    next_minute.min(fade_at)
}

/// The fade's volume factor at `left_ms` before the end: (left / FADE_MS)², which sounds even
/// (loudness follows the log of the amplitude) and ends at silence.
pub fn fade_factor(left_ms: u64) -> f32 {
    let f = (left_ms.min(FADE_MS) as f32 / FADE_MS as f32).clamp(0.0, 1.0);
    f * f
}

/// A timer tick at `now_ms`: fade a step, or stop at the end. A tick with no timer is ignored.
pub fn tick(state: &mut AppState, now_ms: u64) -> Vec<Effect> {
    let Some(mut w) = state.wind_down else {
        return Vec::new();
    };
    w.now_ms = now_ms;
    if now_ms >= w.ends_ms {
        state.wind_down = None;
        state.journey.active = None;
        state.timer_stopped = state.player.path.clone();
        // Saved before the stop, position included, so that the next start resumes here.
        let mut effects = vec![
            Effect::SaveQueue(state.saved_queue()),
            Effect::Engine(EngineCommand::Stop),
        ];
        let volume = w.fade_from.unwrap_or(state.player.volume);
        effects.extend(restore(state, volume));
        effects.push(Effect::TickAt(None));
        state.info("good night: playback stopped, the queue resumes here next time");
        return effects;
    }
    let left = w.ends_ms - now_ms;
    let mut effects = Vec::new();
    if left <= FADE_MS {
        let from = *w.fade_from.get_or_insert(state.player.volume);
        let v = f32::from(from) / 100.0 * fade_factor(left);
        effects.push(Effect::Engine(EngineCommand::SetVolume(v)));
    }
    state.wind_down = Some(w);
    effects.push(Effect::TickAt(Some(next_tick(&w, now_ms))));
    effects
}

/// "sleep 14 min" / "fading 1:23", for the status line.
pub fn status(state: &AppState) -> Option<String> {
    let w = state.wind_down?;
    let left = w.ends_ms.saturating_sub(w.now_ms);
    Some(if left <= FADE_MS {
        format!("fading {}", crate::core::mmss(left))
    } else {
        format!("sleep {} min", left.div_ceil(60_000))
    })
}

#[cfg(test)]
#[path = "wind_down_tests.rs"]
mod tests;
