//! `ListenEvent`: one record of the recommender's append-only log (what happened to which track,
//! with the listener's emotion and the track's mood at the time) and its fixed 42-byte encoding,
//! which must keep reading every record ever written.

use super::signals::{ListenerMood, TrackMood};
use super::RecommendError;
use crate::core::TrackId;

/// What happened, in one log record.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Signal {
    /// Playback of the track began.
    Started,
    /// The track ended: `heard` is the fraction played (0..=1), `skipped` whether the listener
    /// left it, `valence_change` the listener's valence at the end minus at the start, if seen.
    Finished {
        heard: f32,
        skipped: bool,
        valence_change: Option<f32>,
    },
    /// The listener played the track again right away.
    Replayed,
    /// An explicit rating, 1 to 5 stars.
    Rated { stars: u8 },
    /// The listener moved the track in the queue by hand, toward the front or the back.
    MovedByHand { toward_front: bool },
    /// An emotion reading with no track event (the emotion changed markedly, or was set by hand).
    EmotionSeen,
    /// A step of a mood journey (`recommend::journey`) ended: how the listener's valence and
    /// arousal changed while the track played, whether that was toward the journey's target, and
    /// whether the listener was then inside the target region. Later journeys learn from it.
    JourneyStep {
        valence_change: f32,
        arousal_change: f32,
        toward_target: bool,
        reached: bool,
    },
}

/// One record of the append-only event log.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ListenEvent {
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
    pub track: TrackId,
    pub signal: Signal,
    /// The listener's emotion at the event (for `Finished`: at the start of the track).
    pub listener: Option<ListenerMood>,
    /// The track's mood when the event happened, so the log alone can rebuild the model.
    pub mood: Option<TrackMood>,
}

/// Size of an encoded [`ListenEvent`].
pub const EVENT_BYTES: usize = 42;

fn opt_pair(v: Option<(f32, f32)>) -> (f32, f32) {
    v.unwrap_or((f32::NAN, f32::NAN))
}

fn pair_opt(a: f32, b: f32) -> Option<(f32, f32)> {
    (a.is_finite() && b.is_finite()).then_some((a, b))
}

impl ListenEvent {
    /// Fixed 42-byte little-endian layout: kind u8, at_ms u64, track u64, x f32, y f32, flags u8,
    /// listener valence/arousal f32×2, track valence/arousal f32×2 (NaN for none). Kinds 0–5
    /// are the original six signals; kind 6 (`JourneyStep`: x, y = the valence and arousal
    /// change, flags bit 0 = toward the target, bit 1 = reached it) was added later, so every
    /// older log decodes as it did.
    pub fn encode(&self) -> [u8; EVENT_BYTES] {
        let (kind, x, y, flags) = match self.signal {
            Signal::Started => (0u8, 0.0, 0.0, 0u8),
            Signal::Finished {
                heard,
                skipped,
                valence_change,
            } => (
                1,
                heard,
                valence_change.unwrap_or(f32::NAN),
                u8::from(skipped),
            ),
            Signal::Replayed => (2, 0.0, 0.0, 0),
            Signal::Rated { stars } => (3, 0.0, 0.0, stars),
            Signal::MovedByHand { toward_front } => (4, 0.0, 0.0, u8::from(toward_front)),
            Signal::EmotionSeen => (5, 0.0, 0.0, 0),
            Signal::JourneyStep {
                valence_change,
                arousal_change,
                toward_target,
                reached,
            } => (
                6,
                valence_change,
                arousal_change,
                u8::from(toward_target) | u8::from(reached) << 1,
            ),
        };
        let (lv, la) = opt_pair(self.listener.map(|l| (l.valence, l.arousal)));
        let (mv, ma) = opt_pair(self.mood.map(|m| (m.valence, m.arousal)));
        let mut out = [0u8; EVENT_BYTES];
        out[0] = kind;
        out[1..9].copy_from_slice(&self.at_ms.to_le_bytes());
        out[9..17].copy_from_slice(&self.track.0.to_le_bytes());
        out[17..21].copy_from_slice(&x.to_le_bytes());
        out[21..25].copy_from_slice(&y.to_le_bytes());
        out[25] = flags;
        for (i, f) in [lv, la, mv, ma].iter().enumerate() {
            out[26 + 4 * i..30 + 4 * i].copy_from_slice(&f.to_le_bytes());
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<ListenEvent, RecommendError> {
        let bad = |reason: String| RecommendError::BadRecord { reason };
        if bytes.len() != EVENT_BYTES {
            return Err(bad(format!(
                "event is {} bytes, not {EVENT_BYTES}",
                bytes.len()
            )));
        }
        let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap_or([0; 8]));
        let f32_at = |i: usize| f32::from_le_bytes(bytes[i..i + 4].try_into().unwrap_or([0; 4]));
        let (x, y, flags) = (f32_at(17), f32_at(21), bytes[25]);
        let signal = match bytes[0] {
            0 => Signal::Started,
            1 => Signal::Finished {
                heard: x.clamp(0.0, 1.0),
                skipped: flags != 0,
                valence_change: y.is_finite().then_some(y),
            },
            2 => Signal::Replayed,
            3 if (1..=5).contains(&flags) => Signal::Rated { stars: flags },
            4 => Signal::MovedByHand {
                toward_front: flags != 0,
            },
            5 => Signal::EmotionSeen,
            6 if x.is_finite() && y.is_finite() && flags < 4 => Signal::JourneyStep {
                valence_change: x,
                arousal_change: y,
                toward_target: flags & 1 != 0,
                reached: flags & 2 != 0,
            },
            other => return Err(bad(format!("unknown event kind {other} (flags {flags})"))),
        };
        Ok(ListenEvent {
            at_ms: u64_at(1),
            track: TrackId(u64_at(9)),
            signal,
            listener: pair_opt(f32_at(26), f32_at(30))
                .map(|(valence, arousal)| ListenerMood { valence, arousal }),
            mood: pair_opt(f32_at(34), f32_at(38)).map(|(v, a)| TrackMood::new(v, a)),
        })
    }
}
