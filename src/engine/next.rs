//! What a number needs next, beside `decide`: from what is known of it (its facts, what the
//! ledger recorded of it, its budgets and Meta's lock, a throttle, a change in progress), one
//! step with its words and, where wareg can do it, the command that does it. Pure, so both
//! faces show the same step, and a table test states every rule.
//!
//! When several steps apply, the first of [`NextKey::ORDER`] wins: what stops everything
//! (someone else is changing it, it is managed elsewhere, it is not a number wareg can act on,
//! Meta's lock or throttle) comes before what Meta refused, before the path from added to
//! registered, before what only needs saying.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;

use super::decide::{Budgets, Facts};
use crate::audit::fact::reregister_by;
use crate::graph::NumberId;
use crate::graph::types::{CodeVerification, NameStatus, NumberStatus, PlatformType};

/// The steps, by the keys the JSON and the filter (`next:register`) use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NextKey {
    InProgress,
    CheckOutcome,
    ManagedElsewhere,
    Explain,
    WaitLock,
    WaitThrottle,
    FreeNumber,
    EditName,
    WaitReview,
    Verify,
    Register,
    Reregister,
    FixHealth,
    None,
}

impl NextKey {
    /// Every step, first the one that wins when several apply.
    pub const ORDER: [NextKey; 14] = [
        NextKey::InProgress,
        NextKey::CheckOutcome,
        NextKey::ManagedElsewhere,
        NextKey::Explain,
        NextKey::WaitLock,
        NextKey::WaitThrottle,
        NextKey::FreeNumber,
        NextKey::EditName,
        NextKey::WaitReview,
        NextKey::Verify,
        NextKey::Register,
        NextKey::Reregister,
        NextKey::FixHealth,
        NextKey::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NextKey::InProgress => "in_progress",
            NextKey::CheckOutcome => "check_outcome",
            NextKey::ManagedElsewhere => "managed_elsewhere",
            NextKey::Explain => "explain",
            NextKey::WaitLock => "wait_lock",
            NextKey::WaitThrottle => "wait_throttle",
            NextKey::FreeNumber => "free_number",
            NextKey::EditName => "edit_name",
            NextKey::WaitReview => "wait_review",
            NextKey::Verify => "verify",
            NextKey::Register => "register",
            NextKey::Reregister => "reregister",
            NextKey::FixHealth => "fix_health",
            NextKey::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<NextKey> {
        NextKey::ORDER.into_iter().find(|k| k.as_str() == text)
    }
}

impl fmt::Display for NextKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for NextKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A number's next step: `{"step": "register", "words": "…", "until": RFC 3339, "action":
/// "wareg register ID --pin-stdin"}` (`until` and `action` only when there is one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextStep {
    pub step: NextKey,
    pub words: String,
    /// When it changes by itself (a lock or throttle ends, the last day to re-register).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    /// The command that does it, when wareg can.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

impl NextStep {
    fn new(step: NextKey, words: impl Into<String>) -> NextStep {
        NextStep {
            step,
            words: words.into(),
            until: None,
            action: None,
        }
    }

    fn until(mut self, at: DateTime<Utc>) -> NextStep {
        self.until = Some(at);
        self
    }

    fn action(mut self, command: String) -> NextStep {
        self.action = Some(command);
        self
    }
}

fn at(time: DateTime<Utc>) -> impl fmt::Display {
    crate::clock::words_utc(time)
}

/// "2 Dec": the day the 14 days are counted in.
fn day(time: DateTime<Utc>) -> impl fmt::Display {
    time.format("%-d %b")
}

/// The next step of the number `id` at `now`. A number whose status was never read has
/// nothing known to go on: `none`, saying so.
pub fn next_step(id: &NumberId, facts: &Facts, budgets: &Budgets, now: DateTime<Utc>) -> NextStep {
    let target = super::hint::target(id, facts.profile.as_ref());
    let register = format!("wareg register {target} --pin-stdin");
    if let Some(open) = facts.open_intent.as_ref().filter(|o| !o.abandoned) {
        return NextStep::new(
            NextKey::InProgress,
            format!(
                "{} is running {} on it since {}: wait for it to end",
                open.operator,
                open.op,
                at(open.since)
            ),
        );
    }
    if let Some(unknown) = facts
        .unknown_outcome
        .as_ref()
        .filter(|u| u.unseen_by(facts.read_at.filter(|_| facts.status.is_some())))
    {
        let by = unknown
            .operator
            .as_deref()
            .map(|o| format!(" by {o}"))
            .unwrap_or_default();
        let what = if unknown.abandoned {
            format!(
                "the {} begun{by} {} was abandoned with no outcome",
                unknown.op,
                at(unknown.at)
            )
        } else {
            format!(
                "the {} sent{by} has an unknown outcome ({})",
                unknown.op,
                at(unknown.at)
            )
        };
        return NextStep::new(
            NextKey::CheckOutcome,
            format!(
                "{what}: Meta may or may not have applied it, and nothing read since shows which; read the number before sending anything again"
            ),
        )
        .action(format!("wareg status {target}"));
    }
    if facts.coexistence == Some(true) {
        return NextStep::new(
            NextKey::ManagedElsewhere,
            "managed in the WhatsApp Business app (coexistence): Meta allows neither register nor deregister through the API, and nothing here needs doing",
        );
    }
    let Some(status) = &facts.status else {
        return NextStep::new(
            NextKey::None,
            "not read: nothing is known of it yet (read it again)",
        );
    };
    if let Some(words) = explanation(status, facts.platform.as_ref()) {
        return NextStep::new(NextKey::Explain, words);
    }
    let lock = [
        ("register", budgets.register.locked_until),
        ("deregister", budgets.deregister.locked_until),
    ]
    .into_iter()
    .find_map(|(op, until)| Some((op, until?)));
    if let Some((op, until)) = lock {
        return NextStep::new(
            NextKey::WaitLock,
            format!(
                "Meta locked {op} for it (133016) until about {}: every request before then is refused",
                at(until)
            ),
        )
        .until(until);
    }
    if let Some(throttle) = facts.throttled.as_ref().filter(|t| t.until > now) {
        return NextStep::new(
            NextKey::WaitThrottle,
            format!(
                "Meta is throttling {} {}: wareg sends nothing meanwhile",
                throttle.covers,
                throttle.words(now)
            ),
        )
        .until(throttle.until);
    }
    if let Some(fact) = facts.recorded.on_existing_account() {
        return NextStep::new(
            NextKey::FreeNumber,
            format!(
                "Meta says the number is on an existing WhatsApp account (\"{}\", {}): disconnect it from that account (delete the account in the WhatsApp app on the phone), then register it",
                fact.value,
                day(fact.time)
            ),
        );
    }
    let rename = format!("wareg rename {target} --name \"…\"");
    if let Some(name_status) = facts.name_status.as_ref().filter(|s| s.unusable()) {
        return NextStep::new(
            NextKey::EditName,
            format!(
                "the display name's status is {name_status}: it cannot be registered until the name is fixed (request a new name, or edit it in WhatsApp Manager)"
            ),
        )
        .action(rename);
    }
    if let Some(declined) = facts
        .new_name_status
        .as_ref()
        .filter(|s| **s == NameStatus::Declined)
    {
        let asked = facts
            .new_name
            .as_deref()
            .map_or_else(|| "the requested name".to_owned(), |n| format!("'{n}'"));
        let kept = facts
            .verified_name
            .as_deref()
            .map_or_else(|| "its display name".to_owned(), |n| format!("'{n}'"));
        return NextStep::new(
            NextKey::EditName,
            format!(
                "Meta declined the new display name {asked} ({declined}): the number keeps {kept} and works as before; to change it, request a name that follows Meta's display-name rules (it counts against the 10 changes in 30 days), or edit it in WhatsApp Manager"
            ),
        )
        .action(rename);
    }
    let name_requested = facts
        .new_name_status
        .as_ref()
        .is_some_and(|s| s.in_review() || *s == NameStatus::Approved);
    if let Some(fact) = facts.recorded.name_refused().filter(|_| !name_requested) {
        return NextStep::new(
            NextKey::EditName,
            format!(
                "Meta could not process the display name (\"{}\", {}): it cannot be registered until the name is fixed (request a new name, or edit it in WhatsApp Manager)",
                fact.value,
                day(fact.time)
            ),
        )
        .action(rename);
    }
    if let Some(review) = facts.new_name_status.as_ref().filter(|s| s.in_review()) {
        let name = facts
            .new_name
            .as_deref()
            .map_or_else(|| "the requested name".to_owned(), |n| format!("'{n}'"));
        return NextStep::new(
            NextKey::WaitReview,
            format!(
                "{name} is under review ({review}): a register now would have no effect; once Meta approves it, re-register within 14 days"
            ),
        );
    }
    if let Some(v) = facts
        .verified
        .as_ref()
        .filter(|v| **v != CodeVerification::Verified)
    {
        return NextStep::new(
            NextKey::Verify,
            format!(
                "ownership is not verified ({v}): request a code by SMS or voice, then enter it"
            ),
        )
        .action(format!("wareg request-code {target} --method sms"));
    }
    let spent = budget_words(budgets);
    if facts.known_unregistered() {
        return NextStep::new(
            NextKey::Register,
            format!("verified but not registered (status {status}): register it{spent}"),
        )
        .action(register);
    }
    if let Some(fact) = facts.recorded.approval_waiting(now) {
        let by = reregister_by(fact.time);
        return NextStep::new(
            NextKey::Reregister,
            format!(
                "re-register by {} to apply '{}' (14 days from when wareg first saw it approved, {}), unless it was re-registered outside wareg{spent}",
                day(by),
                fact.value,
                day(fact.time)
            ),
        )
        .until(by)
        .action(register);
    }
    if facts.health.as_ref().and_then(|h| h.limit()).is_some()
        && let Some(words) = super::decide::health_words(facts)
    {
        return NextStep::new(NextKey::FixHealth, words);
    }
    NextStep::new(NextKey::None, format!("nothing waits (status {status})"))
}

/// What a status or platform that no register changes means; None for the ones wareg plans.
fn explanation(status: &NumberStatus, platform: Option<&PlatformType>) -> Option<String> {
    let nothing = "nothing to send from here";
    if platform == Some(&PlatformType::OnPremise) {
        return Some(format!(
            "still on the On-Premises API, which Meta retired on 23 Oct 2025: moving it to Cloud API is done in WhatsApp Manager; {nothing}"
        ));
    }
    Some(match status {
        NumberStatus::Migrated => format!(
            "status MIGRATED: the number was moved (to another WABA, or off the On-Premises API); look for it where it went; {nothing}"
        ),
        NumberStatus::Banned => {
            format!(
                "status BANNED: Meta banned the number; only Meta's support can lift it; {nothing}"
            )
        }
        NumberStatus::Deleted => {
            format!("status DELETED: the number was deleted in WhatsApp Manager; {nothing}")
        }
        NumberStatus::Linked | NumberStatus::Unlinked | NumberStatus::NotKnown => {
            format!("status {status} is not one a register or deregister changes; {nothing}")
        }
        NumberStatus::Unknown(raw) => {
            format!("status {raw} is not one wareg knows; {nothing} until it is understood")
        }
        _ => return None,
    })
}

/// "; the register budget is used up until …" when a register could not go now.
fn budget_words(budgets: &Budgets) -> String {
    let budget = &budgets.register;
    if !budget.exhausted() {
        return String::new();
    }
    match budget.next_free {
        Some(free) => format!(
            " (the register budget is used up: the next attempt frees up at {})",
            at(free)
        ),
        None => " (the register budget is used up)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Budget, Fact, FactKind, Operation, Recorded};
    use crate::engine::{OpenIntent, StorageFact};
    use crate::graph::Throttle;
    use crate::graph::types::{Health, HealthEntity, HealthError, NameStatus};

    fn id() -> NumberId {
        NumberId::parse("106540352242922").unwrap()
    }

    fn now() -> DateTime<Utc> {
        "2026-12-05T12:00:00Z".parse().unwrap()
    }

    fn budget() -> Budget {
        Budget {
            used: 0,
            limit: 10,
            next_free: None,
            locked_until: None,
        }
    }

    fn budgets() -> Budgets {
        Budgets {
            register: budget(),
            deregister: budget(),
        }
    }

    fn connected() -> Facts {
        Facts {
            status: Some(NumberStatus::Connected),
            verified: Some(CodeVerification::Verified),
            coexistence: Some(false),
            storage: Some(StorageFact::Unknown),
            name_status: Some(NameStatus::Approved),
            platform: Some(PlatformType::CloudApi),
            ..Facts::default()
        }
    }

    fn fact(kind: FactKind, value: &str, time: &str) -> Fact {
        Fact::new(&id(), kind, value, time.parse().unwrap())
    }

    fn limited() -> Health {
        Health {
            can_send_message: Some("LIMITED".into()),
            entities: vec![HealthEntity {
                entity_type: Some("WABA".into()),
                id: Some("77".into()),
                can_send_message: Some("LIMITED".into()),
                errors: vec![HealthError {
                    error_code: Some(141006),
                    error_description: Some("A payment method is missing.".into()),
                    possible_solution: Some("Add a payment method.".into()),
                }],
            }],
        }
    }

    /// Each step, from the facts that give it; every case also holds what would give every
    /// step after it, so the order is tested too.
    #[test]
    fn every_step_from_the_facts_that_give_it_first_in_the_order_wins() {
        let lock = "2026-12-07T09:00:00Z".parse().unwrap();
        let throttle = Throttle {
            until: "2026-12-05T12:30:00Z".parse().unwrap(),
            code: Some(80008),
            covers: "WABA 102290129340398".into(),
        };
        let approved = fact(FactKind::NameApproved, "Acme New", "2026-12-02T08:00:00Z");
        let everything = Facts {
            open_intent: Some(OpenIntent {
                operator: "bo@desk-2".into(),
                op: Operation::Register,
                since: "2026-12-05T11:58:00Z".parse().unwrap(),
                abandoned: false,
            }),
            unknown_outcome: Some(crate::engine::UnknownOutcome {
                op: Operation::Deregister,
                at: "2026-12-05T11:00:00Z".parse().unwrap(),
                operator: Some("al@desk-1".into()),
                abandoned: false,
            }),
            coexistence: Some(true),
            status: Some(NumberStatus::Migrated),
            throttled: Some(throttle.clone()),
            name_status: Some(NameStatus::Expired),
            new_name: Some("Acme Newer".into()),
            new_name_status: Some(NameStatus::PendingReview),
            verified: Some(CodeVerification::NotVerified),
            health: Some(limited()),
            recorded: Recorded {
                approval: Some(approved.clone()),
                on_existing_account: Some(fact(
                    FactKind::OnExistingAccount,
                    "This number is registered to an existing WhatsApp account.",
                    "2026-12-04T10:00:00Z",
                )),
                ..Recorded::default()
            },
            ..connected()
        };
        let locked = Budgets {
            register: Budget {
                locked_until: Some(lock),
                ..budget()
            },
            ..budgets()
        };
        // Each step, then what takes it away so the next one shows.
        type Peel = fn(&mut Facts, &mut Budgets);
        /// A step, the start of its words, its `until` and its action, and what peels it.
        type Case = (
            NextKey,
            &'static str,
            Option<&'static str>,
            Option<&'static str>,
            Peel,
        );
        let steps: [Case; 14] = [
            (
                NextKey::InProgress,
                "bo@desk-2 is running register on it since Sat 05 Dec 11:58 UTC: wait for it to end",
                None,
                None,
                |f, _| f.open_intent = None,
            ),
            (
                NextKey::CheckOutcome,
                "the deregister sent by al@desk-1 has an unknown outcome (Sat 05 Dec 11:00 UTC): Meta may or may not have applied it, and nothing read since shows which",
                None,
                Some("wareg status 106540352242922"),
                // A read made after it shows what it did.
                |f, _| f.read_at = Some("2026-12-05T11:30:00Z".parse().unwrap()),
            ),
            (
                NextKey::ManagedElsewhere,
                "managed in the WhatsApp Business app (coexistence)",
                None,
                None,
                |f, _| f.coexistence = Some(false),
            ),
            (
                NextKey::Explain,
                "status MIGRATED: the number was moved",
                None,
                None,
                |f, _| f.status = Some(NumberStatus::Pending),
            ),
            (
                NextKey::WaitLock,
                "Meta locked register for it (133016) until about Mon 07 Dec 09:00 UTC",
                Some("2026-12-07T09:00:00+00:00"),
                None,
                |_, b| b.register.locked_until = None,
            ),
            (
                NextKey::WaitThrottle,
                "Meta is throttling WABA 102290129340398 until Sat 05 Dec 12:30 UTC (about 30 min)",
                Some("2026-12-05T12:30:00+00:00"),
                None,
                |f, _| f.throttled = None,
            ),
            (
                NextKey::FreeNumber,
                "Meta says the number is on an existing WhatsApp account (\"This number is registered to an existing WhatsApp account.\", 4 Dec): disconnect it",
                None,
                None,
                |f, _| f.recorded.on_existing_account = None,
            ),
            (
                NextKey::EditName,
                "the display name's status is EXPIRED: it cannot be registered until the name is fixed",
                None,
                Some("wareg rename 106540352242922 --name \"…\""),
                |f, _| f.name_status = Some(NameStatus::Approved),
            ),
            (
                NextKey::WaitReview,
                "'Acme Newer' is under review (PENDING_REVIEW): a register now would have no effect",
                None,
                None,
                |f, _| f.new_name_status = Some(NameStatus::Approved),
            ),
            (
                NextKey::Verify,
                "ownership is not verified (NOT_VERIFIED)",
                None,
                Some("wareg request-code 106540352242922 --method sms"),
                |f, _| f.verified = Some(CodeVerification::Verified),
            ),
            (
                NextKey::Register,
                "verified but not registered (status PENDING): register it",
                None,
                Some("wareg register 106540352242922 --pin-stdin"),
                |f, _| f.status = Some(NumberStatus::Connected),
            ),
            (
                NextKey::Reregister,
                "re-register by 16 Dec to apply 'Acme New' (14 days from when wareg first saw it approved, 2 Dec), unless it was re-registered outside wareg",
                Some("2026-12-16T08:00:00+00:00"),
                Some("wareg register 106540352242922 --pin-stdin"),
                |f, _| f.recorded.registered = Some("2026-12-03T00:00:00Z".parse().unwrap()),
            ),
            (
                NextKey::FixHealth,
                "sending is LIMITED: WABA 77: LIMITED — A payment method is missing. What to do: Add a payment method; re-registering does not fix it",
                None,
                None,
                |f, _| f.health = None,
            ),
            (
                NextKey::None,
                "nothing waits (status CONNECTED)",
                None,
                None,
                |_, _| {},
            ),
        ];
        assert_eq!(
            steps.map(|s| s.0),
            NextKey::ORDER,
            "the table walks the order"
        );
        let (mut facts, mut budgets) = (everything, locked);
        for (key, words, until, action, peel) in steps {
            let next = next_step(&id(), &facts, &budgets, now());
            assert_eq!(next.step, key, "{next:?}");
            assert!(next.words.starts_with(words), "{key}: {}", next.words);
            assert_eq!(
                next.until.map(|u| u.to_rfc3339()).as_deref(),
                until,
                "{key}"
            );
            assert_eq!(next.action.as_deref(), action, "{key}");
            assert_eq!(NextKey::parse(key.as_str()), Some(key));
            peel(&mut facts, &mut budgets);
        }
    }

    #[test]
    fn a_declined_rename_is_flagged_with_the_name_kept_and_how_to_ask_again() {
        let declined = Facts {
            verified_name: Some("Acme Support DE".into()),
            new_name: Some("Bad Name Ltd".into()),
            new_name_status: Some(NameStatus::Declined),
            ..connected()
        };
        let next = next_step(&id(), &declined, &budgets(), now());
        assert_eq!(next.step, NextKey::EditName, "{next:?}");
        assert!(
            next.words.starts_with(
                "Meta declined the new display name 'Bad Name Ltd' (DECLINED): the number keeps 'Acme Support DE' and works as before"
            ),
            "{}",
            next.words
        );
        assert_eq!(
            next.action.as_deref(),
            Some("wareg rename 106540352242922 --name \"…\"")
        );
        // Meta's webhook word for it reads the same.
        let rejected = Facts {
            new_name_status: Some(NameStatus::parse("REJECTED")),
            ..declined.clone()
        };
        assert_eq!(
            next_step(&id(), &rejected, &budgets(), now()).step,
            NextKey::EditName
        );
        // A new request since is what the number waits for.
        let asked_again = Facts {
            new_name_status: Some(NameStatus::PendingReview),
            ..declined
        };
        assert_eq!(
            next_step(&id(), &asked_again, &budgets(), now()).step,
            NextKey::WaitReview
        );
    }

    #[test]
    fn an_attempt_abandoned_or_unknown_asks_for_a_read_even_of_a_number_never_read() {
        let unknown = |abandoned| crate::engine::UnknownOutcome {
            op: Operation::Register,
            at: "2026-12-05T11:00:00Z".parse().unwrap(),
            operator: None,
            abandoned,
        };
        let never_read = Facts {
            unknown_outcome: Some(unknown(true)),
            profile: Some("staging".into()),
            ..Facts::default()
        };
        let next = next_step(&id(), &never_read, &budgets(), now());
        assert_eq!(next.step, NextKey::CheckOutcome);
        assert!(
            next.words.starts_with(
                "the register begun Sat 05 Dec 11:00 UTC was abandoned with no outcome: Meta may or may not have applied it"
            ),
            "{}",
            next.words
        );
        assert_eq!(
            next.action.as_deref(),
            Some("wareg status 106540352242922 --profile staging")
        );
        // Read before it: still unknown; read after it: the read says.
        let read = |at: &str| Facts {
            unknown_outcome: Some(unknown(false)),
            read_at: Some(at.parse().unwrap()),
            ..connected()
        };
        let before = read("2026-12-05T10:59:00Z");
        assert_eq!(
            next_step(&id(), &before, &budgets(), now()).step,
            NextKey::CheckOutcome
        );
        let after = read("2026-12-05T11:01:00Z");
        assert_eq!(
            next_step(&id(), &after, &budgets(), now()).step,
            NextKey::None
        );
    }

    #[test]
    fn the_fourteen_days_count_from_the_first_sighting_and_end_with_a_register() {
        let seen = fact(FactKind::NameApproved, "Acme New", "2026-12-02T08:00:00Z");
        let facts = Facts {
            recorded: Recorded {
                approval: Some(seen),
                ..Recorded::default()
            },
            ..connected()
        };
        let at = |t: &str| next_step(&id(), &facts, &budgets(), t.parse().unwrap()).step;
        assert_eq!(at("2026-12-02T08:00:00Z"), NextKey::Reregister);
        assert_eq!(at("2026-12-16T07:59:59Z"), NextKey::Reregister);
        assert_eq!(
            at("2026-12-16T08:00:00Z"),
            NextKey::None,
            "the 14 days are over"
        );
        let registered = Facts {
            recorded: Recorded {
                registered: Some("2026-12-02T09:00:00Z".parse().unwrap()),
                ..facts.recorded.clone()
            },
            ..facts.clone()
        };
        assert_eq!(
            next_step(&id(), &registered, &budgets(), now()).step,
            NextKey::None,
            "a register after the approval applied it"
        );
    }

    #[test]
    fn what_meta_said_of_a_refused_register_gives_the_step_until_a_register_works() {
        let refused = Facts {
            status: Some(NumberStatus::Pending),
            recorded: Recorded {
                name_refused: Some(fact(
                    FactKind::NameRefused,
                    "Your display name could not be processed.",
                    "2026-12-04T10:00:00Z",
                )),
                ..Recorded::default()
            },
            ..connected()
        };
        assert_eq!(
            next_step(&id(), &refused, &budgets(), now()).step,
            NextKey::EditName
        );
        // A new name asked for since: the review is what the number waits for.
        let renamed = Facts {
            new_name_status: Some(NameStatus::PendingReview),
            ..refused.clone()
        };
        assert_eq!(
            next_step(&id(), &renamed, &budgets(), now()).step,
            NextKey::WaitReview
        );
        let worked = Facts {
            recorded: Recorded {
                registered: Some("2026-12-05T10:00:00Z".parse().unwrap()),
                ..refused.recorded.clone()
            },
            ..refused
        };
        assert_eq!(
            next_step(&id(), &worked, &budgets(), now()).step,
            NextKey::Register
        );
        // On-Premises and statuses no register changes are explained.
        let on_prem = Facts {
            platform: Some(PlatformType::OnPremise),
            ..connected()
        };
        let next = next_step(&id(), &on_prem, &budgets(), now());
        assert_eq!(next.step, NextKey::Explain);
        assert!(next.words.contains("On-Premises"), "{}", next.words);
        assert_eq!(
            next_step(&id(), &Facts::default(), &budgets(), now()).step,
            NextKey::None,
            "a number not read: nothing to go on"
        );
    }
}
