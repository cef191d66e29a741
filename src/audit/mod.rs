//! The audit trail: every mutating call is written before it is sent (intent) and after
//! (outcome), as JSON lines in the data dir. The registration budget is derived from it.
//! No record ever holds a PIN, a code or a token: there is no field for one.

pub(crate) mod budget;
pub mod fact;
mod operator;
pub mod storage;

pub use budget::{Budget, BudgetBook, BudgetFact, BudgetTally, META_LOCK_HOURS};
pub use fact::{Fact, FactBook, FactKind, Recorded};
pub use storage::{StorageBook, StorageEntry};

/// A line of the trail that could not be read as a record (both readers report it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLine {
    pub line: usize,
    pub reason: String,
}
pub use operator::{default_operator, hostname};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

use crate::config::ProfileName;
use crate::graph::{NumberId, Region};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Register,
    Deregister,
    Settings,
    SetPin,
    RequestCode,
    VerifyCode,
    /// `POST /{waba}/phone_numbers`: a number added to a WABA (the record names the WABA).
    Add,
    /// `POST /{id}?new_display_name=…`: a display-name change asked for.
    Rename,
    /// Written by a newer wareg; kept so the trail still reads.
    #[serde(other)]
    Other,
}

impl Operation {
    /// Register and deregister are the two that Meta limits per number (docs/graph-api-facts.md §6).
    pub fn is_budgeted(self) -> bool {
        matches!(self, Operation::Register | Operation::Deregister)
    }

    /// The operations whose attempts are counted: Meta's two, and wareg's own budget of
    /// display-name changes (Meta allows 10 per 30 days, docs/graph-api-facts.md §9).
    pub fn is_counted(self) -> bool {
        self.is_budgeted() || self == Operation::Rename
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Register => "register",
            Operation::Deregister => "deregister",
            Operation::Settings => "settings",
            Operation::SetPin => "set-pin",
            Operation::RequestCode => "request-code",
            Operation::VerifyCode => "verify-code",
            Operation::Add => "add",
            Operation::Rename => "rename",
            Operation::Other => "other",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Intent,
    Outcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    /// Meta answered with an error code.
    Error,
    /// Timeout, dropped connection, unreadable answer or a 5xx: it may or may not have happened.
    Unknown,
    /// Nothing left this machine (connection refused, a token that is not a header value).
    /// Never counted against the budget.
    NotSent,
}

impl Outcome {
    /// As the trail spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Unknown => "unknown",
            Outcome::NotSent => "not_sent",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub time: DateTime<Utc>,
    /// Joins an intent to its outcome.
    pub attempt: String,
    pub phase: Phase,
    pub profile: ProfileName,
    /// A line whose number is not a numeric id is not a record (it is skipped, with why).
    #[serde(deserialize_with = "number")]
    pub number: NumberId,
    pub op: Operation,
    /// One of the 14 codes; a line naming another is not a record (skipped, with why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// Non-secret particulars: "storage off", "method SMS", "api v25.0".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The user overrode an exhausted budget.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forced: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
    /// A short description of the error, never Meta's whole answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Meta answered 133016: this operation is locked for the number until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<DateTime<Utc>>,
    /// Who did it ("support1@desk-2"); absent in records written before wareg kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// The machine it was written on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

impl AuditRecord {
    /// The line written before an attempt is sent; the rest is filled in by the caller.
    pub fn intent(
        time: DateTime<Utc>,
        attempt: impl Into<String>,
        profile: impl Into<ProfileName>,
        number: &NumberId,
        op: Operation,
    ) -> AuditRecord {
        AuditRecord {
            time,
            attempt: attempt.into(),
            phase: Phase::Intent,
            profile: profile.into(),
            number: number.clone(),
            op,
            region: None,
            detail: None,
            forced: false,
            outcome: None,
            code: None,
            trace: None,
            message: None,
            locked_until: None,
            operator: None,
            host: None,
        }
    }
}

impl AuditRecord {
    /// Every text field made safe to print (the number is digits and the region one of the
    /// codes already: nothing in them to clean).
    pub fn cleaned(mut self) -> AuditRecord {
        use crate::clean::{MESSAGE_MAX, NAME_MAX, text};
        self.attempt = text(&self.attempt, NAME_MAX);
        self.profile = ProfileName::new(text(&self.profile, NAME_MAX));
        for value in [&mut self.trace, &mut self.operator, &mut self.host]
            .into_iter()
            .flatten()
        {
            *value = text(value, NAME_MAX);
        }
        for value in [&mut self.detail, &mut self.message].into_iter().flatten() {
            *value = text(value, MESSAGE_MAX);
        }
        self
    }
}

/// The record's number as the trail spells it: a numeric id (the text cleaned first, as every
/// text from outside is), or the line is not a record.
fn number<'de, D: Deserializer<'de>>(d: D) -> Result<NumberId, D::Error> {
    let raw = String::deserialize(d)?;
    NumberId::parse(&crate::clean::owned_text(raw, crate::clean::NAME_MAX))
        .map_err(serde::de::Error::custom)
}

/// A fresh attempt id: time and randomness, unique enough to join two lines.
pub fn new_attempt_id(now: DateTime<Utc>) -> String {
    format!(
        "{:x}-{:04x}",
        now.timestamp_nanos_opt().unwrap_or_default(),
        fastrand::u16(..)
    )
}
