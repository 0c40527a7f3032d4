//! ReplayGain: which tag values to apply and the resulting linear gain.

use serde::{Deserialize, Serialize};

use crate::core::ReplayGain;

/// Which ReplayGain value to apply. `Album` falls back to the track value when a file has no
/// album gain, and `Track` to the album value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplayGainMode {
    #[default]
    Off,
    Track,
    Album,
}

impl From<crate::config::ReplayGainSetting> for ReplayGainMode {
    fn from(setting: crate::config::ReplayGainSetting) -> ReplayGainMode {
        use crate::config::ReplayGainSetting as S;
        match setting {
            S::Off => ReplayGainMode::Off,
            S::Track => ReplayGainMode::Track,
            S::Album => ReplayGainMode::Album,
        }
    }
}

impl std::str::FromStr for ReplayGainMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "off" => Ok(ReplayGainMode::Off),
            "track" => Ok(ReplayGainMode::Track),
            "album" => Ok(ReplayGainMode::Album),
            other => Err(format!(
                "unknown ReplayGain mode {other:?} (off, track, album)"
            )),
        }
    }
}

/// The linear gain for a track: 10^(dB/20), limited so that the tagged peak does not clip.
/// Files without ReplayGain tags (or mode `Off`) play at unity gain.
pub fn linear_gain(rg: &ReplayGain, mode: ReplayGainMode) -> f32 {
    let (gain, peak) = match mode {
        ReplayGainMode::Off => return 1.0,
        ReplayGainMode::Track => (
            rg.track_gain_db.or(rg.album_gain_db),
            rg.track_peak.or(rg.album_peak),
        ),
        ReplayGainMode::Album => (
            rg.album_gain_db.or(rg.track_gain_db),
            rg.album_peak.or(rg.track_peak),
        ),
    };
    let Some(db) = gain else { return 1.0 };
    let linear = 10f32.powf(db / 20.0);
    match peak {
        Some(p) if p > 0.0 => linear.min(1.0 / p),
        _ => linear,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gain_is_unity_when_off_or_untagged() {
        let rg = ReplayGain {
            track_gain_db: Some(-6.0),
            ..Default::default()
        };
        assert_eq!(linear_gain(&rg, ReplayGainMode::Off), 1.0);
        assert_eq!(
            linear_gain(&ReplayGain::default(), ReplayGainMode::Track),
            1.0
        );
    }

    #[test]
    fn gain_converts_db_and_is_limited_by_the_peak() {
        let rg = ReplayGain {
            track_gain_db: Some(-6.0),
            album_gain_db: Some(6.0),
            album_peak: Some(0.8),
            ..Default::default()
        };
        assert!((linear_gain(&rg, ReplayGainMode::Track) - 0.501).abs() < 0.001);
        // +6 dB would be 1.995, but the album peak 0.8 allows only 1.25.
        assert!((linear_gain(&rg, ReplayGainMode::Album) - 1.25).abs() < 1e-6);
    }
}
