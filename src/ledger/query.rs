//! What `wareg audit` asks of a ledger: records by number, operation, operator and time, each
//! handed to a sink as it is read, so a trail of a million records is never held at once.

use chrono::{DateTime, Utc};
use std::ops::ControlFlow;

use crate::audit::{AuditRecord, Operation, SkippedLine};
use crate::graph::NumberId;

/// Which records to hand over; a filter left out keeps every record.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub number: Option<NumberId>,
    pub op: Option<Operation>,
    /// "support1@desk-2", or "support1" for that user on any machine.
    pub operator: Option<String>,
    /// Only records newer than this: the window is read from the trail's end, so its cost
    /// follows the window, not the history.
    pub since: Option<DateTime<Utc>>,
}

impl Query {
    /// Whether `record` is one the query asks for.
    pub fn keeps(&self, record: &AuditRecord) -> bool {
        self.number.as_ref().is_none_or(|n| record.number == *n)
            && self.op.is_none_or(|op| record.op == op)
            && self.since.is_none_or(|since| record.time > since)
            && self.operator.as_deref().is_none_or(|wanted| {
                record.operator.as_deref().is_some_and(|who| {
                    who == wanted || who.split_once('@').is_some_and(|(user, _)| user == wanted)
                })
            })
    }
}

/// One thing a query hands over: a record, or a line of the trail that is not one (with where
/// it stands and why, when the store can say).
pub type Found = Result<AuditRecord, SkippedLine>;

/// Where a query's records go, oldest first; `Break` stops the read.
pub type Sink<'a> = dyn FnMut(Found) -> ControlFlow<()> + Send + 'a;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operator_is_a_whole_name_or_a_user_on_any_machine() {
        let id = NumberId::parse("1").unwrap();
        let mut record = AuditRecord::intent(Utc::now(), "a", "p", &id, Operation::Register);
        record.operator = Some("ana@desk-1".into());
        let asks = |operator: &str| Query {
            operator: Some(operator.into()),
            ..Query::default()
        };
        assert!(asks("ana").keeps(&record) && asks("ana@desk-1").keeps(&record));
        assert!(!asks("an").keeps(&record) && !asks("desk-1").keeps(&record));
        let other = Query {
            number: Some(NumberId::parse("2").unwrap()),
            ..Query::default()
        };
        assert!(Query::default().keeps(&record) && !other.keeps(&record));
        let later = Query {
            since: Some(record.time),
            ..Query::default()
        };
        assert!(!later.keeps(&record), "newer than `since` only");
    }
}
