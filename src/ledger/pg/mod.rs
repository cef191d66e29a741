//! The team ledger on PostgreSQL, behind the same interface as the local trail. The budget gate
//! is one transaction per admission: a transaction-scoped advisory lock on the number, the
//! count of its records in the window, the intent inserted, commit; only then does the request
//! leave. Records are only ever inserted (the role needs SELECT and INSERT on them). Every insert notifies
//! the other desks (LISTEN/NOTIFY) with the record itself. Facts about numbers (`audit::fact`)
//! live in a table of their own, one row per number and kind (SELECT, INSERT and UPDATE), and
//! are never notified.
//!
//! If the database cannot be reached before sending, nothing is sent; every call has a deadline
//! (`[ledger] timeout_secs`), past which the ledger counts as not answering (an error of kind
//! `TimedOut`). An outcome that cannot be written after its request went out is kept in the
//! data dir (`ledger-pending.jsonl`) and pushed on the next start or by `wareg ledger sync`;
//! its intent is in the ledger and counts meanwhile.

mod admin;
mod connect;
mod listen;
mod scrub;
mod slot;
mod storage;

pub use admin::{ImportReport, LedgerStatus, latest_schema};
pub use connect::{BadUrl, PgSettings};
pub use listen::{Feed, listen};

use chrono::{DateTime, Utc};
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use connect::{Conn, Failure, by};

use super::{Ledger, Query, Sink};
use crate::audit::{AuditRecord, Fact, FactBook, FactKind, Phase, StorageBook, StorageEntry};
use crate::flock::FileLock;
use crate::graph::NumberId;
use crate::ledger::AuditLog;

/// The local file of outcomes that could not reach the ledger, and its lock.
pub const PENDING_FILE: &str = "ledger-pending.jsonl";
const PENDING_LOCK_FILE: &str = "ledger-pending.lock";

pub struct PgLedger {
    settings: PgSettings,
    /// One connection, opened on first use and again after it broke or timed out; one call
    /// at a time has it.
    slot: slot::Slot,
    pending: AuditLog,
    pending_lock: std::path::PathBuf,
    /// Told when an admission waits for another desk's change of the same number.
    on_wait: Mutex<Option<WaitHook>>,
    /// The desk's own copy of the numbers' kept storage, beside the `storage` table.
    storage_file: crate::ledger::local::StorageFile,
}

/// What a face does when an admission has waited [`WAIT_SAID_AFTER`] for another desk's
/// change of the same number (called on the ledger's thread).
pub type WaitHook = Arc<dyn Fn(&NumberId) + Send + Sync>;

/// How long an admission waits for another desk's lock before the face is told.
pub const WAIT_SAID_AFTER: Duration = Duration::from_secs(1);

/// How a call's deadline is kept.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// Connecting and the whole work together.
    Whole,
    /// Connecting; the work bounds each of its own steps (a stream as long as the history).
    Steps,
}

impl PgLedger {
    /// A ledger on `settings`; nothing is connected until it is used.
    pub fn new(settings: PgSettings, data_dir: &Path) -> Self {
        PgLedger {
            settings,
            slot: slot::Slot::default(),
            pending: AuditLog::new(data_dir.join(PENDING_FILE)),
            pending_lock: data_dir.join(PENDING_LOCK_FILE),
            on_wait: Mutex::new(None),
            storage_file: crate::ledger::local::StorageFile::in_dir(data_dir),
        }
    }

    /// `hook` hears when an admission has waited [`WAIT_SAID_AFTER`] for another desk's
    /// change of the same number.
    pub fn on_wait(&self, hook: WaitHook) {
        *self.on_wait.lock().unwrap_or_else(|p| p.into_inner()) = Some(hook);
    }

    pub fn settings(&self) -> &PgSettings {
        &self.settings
    }

    /// "team ledger db.example:5432/wareg", for the TUI's title.
    pub fn describe_short(&self) -> String {
        format!("team ledger {}", self.settings.short())
    }

    /// The NOTIFY channel of this ledger's schema.
    pub fn channel(&self) -> String {
        channel(&self.settings.schema)
    }

    /// Runs `work` on the connection (opened or re-opened as needed) on a thread of its own,
    /// within the ledger's deadline, which runs from now: waiting for the connection while
    /// another call has it, connecting, signing in and the work together. Past it the
    /// connection is dropped (its runtime with it, which closes the socket) and the call is an
    /// error of kind `TimedOut` that says so; a call whose deadline passed while it waited
    /// tried nothing. The thread is one of its own because the caller may be an async worker
    /// thread, where a runtime cannot be blocked on.
    fn run<T: Send>(
        &self,
        work: impl AsyncFnOnce(&mut tokio_postgres::Client) -> Result<T, Failure> + Send,
    ) -> io::Result<T> {
        self.call(Bound::Whole, work)
    }

    fn call<T: Send>(
        &self,
        bound: Bound,
        work: impl AsyncFnOnce(&mut tokio_postgres::Client) -> Result<T, Failure> + Send,
    ) -> io::Result<T> {
        // Counted from the asking, not from when the connection is free: the TUI's start-up
        // reads may hold it a deadline each, and a change asked behind them must not wait
        // for all of theirs before its own begins.
        let deadline = Instant::now() + self.settings.timeout();
        let result = match self.slot.take(deadline) {
            Some(mut lent) if Instant::now() < deadline => {
                let slot: &mut Option<Conn> = &mut lent.conn;
                let settings = &self.settings;
                std::thread::scope(|scope| {
                    scope
                        .spawn(move || {
                            if slot.as_ref().is_none_or(|c| c.client.is_closed()) {
                                *slot = None;
                                *slot = Some(settings.connect_by(deadline)?);
                            }
                            let Some(conn) = slot.as_mut() else {
                                unreachable!("connected just above")
                            };
                            let result = match bound {
                                Bound::Whole => {
                                    conn.runtime.block_on(by(deadline, work(&mut conn.client)))
                                }
                                Bound::Steps => Ok(conn.runtime.block_on(work(&mut conn.client))),
                            };
                            let result = result.and_then(|r| r);
                            // A connection that broke, or that a deadline left mid-statement,
                            // is not used again: its socket closes with its runtime.
                            if conn.client.is_closed()
                                || result.as_ref().is_err_and(Failure::is_deadline)
                            {
                                *slot = None;
                            }
                            result
                        })
                        .join()
                })
            }
            // The deadline passed while another call had the connection: nothing was tried.
            _ => Ok(Err(Failure::TimedOut)),
        };
        match result {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(failure)) if failure.is_deadline() => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                self.settings.words(&failure),
            )),
            Ok(Err(failure)) => Err(io::Error::other(format!(
                "the team ledger ({}): {}",
                self.settings.describe(),
                self.settings.words(&failure)
            ))),
            Err(_) => Err(io::Error::other("the ledger's thread stopped unexpectedly")),
        }
    }

    /// Pushes the outcomes kept locally while the ledger was unreachable; returns how many
    /// were new to it (a record already there is kept once).
    pub fn sync_pending(&self) -> io::Result<usize> {
        let _guard = self.lock_pending()?;
        let records = self.pending.read()?.records;
        if records.is_empty() {
            return Ok(0);
        }
        let channel = self.channel();
        let pushed = self.run(async move |client| {
            let tx = client.transaction().await?;
            let mut pushed = 0;
            for record in &records {
                pushed += insert(&tx, record, &channel).await?;
            }
            tx.commit().await?;
            Ok(pushed)
        })?;
        // Everything is in the ledger now: the local copy can go.
        std::fs::remove_file(self.pending.path()).or_else(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                Ok(())
            } else {
                Err(e)
            }
        })?;
        Ok(pushed)
    }

    /// Outcomes waiting in the data dir for the ledger.
    pub fn pending(&self) -> io::Result<Vec<AuditRecord>> {
        Ok(self.pending.read()?.records)
    }

    fn keep_locally(&self, record: &AuditRecord) -> io::Result<()> {
        let _guard = self.lock_pending()?;
        self.pending.append(record)
    }

    /// Serialises this desk's processes on the waiting outcomes (keep, push, remove).
    fn lock_pending(&self) -> io::Result<FileLock> {
        if let Some(dir) = self.pending_lock.parent() {
            crate::paths::create_private_dir(dir)?;
        }
        FileLock::exclusive(&self.pending_lock)
    }
}

impl Drop for PgLedger {
    /// The connection's runtime may not be dropped on an async worker thread (where the last
    /// owner often is): it is dropped on a thread of its own.
    fn drop(&mut self) {
        let client = std::mem::take(&mut self.slot).into_conn();
        if let Some(client) = client {
            std::thread::scope(|scope| {
                scope.spawn(move || drop(client));
            });
        }
    }
}

/// NOTIFY channel names are identifiers; the schema is validated as one.
pub fn channel(schema: &str) -> String {
    format!("wareg_{schema}")
}

/// Inserts one record (a second copy of the same attempt and phase is ignored) and tells the
/// listening desks; returns 1 if it was new.
async fn insert(
    tx: &tokio_postgres::Transaction<'_>,
    record: &AuditRecord,
    channel: &str,
) -> Result<usize, tokio_postgres::Error> {
    let json = serde_json::to_value(record).unwrap_or_default();
    let text = |key: &str| json[key].as_str().unwrap_or_default().to_owned();
    let inserted = tx
        .execute(
            "INSERT INTO records (time, attempt, phase, number, op, operator, host, record)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (attempt, phase) DO NOTHING",
            &[
                &record.time,
                &record.attempt,
                &text("phase"),
                &record.number.as_str(),
                &text("op"),
                &record.operator,
                &record.host,
                &json,
            ],
        )
        .await?;
    if inserted > 0 {
        let payload = json.to_string();
        // NOTIFY payloads stop at 8,000 bytes; a record is a few hundred.
        if payload.len() < 7_900 {
            tx.execute("SELECT pg_notify($1, $2)", &[&channel, &payload])
                .await?;
        }
    }
    Ok(inserted as usize)
}

/// Rows of `SELECT record …` as records, cleaned like everything read from outside.
fn records(rows: Vec<tokio_postgres::Row>) -> Vec<AuditRecord> {
    rows.iter().filter_map(record_of).collect()
}

/// One row's record; a row wareg cannot read (written by a newer version) is left out.
fn record_of(row: &tokio_postgres::Row) -> Option<AuditRecord> {
    let value = row.try_get::<_, serde_json::Value>(0).ok()?;
    serde_json::from_value::<AuditRecord>(value)
        .ok()
        .map(AuditRecord::cleaned)
}

/// One row of `facts` as a fact, cleaned like everything read from outside; a row wareg
/// cannot read (a number that is not an id, a kind from a newer wareg) is left out.
fn fact_of(row: &tokio_postgres::Row) -> Option<Fact> {
    let number = row.try_get::<_, String>(0).ok()?;
    let kind = FactKind::parse(&row.try_get::<_, String>(1).ok()?);
    if kind == FactKind::Other {
        return None;
    }
    let number = NumberId::parse(&crate::clean::owned_text(number, crate::clean::NAME_MAX)).ok()?;
    let value: String = row.try_get(2).ok()?;
    let mut fact = Fact::new(&number, kind, &value, row.try_get(3).ok()?);
    fact.operator = row
        .try_get::<_, Option<String>>(4)
        .ok()
        .flatten()
        .map(|o| crate::clean::owned_text(o, crate::clean::NAME_MAX));
    Some(fact)
}

impl Ledger for PgLedger {
    fn admit(
        &self,
        intent: &AuditRecord,
        since: DateTime<Utc>,
        admits: &mut (dyn FnMut(&[AuditRecord]) -> bool + Send),
    ) -> io::Result<bool> {
        let channel = self.channel();
        let pending = self.pending()?;
        let hook = self
            .on_wait
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let started = Instant::now();
        let timeout = self.settings.timeout();
        self.run(async move |client| {
            let tx = client.transaction().await?;
            // Held until commit or rollback: one admission per number at a time, team-wide.
            let number = intent.number.as_str();
            let try_lock = "SELECT pg_try_advisory_xact_lock(hashtextextended('wareg:' || $1, 0))";
            let mut held: bool = tx.query_one(try_lock, &[&number]).await?.try_get(0)?;
            // Another desk is changing this number: its change is waited for, said after a
            // second, and given up on at the ledger's deadline (the server's lock_timeout).
            while !held && started.elapsed() < WAIT_SAID_AFTER {
                tokio::time::sleep(Duration::from_millis(100)).await;
                held = tx.query_one(try_lock, &[&number]).await?.try_get(0)?;
            }
            if !held {
                if let Some(hook) = &hook {
                    hook(&intent.number);
                }
                // Ends a little before the client's own deadline, so the words say why.
                let left = timeout
                    .saturating_sub(started.elapsed())
                    .saturating_sub(Duration::from_millis(250))
                    .max(Duration::from_millis(1));
                tx.batch_execute(&format!("SET LOCAL lock_timeout = {}", left.as_millis()))
                    .await?;
                tx.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended('wareg:' || $1, 0))",
                    &[&number],
                )
                .await?;
            }
            let mut mine = records(
                tx.query(
                    "SELECT record FROM records WHERE number = $1 AND time > $2 ORDER BY seq",
                    &[&number, &since],
                )
                .await?,
            );
            // Outcomes this desk could not push yet still say what happened (a 133016 lock).
            mine.extend(
                pending
                    .into_iter()
                    .filter(|r| r.number == intent.number && r.time > since),
            );
            if !admits(&mine) {
                return Ok(false);
            }
            insert(&tx, intent, &channel).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    fn append(&self, record: &AuditRecord) -> io::Result<()> {
        let channel = self.channel();
        let owned = record.clone();
        let written = self.run(async move |client| {
            let tx = client.transaction().await?;
            insert(&tx, &owned, &channel).await?;
            Ok(tx.commit().await?)
        });
        match written {
            Ok(()) => Ok(()),
            // An intent that cannot be written stops its request: nothing is sent.
            Err(e) if record.phase == Phase::Intent => Err(e),
            // The request went out; its outcome must not be lost: kept here, pushed later.
            Err(e) => {
                tracing::warn!(target: "wareg::ledger", "{e}; the outcome is kept in the data dir until `wareg ledger sync`");
                self.keep_locally(record)
            }
        }
    }

    fn read_since(&self, since: DateTime<Utc>) -> io::Result<Vec<AuditRecord>> {
        let mut all = self.run(async move |client| {
            Ok(records(
                client
                    .query(
                        "SELECT record FROM records WHERE time > $1 ORDER BY time, seq",
                        &[&since],
                    )
                    .await?,
            ))
        })?;
        all.extend(self.pending()?.into_iter().filter(|r| r.time > since));
        Ok(all)
    }

    fn read_since_of(
        &self,
        since: DateTime<Utc>,
        number: &NumberId,
    ) -> io::Result<Vec<AuditRecord>> {
        let owned = number.as_str().to_owned();
        let mut mine = self.run(async move |client| {
            Ok(records(
                client
                    .query(
                        "SELECT record FROM records WHERE number = $1 AND time > $2 ORDER BY time, seq",
                        &[&owned, &since],
                    )
                    .await?,
            ))
        })?;
        mine.extend(
            self.pending()?
                .into_iter()
                .filter(|r| r.number == *number && r.time > since),
        );
        Ok(mine)
    }

    fn recent(&self, number: Option<&NumberId>, count: usize) -> io::Result<Vec<AuditRecord>> {
        let number = number.map(|n| n.as_str().to_owned());
        let limit = count as i64;
        let mut recent = self.run(async move |client| {
            let rows = match &number {
                Some(n) => client
                    .query(
                        "SELECT record FROM records WHERE number = $1 ORDER BY seq DESC LIMIT $2",
                        &[n, &limit],
                    )
                    .await?,
                None => {
                    client
                        .query(
                            "SELECT record FROM records ORDER BY seq DESC LIMIT $1",
                            &[&limit],
                        )
                        .await?
                }
            };
            Ok(records(rows))
        })?;
        recent.reverse();
        Ok(recent)
    }

    fn query(&self, query: &Query, sink: &mut Sink<'_>) -> io::Result<()> {
        self.query_records(query, sink)
    }

    fn note_fact(&self, fact: &Fact) -> io::Result<()> {
        let fact = fact.clone();
        self.run(async move |client| {
            // The rule of `Fact::replaced_by`, in one statement: a kind that keeps its first
            // sighting changes only with its value; the others only for a later fact. Never
            // the records table, never NOTIFY.
            client
                .execute(
                    "INSERT INTO facts (number, kind, value, time, operator)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (number, kind) DO UPDATE
                 SET value = EXCLUDED.value, time = EXCLUDED.time,
                     operator = EXCLUDED.operator, written_at = now()
                 WHERE ($6 AND facts.value IS DISTINCT FROM EXCLUDED.value)
                    OR (NOT $6 AND EXCLUDED.time >= facts.time)",
                    &[
                        &fact.number.as_str(),
                        &fact.kind.as_str(),
                        &fact.value,
                        &fact.time,
                        &fact.operator,
                        &fact.kind.keeps_first(),
                    ],
                )
                .await?;
            Ok(())
        })
    }

    fn facts_of(&self, only: Option<&std::collections::HashSet<String>>) -> io::Result<FactBook> {
        let only: Option<Vec<String>> = only.map(|set| set.iter().cloned().collect());
        let rows = self.run(async move |client| {
            Ok(match &only {
                Some(numbers) => {
                    client
                        .query(
                            "SELECT number, kind, value, time, operator FROM facts WHERE number = ANY($1)",
                            &[numbers],
                        )
                        .await?
                }
                None => {
                    client
                        .query("SELECT number, kind, value, time, operator FROM facts", &[])
                        .await?
                }
            })
        })?;
        let mut book = FactBook::default();
        for row in &rows {
            if let Some(fact) = fact_of(row) {
                book.note(fact);
            }
        }
        Ok(book)
    }

    fn note_storage(&self, entries: &[StorageEntry]) -> io::Result<()> {
        storage::note(self, entries)
    }

    fn storage_of(&self) -> io::Result<StorageBook> {
        storage::read(self)
    }

    fn describe(&self) -> String {
        self.settings.describe()
    }
}
