//! Where a track's 3-second patches sit and how a short one is filled: patch placement, musicnn's
//! repeat-padding and the RMS the silence test uses. Pure functions, used by [`super::tagger`].

/// First frames of up to `max` patches of `len` frames spread evenly over `total` frames: one
/// patch (from 0) when the track is no longer than a patch, else `min(max, total / len)` patches,
/// the first at the start and the last ending at the end (one alone sits in the middle).
pub fn patch_starts(total: usize, len: usize, max: usize) -> Vec<usize> {
    if total <= len || max <= 1 {
        return vec![total.saturating_sub(len) / 2];
    }
    let n = (total / len).clamp(1, max);
    let span = total - len;
    if n == 1 {
        return vec![span / 2];
    }
    (0..n).map(|i| i * span / (n - 1)).collect()
}

/// Repeats `values` cyclically until it holds `len` values (no-op if it already does).
pub(super) fn repeat_pad(values: &mut Vec<f32>, len: usize) {
    let have = values.len();
    if have == 0 {
        values.resize(len, 0.0);
        return;
    }
    while values.len() < len {
        let take = (len - values.len()).min(have);
        values.extend_from_within(..take);
    }
}

/// The root mean square of `samples` (0 for none).
pub(super) fn rms(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / samples.len() as f64).sqrt() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_spread_from_start_to_end_of_a_long_track() {
        assert_eq!(
            patch_starts(15_000, 187, 8),
            vec![0, 2116, 4232, 6348, 8464, 10580, 12696, 14813]
        );
        let starts = patch_starts(15_000, 187, 8);
        assert_eq!(starts.last().copied().unwrap() + 187, 15_000);
    }

    #[test]
    fn a_short_track_gets_one_patch_and_a_medium_one_fewer_than_the_maximum() {
        assert_eq!(patch_starts(100, 187, 8), vec![0]);
        assert_eq!(patch_starts(187, 187, 8), vec![0]);
        assert_eq!(patch_starts(300, 187, 8), vec![56]);
        assert_eq!(patch_starts(626, 187, 8), vec![0, 219, 439]);
    }

    #[test]
    fn repeat_pad_repeats_the_frames_in_order() {
        let mut v = vec![1.0, 2.0, 3.0];
        repeat_pad(&mut v, 8);
        assert_eq!(v, vec![1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0]);
        let mut empty = Vec::new();
        repeat_pad(&mut empty, 2);
        assert_eq!(empty, vec![0.0, 0.0]);
    }

    #[test]
    fn rms_of_a_full_scale_square_is_one_and_of_nothing_zero() {
        assert_eq!(rms(&[1.0, -1.0, 1.0, -1.0]), 1.0);
        assert_eq!(rms(&[]), 0.0);
    }
}
