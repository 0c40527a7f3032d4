//! The vision subsystem: frames from a webcam or image files, BlazeFace face detection, face
//! alignment, the attention-CNN emotion classifier and the smoothing that turns per-frame
//! probabilities into live `EmotionReading`s. Frames stay in memory: never written, never sent.
//!
//! Files: `blazeface` (pure detector model), `anchors`/`detect` (anchors, box decoding, weighted
//! NMS), `align` (rotate by the eyes, crop, 48×48 gray), `fer` (pure emotion model), `fer_input`
//! (its preprocessing), `weights` (all model file I/O), `source` (FrameSource: camera, image,
//! folder), `smooth` (temporal smoothing), `pipeline` (detect → align → classify), `service`
//! (the thread).

pub mod align;
pub mod anchors;
pub mod blazeface;
pub mod detect;
pub mod fer;
pub mod fer_input;
pub mod pipeline;
pub mod service;
pub mod smooth;
pub mod source;
pub mod weights;
