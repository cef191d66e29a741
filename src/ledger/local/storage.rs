//! The numbers' kept storage (`audit::storage`) in the data dir: `storage.jsonl` (0600), one
//! appended line per read, a batch of reads in one write. Reading folds the lines into a book
//! (the newest read of each number); the file is read with a cap, and rewritten folded once it
//! has grown to twice what folding leaves, under its own lock (`storage.lock`: never the
//! trail's, which admissions wait on).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::audit::{StorageBook, StorageEntry};
use crate::flock::FileLock;

pub const STORAGE_FILE: &str = "storage.jsonl";
const STORAGE_LOCK_FILE: &str = "storage.lock";

/// What is read at most: an entry is about 130 bytes, so 20,000 numbers fold into 2.6 MB, and
/// the file is folded at twice its folded size.
pub const READ_CAP: u64 = 32 * 1024 * 1024;
/// The least size at which an append folds the file.
const FOLD_AT: u64 = 1024 * 1024;

#[derive(Debug)]
pub struct StorageFile {
    path: PathBuf,
    lock: PathBuf,
    /// Past this size an append folds the file: [`FOLD_AT`], or twice what the last fold
    /// left (a large fleet folds now and then, not at every append).
    fold_at: AtomicU64,
}

impl Clone for StorageFile {
    fn clone(&self) -> Self {
        StorageFile {
            path: self.path.clone(),
            lock: self.lock.clone(),
            fold_at: AtomicU64::new(self.fold_at.load(Ordering::Relaxed)),
        }
    }
}

impl StorageFile {
    pub fn in_dir(dir: &Path) -> Self {
        StorageFile {
            path: dir.join(STORAGE_FILE),
            lock: dir.join(STORAGE_LOCK_FILE),
            fold_at: AtomicU64::new(FOLD_AT),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `entries` in one write; folds the file when it has grown.
    pub fn append(&self, entries: &[StorageEntry]) -> io::Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::paths::create_private_dir(dir)?;
        }
        let mut lines = Vec::with_capacity(entries.len() * 140);
        for entry in entries {
            serde_json::to_writer(&mut lines, entry).map_err(io::Error::other)?;
            lines.push(b'\n');
        }
        let _guard = FileLock::exclusive(&self.lock)?;
        let mut file = crate::private_file::append(&self.path)?;
        if !crate::private_file::ends_with_newline(&mut file)? {
            // A torn line from a crash stays a line of its own.
            lines.insert(0, b'\n');
        }
        file.write_all(&lines)?;
        file.sync_data()?;
        let len = file.metadata()?.len();
        drop(file);
        if len > self.fold_at.load(Ordering::Relaxed) {
            let folded = self.fold()?;
            self.fold_at
                .store(FOLD_AT.max(folded.saturating_mul(2)), Ordering::Relaxed);
        }
        Ok(())
    }

    /// Every number's newest entry. A missing file holds none; a file over the cap is an
    /// error that says so (nothing of it is read: every storage is then unknown).
    pub fn read(&self) -> io::Result<StorageBook> {
        let bytes = match crate::private_file::read_capped(&self.path, READ_CAP) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(StorageBook::default()),
            Err(e) if e.kind() == io::ErrorKind::FileTooLarge => {
                return Err(io::Error::new(
                    e.kind(),
                    format!(
                        "the kept storage {} was not read ({e}): every number's storage is unknown and is read again; remove the file if it is not wareg's",
                        self.path.display()
                    ),
                ));
            }
            Err(e) => return Err(e),
        };
        let mut book = StorageBook::default();
        for raw in bytes.split(|b| *b == b'\n') {
            if raw.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            // A torn line or one from a newer wareg is passed over: a kept storage is a hint,
            // and a number without one is only read again.
            if let Ok(entry) = serde_json::from_slice::<StorageEntry>(raw) {
                book.note(entry);
            }
        }
        Ok(book)
    }

    /// Rewrites the file with one line per number; returns its new size. The lock is held.
    fn fold(&self) -> io::Result<u64> {
        let book = self.read()?;
        let mut out = Vec::with_capacity(book.len() * 140);
        for entry in book.iter() {
            serde_json::to_writer(&mut out, entry).map_err(io::Error::other)?;
            out.push(b'\n');
        }
        crate::private_file::replace(&self.path, &out)?;
        Ok(out.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::NumberId;
    use crate::graph::types::{StorageConfig, StorageStatus};
    use chrono::{Duration, Utc};

    fn entry(number: &str, region: &str, days_ago: i64) -> StorageEntry {
        StorageEntry::new(
            &NumberId::parse(number).unwrap(),
            StorageConfig {
                status: StorageStatus::Enabled,
                data_localization_region: Some(region.into()),
            },
            Utc::now() - Duration::days(days_ago),
        )
    }

    #[test]
    fn entries_are_kept_private_folded_to_the_newest_and_the_file_stays_small() {
        let dir = tempfile::tempdir().unwrap();
        let file = StorageFile::in_dir(dir.path());
        assert!(file.read().unwrap().is_empty(), "no file, nothing known");
        file.append(&[entry("1", "DE", 3), entry("2", "BR", 0)])
            .unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(file.path())
            .and_then(|mut f| f.write_all(b"{\"torn"))
            .unwrap();
        file.append(&[entry("1", "IN", 1)]).unwrap();
        let book = file.read().unwrap();
        assert_eq!(book.len(), 2);
        assert_eq!(
            book.get("1").unwrap().storage.data_localization_region,
            Some("IN".into())
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Reads of the same numbers over and over fold into one line each.
        for round in 0..40 {
            let batch: Vec<StorageEntry> = (0..300)
                .map(|n| entry(&(1000 + n).to_string(), "DE", 40 - round))
                .collect();
            file.append(&batch).unwrap();
        }
        let len = std::fs::metadata(file.path()).unwrap().len();
        assert!(len <= 2 * FOLD_AT, "{len}");
        let book = file.read().unwrap();
        assert_eq!(book.len(), 302);
        assert_eq!(
            book.get("1").unwrap().storage.data_localization_region,
            Some("IN".into())
        );
    }

    #[test]
    fn a_file_over_its_cap_is_not_read_and_the_words_say_what_follows() {
        let dir = tempfile::tempdir().unwrap();
        let file = StorageFile::in_dir(dir.path());
        let planted = std::fs::File::create(file.path()).unwrap();
        planted.set_len(READ_CAP + 1).unwrap();
        let error = file.read().unwrap_err().to_string();
        assert!(error.contains("was not read"), "{error}");
        assert!(error.contains("over its cap"), "{error}");
        assert!(error.contains("read again"), "{error}");
    }
}
