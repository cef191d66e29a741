//! An exclusive advisory lock between wareg processes on one machine (the CLI, the TUI, two
//! terminals), for the files in the data dir that are read, checked and written as one step.

use std::fs::{File, TryLockError};
use std::io;
use std::path::Path;

/// An exclusive lock on a file (`File::lock`, an `flock` on Linux), released when dropped (or
/// when the process dies, so a crashed wareg never leaves the lock behind).
pub struct FileLock {
    _file: File,
}

impl FileLock {
    /// Waits until no other process holds the lock, then takes it.
    pub fn exclusive(path: &Path) -> io::Result<FileLock> {
        let file = open(path)?;
        loop {
            match file.lock() {
                Ok(()) => return Ok(FileLock { _file: file }),
                // A signal woke the wait; the lock is still wanted.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// The lock if no other process holds it now; None if one does.
    pub fn try_exclusive(path: &Path) -> io::Result<Option<FileLock>> {
        let file = open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(FileLock { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(e),
        }
    }
}

/// Lock files live in the data dir: opened 0600 and never through a link.
fn open(path: &Path) -> io::Result<File> {
    crate::private_file::open_lock(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_the_lock_goes_with_its_guard() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let held = FileLock::exclusive(&path).unwrap();
        assert!(FileLock::try_exclusive(&path).unwrap().is_none(), "held");
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = {
            let path = path.clone();
            std::thread::spawn(move || {
                let _lock = FileLock::exclusive(&path).unwrap();
                tx.send(()).unwrap();
            })
        };
        assert!(
            rx.recv_timeout(std::time::Duration::from_millis(200))
                .is_err(),
            "a blocking taker waits"
        );
        drop(held);
        rx.recv_timeout(std::time::Duration::from_secs(5))
            .expect("taken once released");
        waiter.join().unwrap();
        assert!(FileLock::try_exclusive(&path).unwrap().is_some());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
