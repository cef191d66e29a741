//! The team ledger on PostgreSQL, behind the same interface as the local trail. The budget gate
//! is one transaction per admission: a transaction-scoped advisory lock on the number, the
//! count of its records in the window, the intent inserted, commit; only then does the request
//! leave. Records are only ever inserted (the role needs SELECT and INSERT on them). Every insert notifies
//! the other desks (LISTEN/NOTIFY) with the record itself. Facts about numbers (`audit::fact`)
//! live in a table of their own, one row per number and kind (SELECT, INSERT and UPDATE), and
//! are never notified.
//!
//! If the database cannot be reached before sending, nothing is sent. An outcome that cannot
//! be written after its request went out is kept in the data dir (`ledger-pending.jsonl`) and
//! pushed on the next start or by `wareg ledger sync`; its intent is in the ledger and counts
//! meanwhile.

mod admin;
mod connect;
mod listen;

pub use admin::{ImportReport, LedgerStatus, latest_schema};
pub use connect::{BadUrl, PgSettings};
pub use listen::listen;

use chrono::{DateTime, Utc};
use std::io;
use std::path::Path;
use std::sync::Mutex;

use super::{Ledger, Query, Sink};
use crate::audit::{AuditRecord, Fact, FactBook, FactKind, Phase};
use crate::flock::FileLock;
use crate::graph::NumberId;
use crate::ledger::AuditLog;

/// The local file of outcomes that could not reach the ledger, and its lock.
pub const PENDING_FILE: &str = "ledger-pending.jsonl";
const PENDING_LOCK_FILE: &str = "ledger-pending.lock";

pub struct PgLedger {
    settings: PgSettings,
    /// One connection, opened on first use and again after it broke.
    conn: Mutex<Option<postgres::Client>>,
    pending: AuditLog,
    pending_lock: std::path::PathBuf,
}

impl PgLedger {
    /// A ledger on `settings`; nothing is connected until it is used.
    pub fn new(settings: PgSettings, data_dir: &Path) -> Self {
        PgLedger {
            settings,
            conn: Mutex::new(None),
            pending: AuditLog::new(data_dir.join(PENDING_FILE)),
            pending_lock: data_dir.join(PENDING_LOCK_FILE),
        }
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

    /// Runs `work` on the connection (opened or re-opened as needed) on a thread of its own:
    /// the blocking client must not run on an async worker thread, and the callers are both.
    fn run<T: Send>(
        &self,
        work: impl FnOnce(&mut postgres::Client) -> Result<T, postgres::Error> + Send,
    ) -> io::Result<T> {
        let mut guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let slot: &mut Option<postgres::Client> = &mut guard;
        let settings = &self.settings;
        let result = std::thread::scope(|scope| {
            scope
                .spawn(move || {
                    if slot.as_ref().is_none_or(postgres::Client::is_closed) {
                        *slot = Some(settings.connect()?);
                    }
                    let Some(client) = slot.as_mut() else {
                        unreachable!("connected just above")
                    };
                    let result = work(client);
                    if client.is_closed() {
                        *slot = None;
                    }
                    result
                })
                .join()
        });
        match result {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(io::Error::other(format!(
                "the team ledger ({}): {}",
                self.settings.describe(),
                connect::words(&e)
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
        let pushed = self.run(move |client| {
            let mut tx = client.transaction()?;
            let mut pushed = 0;
            for record in &records {
                pushed += insert(&mut tx, record, &channel)?;
            }
            tx.commit()?;
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
    /// The blocking client closes its connection by running a small runtime of its own, which
    /// may not happen on an async worker thread (where the last owner often is): it is closed
    /// on a thread of its own.
    fn drop(&mut self) {
        let client = self
            .conn
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
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
fn insert(
    tx: &mut postgres::Transaction<'_>,
    record: &AuditRecord,
    channel: &str,
) -> Result<usize, postgres::Error> {
    let json = serde_json::to_value(record).unwrap_or_default();
    let text = |key: &str| json[key].as_str().unwrap_or_default().to_owned();
    let inserted = tx.execute(
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
    )?;
    if inserted > 0 {
        let payload = json.to_string();
        // NOTIFY payloads stop at 8,000 bytes; a record is a few hundred.
        if payload.len() < 7_900 {
            tx.execute("SELECT pg_notify($1, $2)", &[&channel, &payload])?;
        }
    }
    Ok(inserted as usize)
}

/// Rows of `SELECT record …` as records, cleaned like everything read from outside.
fn records(rows: Vec<postgres::Row>) -> Vec<AuditRecord> {
    rows.iter().filter_map(record_of).collect()
}

/// One row's record; a row wareg cannot read (written by a newer version) is left out.
fn record_of(row: &postgres::Row) -> Option<AuditRecord> {
    let value = row.try_get::<_, serde_json::Value>(0).ok()?;
    serde_json::from_value::<AuditRecord>(value)
        .ok()
        .map(AuditRecord::cleaned)
}

/// One row of `facts` as a fact, cleaned like everything read from outside; a row wareg
/// cannot read (a number that is not an id, a kind from a newer wareg) is left out.
fn fact_of(row: &postgres::Row) -> Option<Fact> {
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
        self.run(move |client| {
            let mut tx = client.transaction()?;
            // Held until commit or rollback: one admission per number at a time, team-wide.
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended('wareg:' || $1, 0))",
                &[&intent.number.as_str()],
            )?;
            let mut mine = records(tx.query(
                "SELECT record FROM records WHERE number = $1 AND time > $2 ORDER BY seq",
                &[&intent.number.as_str(), &since],
            )?);
            // Outcomes this desk could not push yet still say what happened (a 133016 lock).
            mine.extend(
                pending
                    .into_iter()
                    .filter(|r| r.number == intent.number && r.time > since),
            );
            if !admits(&mine) {
                return Ok(false);
            }
            insert(&mut tx, intent, &channel)?;
            tx.commit()?;
            Ok(true)
        })
    }

    fn append(&self, record: &AuditRecord) -> io::Result<()> {
        let channel = self.channel();
        let owned = record.clone();
        let written = self.run(move |client| {
            let mut tx = client.transaction()?;
            insert(&mut tx, &owned, &channel)?;
            tx.commit()
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
        let mut all = self.run(move |client| {
            Ok(records(client.query(
                "SELECT record FROM records WHERE time > $1 ORDER BY time, seq",
                &[&since],
            )?))
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
        let mut mine = self.run(move |client| {
            Ok(records(client.query(
                "SELECT record FROM records WHERE number = $1 AND time > $2 ORDER BY time, seq",
                &[&owned, &since],
            )?))
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
        let mut recent = self.run(move |client| {
            let rows = match &number {
                Some(n) => client.query(
                    "SELECT record FROM records WHERE number = $1 ORDER BY seq DESC LIMIT $2",
                    &[n, &limit],
                )?,
                None => client.query(
                    "SELECT record FROM records ORDER BY seq DESC LIMIT $1",
                    &[&limit],
                )?,
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
        self.run(move |client| {
            // The rule of `Fact::replaced_by`, in one statement: a kind that keeps its first
            // sighting changes only with its value; the others only for a later fact. Never
            // the records table, never NOTIFY.
            client.execute(
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
            )?;
            Ok(())
        })
    }

    fn facts_of(&self, only: Option<&std::collections::HashSet<String>>) -> io::Result<FactBook> {
        let only: Option<Vec<String>> = only.map(|set| set.iter().cloned().collect());
        let rows = self.run(move |client| match &only {
            Some(numbers) => client.query(
                "SELECT number, kind, value, time, operator FROM facts WHERE number = ANY($1)",
                &[numbers],
            ),
            None => client.query("SELECT number, kind, value, time, operator FROM facts", &[]),
        })?;
        let mut book = FactBook::default();
        for row in &rows {
            if let Some(fact) = fact_of(row) {
                book.note(fact);
            }
        }
        Ok(book)
    }

    fn describe(&self) -> String {
        self.settings.describe()
    }
}
