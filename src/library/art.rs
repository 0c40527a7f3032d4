//! Cover art: finding a track's picture (embedded, else an image file beside it) and decoding it
//! to a bounded size. Does file I/O and decoding: run it off the UI thread, once per track change.

use crate::audio::file::{open_regular, read_regular};
use image::{DynamicImage, ImageReader, Limits};
use lofty::config::ParseOptions;
use lofty::file::TaggedFileExt;
use lofty::picture::{Picture, PictureType};
use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// Images wider or taller than this are refused rather than decoded.
pub const MAX_DECODE_SIDE: u32 = 4096;
/// Decoded images are scaled down to at most this many pixels on their long side.
pub const MAX_COVER_SIDE: u32 = 512;
/// Image files beside a track larger than this are not read.
const MAX_COVER_FILE_BYTES: u64 = 32 * 1024 * 1024;
/// File stems of cover images, most preferred first; matched case-insensitively.
const COVER_STEMS: [&str; 4] = ["cover", "folder", "front", "album"];
const COVER_EXTENSIONS: [&str; 3] = ["jpg", "jpeg", "png"];

/// The encoded bytes of a cover picture (JPEG or PNG as stored) and where they came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverArt {
    pub bytes: Vec<u8>,
    pub source: CoverSource,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CoverSource {
    /// A picture in the track's own tags.
    Embedded,
    /// An image file in the track's folder.
    File(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum ArtError {
    #[error("cover art is not in a known image format")]
    UnknownFormat,
    #[error("cover art is {width}×{height}, over the {MAX_DECODE_SIDE}×{MAX_DECODE_SIDE} limit")]
    TooLarge { width: u32, height: u32 },
    #[error("cannot decode cover art: {0}")]
    Decode(#[from] image::ImageError),
}

/// Finds the cover of the track at `track_path`: the embedded front-cover picture (else the first
/// embedded picture of any type), else `cover`, `folder`, `front` or `album` `.jpg`/`.jpeg`/`.png`
/// beside it (any case; in that order of preference), else `None`. Unreadable tags or folders
/// count as "no cover" and are logged at debug level.
///
/// Meant use: on a track change, a worker thread calls `find_cover` then [`decode_cover`] and
/// sends the `DynamicImage` to the UI thread by value. The UI thread owns a
/// `ratatui_image::picker::Picker`, created once after entering the alternate screen and raw
/// mode and before the input reader starts, with `Picker::from_query_stdio()` (falling back to
/// `Picker::halfblocks()` on error). For a fixed cover pane it makes
/// `picker.new_protocol(image, area.into(), Resize::Fit(None))` (a `Protocol`, remade when the
/// pane's size changes) and draws it with `frame.render_widget(Image::new(&protocol), area)`.
pub fn find_cover(track_path: &Path) -> Option<CoverArt> {
    embedded_cover(track_path).or_else(|| folder_cover(track_path))
}

/// Decodes cover bytes, guessing the format from their content. Refuses images over
/// [`MAX_DECODE_SIDE`] on either side before decoding them, and scales larger ones down to at most
/// [`MAX_COVER_SIDE`] on the long side (keeping the aspect ratio) with 8 bits per channel.
pub fn decode_cover(bytes: &[u8]) -> Result<DynamicImage, ArtError> {
    let reader = || -> Result<ImageReader<Cursor<&[u8]>>, ArtError> {
        let reader = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| ArtError::Decode(e.into()))?;
        match reader.format() {
            Some(_) => Ok(reader),
            None => Err(ArtError::UnknownFormat),
        }
    };
    let (width, height) = reader()?.into_dimensions()?;
    if width > MAX_DECODE_SIDE || height > MAX_DECODE_SIDE {
        return Err(ArtError::TooLarge { width, height });
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODE_SIDE);
    limits.max_image_height = Some(MAX_DECODE_SIDE);
    limits.max_alloc = Some(u64::from(MAX_DECODE_SIDE).pow(2) * 8 * 2);
    let mut reader = reader()?;
    reader.limits(limits);
    let mut image = reader.decode()?;
    if image.width().max(image.height()) > MAX_COVER_SIDE {
        image = image.thumbnail(MAX_COVER_SIDE, MAX_COVER_SIDE);
    }
    if image.color().bytes_per_pixel() > 4 {
        image = DynamicImage::ImageRgba8(image.to_rgba8());
    }
    Ok(image)
}

fn embedded_cover(track_path: &Path) -> Option<CoverArt> {
    let options = ParseOptions::new().read_properties(false);
    let file = match open_regular(track_path) {
        Ok(file) => file,
        Err(e) => {
            tracing::debug!(path = %track_path.display(), error = %e, "cannot open for cover art");
            return None;
        }
    };
    let tagged = lofty::probe::Probe::new(std::io::BufReader::new(file))
        .options(options)
        .guess_file_type()
        .map_err(lofty::error::LoftyError::from)
        .and_then(|probe| probe.read());
    let tagged = match tagged {
        Ok(tagged) => tagged,
        Err(e) => {
            tracing::debug!(path = %track_path.display(), error = %e, "no readable tags for cover art");
            return None;
        }
    };
    let pictures: Vec<&Picture> = tagged.tags().iter().flat_map(|t| t.pictures()).collect();
    let picture = pictures
        .iter()
        .find(|p| p.pic_type() == PictureType::CoverFront)
        .or(pictures.first())?;
    Some(CoverArt {
        bytes: picture.data().to_vec(),
        source: CoverSource::Embedded,
    })
}

fn folder_cover(track_path: &Path) -> Option<CoverArt> {
    let folder = track_path.parent()?;
    let dir = match fs::read_dir(folder) {
        Ok(dir) => dir,
        Err(e) => {
            tracing::debug!(path = %folder.display(), error = %e, "cannot list folder for cover art");
            return None;
        }
    };
    let mut candidates: Vec<((usize, usize), PathBuf)> = dir
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let path = entry.path();
            Some((cover_rank(&path)?, path))
        })
        .filter(|(_, path)| path.is_file())
        .collect();
    candidates.sort();
    candidates.into_iter().find_map(
        |(_, path)| match read_regular(&path, MAX_COVER_FILE_BYTES) {
            Ok(bytes) => Some(CoverArt {
                bytes,
                source: CoverSource::File(path),
            }),
            Err(e) => {
                tracing::debug!(path = %path.display(), error = %e, "cannot read cover image");
                None
            }
        },
    )
}

/// `(stem preference, extension preference)` when `path` is named like a cover image.
fn cover_rank(path: &Path) -> Option<(usize, usize)> {
    let stem = path.file_stem()?.to_str()?.to_ascii_lowercase();
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    let stem_rank = COVER_STEMS.iter().position(|s| *s == stem)?;
    let ext_rank = COVER_EXTENSIONS.iter().position(|e| *e == ext)?;
    Some((stem_rank, ext_rank))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, RgbImage};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 128]));
        let mut bytes = Vec::new();
        let written =
            DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png);
        written.expect("encode test PNG");
        bytes
    }

    fn bundled(relative: &str) -> Option<PathBuf> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("library/Maxstack")
            .join(relative);
        path.exists().then_some(path).or_else(|| {
            eprintln!("skipped: bundled library file {relative} is missing");
            None
        })
    }

    #[test]
    fn a_cover_png_beside_an_untagged_file_is_found_and_decodes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let track = dir.path().join("song.mp3");
        fs::write(&track, b"not really audio").expect("write dummy track");
        let cover = dir.path().join("cover.png");
        fs::write(&cover, png(3, 2)).expect("write cover");
        let art = find_cover(&track).expect("cover found");
        assert_eq!(art.source, CoverSource::File(cover));
        let img = decode_cover(&art.bytes).expect("decodes");
        assert_eq!((img.width(), img.height()), (3, 2));
    }

    #[test]
    fn cover_names_match_any_case_and_follow_the_preference_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let track = dir.path().join("a.flac");
        fs::write(&track, b"x").expect("write dummy track");
        for name in ["coverage.png", "cover.gif", "Album.JPEG", "FOLDER.Png"] {
            fs::write(dir.path().join(name), png(1, 1)).expect("write image");
        }
        let found = |d: &Path| {
            find_cover(&track).map(|a| a.source) == Some(CoverSource::File(d.to_path_buf()))
        };
        assert!(found(&dir.path().join("FOLDER.Png")));
        fs::remove_file(dir.path().join("FOLDER.Png")).expect("remove");
        assert!(found(&dir.path().join("Album.JPEG")));
        fs::remove_file(dir.path().join("Album.JPEG")).expect("remove");
        assert_eq!(find_cover(&track), None);
    }

    #[test]
    fn big_images_are_scaled_down_and_huge_or_garbage_ones_refused() {
        let img = decode_cover(&png(1024, 600)).expect("decodes");
        assert_eq!(img.width(), MAX_COVER_SIDE);
        assert!(
            img.height() <= 301 && img.height() >= 299,
            "{}",
            img.height()
        );
        assert!(matches!(
            decode_cover(&png(MAX_DECODE_SIDE + 1, 2)),
            Err(ArtError::TooLarge {
                width: 4097,
                height: 2
            })
        ));
        assert!(matches!(
            decode_cover(b"hello"),
            Err(ArtError::UnknownFormat)
        ));
        let mut truncated = png(64, 64);
        truncated.truncate(60);
        assert!(decode_cover(&truncated).is_err());
    }

    #[test]
    fn the_bundled_mp3_has_an_embedded_200px_front_cover() {
        let Some(track) = bundled("Endgame Singularity (Advanced Research)/01 - Aberrations.mp3")
        else {
            return;
        };
        let art = find_cover(&track).expect("embedded cover");
        assert_eq!(art.source, CoverSource::Embedded);
        let img = decode_cover(&art.bytes).expect("decodes");
        assert_eq!((img.width(), img.height()), (200, 200));
    }

    #[test]
    fn the_bundled_soundtrack_uses_the_cover_jpg_beside_it() {
        let Some(track) = bundled("Endgame Singularity Original Soundtrack/04 - Coherence.wav")
        else {
            return;
        };
        let art = find_cover(&track).expect("folder cover");
        let expected = track.with_file_name("cover.jpg");
        assert_eq!(art.source, CoverSource::File(expected));
        assert!(decode_cover(&art.bytes).is_ok());
    }
}
