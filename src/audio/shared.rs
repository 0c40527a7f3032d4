//! State shared between the engine thread (the ring's producer) and the output (its consumer):
//! atomics only, plus `fill`, the one function every sink calls to take samples. `fill` never
//! locks and never allocates, so it is safe in a real-time audio callback.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};

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
    /// Set by the output's error callback when the device fails after it was opened.
    failed: AtomicBool,
    /// Samples per frame of the current output.
    channels: AtomicUsize,
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
            failed: AtomicBool::new(false),
            channels: AtomicUsize::new(2),
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
    pub fn mark_failed(&self) {
        self.failed.store(true, Ordering::Release);
    }
    pub fn take_failed(&self) -> bool {
        self.failed.swap(false, Ordering::AcqRel)
    }
    /// Called when a new output (and so a new, empty ring) starts.
    pub fn reset_for_output(&self, channels: usize) {
        self.channels.store(channels, Ordering::Release);
        self.popped.store(0, Ordering::Release);
        self.discard_until.store(0, Ordering::Release);
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
        shared.reset_for_output(2);
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
        shared.reset_for_output(2);
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
    fn fill_never_splits_a_frame() {
        let (mut prod, mut cons) = HeapRb::<f32>::new(64).split();
        let shared = Shared::new(1.0);
        shared.reset_for_output(2);
        prod.push_slice(&[1.0, 1.0, 2.0]);
        let mut out = [9.0; 4];
        assert_eq!(fill(&mut out, &mut cons, &shared), 2);
        prod.push_slice(&[2.0]);
        assert_eq!(fill(&mut out, &mut cons, &shared), 2);
        assert_eq!(&out[..2], &[2.0, 2.0]);
    }
}
