//! Frame sources for the vision thread: the webcam ([`CameraSource`], nokhwa, open only while
//! sampling) and image files ([`ImageSource`], one image or a folder, cycling: `--camera-file`).
//! Frames are `RgbImage`s in memory only: never written, never sent anywhere. Every failure
//! (no camera, busy, unplugged, unreadable image) is a [`SourceError`], never a panic.

use std::path::{Path, PathBuf};

use image::RgbImage;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{
    CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType, Resolution,
};
use nokhwa::{Camera, NokhwaError};

/// Image files an [`ImageSource`] reads from a folder (the `image` crate's enabled formats).
pub const IMAGE_EXTENSIONS: [&str; 3] = ["jpg", "jpeg", "png"];

/// Why no frame came.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("no camera at index {index}")]
    NotFound { index: u32 },
    #[error("camera {index} is busy (another program is using it)")]
    Busy { index: u32 },
    #[error("camera {index} stopped delivering frames (unplugged?): {reason}")]
    Disconnected { index: u32, reason: String },
    #[error("camera {index}: {reason}")]
    Camera { index: u32, reason: String },
    #[error("{}: {source}", path.display())]
    Image {
        path: PathBuf,
        source: image::ImageError,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: no .jpg, .jpeg or .png images there", path.display())]
    NoImages { path: PathBuf },
}

impl SourceError {
    /// A few words for the emotion panel ("no camera: …"); the full error goes to the log.
    pub fn short(&self) -> String {
        match self {
            SourceError::NotFound { index: 0 } => "none found".into(),
            SourceError::NotFound { index } => format!("none at index {index}"),
            SourceError::Busy { index } => format!("camera {index} busy"),
            SourceError::Disconnected { index, .. } => format!("camera {index} lost (unplugged?)"),
            SourceError::Camera { index, .. } => format!("camera {index} failed (see the log)"),
            SourceError::Image { path, .. }
            | SourceError::Io { path, .. }
            | SourceError::NoImages { path } => {
                let name = path.file_name().unwrap_or(path.as_os_str());
                format!("cannot read {}", name.to_string_lossy())
            }
        }
    }
}

/// Something that yields frames. `open` starts the device (camera on), `close` releases it
/// (camera off, LED off); both are idempotent, and `frame` opens first if needed. Not `Send`
/// (nokhwa's camera is not): a source is built and used on one thread, see [`SourceSpec`].
pub trait FrameSource {
    fn open(&mut self) -> Result<(), SourceError>;
    fn frame(&mut self) -> Result<RgbImage, SourceError>;
    fn close(&mut self);
    /// What this source is, for status lines ("camera 0 640×480", "images in faces/").
    fn describe(&self) -> String;
    /// Whether frames arrive in real time (a camera), so a sampler should pace itself by the
    /// clock; image files are available at once.
    fn is_live(&self) -> bool;
}

/// Which webcam and how: from `[camera]` in the config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CameraSettings {
    pub index: u32,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

impl CameraSettings {
    /// The webcam of `[camera]`.
    pub fn from_config(camera: &crate::config::CameraConfig) -> CameraSettings {
        CameraSettings {
            index: camera.device,
            width: camera.width,
            height: camera.height,
            fps: camera.fps,
        }
    }
}

impl Default for CameraSettings {
    fn default() -> Self {
        CameraSettings {
            index: 0,
            width: 640,
            height: 480,
            fps: 30,
        }
    }
}

/// The webcam through nokhwa's native backend (v4l2 on Linux). The device is held only between
/// `open` and `close` (or drop).
pub struct CameraSource {
    settings: CameraSettings,
    camera: Option<Camera>,
}

impl CameraSource {
    /// A closed source: nothing touches the device until `open` or `frame`.
    pub fn new(settings: CameraSettings) -> CameraSource {
        CameraSource {
            settings,
            camera: None,
        }
    }

    /// Sorts nokhwa's stringly errors into ours by what the OS said.
    fn classify(&self, e: NokhwaError, opening: bool) -> SourceError {
        let index = self.settings.index;
        let reason = e.to_string();
        let lower = reason.to_lowercase();
        if lower.contains("busy") {
            SourceError::Busy { index }
        } else if opening && (lower.contains("no such file") || lower.contains("no such device")) {
            SourceError::NotFound { index }
        } else if opening {
            SourceError::Camera { index, reason }
        } else {
            SourceError::Disconnected { index, reason }
        }
    }
}

impl FrameSource for CameraSource {
    fn open(&mut self) -> Result<(), SourceError> {
        if self.camera.is_some() {
            return Ok(());
        }
        let s = self.settings;
        let format = CameraFormat::new(
            Resolution::new(s.width, s.height),
            FrameFormat::MJPEG,
            s.fps,
        );
        let requested = RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(format));
        let opened = Camera::new(CameraIndex::Index(s.index), requested).and_then(|mut camera| {
            camera.open_stream()?;
            Ok(camera)
        });
        match opened {
            Ok(camera) => {
                tracing::info!("camera {} on: {}", s.index, camera.camera_format());
                self.camera = Some(camera);
                Ok(())
            }
            Err(e) => Err(self.classify(e, true)),
        }
    }

    fn frame(&mut self) -> Result<RgbImage, SourceError> {
        self.open()?;
        let Some(camera) = self.camera.as_mut() else {
            return Err(SourceError::NotFound {
                index: self.settings.index,
            });
        };
        let decoded = camera
            .frame()
            .and_then(|buffer| buffer.decode_image::<RgbFormat>());
        match decoded {
            Ok(frame) => Ok(frame),
            Err(e) => {
                self.close();
                Err(self.classify(e, false))
            }
        }
    }

    fn close(&mut self) {
        if let Some(mut camera) = self.camera.take() {
            if let Err(e) = camera.stop_stream() {
                tracing::debug!("camera {}: stopping the stream: {e}", self.settings.index);
            }
            tracing::info!("camera {} off", self.settings.index);
        }
    }

    fn describe(&self) -> String {
        let s = self.settings;
        format!("camera {} {}×{} @{} fps", s.index, s.width, s.height, s.fps)
    }

    fn is_live(&self) -> bool {
        true
    }
}

impl Drop for CameraSource {
    fn drop(&mut self) {
        self.close();
    }
}

/// One image file, or every image in a folder (sorted by name), returned in turn and cycling.
/// Each frame is decoded from disk when asked for; nothing is cached.
pub struct ImageSource {
    root: PathBuf,
    files: Vec<PathBuf>,
    next: usize,
}

impl ImageSource {
    /// Lists the images at `path` (a file, or a folder's `.jpg`/`.jpeg`/`.png` files, not
    /// recursing). A folder without images is an error.
    pub fn new(path: &Path) -> Result<ImageSource, SourceError> {
        let io = |source| SourceError::Io {
            path: path.to_path_buf(),
            source,
        };
        let files = if path.is_dir() {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(path).map_err(io)? {
                let file = entry.map_err(io)?.path();
                let ext = file
                    .extension()
                    .and_then(|e| e.to_str())
                    .map(str::to_lowercase);
                if file.is_file() && ext.is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.as_str())) {
                    files.push(file);
                }
            }
            files.sort();
            files
        } else {
            std::fs::metadata(path).map_err(io)?;
            vec![path.to_path_buf()]
        };
        if files.is_empty() {
            return Err(SourceError::NoImages {
                path: path.to_path_buf(),
            });
        }
        Ok(ImageSource {
            root: path.to_path_buf(),
            files,
            next: 0,
        })
    }

    /// The files, in the order they are returned.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }
}

impl FrameSource for ImageSource {
    fn open(&mut self) -> Result<(), SourceError> {
        Ok(())
    }

    fn frame(&mut self) -> Result<RgbImage, SourceError> {
        let path = &self.files[self.next % self.files.len()];
        self.next = (self.next + 1) % self.files.len();
        let image = image::open(path).map_err(|source| SourceError::Image {
            path: path.clone(),
            source,
        })?;
        Ok(image.to_rgb8())
    }

    fn close(&mut self) {}

    fn describe(&self) -> String {
        format!("images in {}", self.root.display())
    }

    fn is_live(&self) -> bool {
        false
    }
}

/// Where the vision thread gets frames: built on that thread, so the camera lives there alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceSpec {
    Camera(CameraSettings),
    Files(PathBuf),
}

impl SourceSpec {
    pub fn build(&self) -> Result<Box<dyn FrameSource>, SourceError> {
        Ok(match self {
            SourceSpec::Camera(settings) => Box::new(CameraSource::new(*settings)),
            SourceSpec::Files(path) => Box::new(ImageSource::new(path)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::SourceError;

    #[test]
    fn the_panel_words_name_the_usual_camera_plainly() {
        assert_eq!(SourceError::NotFound { index: 0 }.short(), "none found");
        assert_eq!(
            SourceError::NotFound { index: 2 }.short(),
            "none at index 2"
        );
    }
}
