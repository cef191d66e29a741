//! A change whose outcome is not known: the newest attempt on a number ended "unknown" (a
//! timeout, a dropped connection, a 5xx after it was sent), or was abandoned with no outcome
//! at all (a crash). Meta may or may not have applied it, so until a read made after it shows
//! what the number is now, its next step is to read it, not to send again. The faces learn it
//! from the records they already hold, through [`UnknownOutcome::by_number`].

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use crate::audit::{AuditRecord, Operation, Outcome, Phase};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOutcome {
    pub op: Operation,
    /// When it ended unknown (its outcome's time), or when the abandoned one began.
    pub at: DateTime<Utc>,
    pub operator: Option<String>,
    /// Begun and never ended (older than the ledger's `stale_intent_minutes`).
    pub abandoned: bool,
}

impl UnknownOutcome {
    /// The newest attempt among one number's `records` when its outcome is not known at `now`;
    /// an intent with no outcome younger than `stale` is a change in progress, not this.
    pub fn of(
        records: &[&AuditRecord],
        now: DateTime<Utc>,
        stale: std::time::Duration,
    ) -> Option<UnknownOutcome> {
        let outcome_of = |intent: &AuditRecord| {
            records
                .iter()
                .find(|r| r.phase == Phase::Outcome && r.attempt == intent.attempt)
        };
        // An attempt that never left this machine says nothing of the number.
        let newest = records
            .iter()
            .filter(|r| r.phase == Phase::Intent)
            .filter(|r| outcome_of(r).is_none_or(|o| o.outcome != Some(Outcome::NotSent)))
            .max_by_key(|r| r.time)?;
        let outcome = outcome_of(newest);
        let operator = newest.operator.clone();
        match outcome {
            Some(o) if o.outcome == Some(Outcome::Unknown) => Some(UnknownOutcome {
                op: newest.op,
                at: o.time,
                operator,
                abandoned: false,
            }),
            Some(_) => None,
            None => {
                let stale = chrono::Duration::from_std(stale).unwrap_or(chrono::Duration::MAX);
                (now - newest.time >= stale).then_some(UnknownOutcome {
                    op: newest.op,
                    at: newest.time,
                    operator,
                    abandoned: true,
                })
            }
        }
    }

    /// Each number's, among `records` (any numbers'), by id.
    pub fn by_number(
        records: &[AuditRecord],
        now: DateTime<Utc>,
        stale: std::time::Duration,
    ) -> HashMap<String, UnknownOutcome> {
        let mut by_number: HashMap<&str, Vec<&AuditRecord>> = HashMap::new();
        for record in records {
            by_number
                .entry(record.number.as_str())
                .or_default()
                .push(record);
        }
        by_number
            .into_iter()
            .filter_map(|(number, mine)| {
                UnknownOutcome::of(&mine, now, stale).map(|u| (number.to_owned(), u))
            })
            .collect()
    }

    /// Whether a read made at `read_at` (None: never read) came before it, and so cannot
    /// show what it did.
    pub fn unseen_by(&self, read_at: Option<DateTime<Utc>>) -> bool {
        read_at.is_none_or(|read| read <= self.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::NumberId;

    fn at(minutes_ago: i64) -> DateTime<Utc> {
        "2026-12-05T12:00:00Z".parse::<DateTime<Utc>>().unwrap()
            - chrono::Duration::minutes(minutes_ago)
    }

    fn attempt(name: &str, minutes_ago: i64, outcome: Option<Outcome>) -> Vec<AuditRecord> {
        let id = NumberId::parse("106540352242922").unwrap();
        let mut intent = AuditRecord::intent(at(minutes_ago), name, "p", &id, Operation::Register);
        intent.operator = Some("bo@desk-2".into());
        let mut records = vec![intent.clone()];
        if let Some(outcome) = outcome {
            let mut end = intent;
            end.phase = Phase::Outcome;
            end.outcome = Some(outcome);
            end.time = at(minutes_ago - 1);
            records.push(end);
        }
        records
    }

    fn unknown_of(records: Vec<AuditRecord>) -> Option<UnknownOutcome> {
        let stale = std::time::Duration::from_secs(15 * 60);
        UnknownOutcome::by_number(&records, at(0), stale).remove("106540352242922")
    }

    #[test]
    fn the_newest_attempt_decides_and_a_read_after_it_settles_it() {
        let unknown = unknown_of(attempt("a", 30, Some(Outcome::Unknown))).unwrap();
        assert_eq!(
            (unknown.op, unknown.at, unknown.abandoned),
            (Operation::Register, at(29), false)
        );
        assert!(unknown.unseen_by(None) && unknown.unseen_by(Some(at(40))));
        assert!(
            !unknown.unseen_by(Some(at(10))),
            "a read after it shows what it did"
        );
        // A later attempt that ended is what the number's state says.
        let mut later = attempt("a", 30, Some(Outcome::Unknown));
        later.extend(attempt("b", 10, Some(Outcome::Ok)));
        assert_eq!(unknown_of(later), None);
        // Begun and never ended: abandoned once stale, in progress before.
        let abandoned = unknown_of(attempt("c", 20, None)).unwrap();
        assert!(abandoned.abandoned && abandoned.at == at(20));
        assert_eq!(unknown_of(attempt("d", 5, None)), None);
    }
}
