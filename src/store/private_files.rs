//! Keeping the database private to its user: the umask held while sled creates its files, the
//! walk that tightens modes afterwards, and writing a private file durably (0600, fsynced, its
//! directory fsynced after a rename). Runs on the thread calling `Store::open`.

use super::{io_error, Result};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Serialises `Store::open` calls' umask changes: the umask is per process, so two threads
/// opening at once must not restore each other's value.
static UMASK_LOCK: Mutex<()> = Mutex::new(());

/// Sets the process umask to 0o077 while alive, restoring the previous one on drop.
pub(super) struct PrivateUmask {
    previous: libc::mode_t,
    _lock: MutexGuard<'static, ()>,
}

impl PrivateUmask {
    pub(super) fn set() -> PrivateUmask {
        let lock = UMASK_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
        // SAFETY: umask only swaps the process's file-creation mask and cannot fail.
        let previous = unsafe { libc::umask(0o077) };
        PrivateUmask {
            previous,
            _lock: lock,
        }
    }
}

impl Drop for PrivateUmask {
    fn drop(&mut self) {
        // SAFETY: as in `set`; the lock is still held, as fields drop after this body.
        unsafe { libc::umask(self.previous) };
    }
}

/// Makes every directory under `root` (itself included) 0700 and every file 0600. Symlinks are
/// left alone; an entry that vanishes meanwhile (sled removing an old snapshot) is skipped.
pub(super) fn restrict_permissions(root: &Path) -> Result<()> {
    let mut pending = vec![root.to_path_buf()];
    while let Some(path) = pending.pop() {
        let meta = match fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_error(&path, e)),
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            continue;
        }
        let mode = if kind.is_dir() { 0o700 } else { 0o600 };
        if meta.permissions().mode() & 0o7777 != mode {
            match fs::set_permissions(&path, fs::Permissions::from_mode(mode)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io_error(&path, e)),
                _ => {}
            }
        }
        if kind.is_dir() {
            let entries = fs::read_dir(&path).map_err(|e| io_error(&path, e))?;
            for entry in entries {
                pending.push(entry.map_err(|e| io_error(&path, e))?.path());
            }
        }
    }
    Ok(())
}

/// Writes `bytes` to a new 0600 file at `path` and fsyncs it.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| io_error(path, e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| io_error(path, e))
}

/// Fsyncs the directory holding `path`, so a rename in it is durable.
pub fn sync_dir(path: &Path) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error(dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restrict_permissions_fixes_loose_files_and_dirs() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let sub = tmp.path().join("sub");
        fs::create_dir(&sub).expect("mkdir");
        let file = sub.join("f");
        fs::write(&file, b"x").expect("write");
        fs::set_permissions(&sub, fs::Permissions::from_mode(0o755)).expect("chmod");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).expect("chmod");
        restrict_permissions(tmp.path()).expect("restrict");
        let mode = |p: &Path| fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode(&sub), 0o700);
        assert_eq!(mode(&file), 0o600);
    }

    /// The process umask, read under the lock so no `PrivateUmask` is live meanwhile.
    fn current_umask() -> libc::mode_t {
        let _lock = UMASK_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
        // SAFETY: swaps the umask and immediately puts the same value back.
        unsafe {
            let current = libc::umask(0o022);
            libc::umask(current);
            current
        }
    }

    #[test]
    fn private_umask_applies_while_held_and_is_restored_after() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("f");
        let before = current_umask();
        {
            let _umask = PrivateUmask::set();
            fs::write(&file, b"x").expect("write");
        }
        assert_eq!(current_umask(), before, "the umask was not restored");
        let mode = fs::metadata(&file).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "group/other bits set: {mode:o}");
    }
}
