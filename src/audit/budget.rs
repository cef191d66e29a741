//! The registration budget, counted from the trail: attempts per number and operation in a
//! moving window. An attempt counts from its intent (it may have reached Meta even if we never
//! saw the answer) unless Meta answered with an error that does not use budget.

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
}

impl Budget {
    pub fn left(&self) -> u32 {
        self.limit.saturating_sub(self.used)
    }

    pub fn exhausted(&self) -> bool {
        self.used >= self.limit
    }
}

/// Budgets of every number, computed once from a trail.
#[derive(Debug, Clone, Default)]
pub struct BudgetBook {
    /// Counted attempt times per (number, operation), oldest first, inside the window.
    counted: HashMap<(String, Operation), Vec<DateTime<Utc>>>,
    policy: Option<BudgetPolicy>,
}

impl BudgetBook {
    pub fn new(records: &[AuditRecord], policy: BudgetPolicy, now: DateTime<Utc>) -> Self {
        let window = ChronoDuration::from_std(policy.window).unwrap_or(ChronoDuration::MAX);
        let since = now - window;
        let not_counted: HashSet<&str> = records
            .iter()
            .filter(|r| r.phase == Phase::Outcome && r.outcome == Some(Outcome::Error))
            .filter(|r| {
                r.code
                    .is_some_and(|c| catalogue::lookup(c).is_some_and(|e| !e.uses_budget))
            })
            .map(|r| r.attempt.as_str())
            .collect();
        let mut counted: HashMap<(String, Operation), Vec<DateTime<Utc>>> = HashMap::new();
        for r in records {
            if r.phase == Phase::Intent
                && r.op.is_budgeted()
                && r.time > since
                && !not_counted.contains(r.attempt.as_str())
            {
                counted
                    .entry((r.number.clone(), r.op))
                    .or_default()
                    .push(r.time);
            }
        }
        for times in counted.values_mut() {
            times.sort();
        }
        BudgetBook {
            counted,
            policy: Some(policy),
        }
    }

    pub fn budget(&self, number: &str, op: Operation) -> Budget {
        let policy = self.policy.unwrap_or_default();
        let times = self
            .counted
            .get(&(number.to_owned(), op))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let used = times.len() as u32;
        let next_free = (used >= policy.max_attempts).then(|| {
            // The attempt whose expiry brings the count back under the limit.
            let index = (used - policy.max_attempts) as usize;
            times[index] + ChronoDuration::from_std(policy.window).unwrap_or(ChronoDuration::MAX)
        });
        Budget {
            used,
            limit: policy.max_attempts,
            next_free,
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
            number: "1".into(),
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
}
