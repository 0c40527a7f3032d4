//! The album art as the terminal shows it: the image protocol the terminal speaks (`Picker`), the
//! decoded cover of the playing track, and the protocol fitted to the art pane. Terminal state,
//! not app state: `render` gets the fitted protocol to draw. Owned by the UI thread.

use std::path::{Path, PathBuf};

use ratatui::layout::{Rect, Size};
use ratatui_image::picker::Picker;
use ratatui_image::protocol::Protocol;
use ratatui_image::Resize;

/// The cover of the playing track, ready to draw.
pub struct ArtView {
    /// `None` when the terminal cannot draw images or `[ui] art` is off.
    picker: Option<Picker>,
    /// The track whose cover is wanted (a decode may still be on its way).
    path: Option<PathBuf>,
    image: Option<image::DynamicImage>,
    /// The image fitted to `rect`, the art pane it was fitted for.
    fitted: Option<(Protocol, Rect)>,
}

impl ArtView {
    pub fn new(picker: Option<Picker>) -> ArtView {
        ArtView {
            picker,
            path: None,
            image: None,
            fitted: None,
        }
    }

    /// Whether covers are shown at all (worth decoding).
    pub fn enabled(&self) -> bool {
        self.picker.is_some()
    }

    /// Starts wanting the cover of `path` (`None`: nothing plays); returns whether that is new,
    /// i.e. whether a decode should start.
    pub fn want(&mut self, path: Option<&Path>) -> bool {
        if self.path.as_deref() == path {
            return false;
        }
        self.path = path.map(Path::to_path_buf);
        self.image = None;
        self.fitted = None;
        self.path.is_some() && self.enabled()
    }

    /// A decoded cover arrived; kept only if it is still the wanted one.
    pub fn arrived(&mut self, path: Option<PathBuf>, image: Option<image::DynamicImage>) {
        if path == self.path {
            self.image = image;
            self.fitted = None;
        }
    }

    /// The terminal was resized: fit again on the next draw.
    pub fn invalidate(&mut self) {
        self.fitted = None;
    }

    /// Fits the cover to `area` (the art pane, if the layout has one), again only when the image
    /// or the pane changed, and returns what to draw there.
    pub fn fit(&mut self, area: Option<Rect>) -> Option<(&Protocol, Rect)> {
        let (Some(picker), Some(img), Some(area)) = (&self.picker, &self.image, area) else {
            self.fitted = None;
            return None;
        };
        if self.fitted.as_ref().is_none_or(|(_, r)| *r != area) {
            let size = Size::new(area.width, area.height);
            self.fitted = picker
                .new_protocol(img.clone(), size, Resize::Fit(None))
                .ok()
                .map(|p| (p, area));
        }
        self.fitted.as_ref().map(|(p, r)| (p, *r))
    }
}
