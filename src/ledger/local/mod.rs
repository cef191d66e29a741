//! The local trail as a ledger: the JSON-lines file in the data dir (`file`, read from its end
//! by `tail`), with an advisory lock file beside it (`audit.lock`) that serialises admissions
//! between every wareg process on the machine (the CLI, the TUI, two terminals). One lock for
//! all numbers: it is held only for the read, the check and one fsynced append, so contention
//! costs milliseconds. The budget index beside the trail (`index`) is written under the same
//! lock, after the trail.

use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::io;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

mod facts;
mod file;
mod forward;
pub mod index;
mod lines;
mod storage;
pub mod tail;

pub use facts::{FACTS_FILE, FactFile};
pub use file::{AuditLog, AuditRead};
pub use storage::{STORAGE_FILE, StorageFile};

use super::{Found, Ledger, Query, Sink};
use crate::audit::{
    AuditRecord, BudgetBook, BudgetFact, Fact, FactBook, StorageBook, StorageEntry,
};
use crate::config::BudgetPolicy;
use crate::flock::FileLock;
use crate::graph::NumberId;
use index::{Scan, Unusable};

#[derive(Debug, Clone)]
pub struct LocalTrail {
    log: AuditLog,
    lock_path: PathBuf,
    index_path: PathBuf,
    facts: FactFile,
    storage: StorageFile,
}

/// How far the index may fall behind the trail (lines appended by a wareg that keeps no index)
/// before a reader brings it up to date rather than parse those lines each time.
const INDEX_LAG_MAX: u64 = 64 * 1024;

/// How far back an index made on an append reaches (a read of a longer window remakes it):
/// the default budget window and the slack a read goes past it.
const FRESH_INDEX_REACH: chrono::Duration = chrono::Duration::days(8);

impl LocalTrail {
    pub fn in_dir(dir: &Path) -> Self {
        let log = AuditLog::in_dir(dir);
        LocalTrail {
            index_path: index::path_of(log.path()),
            log,
            lock_path: dir.join(crate::paths::AUDIT_LOCK_FILE),
            facts: FactFile::in_dir(dir),
            storage: StorageFile::in_dir(dir),
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

    /// With the lock held: the index brought up to the trail. Best effort: the trail is
    /// written already, and a reader that finds the index behind reads the trail instead.
    fn sync_index(&self, since: DateTime<Utc>) {
        if let Err(e) = index::sync(self.log.path(), &self.index_path, since) {
            tracing::debug!(target: "wareg::audit", "the budget index was not updated: {e}");
        }
    }

    /// `read` through the index; None when it cannot be used and the trail must be read.
    /// Without the lock: an index that is missing, out of step, far behind or starting too
    /// late for this window is brought up to date first, if no other process holds the lock
    /// now (one that does is writing it).
    fn through_index<T>(
        &self,
        since: DateTime<Utc>,
        read: impl Fn(&Path, &Path) -> Result<(T, Scan), Unusable>,
    ) -> Option<T> {
        let first = read(self.log.path(), &self.index_path);
        let remake = match &first {
            Ok((_, scan)) if scan.lag <= INDEX_LAG_MAX && !scan.started_late => {
                return first.ok().map(|(found, _)| found);
            }
            Ok((_, scan)) => scan.started_late,
            Err(Unusable::Missing | Unusable::OutOfStep) => false,
            Err(Unusable::Io(e)) => {
                tracing::debug!(target: "wareg::audit", "the budget index is unreadable: {e}");
                return None;
            }
        };
        let Ok(Some(_guard)) = FileLock::try_exclusive(&self.lock_path) else {
            return first.ok().map(|(found, _)| found);
        };
        if remake {
            if let Err(e) = index::remake(self.log.path(), &self.index_path, since) {
                tracing::debug!(target: "wareg::audit", "the budget index was not remade: {e}");
            }
        } else {
            self.sync_index(since);
        }
        read(self.log.path(), &self.index_path)
            .ok()
            .map(|(found, _)| found)
    }

    /// One number's records newer than `since`, through the index when it can be used.
    fn records_of(&self, since: DateTime<Utc>, number: &str) -> io::Result<Vec<AuditRecord>> {
        let read = |trail: &Path, index: &Path| index::records_of(trail, index, since, number);
        match self.through_index(since, read) {
            Some(records) => Ok(records),
            None => tail::read_since_of(self.log.path(), since, Some(number)),
        }
    }
}

/// How far back `recent` looks: the screen shows recent work, not a year of history.
const RECENT_HORIZON: chrono::Duration = chrono::Duration::days(90);

impl Ledger for LocalTrail {
    fn admit(
        &self,
        intent: &AuditRecord,
        since: DateTime<Utc>,
        admits: &mut (dyn FnMut(&[AuditRecord]) -> bool + Send),
    ) -> io::Result<bool> {
        let _guard = self.lock()?;
        // Re-read under the lock: the trail as it is now, whoever wrote to it last. Only the
        // window is read, through the index brought up to the trail.
        self.sync_index(since);
        let mine = self.records_of(since, intent.number.as_str())?;
        if !admits(&mine) {
            return Ok(false);
        }
        self.log.append(intent)?;
        self.sync_index(since);
        Ok(true)
    }

    fn append(&self, record: &AuditRecord) -> io::Result<()> {
        // Under the lock, so that the index line follows its trail line.
        let _guard = self.lock()?;
        self.log.append(record)?;
        self.sync_index(record.time - FRESH_INDEX_REACH);
        Ok(())
    }

    fn read_since(&self, since: DateTime<Utc>) -> io::Result<Vec<AuditRecord>> {
        tail::read_since(self.log.path(), since)
    }

    fn read_since_of(
        &self,
        since: DateTime<Utc>,
        number: &NumberId,
    ) -> io::Result<Vec<AuditRecord>> {
        self.records_of(since, number.as_str())
    }

    fn budgets(
        &self,
        since: DateTime<Utc>,
        policy: BudgetPolicy,
        now: DateTime<Utc>,
        only: Option<&HashSet<String>>,
    ) -> io::Result<BudgetBook> {
        let read =
            |trail: &Path, index: &Path| index::budgets(trail, index, since, policy, now, only);
        if let Some(book) = self.through_index(since, read) {
            return Ok(book);
        }
        let records = tail::read_since(self.log.path(), since)?;
        let facts: Vec<BudgetFact> = records.iter().map(BudgetFact::of).collect();
        Ok(BudgetBook::from_facts(&facts, policy, now))
    }

    fn recent(&self, number: Option<&NumberId>, count: usize) -> io::Result<Vec<AuditRecord>> {
        tail::read_last(self.log.path(), count, Utc::now() - RECENT_HORIZON, |r| {
            number.is_none_or(|n| r.number == *n)
        })
    }

    fn query(&self, query: &Query, sink: &mut Sink<'_>) -> io::Result<()> {
        let mut hand = |found: Found| match found {
            Ok(record) if !query.keeps(&record) => ControlFlow::Continue(()),
            found => sink(found),
        };
        match query.since {
            // The window only, found from the trail's end: the cost follows the window.
            Some(since) => tail::stream_since(self.log.path(), since, &mut |r| hand(Ok(r))),
            None => self.log.for_each(hand),
        }
    }

    fn note_fact(&self, fact: &Fact) -> io::Result<()> {
        // Under the trail's lock: two processes never fold the file at once.
        let _guard = self.lock()?;
        self.facts.append(fact, Utc::now())
    }

    fn facts_of(&self, only: Option<&HashSet<String>>) -> io::Result<FactBook> {
        self.facts.read(only)
    }

    fn note_storage(&self, entries: &[StorageEntry]) -> io::Result<()> {
        self.storage.append(entries)
    }

    fn storage_of(&self) -> io::Result<StorageBook> {
        self.storage.read()
    }

    fn describe(&self) -> String {
        format!("local trail {}", self.log.path().display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Operation;
    use crate::graph::Region;
    use std::sync::{Arc, Barrier};

    fn intent(n: usize) -> AuditRecord {
        AuditRecord::intent(
            Utc::now(),
            format!("a{n}"),
            "p",
            &id("1"),
            Operation::Register,
        )
    }

    fn id(number: &str) -> NumberId {
        NumberId::parse(number).unwrap()
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
                        .admit(&intent(n), since, &mut |mine: &[AuditRecord]| {
                            mine.len() < 3
                        })
                        .unwrap()
                })
            })
            .collect();
        let admitted = handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|admitted| *admitted)
            .count();
        assert_eq!(admitted, 3);
        assert_eq!(trail.read_since(since).unwrap().len(), 3);
        assert_eq!(trail.recent(Some(&id("1")), 2).unwrap().len(), 2);
        assert!(trail.recent(Some(&id("2")), 2).unwrap().is_empty());
    }

    /// A trail an older wareg (or a hand) wrote: its number and region were any text then.
    fn old_trail(dir: &Path) -> LocalTrail {
        let trail = LocalTrail::in_dir(dir);
        let at = (Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
        let line = |attempt: &str, number: &str, region: Option<&str>| {
            let region = region.map_or_else(String::new, |r| format!(r#","region":"{r}""#));
            format!(
                r#"{{"time":"{at}","attempt":"{attempt}","phase":"intent","profile":"p","number":"{number}","op":"register"{region}}}"#
            )
        };
        let lines = [
            line("plain", "15550001", None),
            line("phone", "+44 20 7946 0123", None),
            line("us", "15550001", Some("US")),
            line("in", "15550001", Some("in")),
            line("empty", "", None),
        ];
        std::fs::write(trail.log().path(), lines.join("\n") + "\n").unwrap();
        trail
    }

    #[test]
    fn an_old_line_whose_number_or_region_is_not_one_is_skipped_with_why_and_never_panics() {
        let dir = tempfile::tempdir().unwrap();
        let trail = old_trail(dir.path());
        let read = trail.log().read().unwrap();
        let kept: Vec<(&str, Option<Region>)> = read
            .records
            .iter()
            .map(|r| (r.attempt.as_str(), r.region))
            .collect();
        assert_eq!(kept, [("plain", None), ("in", Some(Region::In))]);
        let skipped: Vec<(usize, &str)> = read
            .skipped
            .iter()
            .map(|s| (s.line, s.reason.as_str()))
            .collect();
        assert_eq!(skipped.len(), 3, "{skipped:?}");
        assert_eq!(skipped[0].0, 2);
        assert!(
            skipped[0]
                .1
                .contains("`+44 20 7946 0123` is not a numeric id"),
            "{skipped:?}"
        );
        assert_eq!(skipped[1].0, 3);
        assert!(skipped[1].1.contains("unknown region `US`"), "{skipped:?}");
        assert_eq!(skipped[2].0, 5);
        assert!(skipped[2].1.contains("an id is required"), "{skipped:?}");

        // The streamed read and the reads from the end agree, the index too.
        let mut streamed = (0, 0);
        trail
            .log()
            .for_each(|line| {
                match line {
                    Ok(_) => streamed.0 += 1,
                    Err(_) => streamed.1 += 1,
                }
                std::ops::ControlFlow::Continue(())
            })
            .unwrap();
        assert_eq!(streamed, (2, 3));
        let since = Utc::now() - chrono::Duration::days(1);
        assert_eq!(trail.read_since(since).unwrap(), read.records);
        assert_eq!(
            trail.read_since_of(since, &id("15550001")).unwrap(),
            read.records
        );
        assert_eq!(trail.recent(None, 10).unwrap(), read.records);
        let policy = BudgetPolicy::default();
        let now = Utc::now();
        let book = trail.budgets(since, policy, now, None).unwrap();
        assert_eq!(book.budget("15550001", Operation::Register).used, 2);
        assert!(
            index::path_of(trail.log().path()).exists(),
            "read through the index"
        );
        let again = trail.budgets(since, policy, now, None).unwrap();
        assert_eq!(again.budget("15550001", Operation::Register).used, 2);
    }

    /// The attempts (or "skipped N") a query hands over, in order.
    fn asked(trail: &LocalTrail, query: Query, stop_after: usize) -> Vec<String> {
        let mut got = Vec::new();
        trail
            .query(&query, &mut |found| {
                got.push(match found {
                    Ok(record) => record.attempt,
                    Err(skipped) => format!("skipped {}", skipped.line),
                });
                if got.len() == stop_after {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .unwrap();
        got
    }

    #[test]
    fn a_query_hands_over_what_it_asks_for_oldest_first_and_stops_when_told() {
        let dir = tempfile::tempdir().unwrap();
        let trail = LocalTrail::in_dir(dir.path());
        let now = Utc::now();
        let write = |days: i64, attempt: &str, number: &str, op: Operation, who: &str| {
            let mut r = AuditRecord::intent(
                now - chrono::Duration::days(days),
                attempt,
                "p",
                &id(number),
                op,
            );
            r.operator = Some(who.into());
            trail.append(&r).unwrap();
        };
        write(400, "old", "1", Operation::Register, "ana@desk-1");
        std::fs::OpenOptions::new()
            .append(true)
            .open(trail.log().path())
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"not a record\n"))
            .unwrap();
        write(10, "ten", "1", Operation::Deregister, "ana@desk-2");
        write(2, "two", "2", Operation::Register, "bo@desk-2");
        write(1, "one", "1", Operation::Register, "bo@desk-2");
        let all = usize::MAX;
        assert_eq!(
            asked(&trail, Query::default(), all),
            ["old", "skipped 2", "ten", "two", "one"]
        );
        let since = |days| Some(now - chrono::Duration::days(days));
        let week = Query {
            since: since(7),
            ..Query::default()
        };
        assert_eq!(asked(&trail, week.clone(), all), ["two", "one"]);
        let ones = Query {
            number: Some(id("1")),
            ..Query::default()
        };
        assert_eq!(
            asked(&trail, ones.clone(), all),
            ["old", "skipped 2", "ten", "one"]
        );
        let registers = Query {
            op: Some(Operation::Register),
            since: since(30),
            ..ones.clone()
        };
        assert_eq!(asked(&trail, registers, all), ["one"]);
        let ana = Query {
            operator: Some("ana".into()),
            ..Query::default()
        };
        assert_eq!(asked(&trail, ana, all), ["old", "skipped 2", "ten"]);
        let desk_2 = Query {
            operator: Some("ana@desk-2".into()),
            since: since(30),
            ..Query::default()
        };
        assert_eq!(asked(&trail, desk_2, all), ["ten"]);
        assert_eq!(asked(&trail, Query::default(), 2), ["old", "skipped 2"]);
        assert_eq!(asked(&trail, week, 1), ["two"]);
        let empty = LocalTrail::in_dir(&dir.path().join("none"));
        assert!(asked(&empty, ones, all).is_empty());
    }
}
