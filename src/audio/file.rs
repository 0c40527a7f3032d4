//! Opening a file for reading only when it is a regular file: a FIFO, socket or device named
//! like a song must never block or feed endless bytes to a reader, and a dangling or looping
//! symlink gets a plain reason. Shared by everything that reads audio, art and playlists (the
//! scan probe, the engine's decoder, the mood tagger, cover art, m3u). Runs on the caller's
//! thread; never blocks on a special file.

use std::fs::{self, File, Metadata};
use std::io;
use std::path::Path;

/// Why a path cannot be read as a file. The messages are short reasons meant for a list that
/// already names the file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// A FIFO, socket, device or folder (the kind in words, e.g. "fifo").
    #[error("not a regular file ({0})")]
    NotRegular(&'static str),
    #[error("symlink loop")]
    SymlinkLoop,
    #[error("dangling symlink")]
    Dangling,
    #[error("{}", io_reason(.0))]
    Io(#[source] io::Error),
}

impl FileError {
    /// The I/O error behind this one, if any (for callers that distinguish "not found").
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            FileError::Io(e) => Some(e.kind()),
            _ => None,
        }
    }
}

/// An I/O error in words, without Rust's debug text or the "(os error N)" suffix.
pub fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_lowercase(),
                None => text,
            }
        }
    }
}

/// The kind of a non-regular file in words, `None` for a regular file.
pub fn special_kind(meta: &Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("folder")
    } else if t.is_fifo() {
        Some("fifo")
    } else if t.is_socket() {
        Some("socket")
    } else if t.is_char_device() || t.is_block_device() {
        Some("device file")
    } else {
        Some("unknown kind")
    }
}

/// Why `e`, from following `path`, happened: a loop or a dangling link get their own reason.
fn classify(path: &Path, e: io::Error) -> FileError {
    if e.raw_os_error() == Some(libc::ELOOP) {
        return FileError::SymlinkLoop;
    }
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if e.kind() == io::ErrorKind::NotFound && is_link {
        FileError::Dangling
    } else {
        FileError::Io(e)
    }
}

/// The metadata of `path` after following links, when it is a regular file.
pub fn regular_metadata(path: &Path) -> Result<Metadata, FileError> {
    let meta = fs::metadata(path).map_err(|e| classify(path, e))?;
    match special_kind(&meta) {
        None => Ok(meta),
        Some(kind) => Err(FileError::NotRegular(kind)),
    }
}

/// Opens `path` for reading when it is a regular file. Checks the kind first, then opens with
/// `O_NONBLOCK` (so a file swapped for a FIFO in between cannot block the open) and checks the
/// opened file again; on a regular file `O_NONBLOCK` changes nothing.
pub fn open_regular(path: &Path) -> Result<File, FileError> {
    use std::os::unix::fs::OpenOptionsExt;
    regular_metadata(path)?;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| classify(path, e))?;
    let meta = file.metadata().map_err(FileError::Io)?;
    match special_kind(&meta) {
        None => Ok(file),
        Some(kind) => Err(FileError::NotRegular(kind)),
    }
}

/// Reads a whole regular file, refusing one larger than `max` bytes.
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, FileError> {
    use std::io::Read;
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(FileError::Io)?;
    if bytes.len() as u64 > max {
        return Err(FileError::Io(io::Error::other(format!(
            "larger than {max} bytes"
        ))));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn mkfifo(path: &Path) {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("path");
        // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
    }

    #[test]
    fn special_files_and_broken_links_get_a_reason_without_blocking() {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        mkfifo(&d.join("pipe.mp3"));
        symlink(d.join("missing.mp3"), d.join("dangling.mp3")).expect("link");
        symlink(d.join("b.mp3"), d.join("a.mp3")).expect("link");
        symlink(d.join("a.mp3"), d.join("b.mp3")).expect("link");
        symlink("/dev/zero", d.join("zero.mp3")).expect("link");
        fs::write(d.join("ok.mp3"), b"data").expect("write");
        let reason = |name: &str| {
            open_regular(&d.join(name))
                .map(|_| ())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(reason("pipe.mp3"), "not a regular file (fifo)");
        assert_eq!(reason("dangling.mp3"), "dangling symlink");
        assert_eq!(reason("a.mp3"), "symlink loop");
        assert_eq!(reason("zero.mp3"), "not a regular file (device file)");
        assert_eq!(reason("."), "not a regular file (folder)");
        assert_eq!(reason("nothing.mp3"), "no such file");
        assert!(open_regular(&d.join("ok.mp3")).is_ok());
        assert_eq!(read_regular(&d.join("ok.mp3"), 4).expect("read"), b"data");
        assert!(
            read_regular(&d.join("ok.mp3"), 3).is_err(),
            "over the limit"
        );
    }
}
