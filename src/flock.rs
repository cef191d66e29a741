//! An exclusive advisory lock between wareg processes on one machine (the CLI, the TUI, two
//! terminals), for the files in the data dir that are read, checked and written as one step.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// An exclusive `flock` on a file, released when dropped (or when the process dies, so a
/// crashed wareg never leaves the lock behind).
pub struct FileLock {
    _file: File,
}

impl FileLock {
    pub fn exclusive(path: &Path) -> io::Result<FileLock> {
        Self::lock(path, true).map(|l| l.expect("a blocking lock is always taken"))
    }

    /// The lock if no other process holds it now; None if one does.
    pub fn try_exclusive(path: &Path) -> io::Result<Option<FileLock>> {
        Self::lock(path, false)
    }

    fn lock(path: &Path, wait: bool) -> io::Result<Option<FileLock>> {
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(path)?;
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            loop {
                // SAFETY: flock on a descriptor this function owns; no memory is shared.
                let flags = if wait {
                    libc::LOCK_EX
                } else {
                    libc::LOCK_EX | libc::LOCK_NB
                };
                let rc = unsafe { libc::flock(file.as_raw_fd(), flags) };
                if rc == 0 {
                    break;
                }
                let err = io::Error::last_os_error();
                if err.kind() == io::ErrorKind::WouldBlock {
                    return Ok(None);
                }
                if err.kind() != io::ErrorKind::Interrupted {
                    return Err(err);
                }
            }
        }
        Ok(Some(FileLock { _file: file }))
    }
}
