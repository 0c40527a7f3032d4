//! The album art as the terminal shows it: how the terminal draws images ([`ImageDrawer`]: an
//! image protocol it speaks, or half blocks), the decoded cover of the playing track, and the
//! image fitted to the art pane. Terminal state, not app state: `render` gets the fitted protocol
//! to draw. Owned by the UI thread.

use std::path::{Path, PathBuf};

use ratatui::layout::{Rect, Size};
use ratatui_image::picker::Picker;
use ratatui_image::protocol::halfblocks::Halfblocks;
use ratatui_image::protocol::Protocol;
use ratatui_image::Resize;

/// How covers are drawn.
pub enum ImageDrawer {
    /// The protocol the terminal answered with (kitty, sixel, iTerm2, or half blocks).
    Protocol(Picker),
    /// Half-block characters, fitted here: no query, and no change to the terminal or tmux
    /// (ratatui-image's own constructors turn on tmux's `allow-passthrough`).
    HalfBlocks,
}

impl ImageDrawer {
    fn fit(&self, img: &image::DynamicImage, area: Rect) -> Option<Protocol> {
        match self {
            ImageDrawer::Protocol(p) => {
                let size = Size::new(area.width, area.height);
                p.new_protocol(img.clone(), size, Resize::Fit(None)).ok()
            }
            ImageDrawer::HalfBlocks => {
                let size = half_block_size(img.width(), img.height(), area)?;
                Halfblocks::new(img.clone(), size)
                    .ok()
                    .map(Protocol::Halfblocks)
            }
        }
    }
}

/// The cells an image of `w`×`h` pixels takes when fitted into `area` in half blocks (each cell
/// two square pixels, one above the other), keeping its shape; `None` if nothing fits.
fn half_block_size(w: u32, h: u32, area: Rect) -> Option<Size> {
    if w == 0 || h == 0 || area.width == 0 || area.height == 0 {
        return None;
    }
    let (w, h) = (f64::from(w), f64::from(h));
    let scale = (f64::from(area.width) / w).min(f64::from(area.height) * 2.0 / h);
    let cols = (w * scale).round().clamp(1.0, f64::from(area.width)) as u16;
    let rows = (h * scale / 2.0).round().clamp(1.0, f64::from(area.height)) as u16;
    Some(Size::new(cols, rows))
}

/// The cover of the playing track, ready to draw.
pub struct ArtView {
    /// `None` when `[ui] art` is off.
    picker: Option<ImageDrawer>,
    /// The track whose cover is wanted (a decode may still be on its way).
    path: Option<PathBuf>,
    image: Option<image::DynamicImage>,
    /// The image fitted to `rect`, the art pane it was fitted for.
    fitted: Option<(Protocol, Rect)>,
}

impl ArtView {
    pub fn new(picker: Option<ImageDrawer>) -> ArtView {
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

    /// Where the cover was last fitted, i.e. drawn (`None`: no cover on screen), for the mouse's
    /// hit test.
    pub fn shown(&self) -> Option<Rect> {
        self.fitted.as_ref().map(|(_, r)| *r)
    }

    /// Fits the cover to `area` (the art pane, if the layout has one), again only when the image
    /// or the pane changed, and returns what to draw there.
    pub fn fit(&mut self, area: Option<Rect>) -> Option<(&Protocol, Rect)> {
        let (Some(picker), Some(img), Some(area)) = (&self.picker, &self.image, area) else {
            self.fitted = None;
            return None;
        };
        if self.fitted.as_ref().is_none_or(|(_, r)| *r != area) {
            self.fitted = picker.fit(img, area).map(|p| (p, area));
        }
        self.fitted.as_ref().map(|(p, r)| (p, *r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_blocks_keep_the_shape_and_fit_the_pane() {
        let pane = Rect::new(0, 0, 20, 10);
        // A square cover in a 20×10 pane: 20 square pixels tall fit, so 20 columns by 10 rows.
        assert_eq!(half_block_size(500, 500, pane), Some(Size::new(20, 10)));
        // A wide one is limited by the width, a tall one by the height.
        assert_eq!(half_block_size(1000, 250, pane), Some(Size::new(20, 3)));
        assert_eq!(half_block_size(250, 1000, pane), Some(Size::new(5, 10)));
        assert_eq!(half_block_size(0, 10, pane), None);
        assert_eq!(half_block_size(10, 10, Rect::new(0, 0, 0, 4)), None);
    }
}
