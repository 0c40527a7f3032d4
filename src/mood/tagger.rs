//! [`Tagger`]: tags a whole track. It owns the musicnn networks (MSD, and MTT when the mood head
//! reads it), the mel front end, the signal analyser and the mood head; build it once (it reads
//! the model files) and call [`Tagger::tag_file`] on the tagging thread.
//!
//! A track is tagged from up to [`Tagger::max_patches`] 3-second patches (187 frames) spread
//! evenly from its start to its end; tag probabilities and embeddings are the mean over the
//! patches, and the signal features are measured on the same patches' audio. A track shorter
//! than one patch is repeat-padded (its frames repeated until they fill the patch), as musicnn
//! was trained. Patches whose audio is silent (RMS below [`SILENCE_RMS`]) are left out; a track
//! with no audible patch gets no tags and the neutral, zero-confidence mood.

use std::path::{Path, PathBuf};
use std::time::Instant;

use candle_core::{Device, Tensor};

use super::head::{HeadInputs, MoodHead};
use super::inputs::{add_into, add_network_inputs, add_signal_inputs, mean_inputs, NetOut};
use super::mel::{log_compress, MelFrontEnd, HOP, N_FFT, N_MELS};
use super::model::{Config, MusicnnModel};
use super::patches::{patch_starts, repeat_pad, rms};
use super::result::top;
pub use super::result::{TagResult, Timings};
use super::signal::{SignalAnalyzer, SignalFeatures};
use super::vector::MoodVector;
use super::weights::{self, Checkpoint};
use super::{pcm, MoodError};

/// Patches per forward pass.
pub const BATCH: usize = 1;

/// Patches per track by default: 4 (12 s of audio). Measured on 30 full tracks (docs/MOOD.md):
/// against tags from every patch of the track, 4 patches give the same mood label for 28 of 30
/// (8 patches: 29) and a median tag correlation of 0.977, in about 140 ms per track instead of
/// about 260 ms (docs/BENCHMARKS.md).
pub const DEFAULT_PATCHES: usize = 4;

/// RMS (full scale 1.0) below which a patch counts as silence: −60 dBFS.
pub const SILENCE_RMS: f32 = 1e-3;

/// Which model files a [`Tagger`] loads.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelFiles {
    /// The MSD musicnn checkpoint (always run: its tags are shown).
    pub msd: PathBuf,
    /// The MTT checkpoint: run when given, or when the head reads it (from the models folder).
    pub mtt: Option<PathBuf>,
    /// The mood head; without one, every track gets the neutral mood (feature dumps).
    pub head: Option<PathBuf>,
}

impl ModelFiles {
    /// The shipped models (`models/`): MSD and the mood head (MTT if the head reads it).
    pub fn shipped() -> ModelFiles {
        ModelFiles {
            msd: weights::default_model_path(),
            mtt: None,
            head: Some(weights::models_file(weights::HEAD_FILE)),
        }
    }
}

/// The name cached moods carry for these files: the head's name (read from its file), or
/// `features-only` without a head. A cached mood with another name is stale.
pub fn model_name(files: &ModelFiles) -> Result<String, MoodError> {
    match &files.head {
        Some(path) => Ok(weights::load_head(path)?.name),
        None => Ok("features-only".to_string()),
    }
}

/// One musicnn network and its tag names.
struct Network {
    model: MusicnnModel,
    tags: Vec<String>,
    checkpoint: Checkpoint,
}

/// Tags tracks with musicnn. See the module docs.
pub struct Tagger {
    msd: Network,
    mtt: Option<Network>,
    head: Option<MoodHead>,
    mel: MelFrontEnd,
    signal: SignalAnalyzer,
    /// Most patches per track ([`DEFAULT_PATCHES`] unless changed).
    pub max_patches: usize,
    /// Tracks at least this long (s) are decoded only around their patches (see
    /// [`pcm::load_windows`]); shorter ones whole.
    pub seek_from_seconds: u64,
    /// Whether each network's pooled mid-end features (1,506 per patch) become inputs
    /// `PREFIX_pool:i`: when the head reads them, or for a dump that compares heads.
    pub with_pooled: bool,
}

impl Tagger {
    /// Loads the model files (see [`weights`]).
    pub fn load(files: &ModelFiles) -> Result<Tagger, MoodError> {
        let head = files.head.as_deref().map(weights::load_head).transpose()?;
        let network = |path: &Path, checkpoint| {
            let (model, tags) = weights::load_checkpoint(path, &Config::msd(), checkpoint)?;
            Ok::<_, MoodError>(Network {
                model,
                tags,
                checkpoint,
            })
        };
        let msd = network(&files.msd, Checkpoint::Msd)?;
        let wants_mtt = head
            .as_ref()
            .is_some_and(|h| h.uses("mtt") || h.uses("mtt_emb"));
        let mtt_path = match &files.mtt {
            Some(p) => Some(p.clone()),
            None if wants_mtt => Some(weights::models_file(Checkpoint::Mtt.file_name())),
            None => None,
        };
        let mtt = mtt_path.map(|p| network(&p, Checkpoint::Mtt)).transpose()?;
        let with_pooled = head
            .as_ref()
            .is_some_and(|h| h.uses("msd_pool") || h.uses("mtt_pool"));
        Ok(Tagger {
            msd,
            mtt,
            head,
            mel: MelFrontEnd::new(),
            signal: SignalAnalyzer::new(),
            max_patches: DEFAULT_PATCHES,
            seek_from_seconds: 60,
            with_pooled,
        })
    }

    /// The name its results are cached under (see [`model_name`]).
    pub fn model_name(&self) -> String {
        self.head
            .as_ref()
            .map_or_else(|| "features-only".to_string(), |h| h.name.clone())
    }

    /// The MSD tag names, in the model's output order.
    pub fn tag_names(&self) -> &[String] {
        &self.msd.tags
    }

    /// The MSD network.
    pub fn model(&self) -> &MusicnnModel {
        &self.msd.model
    }

    /// Decodes `path` and tags it.
    pub fn tag_file(&self, path: &Path) -> Result<TagResult, MoodError> {
        let started = Instant::now();
        let n_frames = self.msd.model.config().n_frames;
        let windows = |total: usize| {
            patch_starts(MelFrontEnd::frame_count(total), n_frames, self.max_patches)
                .into_iter()
                .map(|s| pcm::Window {
                    // Frame s is centred on sample s·HOP and reaches N_FFT/2 either side.
                    start: (s * HOP).saturating_sub(N_FFT / 2),
                    len: (n_frames - 1) * HOP + N_FFT,
                })
                .collect()
        };
        let samples = pcm::load_windows(path, self.seek_from_seconds, windows)?;
        let decode = started.elapsed().as_secs_f64();
        let mut result = self
            .tag_samples(&samples)
            .map_err(|source| MoodError::Inference {
                path: path.to_path_buf(),
                source,
            })?;
        result.elapsed_seconds = started.elapsed().as_secs_f64();
        result.timings.decode = decode;
        Ok(result)
    }

    /// Tags 16 kHz mono samples.
    pub fn tag_samples(&self, samples: &[f32]) -> candle_core::Result<TagResult> {
        let started = Instant::now();
        let n_frames = self.msd.model.config().n_frames;
        let total = MelFrontEnd::frame_count(samples.len());
        let mut patches = Vec::new();
        let mut spans: Vec<&[f32]> = Vec::new();
        for start in patch_starts(total, n_frames, self.max_patches) {
            let span = &samples
                [(start * HOP).min(samples.len())..((start + n_frames) * HOP).min(samples.len())];
            if rms(span) < SILENCE_RMS {
                continue;
            }
            let frames = n_frames.min(total - start);
            let mut mel = Vec::with_capacity(n_frames * N_MELS);
            self.mel.mel_power(samples, start, frames, &mut mel);
            repeat_pad(&mut mel, n_frames * N_MELS);
            patches.extend_from_slice(&mel);
            spans.push(span);
        }
        let count = spans.len();
        let audio_seconds = samples.len() as f64 / f64::from(super::mel::SAMPLE_RATE);
        let mut timings = Timings::default();
        let mut result = TagResult {
            tags: Vec::new(),
            mood: MoodVector::neutral(),
            features: SignalFeatures::default(),
            inputs: HeadInputs::new(),
            patch_inputs: Vec::new(),
            audio_seconds,
            patches: count,
            elapsed_seconds: 0.0,
            timings,
        };
        if count > 0 {
            log_compress(&mut patches);
            timings.mel = started.elapsed().as_secs_f64();
            let msd = self.per_patch(&self.msd, &patches, count)?;
            let mtt = match &self.mtt {
                Some(n) => Some((n, self.per_patch(n, &patches, count)?)),
                None => None,
            };
            timings.model = started.elapsed().as_secs_f64() - timings.mel;
            let size = n_frames * N_MELS;
            let signal: Vec<SignalFeatures> = (spans.iter().zip(patches.chunks_exact(size)))
                .map(|(span, mel)| self.signal.analyze_span(span, mel))
                .collect();
            result.patch_inputs = (0..count)
                .map(|i| {
                    let mut inputs = HeadInputs::new();
                    add_network_inputs(
                        &mut inputs,
                        self.msd.checkpoint.prefix(),
                        &self.msd.tags,
                        &msd[i],
                    );
                    if let Some((net, out)) = &mtt {
                        add_network_inputs(
                            &mut inputs,
                            net.checkpoint.prefix(),
                            &net.tags,
                            &out[i],
                        );
                    }
                    add_signal_inputs(&mut inputs, &signal[i]);
                    inputs
                })
                .collect();
            result.features = SignalFeatures::mean(&signal);
            result.inputs = mean_inputs(&result.patch_inputs);
            add_signal_inputs(&mut result.inputs, &result.features);
            let mut probs = vec![0f32; self.msd.tags.len()];
            for out in &msd {
                add_into(&mut probs, &out.probs);
            }
            result.tags = (self.msd.tags.iter().cloned())
                .zip(probs.into_iter().map(|p| p / count as f32))
                .collect();
            if let Some(head) = &self.head {
                result.mood =
                    head.predict(&result.inputs, top(&result.tags, 5))
                        .map_err(|missing| {
                            candle_core::Error::Msg(format!(
                            "the mood head reads `{missing}`, which the tagger does not compute"
                        ))
                        })?;
            }
            timings.features = started.elapsed().as_secs_f64() - timings.mel - timings.model;
        }
        result.timings = timings;
        result.elapsed_seconds = started.elapsed().as_secs_f64();
        Ok(result)
    }

    /// One network's outputs on each of `count` log-mel patches (row-major in `patches`).
    fn per_patch(
        &self,
        net: &Network,
        patches: &[f32],
        count: usize,
    ) -> candle_core::Result<Vec<NetOut>> {
        let n_frames = net.model.config().n_frames;
        let size = n_frames * N_MELS;
        if patches.len() != count * size {
            candle_core::bail!(
                "{} values for {count} patches of {n_frames} x {N_MELS}",
                patches.len()
            );
        }
        let mut outs = Vec::with_capacity(count);
        for chunk in patches.chunks(BATCH * size) {
            let input =
                Tensor::from_slice(chunk, (chunk.len() / size, n_frames, N_MELS), &Device::Cpu)?;
            let out = net.model.forward_all(&input)?;
            let probs = out.probs.to_vec2::<f32>()?;
            let embedding = out.penultimate.to_vec2::<f32>()?;
            let pooled = match self.with_pooled {
                true => out.pooled.to_vec2::<f32>()?,
                false => vec![Vec::new(); probs.len()],
            };
            outs.extend((probs.into_iter().zip(embedding).zip(pooled)).map(
                |((probs, embedding), pooled)| NetOut {
                    probs,
                    embedding,
                    pooled,
                },
            ));
        }
        Ok(outs)
    }

    /// Tag probabilities of `count` log-mel patches stored row-major in `patches`
    /// (`count × n_frames × N_MELS`), one vector per patch, from the MSD network.
    /// Patches go through the model [`BATCH`] at a time, which bounds memory (the timbral im2col
    /// matrices take ~12 MB per patch).
    pub fn probabilities(
        &self,
        patches: &[f32],
        count: usize,
    ) -> candle_core::Result<Vec<Vec<f32>>> {
        let n_frames = self.msd.model.config().n_frames;
        let size = n_frames * N_MELS;
        if patches.len() != count * size {
            candle_core::bail!(
                "{} values for {count} patches of {n_frames} x {N_MELS}",
                patches.len()
            );
        }
        let mut probs = Vec::with_capacity(count);
        for chunk in patches.chunks(BATCH * size) {
            let input =
                Tensor::from_slice(chunk, (chunk.len() / size, n_frames, N_MELS), &Device::Cpu)?;
            probs.extend(self.msd.model.forward(&input)?.to_vec2()?);
        }
        Ok(probs)
    }
}
