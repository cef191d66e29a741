//! The store behind the engine: where intents and outcomes are written and budgets are counted
//! from. The engine talks only to this interface, so the local trail (the default) and a team
//! ledger are interchangeable; every implementation must make `admit` atomic across processes.

mod local;

pub use local::LocalTrail;

use chrono::{DateTime, Utc};
use std::io;

use crate::audit::AuditRecord;

/// Why an intent was not admitted: said in words by the engine that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

pub trait Ledger: Send + Sync {
    /// Under one exclusive lock for the intent's number (across processes): reads that number's
    /// records newer than `since`, lets `check` judge them, and appends `intent` only if it
    /// finds no reason to refuse. The lock is held until the intent is durably written, so two
    /// writers can never both take the last attempt.
    fn admit(
        &self,
        intent: &AuditRecord,
        since: DateTime<Utc>,
        check: &dyn Fn(&[AuditRecord]) -> Option<Refusal>,
    ) -> io::Result<Option<Refusal>>;

    /// Appends one record (an intent that needs no budget, or an outcome).
    fn append(&self, record: &AuditRecord) -> io::Result<()>;

    /// Every record newer than `since`, oldest first (for budgets).
    fn read_since(&self, since: DateTime<Utc>) -> io::Result<Vec<AuditRecord>>;

    /// The last `count` records of the last 90 days, of one number or of all, oldest first.
    fn recent(&self, number: Option<&str>, count: usize) -> io::Result<Vec<AuditRecord>>;

    /// Where it is, for messages: "local trail /home/…/audit.jsonl".
    fn describe(&self) -> String;
}
