//! One frame → the listener's emotion: detect faces (BlazeFace) → the largest → align (48×48
//! gray) → preprocess (equalise, scale) → classify (FerNet, optionally averaged with the mirrored
//! face). Pure computation on the caller's thread: the vision thread, or a command.

use image::{GrayImage, RgbImage};

use super::align::{align_face, ALIGNED_SIZE};
use super::detect::{DetectError, Face, FaceDetector};
use super::fer::{self, FerNet, INPUT_SIZE};
use crate::core::EMOTIONS;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Detect(#[from] DetectError),
    #[error("emotion model forward pass failed: {0}")]
    Model(#[from] candle_core::Error),
    #[error("the emotion model reads {INPUT_SIZE}×{INPUT_SIZE} faces, got {width}×{height}")]
    FaceSize { width: u32, height: u32 },
    #[error("the emotion model has {0} classes; {n} expected", n = EMOTIONS.len())]
    Classes(usize),
}

/// The emotion model's answer for one face.
#[derive(Clone, Debug, PartialEq)]
pub struct Classification {
    /// Class probabilities in FER-2013 order (`crate::core::EMOTIONS`), calibrated as the
    /// weights file says for the pass in use (`FerConfig::probabilities`: its vector scaling, or
    /// the logits divided by its temperature).
    pub probs: [f32; 7],
    /// Block2's spatial attention over the face, row-major, `attention_size` (12×12) cells in
    /// [0, 1], in the aligned face's orientation.
    pub attention: Vec<f32>,
    pub attention_size: (usize, usize),
    /// The square of the 48×48 face the map covers, `(offset, side)` in face pixels: `(0, 48)`,
    /// or the centre crop of a model that reads one.
    pub attention_region: (u32, u32),
}

impl Classification {
    pub fn top(&self) -> usize {
        (0..self.probs.len())
            .max_by(|&a, &b| self.probs[a].total_cmp(&self.probs[b]))
            .unwrap_or(0)
    }

    pub fn label(&self) -> &'static str {
        EMOTIONS[self.top()]
    }
}

/// FerNet with its preprocessing. With `flip_tta` each face is classified together with its
/// mirror image as a batch of two and the logits averaged (what `tools/fer/train.py` reports on
/// validation); about 1.8× the time of one pass. A model whose file names a `crop` reads the
/// centre of the face; the probabilities use the file's calibration for the pass in use.
#[derive(Clone, Debug)]
pub struct Classifier {
    net: FerNet,
    flip_tta: bool,
}

impl Classifier {
    pub fn new(net: FerNet, flip_tta: bool) -> Result<Classifier, PipelineError> {
        if net.classes() != EMOTIONS.len() {
            return Err(PipelineError::Classes(net.classes()));
        }
        Ok(Classifier { net, flip_tta })
    }

    pub fn flip_tta(&self) -> bool {
        self.flip_tta
    }

    /// The softmax temperature of the pass in use (from the weights file; 1 when it gives none).
    pub fn temperature(&self) -> f32 {
        self.net.config().temperature_for(self.flip_tta)
    }

    /// How the probabilities are calibrated: `"vector"` (a scale and a bias per class, which the
    /// temperature then does not matter for) or `"temperature"`.
    pub fn calibration(&self) -> &'static str {
        match self.net.config().vector_for(self.flip_tta) {
            Some(_) => "vector",
            None => "temperature",
        }
    }

    /// Classifies an aligned 48×48 gray face (equalised and scaled here).
    pub fn classify(&self, face: &GrayImage) -> Result<Classification, PipelineError> {
        let (width, height) = face.dimensions();
        if (width as usize, height as usize) != (INPUT_SIZE, INPUT_SIZE) {
            return Err(PipelineError::FaceSize { width, height });
        }
        self.classify_input(&fer::preprocess(face))
    }

    /// Classifies one preprocessed face (`INPUT_SIZE²` values from [`fer::preprocess`]).
    pub fn classify_input(&self, input: &[f32]) -> Result<Classification, PipelineError> {
        if input.len() != INPUT_SIZE * INPUT_SIZE {
            return Err(PipelineError::FaceSize {
                width: input.len() as u32,
                height: 1,
            });
        }
        let config = self.net.config();
        let n = config.crop.min(INPUT_SIZE);
        let input = fer::centre_crop(input, INPUT_SIZE, n);
        let mut batch = input.clone();
        if self.flip_tta {
            batch.extend(fer::hflip(&input, n));
        }
        let rows = batch.len() / (n * n);
        let x = candle_core::Tensor::from_vec(batch, (rows, 1, n, n), &candle_core::Device::Cpu)?;
        let (logits, attention) = self.net.forward_with_attention(&x)?;
        let logits = logits.to_vec2::<f32>()?;
        let (_, _, ah, aw) = attention.dims4()?;
        let maps = attention.flatten_all()?.to_vec1::<f32>()?;
        let mut mean = [0f32; 7];
        for row in &logits {
            mean.iter_mut()
                .zip(row)
                .for_each(|(m, l)| *m += l / rows as f32);
        }
        let mut probs = [0f32; 7];
        probs.copy_from_slice(&config.probabilities(&mean, self.flip_tta));
        let mut attention = maps[..ah * aw].to_vec();
        if self.flip_tta {
            let mirrored = fer::hflip(&maps[ah * aw..], aw);
            attention
                .iter_mut()
                .zip(mirrored)
                .for_each(|(a, m)| *a = (*a + m) / 2.0);
        }
        Ok(Classification {
            probs,
            attention,
            attention_size: (ah, aw),
            attention_region: (((INPUT_SIZE - n) / 2) as u32, n as u32),
        })
    }
}

/// The largest face of a frame, aligned and classified.
#[derive(Clone, Debug)]
pub struct FaceReading {
    pub face: Face,
    pub aligned: GrayImage,
    pub classification: Classification,
}

/// What one frame showed.
#[derive(Clone, Debug)]
pub struct FrameReading {
    /// Faces detected (only the largest is classified).
    pub faces: usize,
    pub largest: Option<FaceReading>,
}

/// Detector + classifier.
#[derive(Clone, Debug)]
pub struct Pipeline {
    detector: FaceDetector,
    classifier: Classifier,
}

impl Pipeline {
    pub fn new(detector: FaceDetector, classifier: Classifier) -> Pipeline {
        Pipeline {
            detector,
            classifier,
        }
    }

    pub fn classifier(&self) -> &Classifier {
        &self.classifier
    }

    pub fn detector(&self) -> &FaceDetector {
        &self.detector
    }

    /// Detect → largest face → align → classify.
    pub fn run(&self, frame: &RgbImage) -> Result<FrameReading, PipelineError> {
        let faces = self.detector.detect(frame)?;
        let largest = match faces.first() {
            Some(face) => {
                let aligned = align_face(frame, face);
                debug_assert_eq!(aligned.width(), ALIGNED_SIZE);
                let classification = self.classifier.classify(&aligned)?;
                Some(FaceReading {
                    face: *face,
                    aligned,
                    classification,
                })
            }
            None => None,
        };
        Ok(FrameReading {
            faces: faces.len(),
            largest,
        })
    }
}
