//! The local trail as a ledger: the JSON-lines file in the data dir, with an advisory lock file
//! beside it (`audit.lock`) that serialises admissions between every wareg process on the
//! machine (the CLI, the TUI, two terminals). One lock for all numbers: it is held only for
//! the read, the check and one fsynced append, so contention costs milliseconds.

use chrono::{DateTime, Utc};
use std::io;
use std::path::{Path, PathBuf};

use super::{Ledger, Refusal};
use crate::audit::{AuditLog, AuditRecord, tail};
use crate::flock::FileLock;

#[derive(Debug, Clone)]
pub struct LocalTrail {
    log: AuditLog,
    lock_path: PathBuf,
}

impl LocalTrail {
    pub fn in_dir(dir: &Path) -> Self {
        LocalTrail {
            log: AuditLog::in_dir(dir),
            lock_path: dir.join(crate::paths::AUDIT_LOCK_FILE),
        }
    }

    pub fn log(&self) -> &AuditLog {
        &self.log
    }

    fn lock(&self) -> io::Result<FileLock> {
        if let Some(dir) = self.lock_path.parent() {
            crate::paths::create_private_dir(dir)?;
        }
        FileLock::exclusive(&self.lock_path)
    }
}

/// How far back `recent` looks: the screen shows recent work, not a year of history.
const RECENT_HORIZON: chrono::Duration = chrono::Duration::days(90);

impl Ledger for LocalTrail {
    fn admit(
        &self,
        intent: &AuditRecord,
        since: DateTime<Utc>,
        check: &(dyn Fn(&[AuditRecord]) -> Option<Refusal> + Sync),
    ) -> io::Result<Option<Refusal>> {
        let _guard = self.lock()?;
        // Re-read under the lock: the trail as it is now, whoever wrote to it last. Only the
        // window is read, from the end of the file.
        let mine = tail::read_since_of(self.log.path(), since, Some(&intent.number))?;
        if let Some(refusal) = check(&mine) {
            return Ok(Some(refusal));
        }
        self.log.append(intent)?;
        Ok(None)
    }

    fn append(&self, record: &AuditRecord) -> io::Result<()> {
        self.log.append(record)
    }

    fn read_since(&self, since: DateTime<Utc>) -> io::Result<Vec<AuditRecord>> {
        tail::read_since(self.log.path(), since)
    }

    fn read_since_of(&self, since: DateTime<Utc>, number: &str) -> io::Result<Vec<AuditRecord>> {
        tail::read_since_of(self.log.path(), since, Some(number))
    }

    fn recent(&self, number: Option<&str>, count: usize) -> io::Result<Vec<AuditRecord>> {
        tail::read_last(self.log.path(), count, Utc::now() - RECENT_HORIZON, |r| {
            number.is_none_or(|n| r.number == n)
        })
    }

    fn describe(&self) -> String {
        format!("local trail {}", self.log.path().display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Operation;
    use std::sync::{Arc, Barrier};

    fn intent(n: usize) -> AuditRecord {
        AuditRecord::intent(Utc::now(), format!("a{n}"), "p", "1", Operation::Register)
    }

    #[test]
    fn admissions_from_many_threads_never_pass_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let trail = Arc::new(LocalTrail::in_dir(dir.path()));
        let barrier = Arc::new(Barrier::new(8));
        let since = Utc::now() - chrono::Duration::hours(1);
        let handles: Vec<_> = (0..8)
            .map(|n| {
                let (trail, barrier) = (trail.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    trail
                        .admit(&intent(n), since, &|mine: &[AuditRecord]| {
                            (mine.len() >= 3).then(|| Refusal("full".into()))
                        })
                        .unwrap()
                })
            })
            .collect();
        let admitted = handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(Option::is_none)
            .count();
        assert_eq!(admitted, 3);
        assert_eq!(trail.read_since(since).unwrap().len(), 3);
        assert_eq!(trail.recent(Some("1"), 2).unwrap().len(), 2);
        assert!(trail.recent(Some("2"), 2).unwrap().is_empty());
    }
}
