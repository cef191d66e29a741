//! Why the engine refused to send, as the kinds of refusal it makes: each says itself in words
//! (`Display`) and knows whether `--force` can go past it. Nothing was sent in any of them.

use chrono::{DateTime, Utc};
use std::fmt;

use super::{Blocker, OpenIntent, PlanKind};
use crate::audit::{Budget, Operation};
use crate::graph::NumberId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The plan carries a blocker nothing may override (a face sent it anyway), or Meta
    /// declared a throttle after the plan was made (the user chose without knowing of it).
    Plan {
        kind: PlanKind,
        number: NumberId,
        blocker: Blocker,
    },
    /// Someone (here or at another desk) is changing the number now; the change counts as
    /// abandoned only `stale_minutes` after it started.
    InProgress {
        number: NumberId,
        open: OpenIntent,
        stale_minutes: u64,
    },
    /// A change of the number started and never ended: it still counts, and only an explicit
    /// override goes past it.
    Abandoned { number: NumberId, open: OpenIntent },
    /// Counted again under the ledger's lock, the budget of `op` has no room for what the plan
    /// still spends (another process may have just used the last attempt).
    BudgetUsedUp {
        number: NumberId,
        op: Operation,
        budget: Budget,
    },
    /// Meta answered 133016: every request of `op` is refused until then.
    LockedByMeta {
        number: NumberId,
        op: Operation,
        until: DateTime<Utc>,
    },
    /// A display-name change stopped by what its plan meets (a spent budget, an official
    /// account, a change in progress).
    Rename { number: NumberId, blocker: Blocker },
    /// A code asked for a number whose ownership is already verified: Meta answers 136024.
    AlreadyVerified { number: NumberId },
}

impl Refusal {
    /// Whether `--force` (the TUI's override) can send past it. Never past Meta's 133016 lock,
    /// a change in progress, or a plan blocker nothing may override.
    pub fn can_force(&self) -> bool {
        match self {
            Refusal::Plan { blocker, .. } | Refusal::Rename { blocker, .. } => {
                blocker.overridable()
            }
            Refusal::Abandoned { .. }
            | Refusal::BudgetUsedUp { .. }
            | Refusal::AlreadyVerified { .. } => true,
            Refusal::InProgress { .. } | Refusal::LockedByMeta { .. } => false,
        }
    }

    /// The words with "add --force" when forcing could help (an abandoned change's words
    /// already say so).
    pub fn with_force_hint(&self) -> String {
        if self.can_force() && !matches!(self, Refusal::Abandoned { .. }) {
            format!("{self}; add --force to send anyway")
        } else {
            self.to_string()
        }
    }
}

fn at(time: &DateTime<Utc>) -> impl fmt::Display {
    crate::clock::words_utc(*time)
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Plan {
                kind,
                number,
                blocker,
            } => write!(
                f,
                "refusing the {} of {number}: {}. Nothing was sent",
                kind.words(),
                blocker.words()
            ),
            Refusal::InProgress {
                number,
                open,
                stale_minutes,
            } => write!(
                f,
                "refusing to change {number}: {} is running {} on it since {} and it has not ended; wait for it (or, if it was abandoned, for {stale_minutes} minutes after it started: --force cannot go past it before). Nothing was sent",
                open.operator,
                open.op,
                at(&open.since)
            ),
            Refusal::Abandoned { number, open } => write!(
                f,
                "refusing to change {number}: a {} by {} at {} was abandoned without an outcome (it still counts against the budget); check the number's status, then add --force to go ahead. Nothing was sent",
                open.op,
                open.operator,
                at(&open.since)
            ),
            Refusal::BudgetUsedUp { number, op, budget } => {
                let blocker = Blocker::BudgetExhausted {
                    op: *op,
                    budget: *budget,
                };
                budget_words(f, *op, number, &blocker)
            }
            Refusal::LockedByMeta { number, op, until } => {
                let blocker = Blocker::LockedByMeta {
                    op: *op,
                    until: *until,
                };
                budget_words(f, *op, number, &blocker)
            }
            Refusal::Rename { number, blocker } => write!(
                f,
                "refusing the display-name change of {number}: {}. Nothing was sent",
                blocker.words()
            ),
            Refusal::AlreadyVerified { number } => write!(
                f,
                "refusing to request a code for {number}: its ownership is already verified, and Meta sends no code then (136024); nothing to verify (if it is not registered yet, register it). Nothing was sent"
            ),
        }
    }
}

/// The same words the plan's blockers use: the one who loses the race reads what a plan made
/// a moment later would have said.
fn budget_words(
    f: &mut fmt::Formatter<'_>,
    op: Operation,
    number: &NumberId,
    blocker: &Blocker,
) -> fmt::Result {
    let why = if op == Operation::Rename {
        "Meta allows 10 display-name changes per number in 30 days"
    } else {
        "Meta locks a number for 72 hours on the 11th request in its window"
    };
    write!(
        f,
        "refusing to {op} {number}: {}. {why}. Nothing was sent",
        blocker.words()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number() -> NumberId {
        NumberId::parse("106540352242922").unwrap()
    }

    fn open() -> OpenIntent {
        OpenIntent {
            operator: "bo@desk-2".into(),
            op: Operation::Register,
            since: "2026-11-24T10:00:00Z".parse().unwrap(),
            abandoned: false,
        }
    }

    fn until() -> DateTime<Utc> {
        "2026-11-27T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn force_passes_a_spent_budget_and_an_abandoned_change_but_never_metas_lock() {
        let budget = Budget {
            used: 10,
            limit: 10,
            next_free: None,
            locked_until: None,
        };
        let cases = [
            (
                Refusal::BudgetUsedUp {
                    number: number(),
                    op: Operation::Register,
                    budget,
                },
                true,
            ),
            (
                Refusal::Abandoned {
                    number: number(),
                    open: open(),
                },
                true,
            ),
            (
                Refusal::LockedByMeta {
                    number: number(),
                    op: Operation::Deregister,
                    until: until(),
                },
                false,
            ),
            (
                Refusal::InProgress {
                    number: number(),
                    open: open(),
                    stale_minutes: 10,
                },
                false,
            ),
            (
                Refusal::Plan {
                    kind: PlanKind::Register,
                    number: number(),
                    blocker: Blocker::Coexistence,
                },
                false,
            ),
            (
                Refusal::Plan {
                    kind: PlanKind::Deregister,
                    number: number(),
                    blocker: Blocker::LockedByMeta {
                        op: Operation::Deregister,
                        until: until(),
                    },
                },
                false,
            ),
        ];
        for (refusal, forceable) in cases {
            assert_eq!(refusal.can_force(), forceable, "{refusal}");
            let words = refusal.to_string();
            assert!(words.ends_with("Nothing was sent"), "{words}");
            let hinted = refusal.with_force_hint();
            assert_eq!(
                hinted.ends_with("; add --force to send anyway"),
                forceable && !matches!(refusal, Refusal::Abandoned { .. }),
                "{hinted}"
            );
            assert!(hinted.starts_with(&words));
        }
    }

    #[test]
    fn the_words_are_the_ones_the_engine_always_said() {
        let locked = Refusal::LockedByMeta {
            number: number(),
            op: Operation::Deregister,
            until: until(),
        };
        assert_eq!(
            locked.with_force_hint(),
            "refusing to deregister 106540352242922: Meta locked deregister for this number (133016) until about Fri 27 Nov 10:00 UTC. Meta locks a number for 72 hours on the 11th request in its window. Nothing was sent"
        );
        let in_progress = Refusal::InProgress {
            number: number(),
            open: open(),
            stale_minutes: 10,
        };
        assert_eq!(
            in_progress.with_force_hint(),
            "refusing to change 106540352242922: bo@desk-2 is running register on it since Tue 24 Nov 10:00 UTC and it has not ended; wait for it (or, if it was abandoned, for 10 minutes after it started: --force cannot go past it before). Nothing was sent"
        );
        let abandoned = Refusal::Abandoned {
            number: number(),
            open: open(),
        };
        assert_eq!(
            abandoned.with_force_hint(),
            "refusing to change 106540352242922: a register by bo@desk-2 at Tue 24 Nov 10:00 UTC was abandoned without an outcome (it still counts against the budget); check the number's status, then add --force to go ahead. Nothing was sent"
        );
        let used_up = Refusal::BudgetUsedUp {
            number: number(),
            op: Operation::Register,
            budget: Budget {
                used: 10,
                limit: 10,
                next_free: Some(until()),
                locked_until: None,
            },
        };
        assert_eq!(
            used_up.with_force_hint(),
            "refusing to register 106540352242922: the register budget is used up (10 of 10 in the window; the next attempt frees up at Fri 27 Nov 10:00 UTC). Meta locks a number for 72 hours on the 11th request in its window. Nothing was sent; add --force to send anyway"
        );
    }
}
