//! State shared between the engine thread (the ring's producer) and the output (its consumer):
//! atomics only, plus `fill`, the one function every sink calls to take samples. `fill` never
//! locks and never allocates, so it is safe in a real-time audio callback.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ringbuf::traits::{Consumer, Observer};
use ringbuf::HeapCons;

/// Written by the engine thread, read by the sink (or the other way where noted).
#[derive(Debug)]
pub struct Shared {
    /// Output volume as f32 bits, applied by the sink so that a change is heard at once.
    volume: AtomicU32,
    /// The sink outputs silence and takes nothing from the ring while set.
    paused: AtomicBool,
    /// Nothing is loaded: the output may sleep (set and cleared by the engine).
    idle: AtomicBool,
    /// Samples taken from the ring so far, played or discarded. Written by the sink only.
    popped: AtomicU64,
    /// The sink drops samples until `popped` reaches this (set by the engine on seek or stop).
    discard_until: AtomicU64,
    /// The engine has more samples to come: an empty ring now is an underrun.
    expecting: AtomicBool,
    /// Callbacks that found the ring empty while samples were expected. Written by the sink.
    underruns: AtomicU64,
    /// The last `fill` ended in silence (written by the sink).
    padding: AtomicBool,
    /// Samples came after silence: a sink that measures its latency only now and then (the
    /// PulseAudio stream) should measure again, since `heard` interpolates as if the silence
    /// were not there. Set by `fill`, taken by the sink.
    anchor_wanted: AtomicBool,
    /// Set by the output's error callback when the device fails after it was opened.
    failed: AtomicBool,
    /// Samples per frame of the current output.
    channels: AtomicUsize,
    /// Frames per second of the current output.
    rate: AtomicU32,
    /// At the start of the device's last callback (written by the callback): `popped` then, how
    /// far ahead of the listener its first sample was (µs), and when it ran (µs since `epoch`,
    /// 0: no callback yet, as with the null and capture sinks, whose samples count as heard
    /// when taken).
    cb_popped: AtomicU64,
    cb_ahead_us: AtomicU64,
    cb_at_us: AtomicU64,
    epoch: Instant,
}

impl Shared {
    pub fn new(volume: f32) -> Shared {
        Shared {
            volume: AtomicU32::new(volume.to_bits()),
            paused: AtomicBool::new(false),
            idle: AtomicBool::new(true),
            popped: AtomicU64::new(0),
            discard_until: AtomicU64::new(0),
            expecting: AtomicBool::new(false),
            underruns: AtomicU64::new(0),
            padding: AtomicBool::new(true),
            anchor_wanted: AtomicBool::new(false),
            failed: AtomicBool::new(false),
            channels: AtomicUsize::new(2),
            rate: AtomicU32::new(44_100),
            cb_popped: AtomicU64::new(0),
            cb_ahead_us: AtomicU64::new(0),
            cb_at_us: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    pub fn set_volume(&self, v: f32) {
        self.volume
            .store(v.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
    }
    pub fn volume(&self) -> f32 {
        f32::from_bits(self.volume.load(Ordering::Relaxed))
    }
    pub fn set_paused(&self, p: bool) {
        self.paused.store(p, Ordering::Release);
    }
    pub fn paused(&self) -> bool {
        self.paused.load(Ordering::Acquire)
    }
    pub fn set_idle(&self, idle: bool) {
        self.idle.store(idle, Ordering::Release);
    }
    /// Paused by the user or idle: the output has nothing to do.
    pub fn resting(&self) -> bool {
        self.paused.load(Ordering::Acquire) || self.idle.load(Ordering::Acquire)
    }
    pub fn popped(&self) -> u64 {
        self.popped.load(Ordering::Acquire)
    }
    pub fn discard_until(&self, sample: u64) {
        self.discard_until.store(sample, Ordering::Release);
    }
    pub fn set_expecting(&self, e: bool) {
        self.expecting.store(e, Ordering::Release);
    }
    pub fn underruns(&self) -> u64 {
        self.underruns.load(Ordering::Relaxed)
    }
    /// Whether samples followed silence since the last call (see `anchor_wanted`).
    pub fn take_anchor_wanted(&self) -> bool {
        self.anchor_wanted.swap(false, Ordering::AcqRel)
    }
    pub fn mark_failed(&self) {
        self.failed.store(true, Ordering::Release);
    }
    pub fn take_failed(&self) -> bool {
        self.failed.swap(false, Ordering::AcqRel)
    }
    /// Called when a new output (and so a new, empty ring) starts.
    pub fn reset_for_output(&self, rate: u32, channels: usize) {
        self.channels.store(channels, Ordering::Release);
        self.rate.store(rate.max(1), Ordering::Release);
        self.popped.store(0, Ordering::Release);
        self.discard_until.store(0, Ordering::Release);
        self.cb_at_us.store(0, Ordering::Release);
    }

    /// After a device was closed: what it held and had not played is gone, so `popped` goes
    /// back to `heard` (the engine's only write to it, with no sink running).
    pub fn rewind_to(&self, heard: u64) {
        self.popped.store(heard, Ordering::Release);
        self.cb_at_us.store(0, Ordering::Release);
    }

    /// Called by a device callback before it takes samples: its first one will be heard
    /// `ahead` from now.
    pub fn note_callback(&self, ahead: Duration) {
        let now = self.epoch.elapsed().as_micros().max(1) as u64;
        self.cb_popped.store(self.popped(), Ordering::Relaxed);
        self.cb_ahead_us
            .store(ahead.as_micros() as u64, Ordering::Relaxed);
        self.cb_at_us.store(now, Ordering::Release);
    }

    /// The sample the listener hears now (an index like `popped`): `popped` less what the device
    /// still holds, interpolated from its last callback.
    pub fn heard(&self) -> u64 {
        let popped = self.popped();
        let at = self.cb_at_us.load(Ordering::Acquire);
        if at == 0 {
            return popped;
        }
        let base = self.cb_popped.load(Ordering::Relaxed);
        let ahead = self.cb_ahead_us.load(Ordering::Relaxed) as i64;
        let since = self.epoch.elapsed().as_micros() as i64 - at as i64;
        let channels = self.channels.load(Ordering::Relaxed) as i64;
        let rate = i64::from(self.rate.load(Ordering::Relaxed));
        let frames = (since - ahead) * rate / 1_000_000;
        let heard = base as i64 + frames * channels;
        heard.clamp(0, popped as i64) as u64
    }
}

/// Fills `out` (interleaved frames) from the ring, applying volume; pads with silence. Returns
/// how many samples came from the ring. Only whole frames are taken, so channels never slip.
pub fn fill(out: &mut [f32], cons: &mut HeapCons<f32>, shared: &Shared) -> usize {
    let channels = shared.channels.load(Ordering::Acquire).max(1);
    let mut popped = shared.popped.load(Ordering::Relaxed);
    let target = shared.discard_until.load(Ordering::Acquire);
    if target > popped {
        let want = (target - popped).min(cons.occupied_len() as u64) as usize;
        popped += cons.skip(want) as u64;
    }
    if shared.paused.load(Ordering::Acquire) {
        out.fill(0.0);
        shared.popped.store(popped, Ordering::Release);
        shared.padding.store(true, Ordering::Relaxed);
        return 0;
    }
    let whole = cons.occupied_len() / channels * channels;
    let want = whole.min(out.len() / channels * channels);
    let n = cons.pop_slice(&mut out[..want]);
    popped += n as u64;
    out[n..].fill(0.0);
    if n < out.len() && shared.expecting.load(Ordering::Acquire) {
        shared.underruns.fetch_add(1, Ordering::Relaxed);
    }
    if shared.padding.swap(n < out.len(), Ordering::Relaxed) && n > 0 {
        shared.anchor_wanted.store(true, Ordering::Release);
    }
    let volume = f32::from_bits(shared.volume.load(Ordering::Relaxed));
    if volume != 1.0 {
        for s in &mut out[..n] {
            *s *= volume;
        }
    }
    shared.popped.store(popped, Ordering::Release);
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringbuf::traits::{Producer, Split};
    use ringbuf::HeapRb;

    #[test]
    fn fill_applies_volume_discards_and_pads_with_silence() {
        let (mut prod, mut cons) = HeapRb::<f32>::new(64).split();
        let shared = Shared::new(0.5);
        shared.reset_for_output(48_000, 2);
        prod.push_slice(&[1.0, 1.0, 2.0, 2.0, 3.0, 3.0]);
        shared.discard_until(2);
        let mut out = [9.0; 8];
        assert_eq!(fill(&mut out, &mut cons, &shared), 4);
        assert_eq!(out, [1.0, 1.0, 1.5, 1.5, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(shared.popped(), 6);
    }

    #[test]
    fn fill_takes_nothing_while_paused_and_counts_underruns_only_when_expecting() {
        let (mut prod, mut cons) = HeapRb::<f32>::new(64).split();
        let shared = Shared::new(1.0);
        shared.reset_for_output(48_000, 2);
        prod.push_slice(&[1.0, 1.0]);
        shared.set_paused(true);
        let mut out = [9.0; 4];
        assert_eq!(fill(&mut out, &mut cons, &shared), 0);
        assert_eq!(out, [0.0; 4]);
        shared.set_paused(false);
        assert_eq!(fill(&mut out, &mut cons, &shared), 2);
        assert_eq!(shared.underruns(), 0);
        shared.set_expecting(true);
        fill(&mut out, &mut cons, &shared);
        assert_eq!(shared.underruns(), 1);
    }

    #[test]
    fn samples_after_silence_ask_for_a_fresh_latency_reading() {
        let (mut prod, mut cons) = HeapRb::<f32>::new(64).split();
        let shared = Shared::new(1.0);
        shared.reset_for_output(48_000, 2);
        let mut out = [9.0; 4];
        fill(&mut out, &mut cons, &shared);
        assert!(!shared.take_anchor_wanted(), "silence alone");
        prod.push_slice(&[1.0; 8]);
        fill(&mut out, &mut cons, &shared);
        assert!(shared.take_anchor_wanted(), "samples after the silence");
        assert!(!shared.take_anchor_wanted(), "taken once");
        fill(&mut out, &mut cons, &shared);
        assert!(!shared.take_anchor_wanted(), "samples after samples");
        fill(&mut out, &mut cons, &shared);
        prod.push_slice(&[1.0; 2]);
        fill(&mut out, &mut cons, &shared);
        assert!(shared.take_anchor_wanted(), "after an underrun");
    }

    #[test]
    fn fill_never_splits_a_frame() {
        let (mut prod, mut cons) = HeapRb::<f32>::new(64).split();
        let shared = Shared::new(1.0);
        shared.reset_for_output(48_000, 2);
        prod.push_slice(&[1.0, 1.0, 2.0]);
        let mut out = [9.0; 4];
        assert_eq!(fill(&mut out, &mut cons, &shared), 2);
        prod.push_slice(&[2.0]);
        assert_eq!(fill(&mut out, &mut cons, &shared), 2);
        assert_eq!(&out[..2], &[2.0, 2.0]);
    }
}
