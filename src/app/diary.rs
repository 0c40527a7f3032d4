//! The mood diary on the UI thread: which emotion readings are stored (a bounded rate), and the
//! diary view (`Y`), whose data is loaded off the UI thread (`Effect::LoadDiary` answered by
//! `Msg::DiaryLoaded`). Pure.
//!
//! Stored readings: every mood set by hand; from the camera (already smoothed by
//! `vision::smooth`), a reading when its label differs from the last stored camera reading's or
//! [`READING_EVERY_MS`] after it, and never two within [`READING_MIN_GAP_MS`]. The camera
//! samples only in windows around track changes, so while it runs that is at most 12 readings a
//! minute and usually one or two per track change.

use super::state::{AppState, Effect, Overlay};
use crate::core::{EmotionReading, EmotionSource};
use crate::diary::Diary;
use crate::store::ReadingRecord;

/// A camera reading with an unchanged label is stored at most this often.
pub const READING_EVERY_MS: u64 = 30_000;
/// Two camera readings are never stored closer than this, whatever their labels.
pub const READING_MIN_GAP_MS: u64 = 5_000;

/// The diary's part of the state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiaryState {
    /// The last stored camera reading's time and label.
    last_camera: Option<(u64, &'static str)>,
    /// The view's data once loaded (kept while it reloads).
    pub data: Option<Diary>,
    pub loading: bool,
    /// Why the last load failed.
    pub error: Option<String>,
}

/// What a reading becomes in the store, if it is to be stored (module docs).
pub fn reading_effect(state: &mut AppState, reading: &EmotionReading) -> Option<Effect> {
    let label = reading.label();
    let confidence = match reading.source {
        EmotionSource::Manual => 1.0,
        EmotionSource::Camera => {
            if let Some((at, last)) = state.diary.last_camera {
                let since = reading.at_ms.saturating_sub(at);
                let due =
                    since >= READING_EVERY_MS || (last != label && since >= READING_MIN_GAP_MS);
                if !due && reading.at_ms >= at {
                    return None;
                }
            }
            state.diary.last_camera = Some((reading.at_ms, label));
            crate::vision::smooth::confidence(&reading.probs)
        }
    };
    Some(Effect::RecordReading(ReadingRecord {
        at_ms: reading.at_ms,
        source: reading.source,
        label: label.to_string(),
        valence: reading.valence,
        arousal: reading.arousal,
        confidence,
    }))
}

/// `Y`: opens the diary view (and loads its data) or closes it.
pub fn toggle(state: &mut AppState) -> Vec<Effect> {
    if state.overlay == Some(Overlay::Diary) {
        state.overlay = None;
        return Vec::new();
    }
    state.overlay = Some(Overlay::Diary);
    state.diary.loading = true;
    vec![Effect::LoadDiary {
        days: crate::diary::DEFAULT_DAYS,
    }]
}

/// The loaded diary (or why it could not be).
pub fn loaded(state: &mut AppState, result: Result<Diary, String>) {
    state.diary.loading = false;
    match result {
        Ok(d) => {
            state.diary.data = Some(d);
            state.diary.error = None;
        }
        Err(e) => state.diary.error = Some(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camera(at_ms: u64, class: usize) -> EmotionReading {
        let mut probs = [0.02; 7];
        probs[class] = 0.88;
        EmotionReading::from_probs(probs, EmotionSource::Camera, at_ms)
    }

    fn stored(state: &mut AppState, r: EmotionReading) -> bool {
        reading_effect(state, &r).is_some()
    }

    #[test]
    fn camera_readings_are_stored_on_a_new_label_or_every_thirty_seconds_and_manual_always() {
        let mut s = AppState::new(Vec::new(), Vec::new());
        assert!(stored(&mut s, camera(0, 3)), "the first");
        assert!(!stored(&mut s, camera(250, 3)), "same label, 250 ms later");
        assert!(!stored(&mut s, camera(29_999, 3)));
        assert!(stored(&mut s, camera(30_000, 3)), "30 s later");
        assert!(
            !stored(&mut s, camera(31_000, 4)),
            "a new label, but within 5 s"
        );
        assert!(stored(&mut s, camera(35_000, 4)), "a new label after 5 s");
        assert!(stored(&mut s, EmotionReading::manual(1, 35_100)), "by hand");
        assert!(
            stored(&mut s, EmotionReading::manual(1, 35_200)),
            "by hand again"
        );
        let Some(Effect::RecordReading(r)) = reading_effect(&mut s, &camera(90_000, 6)) else {
            panic!("a reading to store");
        };
        assert_eq!(
            (r.label.as_str(), r.source),
            ("neutral", EmotionSource::Camera)
        );
        assert!(r.confidence > 0.0 && r.confidence < 1.0, "{}", r.confidence);
        let per_minute = (0..240)
            .filter(|i| stored(&mut s, camera(100_000 + i * 250, (*i as usize / 2) % 7)))
            .count();
        assert!(
            per_minute <= 12,
            "{per_minute} readings in a minute of flicker"
        );
    }
}
