//! Files and folders only their user can read: the data dir (0700) and every file mien writes
//! into it or exports (0600: the log, saved playlists, exports). Pure helpers on paths, called by
//! whoever creates the file.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Creates `dir` (and its parents, with the usual mode) if needed, and makes `dir` itself 0700.
/// A directory mien did not create keeps its mode if it is not the user's to change.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let mode = fs::metadata(dir)?.permissions().mode() & 0o777;
    if mode != 0o700 {
        if let Err(e) = fs::set_permissions(dir, fs::Permissions::from_mode(0o700)) {
            // Not ours to change (another owner, a read-only mount): it still works.
            tracing::debug!(dir = %dir.display(), error = %e, "cannot make the folder private");
        }
    }
    Ok(())
}

/// Opens `path` for writing as a 0600 file (created, or made 0600 if it exists), appending or
/// truncating.
pub fn private_file(path: &Path, append: bool) -> io::Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .mode(0o600)
        .open(path)?;
    let mode = file.metadata()?.permissions().mode() & 0o777;
    if mode != 0o600 {
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn folders_become_0700_and_files_0600_even_when_they_existed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        let log = dir.join("mien.log");
        fs::write(&log, "old\n").unwrap();
        fs::set_permissions(&log, fs::Permissions::from_mode(0o644)).unwrap();
        use std::io::Write;
        private_file(&log, true)
            .unwrap()
            .write_all(b"new\n")
            .unwrap();
        assert_eq!(mode(&log), 0o600);
        assert_eq!(fs::read_to_string(&log).unwrap(), "old\nnew\n");
        let fresh = dir.join("fresh.m3u8");
        private_file(&fresh, false).unwrap();
        assert_eq!(mode(&fresh), 0o600);
    }
}
