//! The registration budget, counted from the trail: attempts per number and operation in a
//! moving window. An attempt counts from its intent (it may have reached Meta even if we never
//! saw the answer) unless nothing was sent or Meta answered with an error that does not use
//! budget. Meta's own word beats the count: a 133016 answer locks the operation until its end.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use std::collections::{HashMap, HashSet};

use super::{AuditRecord, Operation, Outcome, Phase};
use crate::config::BudgetPolicy;
use crate::graph::catalogue;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub used: u32,
    pub limit: u32,
    /// When the oldest counted attempt leaves the window, if the budget is exhausted.
    pub next_free: Option<DateTime<Utc>>,
    /// Meta answered 133016 and locked this operation until then (still in the future).
    pub locked_until: Option<DateTime<Utc>>,
}

impl Budget {
    pub fn left(&self) -> u32 {
        self.limit.saturating_sub(self.used)
    }

    pub fn exhausted(&self) -> bool {
        self.used >= self.limit
    }

    /// Nothing may be sent without an explicit override: used up, or locked by Meta.
    pub fn blocked(&self) -> bool {
        self.exhausted() || self.locked_until.is_some()
    }
}

/// How long Meta locks an operation after 133016 when it does not say (docs/graph-api-facts.md §6).
pub const META_LOCK_HOURS: i64 = 72;

/// What a budget reads of one record: a record from the trail, or a line of its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetFact<'a> {
    pub time: DateTime<Utc>,
    pub attempt: &'a str,
    pub phase: Phase,
    pub number: &'a str,
    pub op: Operation,
    pub outcome: Option<Outcome>,
    pub code: Option<i64>,
    pub locked_until: Option<DateTime<Utc>>,
}

impl<'a> BudgetFact<'a> {
    pub fn of(r: &'a AuditRecord) -> Self {
        BudgetFact {
            time: r.time,
            attempt: &r.attempt,
            phase: r.phase,
            number: r.number.as_str(),
            op: r.op,
            outcome: r.outcome,
            code: r.code,
            locked_until: r.locked_until,
        }
    }
}

/// Budgets of every number, computed once from a trail.
#[derive(Debug, Clone, Default)]
pub struct BudgetBook {
    /// Counted attempt times per number and operation, oldest first, inside the window.
    counted: HashMap<String, HashMap<Operation, Vec<DateTime<Utc>>>>,
    /// The latest lock end per (number, operation) that Meta declared, if still in force.
    locks: HashMap<(String, Operation), DateTime<Utc>>,
    policy: Option<BudgetPolicy>,
}

impl BudgetBook {
    pub fn new(records: &[AuditRecord], policy: BudgetPolicy, now: DateTime<Utc>) -> Self {
        let facts: Vec<BudgetFact> = records.iter().map(BudgetFact::of).collect();
        BudgetBook::from_facts(&facts, policy, now)
    }

    /// The book from what budgets read of each record: the trail's records and its index's
    /// lines give the same book because they go through this one tally.
    pub fn from_facts(facts: &[BudgetFact], policy: BudgetPolicy, now: DateTime<Utc>) -> Self {
        let mut tally = BudgetTally::new(policy, now);
        for fact in facts {
            tally.add(*fact);
        }
        tally.finish()
    }

    /// When the number's counted attempts of `op` inside the window were made, oldest first.
    pub fn attempt_times(&self, number: &str, op: Operation) -> &[DateTime<Utc>] {
        self.counted
            .get(number)
            .and_then(|per_op| per_op.get(&op))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    pub fn budget(&self, number: &str, op: Operation) -> Budget {
        let policy = self.policy.unwrap_or_default();
        let times = self
            .counted
            .get(number)
            .and_then(|per_op| per_op.get(&op))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let used = times.len() as u32;
        let next_free = (used >= policy.max_attempts).then(|| {
            // The attempt whose expiry brings the count back under the limit.
            let index = (used - policy.max_attempts) as usize;
            times[index] + ChronoDuration::from_std(policy.window).unwrap_or(ChronoDuration::MAX)
        });
        let key = (number.to_owned(), op);
        Budget {
            used,
            limit: policy.max_attempts,
            next_free,
            locked_until: self.locks.get(&key).copied(),
        }
    }
}

/// A [`BudgetBook`] counted one record at a time, in any order: an attempt counts unless one
/// of the records says it used no budget, whichever comes first. It keeps what it needs of
/// each record (the index's lines are read a chunk at a time and dropped).
pub struct BudgetTally {
    policy: BudgetPolicy,
    now: DateTime<Utc>,
    since: DateTime<Utc>,
    /// Attempts whose outcome says they used no budget.
    not_counted: HashSet<String>,
    locks: HashMap<(String, Operation), DateTime<Utc>>,
    /// Numbers seen in intents, each kept once.
    numbers: HashMap<String, usize>,
    /// Attempt ids of the intents, one after the other.
    attempts: String,
    /// Budgeted intents inside the window: counted unless their attempt is not.
    intents: Vec<Counted>,
}

/// A budgeted intent: its number (in `numbers`), operation, time, and its attempt id's place
/// in `attempts`.
type Counted = (usize, Operation, DateTime<Utc>, (usize, usize));

impl BudgetTally {
    pub fn new(policy: BudgetPolicy, now: DateTime<Utc>) -> Self {
        let window = ChronoDuration::from_std(policy.window).unwrap_or(ChronoDuration::MAX);
        BudgetTally {
            policy,
            now,
            since: now - window,
            not_counted: HashSet::new(),
            locks: HashMap::new(),
            numbers: HashMap::new(),
            attempts: String::new(),
            intents: Vec::new(),
        }
    }

    pub fn add(&mut self, r: BudgetFact) {
        if r.phase == Phase::Intent {
            if r.op.is_counted() && r.time > self.since {
                let number = match self.numbers.get(r.number) {
                    Some(n) => *n,
                    None => {
                        let n = self.numbers.len();
                        self.numbers.insert(r.number.to_owned(), n);
                        n
                    }
                };
                let start = self.attempts.len();
                self.attempts.push_str(r.attempt);
                let attempt = (start, self.attempts.len());
                self.intents.push((number, r.op, r.time, attempt));
            }
            return;
        }
        let used_none = match r.outcome {
            Some(Outcome::NotSent) => true,
            Some(Outcome::Error) => r
                .code
                .is_some_and(|c| catalogue::lookup(c).is_some_and(|e| !e.uses_budget)),
            _ => false,
        };
        if used_none && !self.not_counted.contains(r.attempt) {
            self.not_counted.insert(r.attempt.to_owned());
        }
        let until = r.locked_until.or_else(|| {
            (r.code == Some(133016)).then(|| r.time + ChronoDuration::hours(META_LOCK_HOURS))
        });
        if let Some(until) = until.filter(|u| *u > self.now) {
            let slot = self
                .locks
                .entry((r.number.to_owned(), r.op))
                .or_insert(until);
            *slot = (*slot).max(until);
        }
    }

    pub fn finish(self) -> BudgetBook {
        let mut per_number: Vec<HashMap<Operation, Vec<DateTime<Utc>>>> =
            vec![HashMap::new(); self.numbers.len()];
        for (number, op, time, (start, end)) in self.intents {
            if self.not_counted.is_empty() || !self.not_counted.contains(&self.attempts[start..end])
            {
                per_number[number].entry(op).or_default().push(time);
            }
        }
        let mut counted = HashMap::with_capacity(self.numbers.len());
        for (name, n) in self.numbers {
            let mut per_op = std::mem::take(&mut per_number[n]);
            if per_op.is_empty() {
                continue;
            }
            for times in per_op.values_mut() {
                times.sort();
            }
            counted.insert(name, per_op);
        }
        BudgetBook {
            counted,
            locks: self.locks,
            policy: Some(self.policy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn rec(
        attempt: &str,
        hours_ago: i64,
        phase: Phase,
        op: Operation,
        code: Option<i64>,
    ) -> AuditRecord {
        let now: DateTime<Utc> = "2026-11-24T12:00:00Z".parse().unwrap();
        AuditRecord {
            time: now - ChronoDuration::hours(hours_ago),
            attempt: attempt.into(),
            phase,
            profile: "p".into(),
            number: crate::graph::NumberId::parse("1").unwrap(),
            op,
            region: None,
            detail: None,
            forced: false,
            outcome: match (phase, code) {
                (Phase::Intent, _) => None,
                (Phase::Outcome, Some(_)) => Some(Outcome::Error),
                (Phase::Outcome, None) => Some(Outcome::Ok),
            },
            code,
            trace: None,
            message: None,
            locked_until: None,
            operator: None,
            host: None,
        }
    }

    #[test]
    fn counts_intents_in_the_window_and_says_when_one_frees_up() {
        let now: DateTime<Utc> = "2026-11-24T12:00:00Z".parse().unwrap();
        let policy = BudgetPolicy {
            window: Duration::from_secs(72 * 3600),
            max_attempts: 3,
        };
        let records = vec![
            rec("old", 100, Phase::Intent, Operation::Register, None),
            rec("a", 50, Phase::Intent, Operation::Register, None),
            rec("b", 20, Phase::Intent, Operation::Register, None),
            rec("b", 20, Phase::Outcome, Operation::Register, Some(133005)),
            // Auth failures never reached the registration service: not counted.
            rec("c", 10, Phase::Intent, Operation::Register, None),
            rec("c", 10, Phase::Outcome, Operation::Register, Some(190)),
            // An intent with no outcome (crash, unknown) counts.
            rec("d", 5, Phase::Intent, Operation::Register, None),
            rec("e", 1, Phase::Intent, Operation::Deregister, None),
        ];
        let book = BudgetBook::new(&records, policy, now);
        let reg = book.budget("1", Operation::Register);
        assert_eq!(reg.used, 3);
        assert!(reg.exhausted());
        assert_eq!(
            reg.next_free,
            Some(now - ChronoDuration::hours(50) + ChronoDuration::hours(72))
        );
        let dereg = book.budget("1", Operation::Deregister);
        assert_eq!((dereg.used, dereg.left(), dereg.next_free), (1, 2, None));
        assert_eq!(book.budget("2", Operation::Register).left(), 3);
    }

    #[test]
    fn not_sent_is_never_counted_and_a_133016_locks_until_its_end() {
        let now: DateTime<Utc> = "2026-11-24T12:00:00Z".parse().unwrap();
        let policy = BudgetPolicy::default();
        let mut not_sent = rec("n", 2, Phase::Outcome, Operation::Register, None);
        not_sent.outcome = Some(Outcome::NotSent);
        let records = vec![
            rec("n", 2, Phase::Intent, Operation::Register, None),
            not_sent,
            rec("l", 10, Phase::Intent, Operation::Deregister, None),
            rec("l", 10, Phase::Outcome, Operation::Deregister, Some(133016)),
            // An old lock has ended.
            rec("o", 100, Phase::Intent, Operation::Register, None),
            rec("o", 100, Phase::Outcome, Operation::Register, Some(133016)),
        ];
        let book = BudgetBook::new(&records, policy, now);
        let reg = book.budget("1", Operation::Register);
        assert_eq!(
            (reg.used, reg.locked_until, reg.blocked()),
            (0, None, false)
        );
        let dereg = book.budget("1", Operation::Deregister);
        // The catalogue says a 133016 refusal used no attempt; the lock is what blocks.
        assert_eq!(dereg.used, 0);
        assert_eq!(
            dereg.locked_until,
            Some(now - ChronoDuration::hours(10) + ChronoDuration::hours(72))
        );
        assert!(dereg.blocked() && !dereg.exhausted());
    }
}
