//! The two reads the engine makes through the index: every number's budgets, and one number's
//! records (their lines read from the trail at the offsets the index gives).

use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::fs::File;
use std::path::Path;

use super::check::names_a_line;
use super::line::{Head, Span};
use super::scan::{Scan, Unusable, Visit, scan};
use crate::audit::budget::BudgetFact;
use crate::audit::{AuditRecord, BudgetBook, BudgetTally};
use crate::config::BudgetPolicy;
use crate::ledger::local::tail;

/// Budgets as of `now` from the records newer than `since`: of the numbers in `only`, or of
/// every number.
pub fn budgets(
    trail: &Path,
    index: &Path,
    since: DateTime<Utc>,
    policy: BudgetPolicy,
    now: DateTime<Utc>,
    only: Option<&HashSet<String>>,
) -> Result<(BudgetBook, Scan), Unusable> {
    struct Tally<'a> {
        tally: BudgetTally,
        only: Option<&'a HashSet<String>>,
    }
    impl Tally<'_> {
        fn wants(&self, number: &str) -> bool {
            self.only.is_none_or(|only| only.contains(number))
        }
    }
    impl Visit for Tally<'_> {
        fn indexed(&mut self, head: &Head<'_>) -> bool {
            // An error or a record that nothing was sent can free any intent of its attempt,
            // whatever number it names; other lines count only for their own number.
            let frees = matches!(head.kind, Some([_, b'o', _, b'e' | b'n']));
            if !frees && !self.wants(head.number) {
                return true;
            }
            match head.fact() {
                Some(fact) => {
                    self.tally.add(fact);
                    true
                }
                None => false,
            }
        }
        fn record(&mut self, record: AuditRecord) {
            self.tally.add(BudgetFact::of(&record));
        }
    }
    let mut tally = Tally {
        tally: BudgetTally::new(policy, now),
        only,
    };
    let scan = scan(trail, index, since, &mut tally)?;
    Ok((tally.tally.finish(), scan))
}

/// One number's records newer than `since`, oldest first. Out of step if a line the index
/// names is no longer the one indexed.
pub fn records_of(
    trail: &Path,
    index: &Path,
    since: DateTime<Utc>,
    number: &str,
) -> Result<(Vec<AuditRecord>, Scan), Unusable> {
    enum Mine {
        At(Span),
        Read(Box<AuditRecord>),
    }
    struct Collect<'a> {
        number: &'a str,
        newest_first: Vec<Mine>,
    }
    impl Visit for Collect<'_> {
        fn indexed(&mut self, head: &Head<'_>) -> bool {
            if head.number == self.number {
                self.newest_first.push(Mine::At(head.span));
            }
            true
        }
        fn record(&mut self, record: AuditRecord) {
            if record.number == self.number {
                self.newest_first.push(Mine::Read(Box::new(record)));
            }
        }
    }
    let mut mine = Collect {
        number,
        newest_first: Vec::new(),
    };
    let scan = scan(trail, index, since, &mut mine)?;
    let mut file = None;
    let mut records = Vec::with_capacity(mine.newest_first.len());
    for found in mine.newest_first.into_iter().rev() {
        records.push(match found {
            Mine::Read(record) => *record,
            Mine::At(span) => {
                let file = match &file {
                    Some(file) => file,
                    None => file.insert(crate::private_file::open_read(trail)?),
                };
                read_record(file, span)?
            }
        });
    }
    Ok((records, scan))
}

/// The record on the trail line `span` names, if that line is still the one indexed.
fn read_record(trail: &File, span: Span) -> Result<AuditRecord, Unusable> {
    // No record is longer (the index never says one is): a span that does is not read.
    if span.len > crate::ledger::local::lines::LINE_MAX || !names_a_line(trail, span)? {
        return Err(Unusable::OutOfStep);
    }
    let mut raw = vec![0u8; span.len as usize];
    super::read_at(trail, &mut raw, span.off)?;
    tail::parse_line(&raw, span.off).map_err(|_| Unusable::OutOfStep)
}
