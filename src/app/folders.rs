//! The folder view of the library (`F`): the catalogue's files as they lie on disk, for
//! libraries with poor tags. Directories first, then files, each sorted naturally (`2` before
//! `10`); several library folders appear as top entries. Built from the catalogue's paths on the
//! UI thread (no disk access): a folder with no track in it is not shown. Pure.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

use super::browser::{Catalogue, Row};
use crate::core::{Track, TrackId};

/// Where the folder view is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderView {
    /// The library folders (the top entries when there are several).
    roots: Vec<PathBuf>,
    /// The folder shown; `None`: the list of library folders (with more than one).
    pub dir: Option<PathBuf>,
    /// Cursors of the folders above, restored by back.
    stack: Vec<usize>,
}

impl FolderView {
    /// The view at its top: the one library folder's contents, or the list of them.
    pub fn new(roots: Vec<PathBuf>) -> FolderView {
        FolderView {
            dir: top(&roots),
            roots,
            stack: Vec::new(),
        }
    }

    pub fn rows(&self, cat: &Catalogue) -> Vec<Row> {
        match &self.dir {
            None => (self.roots.iter())
                .map(|r| Row::Folder {
                    path: r.clone(),
                    name: r.display().to_string(),
                    tracks: cat.iter().filter(|t| t.path.starts_with(r)).count(),
                })
                .collect(),
            Some(dir) => dir_rows(cat, dir),
        }
    }

    /// Goes into `dir`, remembering `cursor` for the way back.
    pub fn enter(&mut self, dir: PathBuf, cursor: usize) {
        self.stack.push(cursor);
        self.dir = Some(dir);
    }

    /// Goes up one folder; returns the cursor to restore, or `None` at the top.
    pub fn back(&mut self) -> Option<usize> {
        let dir = self.dir.as_ref()?;
        if Some(dir) == top(&self.roots).as_ref() {
            return None;
        }
        self.dir = if self.roots.contains(dir) {
            None
        } else {
            dir.parent().map(Path::to_path_buf)
        };
        Some(self.stack.pop().unwrap_or(0))
    }

    /// The pane title.
    pub fn title(&self) -> String {
        match &self.dir {
            None => "Folders".into(),
            Some(d) => format!("Folder {}", d.display()),
        }
    }
}

/// The top of the view: the single library folder, or `None` (the list) for several.
fn top(roots: &[PathBuf]) -> Option<PathBuf> {
    match roots {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// The library folders to show: the configured ones, else (a catalogue given no folders, as in
/// tests and `mien play`) the deepest folder holding every track.
pub fn roots(configured: &[PathBuf], cat: &Catalogue) -> Vec<PathBuf> {
    if !configured.is_empty() {
        return configured.to_vec();
    }
    let mut common: Option<PathBuf> = None;
    for t in cat.iter() {
        let parent = t.path.parent().unwrap_or(Path::new(""));
        common = Some(match common {
            None => parent.to_path_buf(),
            Some(c) => c
                .components()
                .zip(parent.components())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect(),
        });
    }
    common.into_iter().collect()
}

/// The subfolders of `dir` holding tracks (with how many, at any depth), then its own tracks.
fn dir_rows(cat: &Catalogue, dir: &Path) -> Vec<Row> {
    // Counted by raw name first, sorted once per distinct folder: a 100,000-track library has
    // only hundreds of folders at any level.
    let mut folders: HashMap<&OsStr, usize> = HashMap::new();
    let mut files: Vec<&Track> = Vec::new();
    for t in cat.iter() {
        let Ok(rest) = t.path.strip_prefix(dir) else {
            continue;
        };
        let mut parts = rest.components();
        match (parts.next(), parts.next()) {
            (Some(Component::Normal(first)), Some(_)) => *folders.entry(first).or_default() += 1,
            _ => files.push(t),
        }
    }
    let mut folders: Vec<(String, &OsStr, usize)> = (folders.into_iter())
        .map(|(name, n)| (name.to_string_lossy().into_owned(), name, n))
        .collect();
    folders.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    files.sort_by(|a, b| natural_path_cmp(&a.path, &b.path));
    let folder_rows = (folders.into_iter()).map(|(name, raw, tracks)| Row::Folder {
        path: dir.join(raw),
        name,
        tracks,
    });
    folder_rows
        .chain(files.into_iter().map(|t| Row::Track(t.id)))
        .collect()
}

/// Every track in `dir` and below, in natural path order.
pub fn tracks_under(cat: &Catalogue, dir: &Path) -> Vec<TrackId> {
    let mut tracks: Vec<&Track> = cat.iter().filter(|t| t.path.starts_with(dir)).collect();
    tracks.sort_by(|a, b| natural_path_cmp(&a.path, &b.path));
    tracks.into_iter().map(|t| t.id).collect()
}

/// Paths compared folder by folder with [`natural_cmp`].
pub fn natural_path_cmp(a: &Path, b: &Path) -> Ordering {
    let (mut x, mut y) = (a.components(), b.components());
    loop {
        let (p, q) = match (x.next(), y.next()) {
            (Some(p), Some(q)) => (p, q),
            (p, q) => return p.is_some().cmp(&q.is_some()),
        };
        let (p, q) = (
            p.as_os_str().to_string_lossy(),
            q.as_os_str().to_string_lossy(),
        );
        match natural_cmp(&p, &q) {
            Ordering::Equal => {}
            other => return other,
        }
    }
}

/// Natural order: runs of digits compare as numbers (`track2` < `track10`), the rest
/// case-insensitively; ties are broken by the exact text, so distinct names never compare equal.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a, b);
    loop {
        let (Some(c), Some(d)) = (x.chars().next(), y.chars().next()) else {
            return match (x.is_empty(), y.is_empty()) {
                (true, true) => a.cmp(b),
                (true, false) => Ordering::Less,
                _ => Ordering::Greater,
            };
        };
        let order = if c.is_ascii_digit() && d.is_ascii_digit() {
            let (m, rest_x) = split_digits(x);
            let (n, rest_y) = split_digits(y);
            (x, y) = (rest_x, rest_y);
            // Digit runs compare without overflow: leading zeros dropped, then longer is larger.
            let (m, n) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
            m.len().cmp(&n.len()).then_with(|| m.cmp(n))
        } else {
            (x, y) = (&x[c.len_utf8()..], &y[d.len_utf8()..]);
            if c == d {
                Ordering::Equal
            } else {
                c.to_lowercase().cmp(d.to_lowercase())
            }
        };
        if order != Ordering::Equal {
            return order;
        }
    }
}

/// The leading run of ASCII digits of `s`, and the rest.
fn split_digits(s: &str) -> (&str, &str) {
    s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_puts_2_before_10_and_ignores_case() {
        let mut names = vec![
            "track10.mp3",
            "Track2.mp3",
            "track1.mp3",
            "b",
            "A",
            "track02",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            [
                "A",
                "b",
                "track1.mp3",
                "track02",
                "Track2.mp3",
                "track10.mp3"
            ]
        );
        assert_eq!(natural_cmp("x007", "x7"), "x007".cmp("x7"), "ties by text");
        let long = "9".repeat(40);
        assert_eq!(natural_cmp(&long, "10"), Ordering::Greater, "no overflow");
    }

    #[test]
    fn paths_compare_folder_by_folder() {
        let a = Path::new("/m/CD2/01.flac");
        let b = Path::new("/m/CD10/01.flac");
        assert_eq!(natural_path_cmp(a, b), Ordering::Less);
        assert_eq!(
            natural_path_cmp(Path::new("/m/a"), Path::new("/m/a/b")),
            Ordering::Less
        );
    }
}
