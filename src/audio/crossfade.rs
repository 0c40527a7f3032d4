//! Crossfades (`[playback] crossfade_seconds`): over the last seconds of a track the next one
//! starts, the two mixed with equal-power gains (cos/sin), so that the loudness stays level
//! through the change. Never between gapless neighbours on one album (the next track number on
//! the same disc of the same album): those join sample for sample, as with no crossfade at all.
//! Runs on the engine thread, as part of `EngineThread`.

use std::f32::consts::FRAC_PI_2;

use super::engine::{EngineThread, Loaded};
use super::flow::Which;
use super::TrackRequest;

/// A crossfade in progress from the current track into `incoming`.
pub(super) struct Fade {
    pub(super) incoming: Loaded,
    /// Output frames of the fade, and how many have been mixed.
    len: u64,
    done: u64,
    /// Converted samples of each side not mixed yet.
    out_buf: Vec<f32>,
    in_buf: Vec<f32>,
    outgoing_ended: bool,
}

/// Where a track sits on its album, for telling gapless neighbours apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlbumSlot {
    /// The album (with its artist, so that two "Greatest Hits" differ).
    pub album: String,
    pub disc: u32,
    pub track: u32,
}

/// `b` follows `a` directly on the same album: the join must stay gapless.
pub fn gapless_neighbours(a: &TrackRequest, b: &TrackRequest) -> bool {
    match (&a.album, &b.album) {
        (Some(a), Some(b)) => a.album == b.album && a.disc == b.disc && b.track == a.track + 1,
        _ => false,
    }
}

/// The gains of the outgoing and incoming track at `t` (0 to 1) through the fade.
fn gains(t: f32) -> (f32, f32) {
    let t = t.clamp(0.0, 1.0) * FRAC_PI_2;
    (t.cos(), t.sin())
}

impl EngineThread {
    /// Starts the crossfade into the preloaded track once the current one is within the fade
    /// length of its end (known from its frame count; files that do not state it join gaplessly).
    pub(super) fn maybe_start_fade(&mut self) {
        if self.crossfade_ms == 0 || self.fade.is_some() {
            return;
        }
        let (Some(cur), Some(next)) = (&self.current, &self.next) else {
            return;
        };
        if gapless_neighbours(&cur.req, &next.req) {
            return;
        }
        let Some(total) = cur.dec.total_frames() else {
            return;
        };
        let out_rate = u64::from(self.output.rate);
        let in_rate = u64::from(cur.dec.rate().max(1));
        let left = total.saturating_sub(cur.read_frames) * out_rate / in_rate;
        let frames = |ms: u64| ms * out_rate / 1000;
        // At most half of either track.
        let longest = [cur.dec.duration_ms(), next.dec.duration_ms()]
            .into_iter()
            .map(|d| d.map_or(u64::MAX, |ms| frames(ms) / 2))
            .min()
            .unwrap_or(u64::MAX);
        let len = frames(u64::from(self.crossfade_ms)).min(longest);
        if left > len || len == 0 {
            return;
        }
        let Some(incoming) = self.next.take() else {
            return;
        };
        // The fade should have begun `len - left` frames ago, inside the packet just decoded:
        // those samples go back from the queue into the fade.
        let channels = self.output.channels;
        let queued = self.pending.len() - self.pending_off;
        let back = (((len - left) as usize) * channels).min(queued) / channels * channels;
        let out_buf = self.pending.split_off(self.pending.len() - back);
        self.push_segment_at_seam(&incoming);
        self.fade = Some(Fade {
            incoming,
            len: left + (back / channels) as u64,
            done: 0,
            out_buf,
            in_buf: Vec::new(),
            outgoing_ended: false,
        });
    }

    /// Decodes a packet of each side and mixes what both have into the pending samples; at the
    /// end of the fade the incoming track becomes the current one.
    pub(super) fn fade_step(&mut self) {
        let channels = self.output.channels.max(1);
        let Some(f) = self.fade.as_mut() else {
            return;
        };
        let (mut out_buf, mut in_buf) = (
            std::mem::take(&mut f.out_buf),
            std::mem::take(&mut f.in_buf),
        );
        let mut outgoing_ended = f.outgoing_ended;
        if !outgoing_ended {
            outgoing_ended = !self.decode_into(Which::Current, &mut out_buf);
        }
        let mut incoming_ended = false;
        while !incoming_ended && (in_buf.len() < out_buf.len() || in_buf.is_empty()) {
            incoming_ended = !self.decode_into(Which::Incoming, &mut in_buf);
        }
        let Some(f) = self.fade.as_mut() else {
            return;
        };
        let mix = if outgoing_ended {
            in_buf.len()
        } else {
            out_buf.len().min(in_buf.len())
        };
        let left = ((f.len - f.done) as usize).saturating_mul(channels);
        let mix = mix.min(left) / channels * channels;
        for (i, frame) in in_buf[..mix].chunks(channels).enumerate() {
            let (g_out, g_in) = gains((f.done + i as u64) as f32 / f.len as f32);
            for (c, s) in frame.iter().enumerate() {
                let o = out_buf.get(i * channels + c).copied().unwrap_or(0.0);
                self.pending.push(o * g_out + s * g_in);
            }
        }
        f.done += (mix / channels) as u64;
        out_buf.drain(..mix.min(out_buf.len()));
        in_buf.drain(..mix);
        f.outgoing_ended = outgoing_ended;
        if f.done < f.len && !incoming_ended {
            f.out_buf = out_buf;
            f.in_buf = in_buf;
            return;
        }
        // Done: the rest of the outgoing track is dropped, the incoming one plays on alone.
        self.pending.extend_from_slice(&in_buf);
        let seam = self.pushed + (self.pending.len() - self.pending_off) as u64;
        let n = self.segments.len();
        if n >= 2 {
            self.segments[n - 2].end = Some(seam);
        }
        if let Some(f) = self.fade.take() {
            self.current = Some(f.incoming);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(album: &str, disc: u32, track: u32) -> TrackRequest {
        TrackRequest {
            album: Some(AlbumSlot {
                album: album.into(),
                disc,
                track,
            }),
            ..TrackRequest::new("/m/x.flac")
        }
    }

    #[test]
    fn only_the_next_track_of_the_same_disc_is_a_gapless_neighbour() {
        assert!(gapless_neighbours(&on("A", 1, 3), &on("A", 1, 4)));
        assert!(!gapless_neighbours(&on("A", 1, 3), &on("A", 1, 5)));
        assert!(!gapless_neighbours(&on("A", 1, 3), &on("B", 1, 4)));
        assert!(!gapless_neighbours(&on("A", 1, 9), &on("A", 2, 1)));
        assert!(!gapless_neighbours(
            &on("A", 1, 3),
            &TrackRequest::new("/m/y.mp3")
        ));
    }

    #[test]
    fn equal_power_gains_keep_the_summed_power_level() {
        for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let (a, b) = gains(t);
            assert!((a * a + b * b - 1.0).abs() < 1e-6, "t={t}");
        }
        assert_eq!(gains(0.0), (1.0, 0.0));
        let (a, b) = gains(1.0);
        assert!(a.abs() < 1e-6 && (b - 1.0).abs() < 1e-6);
    }
}
