//! The byte layout of the recommender's derived tables in `reco_derived` (described in
//! `persist`'s module docs): encoding a [`TasteModel`] into the four values and decoding them
//! back, where a value that runs short or is malformed decodes to `None`, never a panic.

use super::model::{
    BetaPosterior, ItemStats, MoodCentroid, SessionPlay, StateAffinity, TasteModel,
};
use super::signals::ListenerMood;
use crate::core::TrackId;

/// Little-endian reader over a value; running short is `None`, never a panic.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.bytes.split_at_checked(N)?;
        self.bytes = rest;
        head.try_into().ok()
    }
    fn u8(&mut self) -> Option<u8> {
        self.take::<1>().map(|b| b[0])
    }
    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }
    fn f32(&mut self) -> Option<f32> {
        self.take().map(f32::from_le_bytes)
    }
}

fn put_f32(v: &mut Vec<u8>, x: f32) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// The four tables' values, in `persist::TABLES` order. Rows are sorted, so equal models give equal bytes.
pub(super) fn encode_tables(model: &TasteModel) -> [Vec<u8>; 4] {
    let mut items = Vec::new();
    let mut ids: Vec<TrackId> = model.items.keys().copied().collect();
    ids.sort_unstable();
    for t in ids {
        let s = model.items[&t];
        items.extend_from_slice(&t.0.to_le_bytes());
        items.extend_from_slice(&s.plays.to_le_bytes());
        for x in [s.liked, s.disliked, s.norm] {
            put_f32(&mut items, x);
        }
        items.extend_from_slice(&s.last_played_ms.to_le_bytes());
        items.push(s.rating);
        for state in &model.affinity {
            let a = state.get(&t).copied().unwrap_or_default();
            put_f32(&mut items, a.sum);
            put_f32(&mut items, a.count);
        }
    }
    let mut pair_list: Vec<(TrackId, TrackId, f32)> = model
        .neighbours
        .iter()
        .flat_map(|(a, n)| {
            n.iter()
                .filter(move |(b, _)| *b > a)
                .map(move |(b, d)| (*a, *b, *d))
        })
        .collect();
    pair_list.sort_unstable_by_key(|p| (p.0, p.1));
    let mut pairs = Vec::with_capacity(pair_list.len() * 20);
    for (a, b, dot) in pair_list {
        pairs.extend_from_slice(&a.0.to_le_bytes());
        pairs.extend_from_slice(&b.0.to_le_bytes());
        put_f32(&mut pairs, dot);
    }
    let mut states = Vec::new();
    for (c, posteriors) in model.centroids.iter().zip(&model.bandits) {
        for x in [c.weight, c.valence_sum, c.arousal_sum] {
            put_f32(&mut states, x);
        }
        for p in posteriors {
            put_f32(&mut states, p.alpha);
            put_f32(&mut states, p.beta);
        }
    }
    let mut session = Vec::new();
    let (lv, la) = model
        .listener
        .map_or((f32::NAN, f32::NAN), |l| (l.valence, l.arousal));
    put_f32(&mut session, lv);
    put_f32(&mut session, la);
    session.push(model.session.len().min(255) as u8);
    for p in model.session.iter().take(255) {
        session.extend_from_slice(&p.track.0.to_le_bytes());
        session.extend_from_slice(&p.at_ms.to_le_bytes());
        put_f32(&mut session, p.weight);
    }
    session.push(model.recent.len().min(255) as u8);
    for t in model.recent.iter().take(255) {
        session.extend_from_slice(&t.0.to_le_bytes());
    }
    [items, pairs, states, session]
}

/// Decodes one table into `model`; `None` when it is malformed.
pub(super) fn decode_table(model: &mut TasteModel, name: &str, value: &[u8]) -> Option<()> {
    let mut r = Reader { bytes: value };
    match name {
        "items" => {
            while !r.bytes.is_empty() {
                let track = TrackId(r.u64()?);
                let stats = ItemStats {
                    plays: r.u32()?,
                    liked: r.f32()?,
                    disliked: r.f32()?,
                    norm: r.f32()?,
                    last_played_ms: r.u64()?,
                    rating: r.u8()?,
                };
                model.items.insert(track, stats);
                for state in model.affinity.iter_mut() {
                    let a = StateAffinity {
                        sum: r.f32()?,
                        count: r.f32()?,
                    };
                    if a != StateAffinity::default() {
                        state.insert(track, a);
                    }
                }
            }
        }
        "pairs" => {
            while !r.bytes.is_empty() {
                model.set_pair(TrackId(r.u64()?), TrackId(r.u64()?), r.f32()?);
            }
        }
        "states" => {
            for (c, posteriors) in model.centroids.iter_mut().zip(model.bandits.iter_mut()) {
                *c = MoodCentroid {
                    weight: r.f32()?,
                    valence_sum: r.f32()?,
                    arousal_sum: r.f32()?,
                };
                for p in posteriors.iter_mut() {
                    *p = BetaPosterior {
                        alpha: r.f32()?,
                        beta: r.f32()?,
                    };
                }
            }
        }
        "session" => {
            let (lv, la) = (r.f32()?, r.f32()?);
            model.listener = (lv.is_finite() && la.is_finite()).then_some(ListenerMood {
                valence: lv,
                arousal: la,
            });
            for _ in 0..r.u8()? {
                model.session.push_back(SessionPlay {
                    track: TrackId(r.u64()?),
                    at_ms: r.u64()?,
                    weight: r.f32()?,
                });
            }
            for _ in 0..r.u8()? {
                model.recent.push_back(TrackId(r.u64()?));
            }
        }
        _ => return None,
    }
    r.bytes.is_empty().then_some(())
}
