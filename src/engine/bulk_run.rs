//! The attempts a bulk run sent, as the ledger tells them. A bulk journal says what its run
//! sent, and a resume follows it; but a journal put back to an earlier copy (with its tip)
//! still holds together and has lost what came after. The ledger keeps its own record of
//! every attempt, and a run's intents name it ("…; bulk run ID" in their detail), so a resume
//! can ask the ledger what the run sent to a number its journal says never started.

use chrono::{DateTime, Utc};
use std::io;

use super::Engine;
use crate::audit::{AuditRecord, Operation, Outcome, Phase};
use crate::graph::NumberId;

/// An attempt a bulk run began on a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunAttempt {
    pub op: Operation,
    /// When its intent was written.
    pub time: DateTime<Utc>,
    /// Who began it.
    pub operator: String,
    /// How it ended; None: its intent has no outcome (in flight when the run died).
    pub outcome: Option<Outcome>,
}

/// How an intent of run `run` ends its detail.
fn tag(run: &str) -> String {
    format!("bulk run {run}")
}

/// Whether `record` was written by bulk run `run`.
fn of_run(record: &AuditRecord, run: &str) -> bool {
    record
        .detail
        .as_deref()
        .is_some_and(|d| d.ends_with(&tag(run)))
}

impl Engine {
    /// This engine, its intents naming bulk run `run`.
    pub fn in_bulk_run(mut self, run: &str) -> Engine {
        self.bulk_run = Some(run.to_owned());
        self
    }

    /// An intent's detail, with the bulk run it belongs to (if any) at its end.
    pub(super) fn detail_in_run(&self, detail: Option<String>) -> Option<String> {
        match (&self.bulk_run, detail) {
            (None, detail) => detail,
            (Some(run), None) => Some(tag(run)),
            (Some(run), Some(detail)) => Some(format!("{detail}; {}", tag(run))),
        }
    }

    /// The attempts bulk run `run` began on `id`, oldest first, among the records that still
    /// matter (the budget window, and never less than Meta's lock), whoever began them.
    pub async fn attempts_of_run(&self, id: &NumberId, run: &str) -> io::Result<Vec<RunAttempt>> {
        let records = self.records_of(id, self.clock.now()).await?;
        let outcome_of = |attempt: &str| {
            records
                .iter()
                .find(|r| r.phase == Phase::Outcome && r.attempt == attempt)
                .and_then(|r| r.outcome)
        };
        Ok(records
            .iter()
            .filter(|r| r.phase == Phase::Intent && of_run(r, run))
            .map(|r| RunAttempt {
                op: r.op,
                time: r.time,
                operator: r.operator.clone().unwrap_or_else(|| "another wareg".into()),
                outcome: outcome_of(&r.attempt),
            })
            .collect())
    }

    /// [`Engine::close_own_open_intents`] of the intents bulk run `run` wrote on `id` only:
    /// another change of the number at this desk, in progress now, is left to finish.
    pub async fn close_open_intents_of_run(
        &self,
        id: &NumberId,
        run: &str,
        why: &str,
    ) -> io::Result<usize> {
        self.close_own_open_intents_where(id, why, |r| of_run(r, run))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_intent_names_its_run_at_the_end_of_its_detail_and_only_that_run_matches() {
        let mut record = AuditRecord::intent(
            Utc::now(),
            "a1",
            "p",
            &NumberId::parse("1065").unwrap(),
            Operation::Register,
        );
        record.detail = Some(format!(
            "POST /{{id}}/register api v25.0; {}",
            tag("20260101-000000-abcd")
        ));
        assert!(of_run(&record, "20260101-000000-abcd"));
        assert!(!of_run(&record, "0101-000000-abcd"));
        assert!(!of_run(&record, "20260101-000000-abce"));
        record.detail = Some("POST /{id}/register api v25.0".into());
        assert!(!of_run(&record, "20260101-000000-abcd"));
    }
}
