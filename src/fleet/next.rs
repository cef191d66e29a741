//! Each row's next step, worked out where the rows get their facts: from the row's read, the
//! budget book, the ledger's recorded facts, the changes in progress and Meta's throttles, by
//! the engine's one rule (`engine::next_step`), so `wareg numbers`, `wareg next` and the TUI
//! table say the same. Cheap (no I/O): the TUI calls it again whenever a read, the budgets,
//! the intents or the facts change.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use super::row::Row;
use crate::audit::{BudgetBook, Fact, FactBook, Operation};
use crate::engine::{
    Budgets, Facts, NextKey, NextStep, OpenIntent, StorageFact, UnknownOutcome, next_step,
};
use crate::graph::Throttle;

/// The words a table shows for a step (the TUI's NEXT column, `wareg numbers`' NEXT): short
/// and plain, so a person reads them at a glance and they fit the column at 80 columns whole.
/// The step's key (`NextKey::as_str`) stays what files, JSON and scripts use; the filter takes
/// either (`next_named`). Every step has its words here: a new one does not compile without.
pub fn shown(step: NextKey) -> &'static str {
    match step {
        NextKey::InProgress => "wait: busy",
        NextKey::CheckOutcome => "read first",
        NextKey::ManagedElsewhere => "elsewhere",
        NextKey::Explain => "see why",
        NextKey::WaitLock => "wait: lock",
        NextKey::WaitThrottle => "throttled",
        NextKey::FreeNumber => "free it",
        NextKey::EditName => "edit name",
        NextKey::WaitReview => "in review",
        NextKey::Verify => "verify",
        NextKey::Register => "register",
        NextKey::Reregister => "reregister",
        NextKey::FixHealth => "fix health",
        NextKey::None => "none",
    }
}

/// The widest of [`shown`]'s words, in cells: the NEXT column is never cut below it.
pub const SHOWN_WIDTH: usize = 10;

/// How a text face heads a step: its words, and its key beside them when that differs
/// ("in review (wait_review)"), so the words match the table and the key is there to filter
/// with or to find in the JSON.
pub fn heading(step: NextKey) -> String {
    match shown(step) {
        words if words == step.as_str() => words.to_owned(),
        words => format!("{words} ({step})"),
    }
}

/// The step a filter's `next:` value names: its key (`wait_review`) or its shown words, with
/// anything but letters written as `_` or `-` or left out ("in_review", "in-review",
/// "wait:busy"); case is ignored. None for a value that names no step.
pub fn next_named(text: &str) -> Option<NextKey> {
    let folded = fold(text);
    NextKey::ORDER
        .into_iter()
        .find(|k| fold(k.as_str()) == folded || fold(shown(*k)) == folded)
}

/// Lowercase letters and digits only: "Wait: busy", "wait_busy" and "wait-busy" are one.
fn fold(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// What a row's next step is judged with besides its own read.
pub struct NextContext<'a> {
    pub budgets: &'a BudgetBook,
    pub facts: &'a FactBook,
    /// The newest open intent of each number, by id.
    pub open: &'a HashMap<String, OpenIntent>,
    /// Each number's newest attempt whose outcome is not known, by id
    /// (`UnknownOutcome::by_number` over the same records).
    pub unknown: &'a HashMap<String, UnknownOutcome>,
    /// A throttle Meta declared, by profile name.
    pub throttles: &'a HashMap<String, Throttle>,
    /// The config's default profile: the commands a step suggests for a number of another
    /// profile name its profile (`engine::hint`).
    pub default_profile: &'a crate::config::ProfileName,
    pub now: DateTime<Utc>,
}

/// The row's next step, the one rule both faces print: judged from the last read that worked
/// (a read that failed since leaves that one), when it was made (an attempt whose outcome is
/// not known and that no read since can show asks for a read), and what the ledger holds.
/// None while nothing was ever read of it and nothing in the ledger says what it needs.
pub fn next_of(row: &Row, ctx: &NextContext) -> Option<NextStep> {
    let id = row.id.as_str();
    let unknown = ctx.unknown.get(id).cloned();
    let mut facts = match row.known_number() {
        Some(number) => Facts::from_number(number, StorageFact::Unknown),
        None if unknown.is_some() => Facts::default(),
        None => return None,
    };
    facts.unknown_outcome = unknown;
    facts.open_intent = ctx.open.get(id).cloned();
    facts.throttled = ctx.throttles.get(row.profile.as_str()).cloned();
    facts.recorded = ctx.facts.recorded(id);
    facts.read_at = row.known_read_at();
    facts.profile = crate::engine::hint::named_profile(&row.profile, ctx.default_profile);
    let budgets = Budgets {
        register: ctx.budgets.budget(id, Operation::Register),
        deregister: ctx.budgets.budget(id, Operation::Deregister),
    };
    Some(next_step(&row.id, &facts, &budgets, ctx.now))
}

/// Works out every row's next step again.
pub fn fill(rows: &mut [Row], ctx: &NextContext) {
    for row in rows {
        row.next = next_of(row, ctx);
    }
}

/// What the rows' reads show for the first time that the ledger must remember (an approval
/// of a requested name, first seen `now`): for the face to note with `Ledger::note_fact`, and
/// into `facts`, so the steps worked out next already count from it.
pub fn sightings(rows: &[Row], facts: &mut FactBook, now: DateTime<Utc>) -> Vec<Fact> {
    let mut seen = Vec::new();
    for row in rows {
        let Some(number) = row.number() else {
            continue;
        };
        let recorded = facts.recorded(row.id.as_str());
        for fact in crate::engine::sightings(&row.id, number, &recorded, now) {
            facts.note(fact.clone());
            seen.push(fact);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{NumberId, PhoneNumber};

    fn row(id: &str, number: serde_json::Value) -> Row {
        let mut row = Row::configured(NumberId::parse(id).unwrap(), None, "p".into());
        let number: PhoneNumber = serde_json::from_value(number).unwrap();
        row.set_read(Ok(number), Utc::now());
        row
    }

    #[test]
    fn a_row_gets_its_step_from_its_read_and_an_approval_is_seen_once() {
        let mut rows = vec![
            row(
                "1",
                serde_json::json!({"id": "1", "status": "PENDING", "code_verification_status": "VERIFIED"}),
            ),
            row(
                "2",
                serde_json::json!({"id": "2", "status": "CONNECTED", "code_verification_status": "VERIFIED",
                    "new_name_status": "APPROVED", "new_display_name": "Acme New"}),
            ),
            Row::configured(NumberId::parse("3").unwrap(), None, "p".into()),
        ];
        let mut facts = FactBook::default();
        let now = Utc::now();
        let seen = sightings(&rows, &mut facts, now);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].value, "Acme New");
        assert!(
            sightings(&rows, &mut facts, now).is_empty(),
            "seen once, then known"
        );
        let (budgets, open, throttles) = (BudgetBook::default(), HashMap::new(), HashMap::new());
        let unknown = HashMap::new();
        let ctx = NextContext {
            budgets: &budgets,
            facts: &facts,
            open: &open,
            unknown: &unknown,
            throttles: &throttles,
            default_profile: &"p".into(),
            now,
        };
        fill(&mut rows, &ctx);
        let steps: Vec<Option<NextKey>> = rows
            .iter()
            .map(|r| r.next.as_ref().map(|n| n.step))
            .collect();
        assert_eq!(
            steps,
            [Some(NextKey::Register), Some(NextKey::Reregister), None]
        );
    }

    /// What both faces show of a number after a change whose outcome is not known: a read
    /// from before it (kept when a later read failed) or no read at all asks for a read; a
    /// read made after it gives the step it shows.
    #[test]
    fn an_unknown_outcome_asks_for_a_read_until_a_read_after_it() {
        let sent = Utc::now() - chrono::Duration::minutes(10);
        let unknown: HashMap<String, UnknownOutcome> = ["1", "3"]
            .into_iter()
            .map(|id| {
                let u = UnknownOutcome {
                    op: Operation::Register,
                    at: sent,
                    operator: Some("bo@desk-2".into()),
                    abandoned: false,
                };
                (id.to_owned(), u)
            })
            .collect();
        let pending = serde_json::json!({"id": "1", "status": "PENDING", "code_verification_status": "VERIFIED"});
        // Read before the attempt, then a read that failed.
        let mut before = row("1", pending.clone());
        let mut old: PhoneNumber = serde_json::from_value(pending).unwrap();
        old.id = "1".into();
        before.set_read(Ok(old), sent - chrono::Duration::minutes(5));
        before.set_failed(crate::graph::ApiError::Network("reset".into()));
        let after = row(
            "3",
            serde_json::json!({"id": "3", "status": "CONNECTED", "code_verification_status": "VERIFIED"}),
        );
        let never = Row::configured(NumberId::parse("1").unwrap(), None, "p".into());
        let unread_elsewhere = Row::configured(NumberId::parse("2").unwrap(), None, "p".into());
        let (budgets, facts, open, throttles) = (
            BudgetBook::default(),
            FactBook::default(),
            HashMap::new(),
            HashMap::new(),
        );
        let ctx = NextContext {
            budgets: &budgets,
            facts: &facts,
            open: &open,
            unknown: &unknown,
            throttles: &throttles,
            default_profile: &"p".into(),
            now: Utc::now(),
        };
        let step = |r: &Row| next_of(r, &ctx).map(|n| n.step);
        assert_eq!(step(&before), Some(NextKey::CheckOutcome));
        assert_eq!(step(&never), Some(NextKey::CheckOutcome));
        assert_eq!(step(&after), Some(NextKey::None), "read after it");
        assert_eq!(step(&unread_elsewhere), None, "nothing known at all");
    }

    /// Every step's words fit the column whole, no two steps share them, and the filter
    /// finds each step by its key and by its words, however they are typed.
    #[test]
    fn every_step_has_short_words_of_its_own_that_the_filter_takes() {
        let mut seen = std::collections::HashSet::new();
        for step in NextKey::ORDER {
            let words = shown(step);
            assert!(
                crate::width::of(words) <= SHOWN_WIDTH,
                "{step}: '{words}' is wider than {SHOWN_WIDTH}"
            );
            assert!(seen.insert(fold(words)), "{step}: '{words}' is taken");
            assert_eq!(next_named(step.as_str()), Some(step));
            assert_eq!(next_named(words), Some(step));
            assert_eq!(next_named(&words.replace([' ', ':'], "_")), Some(step));
            assert_eq!(
                next_named(&words.to_uppercase().replace(' ', "-")),
                Some(step)
            );
        }
        assert_eq!(
            NextKey::ORDER
                .iter()
                .map(|k| crate::width::of(shown(*k)))
                .max(),
            Some(SHOWN_WIDTH),
            "SHOWN_WIDTH is the widest"
        );
        assert_eq!(next_named("in_review"), Some(NextKey::WaitReview));
        assert_eq!(next_named("wait:busy"), Some(NextKey::InProgress));
        assert_eq!(next_named("rereg"), None, "no part of a step");
        assert_eq!(heading(NextKey::WaitReview), "in review (wait_review)");
        assert_eq!(heading(NextKey::Register), "register");
    }
}
