//! `Converter`: turns a track's interleaved samples (its rate and channel count) into the output's
//! rate and channel count with rubato, so that consecutive tracks join without gap or overlap:
//! the resampler's delay is trimmed at the start and its tail flushed at the end, and exactly
//! `round(frames_in × out_rate / in_rate)` frames come out per track.

use rubato::{FftFixedIn, Resampler};

/// Resampler block size in input frames: ~23 ms at 44.1 kHz.
const CHUNK: usize = 1024;

#[derive(Debug, thiserror::Error)]
#[error("cannot resample {from} Hz to {to} Hz: {reason}")]
pub struct ResampleError {
    pub from: u32,
    pub to: u32,
    pub reason: String,
}

pub struct Converter {
    in_rate: u32,
    out_rate: u32,
    in_channels: usize,
    out_channels: usize,
    resampler: Option<FftFixedIn<f32>>,
    /// Channel-mapped input waiting for a full chunk, one Vec per output channel.
    staged: Vec<Vec<f32>>,
    out_planar: Vec<Vec<f32>>,
    /// Output frames still to drop (the resampler's delay).
    delay_left: usize,
    frames_in: u64,
    frames_out: u64,
}

impl Converter {
    pub fn new(
        in_rate: u32,
        in_channels: usize,
        out_rate: u32,
        out_channels: usize,
    ) -> Result<Converter, ResampleError> {
        let resampler = if in_rate == out_rate {
            None
        } else {
            let r =
                FftFixedIn::<f32>::new(in_rate as usize, out_rate as usize, CHUNK, 2, out_channels)
                    .map_err(|e| ResampleError {
                        from: in_rate,
                        to: out_rate,
                        reason: e.to_string(),
                    })?;
            Some(r)
        };
        let delay_left = resampler.as_ref().map_or(0, |r| r.output_delay());
        let out_planar = resampler.as_ref().map_or_else(Vec::new, |r| {
            vec![vec![0.0; r.output_frames_max()]; out_channels]
        });
        Ok(Converter {
            in_rate,
            out_rate,
            in_channels,
            out_channels,
            resampler,
            staged: vec![Vec::with_capacity(CHUNK * 2); out_channels],
            out_planar,
            delay_left,
            frames_in: 0,
            frames_out: 0,
        })
    }

    /// True when this converter was made for these input parameters.
    pub fn accepts(&self, in_rate: u32, in_channels: usize) -> bool {
        self.in_rate == in_rate && self.in_channels == in_channels
    }

    /// Converts `input` (interleaved, input rate and channels) and appends the result
    /// (interleaved, output rate and channels) to `out`.
    pub fn push(&mut self, input: &[f32], out: &mut Vec<f32>) {
        let frames = input.len() / self.in_channels;
        self.frames_in += frames as u64;
        if self.resampler.is_none() {
            out.reserve(frames * self.out_channels);
            for frame in input.chunks_exact(self.in_channels) {
                for c in 0..self.out_channels {
                    out.push(map_channel(frame, c, self.out_channels));
                }
            }
            self.frames_out += frames as u64;
            return;
        }
        for frame in input.chunks_exact(self.in_channels) {
            for (c, plane) in self.staged.iter_mut().enumerate() {
                plane.push(map_channel(frame, c, self.out_channels));
            }
        }
        while self.staged[0].len() >= CHUNK {
            self.run_chunk(false, out);
        }
    }

    /// Flushes the resampler's tail so that the track's output has exactly its expected length.
    pub fn finish(&mut self, out: &mut Vec<f32>) {
        if self.resampler.is_none() {
            return;
        }
        let expected = self.expected_out();
        // Remaining staged input, then silence, until the expected count is reached.
        let mut guard = 0;
        while self.frames_out < expected && guard < 64 {
            self.run_chunk(true, out);
            guard += 1;
        }
        let excess = self.frames_out.saturating_sub(expected) as usize;
        out.truncate(out.len() - excess * self.out_channels);
        self.frames_out = expected;
    }

    fn expected_out(&self) -> u64 {
        let (i, o) = (u64::from(self.in_rate), u64::from(self.out_rate));
        (self.frames_in * o + i / 2) / i
    }

    fn run_chunk(&mut self, flushing: bool, out: &mut Vec<f32>) {
        let Some(resampler) = self.resampler.as_mut() else {
            return;
        };
        let take = self.staged[0].len().min(CHUNK);
        let result = if take == CHUNK {
            resampler.process_into_buffer(&self.staged, &mut self.out_planar, None)
        } else {
            debug_assert!(flushing);
            let partial: Vec<&[f32]> = self.staged.iter().map(|p| &p[..take]).collect();
            let input = (take > 0).then_some(&partial[..]);
            resampler.process_partial_into_buffer(input, &mut self.out_planar, None)
        };
        let (used, written) = match result {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "resampler failed; dropping a block");
                (take, 0)
            }
        };
        for plane in &mut self.staged {
            plane.drain(..used.min(take));
        }
        let skip = self.delay_left.min(written);
        self.delay_left -= skip;
        out.reserve((written - skip) * self.out_channels);
        for i in skip..written {
            for plane in &self.out_planar {
                out.push(plane[i]);
            }
        }
        self.frames_out += (written - skip) as u64;
    }
}

/// The sample for output channel `c` of `out_channels` from one input frame: mono is copied to
/// every channel, stereo to mono is averaged, otherwise channels map by index (extra input
/// channels are dropped, missing ones repeat the input's channels cyclically).
fn map_channel(frame: &[f32], c: usize, out_channels: usize) -> f32 {
    match (frame.len(), out_channels) {
        (1, _) => frame[0],
        (n, 1) => frame.iter().sum::<f32>() / n as f32,
        (n, _) => frame[c % n],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(frames: usize, rate: u32, channels: usize) -> Vec<f32> {
        (0..frames)
            .flat_map(|i| {
                let v = (i as f32 * 440.0 * std::f32::consts::TAU / rate as f32).sin() * 0.5;
                std::iter::repeat_n(v, channels)
            })
            .collect()
    }

    #[test]
    fn same_rate_passes_samples_through_and_maps_mono_to_stereo() {
        let mut c = Converter::new(48_000, 1, 48_000, 2).unwrap();
        let mut out = Vec::new();
        c.push(&[0.1, 0.2, 0.3], &mut out);
        c.finish(&mut out);
        assert_eq!(out, vec![0.1, 0.1, 0.2, 0.2, 0.3, 0.3]);
    }

    #[test]
    fn resampled_length_is_exactly_the_rounded_ratio() {
        for &(frames, from, to) in &[
            (44_100, 44_100, 48_000),
            (12_345, 22_050, 48_000),
            (999, 48_000, 44_100),
        ] {
            let mut c = Converter::new(from, 2, to, 2).unwrap();
            let mut out = Vec::new();
            let input = sine(frames, from, 2);
            for block in input.chunks(2 * 700) {
                c.push(block, &mut out);
            }
            c.finish(&mut out);
            let expected = (frames as u64 * to as u64 + from as u64 / 2) / from as u64;
            assert_eq!(
                out.len() as u64,
                expected * 2,
                "{frames} frames {from}->{to}"
            );
        }
    }

    #[test]
    fn resampled_sine_keeps_its_amplitude_and_starts_without_delay() {
        let mut c = Converter::new(44_100, 1, 48_000, 1).unwrap();
        let mut out = Vec::new();
        c.push(&sine(44_100, 44_100, 1), &mut out);
        c.finish(&mut out);
        let peak = out[1000..40_000].iter().fold(0f32, |m, v| m.max(v.abs()));
        assert!((peak - 0.5).abs() < 0.01, "peak {peak}");
        // Delay trimmed: the first output samples follow the sine from phase zero.
        let expect = (5.0 * 440.0 * std::f32::consts::TAU / 48_000.0).sin() * 0.5;
        assert!((out[5] - expect).abs() < 0.02, "{} vs {expect}", out[5]);
    }
}
