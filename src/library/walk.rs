//! Walking music folders: lists the audio files under a folder with their size and mtime, one
//! stat per audio file, following symlinks but never entering the same directory twice; entries
//! with an audio name that are not regular files (FIFOs, devices, broken links) are listed as
//! skipped with the reason, never opened. Runs on the calling thread (the scanner or the
//! watcher).

use super::probe::{file_stamp, is_audio_path};
use crate::audio::file::{io_reason, regular_metadata, special_kind};
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

/// An audio file found by the walk, with the stamp read while walking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FoundFile {
    pub path: PathBuf,
    pub size: u64,
    pub mtime_ns: i128,
}

/// What a walk found: the audio files, the folders it could not read (their catalogue entries must
/// be kept, not treated as deleted) and a warning for each problem.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    pub files: Vec<FoundFile>,
    pub unreadable: Vec<PathBuf>,
    /// Entries with an audio name that are not regular files (FIFOs, devices, broken links),
    /// with the reason; they are never opened.
    pub skipped: Vec<(PathBuf, String)>,
    pub warnings: Vec<String>,
}

/// Identity of a directory, so that symlink loops and duplicate roots are walked once.
#[cfg(unix)]
type DirKey = (u64, u64);
#[cfg(not(unix))]
type DirKey = PathBuf;

#[cfg(unix)]
fn dir_key(_path: &Path, meta: &fs::Metadata) -> Option<DirKey> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn dir_key(path: &Path, _meta: &fs::Metadata) -> Option<DirKey> {
    fs::canonicalize(path).ok()
}

/// Hidden entries (".git", macOS "._x.mp3" resource forks) are not part of a music library.
fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// Whether the walk of `root` skips `path`: some part of it below the root is hidden.
pub(crate) fn is_hidden_below(root: &Path, path: &Path) -> bool {
    path.strip_prefix(root)
        .is_ok_and(|rest| rest.iter().any(is_hidden))
}

/// Walks `root` recursively, adding to `walk`. `visited` is shared between the roots of one scan.
/// `on_dir` is called for each folder entered, with the number of audio files found so far; it
/// returns `false` to stop the walk early.
pub(crate) fn walk_root(
    root: &Path,
    visited: &mut HashSet<DirKey>,
    walk: &mut Walk,
    on_dir: &mut dyn FnMut(&Path, usize) -> bool,
) {
    let meta = match fs::metadata(root) {
        Ok(m) if m.is_dir() => m,
        Ok(_) => {
            walk.warnings
                .push(format!("music folder {} is not a folder", root.display()));
            walk.unreadable.push(root.to_path_buf());
            return;
        }
        Err(e) => {
            walk.warnings.push(format!(
                "music folder {} cannot be read: {e}",
                root.display()
            ));
            walk.unreadable.push(root.to_path_buf());
            return;
        }
    };
    if let Some(key) = dir_key(root, &meta) {
        if !visited.insert(key) {
            return;
        }
    }
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if !on_dir(&dir, walk.files.len()) {
            return;
        }
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                walk.warnings
                    .push(format!("cannot read folder {}: {e}", dir.display()));
                walk.unreadable.push(dir);
                continue;
            }
        };
        for entry in entries.flatten() {
            if is_hidden(&entry.file_name()) {
                continue;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            let audio = is_audio_path(&path);
            let followed = if kind.is_symlink() {
                fs::metadata(&path)
            } else if kind.is_dir() || audio {
                entry.metadata()
            } else {
                continue;
            };
            let meta = match followed {
                Ok(m) => m,
                Err(_) if kind.is_symlink() => {
                    // Dangling or looping: an audio name is a skipped file, any other a warning.
                    let reason = regular_metadata(&path)
                        .err()
                        .map_or_else(|| "cannot follow symlink".into(), |e| e.to_string());
                    if audio {
                        walk.skipped.push((path, reason));
                    } else {
                        walk.warnings.push(format!("{}: {reason}", path.display()));
                    }
                    continue;
                }
                Err(e) => {
                    walk.warnings.push(format!(
                        "cannot read {}: {}",
                        path.display(),
                        io_reason(&e)
                    ));
                    walk.unreadable.push(path);
                    continue;
                }
            };
            if meta.is_dir() {
                if dir_key(&path, &meta).is_none_or(|key| visited.insert(key)) {
                    stack.push(path);
                }
            } else if audio {
                match special_kind(&meta) {
                    None => {
                        let (size, mtime_ns) = file_stamp(&meta);
                        walk.files.push(FoundFile {
                            path,
                            size,
                            mtime_ns,
                        });
                    }
                    Some(kind) => walk
                        .skipped
                        .push((path, format!("not a regular file ({kind})"))),
                }
            }
        }
    }
}

/// The audio files under `dir` (recursively), or `dir` itself if it is an audio file.
pub(crate) fn audio_files_under(dir: &Path) -> Vec<FoundFile> {
    let mut walk = Walk::default();
    walk_root(dir, &mut HashSet::new(), &mut walk, &mut |_, _| true);
    walk.files
}

/// The form of a root used for every path in the catalogue: canonical when the folder exists
/// (symlinks resolved, so that watcher and scanner paths agree), else absolute.
pub(crate) fn normalize_root(root: &Path) -> PathBuf {
    fs::canonicalize(root)
        .or_else(|_| std::path::absolute(root))
        .unwrap_or_else(|_| root.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_lists_audio_files_only_and_survives_symlink_loops() {
        let dir = tempfile::tempdir().unwrap();
        let album = dir.path().join("Artist/Album");
        fs::create_dir_all(&album).unwrap();
        fs::write(album.join("01.flac"), b"x").unwrap();
        fs::write(album.join("cover.jpg"), b"x").unwrap();
        fs::write(album.join(".hidden.mp3"), b"x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path(), album.join("loop")).unwrap();
        let files = audio_files_under(dir.path());
        let names: Vec<_> = files.iter().map(|f| f.path.file_name().unwrap()).collect();
        assert_eq!(names, ["01.flac"]);
        assert_eq!(files[0].size, 1);
        assert!(is_hidden_below(
            dir.path(),
            &dir.path().join(".Trash/x.mp3")
        ));
        assert!(!is_hidden_below(dir.path(), &album.join("01.flac")));
    }

    #[test]
    fn a_missing_root_is_a_warning_and_marked_unreadable() {
        let mut walk = Walk::default();
        let missing = Path::new("/nonexistent/mien-music");
        walk_root(missing, &mut HashSet::new(), &mut walk, &mut |_, _| true);
        assert!(walk.files.is_empty());
        assert_eq!(walk.unreadable, [missing]);
        assert!(
            walk.warnings[0].contains("/nonexistent/mien-music"),
            "{:?}",
            walk.warnings
        );
    }
}
