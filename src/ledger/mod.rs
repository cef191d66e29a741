//! The store behind the engine: where intents and outcomes are written and budgets are counted
//! from. The engine talks only to this interface, so the local trail (the default) and a team
//! ledger are interchangeable; every implementation must make `admit` atomic across processes.

mod blocking;
pub mod local;
pub mod pg;
mod query;

pub use blocking::blocking;
pub use local::{AuditLog, LocalTrail};
pub use pg::{BadUrl, PgLedger};
pub use query::{Found, Query, Sink};

use chrono::{DateTime, Utc};
use std::io;

use crate::audit::{AuditRecord, Fact, FactBook, StorageBook, StorageEntry};
use crate::graph::NumberId;

pub trait Ledger: Send + Sync {
    /// Under one exclusive lock for the intent's number (across processes): reads that number's
    /// records newer than `since`, asks `admits` whether they let the intent in, and appends
    /// `intent` only if so; whether it was appended. The lock is held until the intent is
    /// durably written, so two writers can never both take the last attempt. Why an intent is
    /// refused is the caller's to say (the engine's `Refusal`): the store only keeps records.
    fn admit(
        &self,
        intent: &AuditRecord,
        since: DateTime<Utc>,
        admits: &mut (dyn FnMut(&[AuditRecord]) -> bool + Send),
    ) -> io::Result<bool>;

    /// Appends one record (an intent that needs no budget, or an outcome).
    fn append(&self, record: &AuditRecord) -> io::Result<()>;

    /// Every record newer than `since`, oldest first (for budgets).
    fn read_since(&self, since: DateTime<Utc>) -> io::Result<Vec<AuditRecord>>;

    /// Budgets as of `now` from the records newer than `since`, of the numbers in `only` (a
    /// book that may not know the others) or of every number.
    fn budgets(
        &self,
        since: DateTime<Utc>,
        policy: crate::config::BudgetPolicy,
        now: DateTime<Utc>,
        only: Option<&std::collections::HashSet<String>>,
    ) -> io::Result<crate::audit::BudgetBook> {
        let _ = only;
        let records = self.read_since(since)?;
        Ok(crate::audit::BudgetBook::new(&records, policy, now))
    }

    /// One number's records newer than `since`, oldest first (a plan, a status).
    fn read_since_of(
        &self,
        since: DateTime<Utc>,
        number: &NumberId,
    ) -> io::Result<Vec<AuditRecord>> {
        let mut records = self.read_since(since)?;
        records.retain(|r| r.number == *number);
        Ok(records)
    }

    /// The last `count` records of the last 90 days, of one number or of all, oldest first.
    fn recent(&self, number: Option<&NumberId>, count: usize) -> io::Result<Vec<AuditRecord>>;

    /// The records `query` asks for, oldest first, each handed to `sink` as it is read (never
    /// all held at once), until the sink says stop. The local trail hands over its lines that
    /// are not records too, when it reads the whole file (a window is read from the end, where
    /// a line's place is not known).
    fn query(&self, query: &Query, sink: &mut Sink<'_>) -> io::Result<()>;

    /// Keeps a fact about a number (`audit::fact`): apart from the records, so that budgets,
    /// the audit and the team's live feed never see it. A fact of the same number and kind is
    /// replaced as `Fact::replaced_by` says (an approval keeps its first sighting).
    fn note_fact(&self, fact: &Fact) -> io::Result<()>;

    /// The facts of the numbers in `only`, or of every number.
    fn facts_of(&self, only: Option<&std::collections::HashSet<String>>) -> io::Result<FactBook>;

    /// Keeps what wareg read (or set) of numbers' storage, a batch at once: apart from the
    /// records, like facts; a number's newest read wins.
    fn note_storage(&self, entries: &[StorageEntry]) -> io::Result<()>;

    /// Every number's kept storage (the newest read of each).
    fn storage_of(&self) -> io::Result<StorageBook>;

    /// Where it is, for messages: "local trail /home/…/audit.jsonl".
    fn describe(&self) -> String;
}

/// Whether a ledger call failed on its deadline: the team ledger did not answer in time, or
/// another desk's change of the number outlasted it. Nothing that needed it was sent.
pub fn timed_out(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::TimedOut
}

/// The ledger a config asks for: the local trail in `data_dir`, or the team's PostgreSQL (its
/// URL read now, from the environment or a command; nothing is connected yet). Outcomes left
/// in the data dir by an earlier run that lost the database are pushed by `wareg ledger sync`
/// and on the TUI's start.
pub fn open(
    config: &crate::config::LedgerConfig,
    data_dir: &std::path::Path,
) -> Result<Store, OpenError> {
    let Some(source) = &config.url else {
        return Ok(Store::Local(std::sync::Arc::new(LocalTrail::in_dir(
            data_dir,
        ))));
    };
    let url = source.resolve().map_err(OpenError::Url)?;
    let settings = pg::PgSettings::parse(&url, &config.schema)?.with_timeout(config.timeout);
    Ok(Store::Team(std::sync::Arc::new(PgLedger::new(
        settings, data_dir,
    ))))
}

/// `open`, then the outcomes an earlier run kept in the data dir while the team ledger was
/// unreachable are pushed to it; what that did is returned in words for the face to say.
pub fn open_and_sync(
    config: &crate::config::LedgerConfig,
    data_dir: &std::path::Path,
) -> Result<(Store, Vec<String>), OpenError> {
    let store = open(config, data_dir)?;
    let notices = match store.team() {
        Some(team) => sync_waiting(team, data_dir).into_iter().collect(),
        None => Vec::new(),
    };
    Ok((store, notices))
}

/// Pushes the outcomes an earlier run kept in `data_dir` while the team ledger was unreachable,
/// if there are any; what that did, in words for the face to say.
pub fn sync_waiting(team: &PgLedger, data_dir: &std::path::Path) -> Option<String> {
    if !data_dir.join(pg::PENDING_FILE).exists() {
        return None;
    }
    match team.sync_pending() {
        Ok(0) => None,
        Ok(n) => Some(format!(
            "pushed {n} outcome(s) kept here while the team ledger was unreachable"
        )),
        Err(e) => Some(format!(
            "warning: outcomes kept here while the team ledger was unreachable are still waiting: {e}"
        )),
    }
}

/// Why the configured ledger cannot be opened; nothing is connected or sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The URL could not be read from where `[ledger]` says it comes from.
    #[error("[ledger]: {0}")]
    Url(crate::config::TokenError),
    #[error(transparent)]
    Settings(#[from] pg::BadUrl),
}

/// The ledger a face runs on, with what only the team ledger can do.
#[derive(Clone)]
pub enum Store {
    Local(std::sync::Arc<LocalTrail>),
    Team(std::sync::Arc<PgLedger>),
}

impl Store {
    pub fn ledger(&self) -> std::sync::Arc<dyn Ledger> {
        match self {
            Store::Local(l) => l.clone(),
            Store::Team(t) => t.clone(),
        }
    }

    pub fn team(&self) -> Option<&std::sync::Arc<PgLedger>> {
        match self {
            Store::Team(t) => Some(t),
            Store::Local(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{LedgerConfig, TokenSource};

    #[test]
    fn a_ledger_that_cannot_be_opened_says_why_by_kind() {
        let dir = tempfile::tempdir().unwrap();
        let from = |path: std::path::PathBuf| LedgerConfig {
            url: Some(TokenSource::File(path)),
            ..LedgerConfig::default()
        };
        let missing = open(&from(dir.path().join("missing")), dir.path()).err();
        assert!(matches!(missing, Some(OpenError::Url(_))), "{missing:?}");
        assert!(missing.unwrap().to_string().starts_with("[ledger]: "));
        let url = dir.path().join("url");
        std::fs::write(
            &url,
            "postgres://desk:s3cret@db.example.com/wareg?sslmode=disable\n",
        )
        .unwrap();
        // A file with a password in it is read only when it is private.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&url, std::fs::Permissions::from_mode(0o600)).unwrap();
        let refused = open(&from(url), dir.path()).err();
        let Some(OpenError::Settings(BadUrl::TlsOff(hosts))) = refused else {
            panic!("TLS off for a remote host is refused: {refused:?}")
        };
        assert_eq!(hosts, ["db.example.com"]);
        assert!(matches!(
            open(&LedgerConfig::default(), dir.path()),
            Ok(Store::Local(_))
        ));
    }
}
